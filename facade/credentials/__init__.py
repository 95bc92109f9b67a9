"""Client tokens, scopes, and keeping secrets out of everything the facade writes or says."""
