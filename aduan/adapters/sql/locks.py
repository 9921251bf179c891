"""Locks across processes held in the database: instances starting together migrate in turn."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine, text

MIGRATION_LOCK = 0x616475616E  # "aduan": instances starting together migrate one at a time


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, hold a session advisory lock while migrating (no-op on SQLite).

    SQLite needs none: its writers already take turns on the database file.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()
