"""Units of work keep a few connections between them; what that must never change.

``SqlUnitOfWorkFactory`` hands a finished unit of work's connection to the next one instead of
returning it to the pool. A reader must still never wait for a writer, a unit of work that
failed in the database must not leave anything behind for the next, and ``Engine.dispose()``
must leave no connection open on the server.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from aduan import service
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.bootstrap import build
from aduan.config import Settings
from aduan.ports import CaseQuery
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.conftest import engine_of
from tests.integration.builders import act, submit


def _factory(deps: Deps) -> SqlUnitOfWorkFactory:
    assert isinstance(deps.uow, SqlUnitOfWorkFactory)
    return deps.uow


def _backend_pid(deps: Deps) -> int:
    with deps.uow(readonly=True) as uow:
        return int(uow.cases.conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_reader_does_not_wait_for_a_writer_after_sharing_connections(deps: Deps) -> None:
    """SQLite: read-only units of work begin a plain BEGIN even on reused connections."""
    case = submit(deps)
    act(deps, case, Action.CLASSIFY, "budi")  # writers and readers both ran once: both kinds wait
    service.get_case(deps, case.tracking_code, "budi")
    writing = threading.Event()
    finish = threading.Event()

    def hold_the_write_lock() -> None:
        with deps.uow():  # BEGIN IMMEDIATE: the database's one write lock
            writing.set()
            finish.wait(10)

    writer = threading.Thread(target=hold_the_write_lock)
    writer.start()
    try:
        assert writing.wait(10)
        seen = service.get_case(deps, case.tracking_code, "budi")  # would wait 10 s if writing
        assert seen.status == "classified"
    finally:
        finish.set()
        writer.join()


@pytest.mark.postgres
def test_the_next_unit_of_work_reuses_the_connection(pg_deps: Deps) -> None:
    first = _backend_pid(pg_deps)
    assert _backend_pid(pg_deps) == first  # the same server process: no new connection


@pytest.mark.postgres
def test_reads_keep_their_prepared_statements(pg_deps: Deps) -> None:
    """psycopg drops every prepared statement on ROLLBACK: a read that ends well commits.

    Otherwise each list and queue read was parsed and planned anew (issue 16).
    """
    submit(pg_deps)
    for _ in range(7):  # psycopg prepares a statement on the server from its fifth run
        assert len(service.list_cases(pg_deps, CaseQuery(limit=50), "budi")) == 1
    with pg_deps.uow(readonly=True) as uow:
        prepared = uow.cases.conn.execute(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :listing"),
            {"listing": "SELECT cases.id, %"},
        ).scalar()
    assert prepared == 1


@pytest.mark.postgres
def test_a_database_error_leaves_nothing_behind(pg_deps: Deps) -> None:
    """The failed transaction is rolled back, not "current transaction is aborted" next time."""
    case = submit(pg_deps)
    for readonly in (True, False):
        with (
            pytest.raises(DBAPIError, match="division by zero"),
            pg_deps.uow(readonly=readonly) as uow,
        ):
            uow.cases.conn.execute(text("SELECT 1 / 0"))
    assert service.get_case(pg_deps, case.tracking_code, "budi").status == "recorded"
    assert act(pg_deps, case, Action.CLASSIFY, "budi").status == "classified"


@pytest.mark.postgres
def test_dispose_closes_the_connections_units_of_work_kept(pg_migrated_url: str) -> None:
    deps = build(Settings(database_url=pg_migrated_url))
    name = make_url(pg_migrated_url).database
    libpq = make_url(pg_migrated_url).set(drivername="postgresql").render_as_string(False)

    def open_connections() -> int:
        with psycopg.connect(libpq, autocommit=True) as admin:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()
        assert row is not None
        return int(row[0])

    baseline = open_connections()
    held = threading.Barrier(3, timeout=10)

    def work() -> None:
        with deps.uow(readonly=True) as uow:
            uow.cases.conn.execute(text("SELECT 1"))
            held.wait()  # three units of work at once: three connections, all kept afterwards

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    work()
    for t in threads:
        t.join()
    assert open_connections() == baseline + 3
    engine_of(deps).dispose()
    deadline = time.monotonic() + 10  # a server process ends a moment after its client left
    while open_connections() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_connections() == baseline
