"""The engine: SQLite (WAL, synchronous=FULL, writes that take turns) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is off so that BEGIN IMMEDIATE below is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the lock at BEGIN, so two writers never deadlock upgrading a read lock.
    readonly = conn.get_execution_options().get("aduan_readonly", False)
    sql = "BEGIN" if readonly else "BEGIN IMMEDIATE"
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    try:  # on the driver: Connection.exec_driver_sql costs more than the BEGIN
        dbapi.execute(sql)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(sql, None, exc, conn.dialect.loaded_dbapi.Error) from exc


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (file, WAL, FULL, immediate writes) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # A pooled connection per web worker thread and scheduler job: beyond pool_size a
        # connection is opened, set up (PRAGMAs) and closed for every transaction.
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=10,
            hide_parameters=True,  # an error's text (logged) must not carry personal data
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # No pre-ping: it cost a round trip on every checkout, a third of a small read (bench/api.py).
    # A connection the server dropped fails its request once; SQLAlchemy then discards the
    # pool's older connections, and recycling after 30 minutes outlives idle timeouts.
    return create_engine(
        url, pool_size=10, max_overflow=10, pool_recycle=1800, hide_parameters=True
    )
