"""The SQL adapters (SQLite and PostgreSQL): schema, repositories, unit of work, migrations."""
