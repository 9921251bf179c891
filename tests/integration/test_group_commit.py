"""Group commit on SQLite: writers queued behind a commit share its transaction and its fsync.

What an officer notices: under a burst of saves every save still lands (or fails with its own
error), nobody is told "saved" before the disk has it, and a save that goes wrong takes only
itself down. What the office's server notices: fewer disk flushes than saves.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import OperationalError

from aduan.adapters.sql.engine import make_engine
from aduan.adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from aduan.service import Deps
from aduan.workflow.errors import DatabaseUnavailableError
from tests.integration.builders import engine_of, submit


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[SqlUnitOfWorkFactory]:
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (v TEXT NOT NULL)"))
    yield SqlUnitOfWorkFactory(engine)
    engine.dispose()


def _write(uow: SqlUnitOfWork, value: str) -> None:
    conn = uow._conn  # the adapter's own test writes a row of its own table
    assert conn is not None
    conn.execute(text("INSERT INTO probe (v) VALUES (:v)"), {"v": value})


def _stored(factory: SqlUnitOfWorkFactory) -> set[str]:
    with factory.engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT v FROM probe"))}


def _queue_behind(factory: SqlUnitOfWorkFactory, jobs: dict[str, Any]) -> dict[str, Any]:
    """Run each job in a thread, all queued for the turn before any gets it; their outcomes."""
    turn = factory.writer
    assert turn is not None and factory.grouper is not None
    outcome: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            with factory() as uow:
                jobs[name](uow)
            outcome[name] = "saved"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            outcome[name] = exc

    assert turn.acquire()
    threads = [threading.Thread(target=run, args=(name,)) for name in jobs]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while turn.waiting < len(jobs) and time.monotonic() < deadline:
        time.sleep(0.001)
    assert turn.waiting == len(jobs)
    turn.release()
    for thread in threads:
        thread.join(10)
    return outcome


def _counting_commits(factory: SqlUnitOfWorkFactory) -> list[int]:
    commits: list[int] = []
    event.listen(factory.engine, "commit", lambda _conn: commits.append(1))
    return commits


def test_a_lone_writer_commits_at_once(factory: SqlUnitOfWorkFactory) -> None:
    with factory() as uow:
        _write(uow, "alone")
        uow.commit()
        # Nobody was waiting: the row is on disk before the unit of work even ends.
        assert _stored(factory) == {"alone"}


def test_queued_writers_commit_together_once(factory: SqlUnitOfWorkFactory) -> None:
    commits = _counting_commits(factory)

    def job(name: str) -> Any:
        def write(uow: SqlUnitOfWork) -> None:
            _write(uow, name)
            uow.commit()

        return write

    names = [f"w{i}" for i in range(6)]
    outcome = _queue_behind(factory, {name: job(name) for name in names})
    assert outcome == dict.fromkeys(names, "saved")
    assert _stored(factory) == set(names)
    assert len(commits) == 1  # six saves, one transaction, one fsync


def test_a_failing_writer_rolls_back_alone_and_gets_its_own_error(
    factory: SqlUnitOfWorkFactory,
) -> None:
    def good(name: str) -> Any:
        def write(uow: SqlUnitOfWork) -> None:
            _write(uow, name)
            uow.commit()

        return write

    def bad(uow: SqlUnitOfWork) -> None:
        _write(uow, "bad")
        raise ValueError("nomor izin tidak valid")

    def uncommitted(uow: SqlUnitOfWork) -> None:
        _write(uow, "never committed")  # rolled back unless committed, in a group too

    def after_commit(uow: SqlUnitOfWork) -> None:
        _write(uow, "kept")
        uow.commit()
        _write(uow, "dropped")
        raise KeyError("later")

    outcome = _queue_behind(
        factory,
        {
            "a": good("a"),
            "bad": bad,
            "b": good("b"),
            "uncommitted": uncommitted,
            "after": after_commit,
            "c": good("c"),
        },
    )
    assert outcome["a"] == outcome["b"] == outcome["c"] == outcome["uncommitted"] == "saved"
    assert isinstance(outcome["bad"], ValueError)
    assert isinstance(outcome["after"], KeyError)
    assert _stored(factory) == {"a", "b", "c", "kept"}


def test_when_the_group_cannot_commit_every_member_is_told(
    factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_commit(self: Connection) -> None:
        raise OperationalError("COMMIT", None, sqlite3.OperationalError("disk I/O error"))

    def write(name: str) -> Any:
        def job(uow: SqlUnitOfWork) -> None:
            _write(uow, name)
            uow.commit()

        return job

    monkeypatch.setattr(Connection, "commit", failing_commit)
    outcome = _queue_behind(factory, {"x": write("x"), "y": write("y"), "z": write("z")})
    monkeypatch.undo()
    assert all(isinstance(result, DatabaseUnavailableError) for result in outcome.values())
    assert all("disk I/O error" in str(result) for result in outcome.values())
    assert _stored(factory) == set()
    # The turn and the connection came back: the next save goes through.
    with factory() as uow:
        _write(uow, "after")
        uow.commit()
    assert _stored(factory) == {"after"}


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_burst_of_complaints_is_saved_whole_with_fewer_flushes(deps: Deps) -> None:
    deps = replace(deps, uow=SqlUnitOfWorkFactory(engine_of(deps), group_commit=True))
    commits: list[int] = []
    event.listen(engine_of(deps), "commit", lambda _conn: commits.append(1))
    codes: list[str] = []
    lock = threading.Lock()

    def file_complaints() -> None:
        for _ in range(8):
            case = submit(deps)
            with lock:
                codes.append(case.tracking_code)

    threads = [threading.Thread(target=file_complaints) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with engine_of(deps).connect() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT tracking_code FROM cases"))}
    assert len(codes) == 48 and stored == set(codes)
    assert len(commits) < len(codes)  # saves queued behind a commit joined it
