"""Backups that keep every committed case: SQLite's online backup API, and pg_dump/pg_restore.

Issue 17: a plain copy of a live SQLite file lost 7 committed cases still in the WAL; after a
restore new messages reused old idempotency keys and ``Message-ID``s, so a deduplicating
receiver dropped them.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, text

from aduan.adapters.sql import backup
from aduan.adapters.sql.tables import metadata, outbox
from aduan.notifications.replies import digest_of
from aduan.ports import FixedClock
from aduan.service import Deps
from tests import pgserver
from tests.conftest import NOW, wired
from tests.integration.builders import engine_of, submit

Rows = dict[str, list[tuple[Any, ...]]]


def table_rows(engine: Engine) -> Rows:
    """Every row of every Aduan table, in primary-key order (the whole database, comparable)."""
    found: Rows = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order))
            found[table.name] = [tuple(r) for r in rows]
    return found


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database, those outside the metadata too (``case_search``)."""
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def tool(name: str) -> str:
    """A PostgreSQL client program: from PATH, else from the server's installation."""
    found = shutil.which(name)
    folder = pgserver.find_bin_dir()
    if found is None and folder is not None:
        found = str(folder / name)
    assert found, f"{name} not found"
    return found


def dump(deps: Deps, target: Path) -> None:
    """``pg_dump -Fc`` of ``deps``'s database, as the README says."""
    url = engine_of(deps).url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([tool("pg_dump"), "-Fc", "-f", str(target), url], check=True, timeout=120)


def pg_restore(source: Path, url: str) -> None:
    """``pg_restore`` into the empty database ``url``, as the README says."""
    subprocess.run(
        [tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", url, str(source)],
        check=True,
        timeout=120,
    )


def test_a_backup_taken_while_cases_are_filed_holds_every_case_committed_before_it(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    with wired(url, clock) as deps:
        submit(deps)
        stop = threading.Event()
        filed: list[int] = []

        def writer() -> None:
            while not stop.is_set():
                filed.append(submit(deps).id)

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            while len(filed) < 5:
                stop.wait(0.01)
            before = len(filed) + 1  # committed before the backup began
            wal = Path(f"{tmp_path / 'live.db'}-wal")
            assert wal.stat().st_size > 0  # the newest cases are still in the WAL
            backup.backup(url, tmp_path / "copy.db")
            after = len(filed) + 1
        finally:
            stop.set()
            thread.join()
        live = table_rows(engine_of(deps))

    copy = create_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    copied = table_rows(copy)
    copy.dispose()
    assert before <= len(copied["cases"]) <= after
    assert len(copied["cases"]) < len(live["cases"])  # the writer went on after the snapshot
    for table, rows in copied.items():  # nothing is updated here: the copy is a prefix
        assert [r for r in rows if r not in live[table]] == [], table
    cases = {row[0] for row in copied["cases"]}
    assert [e for e in live["case_events"] if e[1] in cases] == copied["case_events"]


def test_a_restore_gives_back_the_database_row_for_row(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    with wired(url, clock) as deps:
        for _ in range(3):
            submit(deps)
        saved = table_rows(engine_of(deps))
        saved_counts = row_counts(engine_of(deps))
        backup.backup(url, tmp_path / "copy.db")
        submit(deps)
        submit(deps, channel="email")
    backup.restore(url, tmp_path / "copy.db")

    engine = create_engine(url)
    try:
        assert table_rows(engine) == saved
        assert row_counts(engine) == saved_counts
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_a_restore_refuses_a_database_a_running_server_holds(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    with wired(url, clock) as deps:
        submit(deps)
        backup.backup(url, tmp_path / "copy.db")
        submit(deps)
        before = table_rows(engine_of(deps))
        refused = pytest.raises(backup.BackupError, match="sedang dibuka proses lain")
        with engine_of(deps).connect(), refused:  # the server's pooled connection
            backup.restore(url, tmp_path / "copy.db")
        assert table_rows(engine_of(deps)) == before  # nothing touched


def test_a_damaged_or_foreign_backup_is_refused_before_anything_is_touched(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    with wired(url, clock) as deps:
        submit(deps)
        before = table_rows(engine_of(deps))
    foreign = tmp_path / "foreign.db"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (x INTEGER)"))
    engine.dispose()
    with pytest.raises(backup.BackupError, match="bukan basis data Aduan"):
        backup.restore(url, foreign)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    with pytest.raises((backup.BackupError, Exception)):
        backup.restore(url, garbage)
    engine = create_engine(url)
    assert table_rows(engine) == before
    engine.dispose()


def outbox_keys(deps: Deps) -> dict[str, str]:
    """Idempotency key → the key receivers see (``X-Aduan-Idempotency-Key``)."""
    with engine_of(deps).connect() as conn:
        rows = conn.execute(select(outbox.c.idempotency_key, outbox.c.payload))
        return {key: f"{key}/{payload['nonce']}" for key, payload in rows}


def test_after_a_restore_new_messages_do_not_reuse_old_message_ids(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    with wired(url, clock) as deps:
        submit(deps, channel="email")
        backup.backup(url, tmp_path / "copy.db")
        lost = submit(deps, channel="email")  # delivered, then the database is restored
        delivered = outbox_keys(deps)
    backup.restore(url, tmp_path / "copy.db")
    with wired(url, clock) as deps:
        again = submit(deps, channel="email")
        now = outbox_keys(deps)

    assert again.id == lost.id  # numbered again from where the backup stood
    reused = [k for k in now if k in delivered and k.startswith(f"case:{again.id}:")]
    assert reused  # the idempotency keys repeat ...
    for key in reused:  # ... the keys and Message-IDs a receiver sees do not
        assert now[key] != delivered[key]
        assert digest_of(now[key]) != digest_of(delivered[key])  # the Message-ID's part
    old = f"case:{again.id - 1}:v1:acknowledged:complainant:email"
    assert now[old] == delivered[old]  # a row from before the backup keeps its id on retry


def test_backup_names_the_postgresql_tools_for_a_postgresql_database(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="pg_dump -Fc"):
        backup.backup("postgresql://postgres@127.0.0.1/aduan", tmp_path / "x.db")


@pytest.mark.postgres
def test_pg_dump_and_pg_restore_give_back_every_table_row_for_row(
    pg_deps: Deps, pg_server: str, tmp_path: Path
) -> None:
    for channel in ("email", "web_dpmptsp", "whatsapp"):
        submit(pg_deps, channel=channel)
    saved = table_rows(engine_of(pg_deps))
    saved_counts = row_counts(engine_of(pg_deps))
    dump(pg_deps, tmp_path / "aduan.dump")
    with pgserver.scratch_database(pg_server, prefix="aduan_restored_") as restored_url:
        pg_restore(tmp_path / "aduan.dump", restored_url)
        restored = create_engine(restored_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            got = table_rows(restored)
            counts = row_counts(restored)
            with restored.connect() as conn:
                version = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        finally:
            restored.dispose()
    assert counts == saved_counts
    assert got == saved
    assert len(saved["cases"]) == 3 and version


def test_a_restored_postgresql_database_takes_new_cases(
    pg_deps: Deps, pg_server: str, tmp_path: Path
) -> None:
    submit(pg_deps)
    dump(pg_deps, tmp_path / "aduan.dump")
    with pgserver.scratch_database(pg_server, prefix="aduan_restored_") as restored_url:
        pg_restore(tmp_path / "aduan.dump", restored_url)
        with wired(restored_url, FixedClock(NOW), migrate=True) as restored:
            case = submit(restored)  # sequences restored too: the next number, no collision
            assert case.id == 2
