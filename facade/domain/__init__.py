"""Domain types: what SMSC's data means, free of any wire format."""
