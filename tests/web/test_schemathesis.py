"""Schemathesis against the OpenAPI document: no 5xx, no schema violation, nothing half-written.

The document is the app's own; every generated request goes to the live app (real uvicorn) on
SQLite and on PostgreSQL, once with an officer's bearer token (so it reaches the handlers behind
authentication) and once without any. A request the app refuses (4xx) must leave every table as
it was: the row counts are compared before and after each refused call. Only the login audit and
the rate-limit slots may grow on a refusal (recording refused attempts is their purpose).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text

from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.adapters.sql.tables import metadata
from aduan.config import Settings
from aduan.ports import FixedClock, SystemClock
from aduan.service import Deps
from aduan.web.app import create_app
from aduan.workflow.states import Role
from tests.conftest import ENGINES, NOW, engine_of, wired
from tests.web.conftest import Web, serving

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
DOCUMENT = create_app(
    Deps(uow=InMemoryUnitOfWorkFactory(), clock=SystemClock()), Settings(), start_background=False
).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)
# Written on purpose when a request is refused: the login audit and the rate-limit slots.
RECORDS_REFUSALS = frozenset({"auth_events", "rate_hits"})


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (all of Aduan's but those that record refusals), in one query."""
    names = [t.name for t in metadata.sorted_tables if t.name not in RECORDS_REFUSALS]
    query = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in names)
    with engine.connect() as conn:
        return {str(row[0]): int(row[1]) for row in conn.execute(text(query))}


@pytest.fixture(scope="module", params=ENGINES)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Web]:
    """One live app per engine for the whole module (a server per generated test is too slow)."""
    if request.param == "sqlite":
        url, migrate = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'aduan.db'}", True
    else:
        url, migrate = request.getfixturevalue("pg_migrated_url"), False
    with wired(url, FixedClock(NOW), migrate=migrate) as deps, serving(deps, url) as web:
        yield web


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("signed_in", [True, False], ids=["staff", "anonymous"])
def test_no_server_errors_no_schema_violations_and_refusals_write_nothing(
    case: schemathesis.Case, fuzzed: Web, signed_in: bool
) -> None:
    web, headers = fuzzed, {}
    if signed_in:
        web.role(Role.OFFICER)
        headers = {"Authorization": f"Bearer {web.tokens['budi']}"}
    engine = engine_of(web.deps)
    before = table_counts(engine)

    response = case.call(base_url=web.url, headers=headers)
    case.validate_response(response, checks=CHECKS)

    if response.status_code >= 400:
        after = table_counts(engine)
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        assert not changed, f"{case.method} {case.formatted_path} → {response.status_code}"
