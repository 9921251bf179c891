"""Concrete adapters behind the ports: SQL, in-memory fakes, delivery channels."""
