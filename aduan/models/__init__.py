"""Adapters and schemas: pydantic commands and read models, SQLAlchemy tables and repositories."""
