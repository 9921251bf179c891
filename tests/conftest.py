"""Shared fixtures: databases (SQLite file, PostgreSQL), wired dependencies and a fixed clock.

PostgreSQL is found or started once per session by ``tests/pgserver.py``; a test that needs it
and cannot get it fails, it is never skipped. Deselect those tests with ``-m "not postgres"``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

# freezegun breaks pydantic's schema generation: build every model before any test freezes time.
import aduan.catalog.orgchart
import aduan.catalog.services
import aduan.schemas.commands
import aduan.schemas.views
import aduan.workflow.payloads  # noqa: F401
from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.adapters.sql.tables import metadata
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.ports import FixedClock, UnitOfWorkFactory
from aduan.service import Deps, seed_reference_data
from tests import pgserver

# A Monday, 10:00 in Jakarta (WIB).
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


# --- servers and databases ----------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for the session (configured, local, or a throwaway cluster)."""
    try:
        with pgserver.server() as url:
            yield url
    except pgserver.PostgresUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def pg_url(pg_server: str) -> Iterator[str]:
    """The session's own empty ``aduan_test_<random>`` database, dropped at the end."""
    with pgserver.scratch_database(pg_server) as url:
        yield url


@pytest.fixture(scope="session")
def pg_migrated_url(pg_url: str) -> str:
    """The session's database, migrated and seeded once by ``upgrade_database``."""
    with wired(pg_url, FixedClock(NOW)):
        return pg_url


@pytest.fixture
def empty_pg_url(pg_server: str) -> Iterator[str]:
    """A brand-new, empty database for this test alone (for migration tests)."""
    with pgserver.scratch_database(pg_server, prefix="aduan_empty_") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, empty SQLite file for this test."""
    return f"sqlite:///{tmp_path / 'aduan.db'}"


ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Which database engine this test runs on."""
    name: str = request.param
    return name


def _url_for(engine_name: str, request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if engine_name == "sqlite" else "pg_migrated_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def db_url(engine_name: str, request: pytest.FixtureRequest) -> str:
    """The test's database on each engine.

    SQLite: a fresh file, migrated by ``deps``. PostgreSQL: the session's database, migrated
    once; ``deps`` empties it and seeds it again before each test.
    """
    return _url_for(engine_name, request)


@pytest.fixture
def empty_db_url(engine_name: str, request: pytest.FixtureRequest) -> str:
    """A database nothing has touched yet, on each engine."""
    url: str = request.getfixturevalue("sqlite_url" if engine_name == "sqlite" else "empty_pg_url")
    return url


# --- wired dependencies -------------------------------------------------------------------


@pytest.fixture
def clock() -> FixedClock:
    """The time the service layer sees; advance it by setting ``clock.current``."""
    return FixedClock(NOW)


def engine_of(deps: Deps) -> Engine:
    """The SQLAlchemy engine behind ``deps``."""
    assert isinstance(deps.uow, SqlUnitOfWorkFactory)
    return deps.uow.engine


def empty_tables(engine: Engine) -> None:
    """Remove every row of Aduan's tables, cheaply (the schema and its version stay).

    The audit tables refuse changes (migration 0002); replica mode, which only a superuser may
    set, skips those triggers for this one test-reset transaction. DELETE, children first, then
    every sequence restarted: a test's tables hold a handful of rows, and TRUNCATE of ~40 tables
    cost ~60 ms a test (new files for every table and index), DELETE ~5 ms.
    """
    # case_search (migration 0023) is not in the metadata; its rows name cases by id.
    tables = ["case_search", *(t.name for t in reversed(metadata.sorted_tables))]
    deletes = "; ".join(f"DELETE FROM {name}" for name in tables)
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(deletes)
        sequences = conn.exec_driver_sql(
            "SELECT relname FROM pg_class "
            "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
        ).scalars()
        restarts = "; ".join(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences)
        if restarts:
            conn.exec_driver_sql(restarts)


@contextlib.contextmanager
def wired(url: str, clock: FixedClock, *, migrate: bool = True) -> Iterator[Deps]:
    """Dependencies on ``url`` holding the seed data and no cases; the engine is disposed after.

    ``migrate``: run ``upgrade_database``. Otherwise the schema exists: empty it and seed again.
    """
    deps = build(Settings(database_url=url), clock=clock)
    try:
        if migrate:
            upgrade_database(deps)
        else:
            empty_tables(engine_of(deps))
            seed_reference_data(deps)
        yield deps
    finally:
        engine_of(deps).dispose()


@pytest.fixture
def deps(engine_name: str, db_url: str, clock: FixedClock) -> Iterator[Deps]:
    """The service layer on a migrated, seeded database that holds no cases yet."""
    with wired(db_url, clock, migrate=engine_name == "sqlite") as deps:
        yield deps


@pytest.fixture
def pg_deps(pg_migrated_url: str, clock: FixedClock) -> Iterator[Deps]:
    """The service layer on PostgreSQL only, for what only PostgreSQL has."""
    with wired(pg_migrated_url, clock, migrate=False) as deps:
        yield deps


@pytest.fixture(params=[pytest.param("memory", id="memory"), *ENGINES])
def uow_factory(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[UnitOfWorkFactory]:
    """Every implementation of the unit of work, seeded with the shipped reference data."""
    if request.param == "memory":
        memory = Deps(uow=InMemoryUnitOfWorkFactory(), clock=clock)
        seed_reference_data(memory)
        yield memory.uow
        return
    url = _url_for(request.param, request)
    with wired(url, clock, migrate=request.param == "sqlite") as deps:
        yield deps.uow
