"""Backup and restore of a SQLite database with SQLite's online backup API.

A plain copy of a live database file misses what is still in its write-ahead log (an attack run
on issue 17 lost 7 committed cases that way). ``sqlite3.Connection.backup`` copies the database
as one reader sees it: every committed transaction, WAL included, in one consistent snapshot,
while the server keeps writing.

A restore writes the backup into the database through the same API (so an interrupted restore
rolls back like any transaction), but only when no other process has the database open: a
running server keeps cached reference data and its own connections, and must be stopped first.
PostgreSQL is backed up with its own tools (``pg_dump -Fc`` / ``pg_restore``; README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (in Indonesian)."""


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL, or a ``BackupError`` for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise BackupError(
            "perintah ini hanya untuk SQLite; PostgreSQL dicadangkan dengan pg_dump -Fc dan "
            "dipulihkan dengan pg_restore (lihat README, bagian Operasi)"
        )
    return Path(parsed.database)


def integrity(conn: sqlite3.Connection) -> str:
    """``ok``, or the first problem ``PRAGMA integrity_check`` reports."""
    row = conn.execute("PRAGMA integrity_check").fetchone()
    return str(row[0]) if row else "no answer"


def _check(conn: sqlite3.Connection, what: Path) -> None:
    result = integrity(conn)
    if result != "ok":
        raise BackupError(f"{what}: pemeriksaan integritas gagal: {result}")
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not tables or tables[0] == 0:
        raise BackupError(f"{what}: bukan basis data Aduan (tidak ada tabel alembic_version)")


def backup(url: str, target: Path) -> int:
    """Copy the database of ``url`` to ``target`` (a new file); return its size in bytes.

    Consistent while a server writes: the copy is one snapshot holding every transaction
    committed before it began. The copy is checked (``PRAGMA integrity_check``) before it is
    kept; a failed one is deleted.
    """
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"{source_path}: berkas basis data tidak ada")
    if target.exists():
        raise BackupError(f"{target}: berkas sudah ada; pilih nama lain")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=10)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check(copy, target)
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    partial.rename(target)
    return target.stat().st_size


def restore(url: str, source_file: Path) -> None:
    """Replace the database of ``url`` by the backup ``source_file``.

    The backup is checked first; the database must not be open in another process (a
    running ``aduan serve``, a scheduler, a CLI command): SQLite refuses to leave WAL mode
    while another connection has the file open, which is how that is told.
    """
    target_path = sqlite_path(url)
    if not source_file.is_file():
        raise BackupError(f"{source_file}: berkas cadangan tidak ada")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        _check(source, source_file)
        target = sqlite3.connect(target_path, timeout=0)
        try:
            _take_alone(target, target_path)
            source.backup(target)
            _check(target, target_path)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        source.close()


def _take_alone(conn: sqlite3.Connection, path: Path) -> None:
    """Switch ``conn``'s database to rollback-journal mode, which only a lone connection may."""
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError:
        mode = None
    if not mode or str(mode[0]).lower() != "delete":
        raise BackupError(
            f"{path}: basis data sedang dibuka proses lain (server aduan masih berjalan?); "
            "hentikan server dan penjadwal dulu, lalu pulihkan"
        )
