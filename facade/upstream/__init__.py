"""All I/O to SMSC: one cached, coalescing, limit-keeping `SmscClient` per account."""
