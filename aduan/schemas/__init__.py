"""Pydantic commands (what callers send) and read models (what use cases return)."""
