"""When the database refuses writes: a read-only file or folder, or a full disk.

The server keeps serving reads; a write is refused with ``StorageRefusedError`` (503, a clear
Indonesian message, nothing kept: its transaction rolled back), and ``/healthz`` reports the
storage until a write succeeds again. The driver's error codes tell the cases apart:
SQLite's ``SQLITE_READONLY`` (8) and ``SQLITE_FULL`` (13), PostgreSQL's SQLSTATE 25006
(read-only transaction) and 53100 (disk full).
"""

from __future__ import annotations

import errno

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from aduan.workflow.errors import FULL, READ_ONLY

SQLITE_READONLY, SQLITE_FULL = 8, 13
_SQLSTATES = {"25006": READ_ONLY, "53100": FULL}


def refusal(exc: BaseException) -> str | None:
    """``READ_ONLY`` or ``FULL`` when ``exc`` is the database refusing a write, else None."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF  # extended codes keep the primary one in the low byte
        return {SQLITE_READONLY: READ_ONLY, SQLITE_FULL: FULL}.get(primary)
    sqlstate = getattr(orig, "sqlstate", None)
    return _SQLSTATES.get(sqlstate) if isinstance(sqlstate, str) else None


TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock, serialisation failure


def transient(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL failing a transaction to break a deadlock or conflict."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def os_refusal(exc: OSError) -> str | None:
    """``READ_ONLY`` or ``FULL`` when the file system refused a file, else None."""
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return READ_ONLY
    return FULL if exc.errno in (errno.ENOSPC, errno.EDQUOT) else None


def write_probe(engine: Engine) -> str | None:
    """Try a write and roll it back: ``READ_ONLY``/``FULL`` if refused, None if it works.

    SQLite: rewriting ``user_version`` with its own value is a write that changes nothing.
    PostgreSQL: a server or database set read-only refuses even a temporary table.
    """
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                version = conn.exec_driver_sql("PRAGMA user_version").scalar()
                conn.exec_driver_sql(f"PRAGMA user_version = {int(version or 0)}")
            else:
                conn.exec_driver_sql("CREATE TEMP TABLE aduan_write_probe (x int)")
            conn.rollback()
    except DBAPIError as exc:
        found = refusal(exc)
        if found is None:
            raise
        return found
    return None
