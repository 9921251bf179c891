"""Schemathesis against the OpenAPI document: no 5xx and no schema violation on generated input.

The document is the app's own; every generated request goes to the live app (real uvicorn,
SQLite) with an officer's bearer token, so it reaches the handlers behind authentication.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.config import Settings
from aduan.ports import SystemClock
from aduan.service import Deps
from aduan.web.app import create_app
from aduan.workflow.states import Role
from tests.web.conftest import Web

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


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_no_schema_violations(
    case: schemathesis.Case, sqlite_web: Web
) -> None:
    sqlite_web.role(Role.OFFICER)
    token = sqlite_web.tokens["budi"]
    case.call_and_validate(
        base_url=sqlite_web.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
