"""Shared fixtures: databases (SQLite file, PostgreSQL), wired dependencies and a fixed clock.

PostgreSQL is found or started once per session by ``tests/pgserver.py``; a test that needs it
and cannot get it fails, it is never skipped. Deselect those tests with ``-m "not postgres"``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

# freezegun breaks pydantic's schema generation: build every model before any test freezes time.
import aduan.catalog.orgchart
import aduan.catalog.services
import aduan.models.commands
import aduan.models.views
import aduan.workflow.payloads  # noqa: F401
from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.models.memory import InMemoryUnitOfWorkFactory
from aduan.models.ports import FixedClock, UnitOfWorkFactory
from aduan.models.sql import SqlUnitOfWorkFactory
from aduan.models.tables import metadata
from aduan.service import Deps, seed_reference_data

sys.path.insert(0, str(Path(__file__).parent))
import pgserver

# A Monday, 10:00 in Jakarta (WIB).
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


# --- databases ----------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, empty SQLite file for this test."""
    return f"sqlite:///{tmp_path / 'aduan.db'}"


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
    """The session's own ``aduan_test_<random>`` database, dropped at the end.

    ``deps`` migrates it on first use and empties it before every test.
    """
    with pgserver.scratch_database(pg_server) as url:
        yield url


@pytest.fixture
def empty_pg_url(pg_server: str) -> Iterator[str]:
    """A brand-new, empty database for this test alone (for migration tests)."""
    with pgserver.scratch_database(pg_server, prefix="aduan_empty_") as url:
        yield url


ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Which database engine this test runs on."""
    name: str = request.param
    return name


@pytest.fixture
def db_url(engine_name: str, request: pytest.FixtureRequest) -> str:
    """The test's database on each engine: a fresh SQLite file, or the session's PostgreSQL one."""
    url: str = request.getfixturevalue("sqlite_url" if engine_name == "sqlite" else "pg_url")
    return url


@pytest.fixture
def empty_db_url(engine_name: str, request: pytest.FixtureRequest) -> str:
    """A database nothing has touched yet, on each engine."""
    url: str = request.getfixturevalue("sqlite_url" if engine_name == "sqlite" else "empty_pg_url")
    return url


# --- wired dependencies -------------------------------------------------------------------


def engine_of(deps: Deps) -> Engine:
    """The SQLAlchemy engine behind ``deps`` (for raw checks in tests)."""
    assert isinstance(deps.uow, SqlUnitOfWorkFactory)
    return deps.uow.engine


def empty_tables(engine: Engine) -> None:
    """Remove every row, cheaply.

    TRUNCATE fires no row triggers, so the append-only triggers of the audit tables allow it.
    """
    names = [t.name for t in metadata.sorted_tables if inspect(engine).has_table(t.name)]
    if names:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> FixedClock:
    """The time the service layer sees; advance it by setting ``clock.current``."""
    return FixedClock(NOW)


@contextlib.contextmanager
def wired(url: str, clock: FixedClock) -> Iterator[Deps]:
    """Dependencies on ``url``, migrated and seeded, with no cases; the engine is disposed after."""
    deps = build(Settings(database_url=url), clock=clock)
    engine = engine_of(deps)
    try:
        if make_url(url).get_backend_name() == "postgresql":
            empty_tables(engine)  # the session's database: start each test from the seed data
        upgrade_database(deps)
        yield deps
    finally:
        engine.dispose()


@pytest.fixture
def deps(db_url: str, clock: FixedClock) -> Iterator[Deps]:
    """The service layer on a migrated, seeded database that holds no cases yet."""
    with wired(db_url, clock) as deps:
        yield deps


@pytest.fixture(params=[pytest.param("memory", id="memory"), *ENGINES])
def uow_factory(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[UnitOfWorkFactory]:
    """Every implementation of the unit of work, seeded with the shipped reference data."""
    if request.param == "memory":
        memory = Deps(uow=InMemoryUnitOfWorkFactory(), clock=clock)
        seed_reference_data(memory)
        yield memory.uow
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    with wired(url, clock) as deps:
        yield deps.uow
