"""One module per REST resource, each declaring a `Resource` named `resource`."""
