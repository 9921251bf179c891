"""In-memory adapters of the ports, for unit tests and the contract suite (no SQL)."""
