"""The visibility policy over HTTP (DESIGN §6): role × relation to the case × read path.

Each cell is "visible" or a 404 exactly like a case that does not exist, on SQLite and on
PostgreSQL. The expectations are written by hand from the policy, not derived from the code:

- the office's complaint staff and the Head see every case of the office;
- an agency's staff see the cases that are or were on their agency's track, from the routing on;
- APIP sees a case once its referral is approved, not while it waits for approval;
- the administrator sees no case content at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from aduan.catalog.orgchart import StaffUser
from aduan.ports import FixedClock
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.service.reference import add_user
from aduan.workflow.states import Action, Role
from tests.integration import builders as b
from tests.web.conftest import Web

# An officer of another agency's technical team (the sample chart has none).
OTHER_AGENCY_OFFICER = StaffUser(
    username="wawan",
    full_name="Wawan Gunawan",
    role=Role.AGENCY_OFFICER,
    position="tim-teknis-disperindag",
)


def _reopened(deps: Deps) -> CaseDetail:
    """Routed to Dinas Pertanian, resolved there, closed, then reopened (back to review)."""
    case = b.agency_case(deps)
    b.act(deps, case, Action.RECORD_RESULT, "tono")
    b.act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    b.act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    b.act(deps, case, Action.CLOSE, "budi")
    return b.act(deps, case, Action.REOPEN, "budi")


def _apip_approved(deps: Deps) -> CaseDetail:
    return b.act(deps, b.apip_pending_case(deps), Action.APPROVE_APIP, "dewi")


RELATIONS: dict[str, Callable[[Deps], CaseDetail]] = {
    "never_routed": b.internal_case,
    "routed_to_dispertan": b.agency_case,
    "routed_then_reopened": _reopened,
    "apip_requested": b.apip_pending_case,
    "apip_approved": _apip_approved,
}
EVERY = set(RELATIONS)
# Who sees which relation (hand-written); every other cell is a 404.
SEES: dict[str, set[str]] = {
    "budi": EVERY,  # officer
    "sari": EVERY,  # supervisor
    "dewi": EVERY,  # Head of Office
    "tono": {"routed_to_dispertan", "routed_then_reopened"},  # Dinas Pertanian's officer
    "rina": {"routed_to_dispertan", "routed_then_reopened"},  # Dinas Pertanian's head
    "wawan": set(),  # another agency's officer
    "irfan": {"apip_approved"},  # APIP: after approval only
    "admin": set(),  # the administrator: no case content
}


def _api_case(client: httpx.Client, case: CaseDetail) -> bool:
    response = client.get(f"/api/v1/cases/{case.tracking_code}")
    assert response.status_code in (200, 404), response.text
    if response.status_code == 404:
        assert response.json()["code"] == "not_found"
    return response.status_code == 200


def _api_case_by_id(client: httpx.Client, case: CaseDetail) -> bool:
    response = client.get(f"/api/v1/cases/{case.id}")
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def _api_list(client: httpx.Client, case: CaseDetail) -> bool:
    response = client.get("/api/v1/cases", params={"limit": 200})
    assert response.status_code == 200, response.text
    return case.id in {item["id"] for item in response.json()["items"]}


def _api_list_by_deadline(client: httpx.Client, case: CaseDetail) -> bool:
    response = client.get("/api/v1/cases", params={"limit": 200, "sort": "deadline"})
    assert response.status_code == 200, response.text
    return case.id in {item["id"] for item in response.json()["items"]}


def _ui_case(client: httpx.Client, case: CaseDetail) -> bool:
    response = client.get(f"/cases/{case.tracking_code}")
    assert response.status_code in (200, 404), response.status_code
    if response.status_code == 404:
        assert case.subject not in response.text
    return response.status_code == 200


def _queue(client: httpx.Client, case: CaseDetail) -> bool:
    """The overdue board (every case is overdue by then): a queue of every case in sight."""
    response = client.get("/overdue")
    return response.status_code == 200 and case.tracking_code in response.text


def _act(client: httpx.Client, case: CaseDetail) -> bool:
    """An action with a stale version: 409 when the case is in sight, else 404; nothing written."""
    response = client.post(
        f"/api/v1/cases/{case.tracking_code}/actions",
        json={"action": "respond", "payload": {}, "expected_version": 999_999},
    )
    assert response.status_code in (403, 404, 409, 422), response.text
    return response.status_code != 404


READ_PATHS: dict[str, Callable[[httpx.Client, CaseDetail], bool]] = {
    "api_case": _api_case,
    "api_case_by_id": _api_case_by_id,
    "api_list": _api_list,
    "api_list_by_deadline": _api_list_by_deadline,
    "ui_case": _ui_case,
    "act": _act,
}


def test_each_role_sees_exactly_the_cases_the_policy_gives_it(web: Web, clock: FixedClock) -> None:
    add_user(web.deps, OTHER_AGENCY_OFFICER, by="admin")
    cases = {name: build(web.deps) for name, build in RELATIONS.items()}
    paths = dict(READ_PATHS)

    seen = _table(web, cases, paths)
    clock.current += timedelta(days=120)  # every open case is overdue now
    seen |= _table(web, cases, {"queue": _queue})

    expected = {
        (user, relation, path): relation in SEES[user]
        for user in SEES
        for relation in RELATIONS
        for path in (*READ_PATHS, "queue")
    }
    wrong = {cell: got for cell, got in seen.items() if got != expected[cell]}
    assert wrong == {}


def _table(
    web: Web,
    cases: dict[str, CaseDetail],
    paths: dict[str, Callable[[httpx.Client, CaseDetail], bool]],
) -> dict[tuple[str, str, str], bool]:
    return {
        (user, relation, path): check(web.staff(user), case)
        for user in SEES
        for relation, case in cases.items()
        for path, check in paths.items()
    }
