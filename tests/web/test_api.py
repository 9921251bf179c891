"""The staff API end to end over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from aduan.ports import FixedClock
from aduan.workflow.states import Action, Role
from tests.integration import builders as b
from tests.integration.builders import COMPLAINANT, PAYLOADS, SERVICE
from tests.web.conftest import Web

PROBLEM = "application/problem+json"


def complaint(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "whatsapp",
        "complainant": COMPLAINANT,
        "subject": "Sertifikat standar belum terbit",
        "description": "Sudah 10 hari kerja sejak berkas lengkap",
        "service_code": SERVICE,
        "service_received_on": "2026-02-23",
    }
    body.update(changes)
    return body


def submit(client: httpx.Client, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/cases", json=complaint(**changes))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def act(
    client: httpx.Client, ref: str, action: Action, payload: dict[str, Any] | None = None
) -> httpx.Response:
    version = client.get(f"/api/v1/cases/{ref}").json()["version"]
    body = {
        "action": action.value,
        "payload": PAYLOADS.get(action, {}) if payload is None else payload,
        "expected_version": version,
    }
    return client.post(f"/api/v1/cases/{ref}/actions", json=body)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_an_internal_complaint_from_intake_to_closing(web: Web) -> None:
    officer, supervisor = web.role(Role.OFFICER), web.role(Role.SUPERVISOR)
    case = submit(officer)
    ref = case["tracking_code"]
    assert case["status"] == "recorded" and case["assignee"] == "budi"
    assert "classify" in case["allowed_actions"]

    for action in (Action.CLASSIFY, Action.REVIEW, Action.ROUTE_INTERNAL):
        ok(act(officer, ref, action))
    escalated = ok(act(officer, ref, Action.ESCALATE))
    assert escalated["tier"] == 1 and escalated["reports"][0]["kind"] == "tier"

    seen = ok(supervisor.get(f"/api/v1/cases/{ref}"))
    assert seen["holder"] == "Kepala Seksi Pengaduan"
    assert [r["text"] for r in seen["reports"]] == [PAYLOADS[Action.ESCALATE]["report"]]
    ok(act(supervisor, ref, Action.RECORD_RESULT))
    ok(act(officer, ref, Action.INFORM_COMPLAINANT))
    ok(act(officer, ref, Action.REPORT_TO_SUPERIOR))
    closed = ok(act(web.staff("agus"), ref, Action.CLOSE))  # above the deciding tier

    assert closed["status"] == "closed"
    detail = ok(officer.get(f"/api/v1/cases/{closed['id']}"))
    assert [e["action"] for e in detail["timeline"]] == [
        "submit",
        "classify",
        "review",
        "route_internal",
        "escalate",
        "record_result",
        "inform_complainant",
        "report_to_superior",
        "close",
    ]
    assert detail["worksheet"]["core_problem"] == PAYLOADS[Action.REVIEW]["core_problem"]
    assert detail["allowed_actions"] == ["reopen"]


def test_the_case_page_lists_deadlines_and_what_the_caller_may_do_now(web: Web) -> None:
    case = submit(web.role(Role.OFFICER))

    as_officer = ok(web.role(Role.OFFICER).get(f"/api/v1/cases/{case['id']}"))
    as_head = ok(web.role(Role.HEAD).get(f"/api/v1/cases/{case['id']}"))

    assert as_officer["allowed_actions"] == [
        "classify",
        "respond",
        "withdraw",
        "refer",
        "mark_duplicate",
        "request_info",
    ]
    assert as_head["allowed_actions"] == ["respond", "extend_deadline"]
    assert {d["kind"] for d in as_officer["deadlines"]} >= {"response"}
    assert as_officer["deadlines"][0]["working_days_left"] > 0
    assert as_officer["due_at"] is not None


def test_a_stale_version_is_a_409_conflict_and_nothing_changes(web: Web) -> None:
    officer = web.role(Role.OFFICER)
    case = submit(officer)
    body = {"action": "classify", "payload": PAYLOADS[Action.CLASSIFY], "expected_version": 1}
    ok(officer.post(f"/api/v1/cases/{case['id']}/actions", json=body))

    again = officer.post(f"/api/v1/cases/{case['id']}/actions", json=body)

    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    problem = again.json()
    assert problem["code"] == "conflict" and "versi 1 → 2" in problem["detail"]
    assert ok(officer.get(f"/api/v1/cases/{case['id']}"))["version"] == 2


def test_identity_is_masked_for_agency_apip_and_admin_but_not_the_office(web: Web) -> None:
    case = submit(web.role(Role.OFFICER))
    for role in (Role.OFFICER, Role.SUPERVISOR, Role.HEAD):
        seen = ok(web.role(role).get(f"/api/v1/cases/{case['id']}"))["complainant"]
        assert seen["name"] == "Siti Aminah" and seen["masked"] is False
    # Each looks at a case in their sight (DESIGN §6); the administrator sees no case at all.
    routed = b.agency_case(web.deps)
    approved = b.act(web.deps, b.apip_pending_case(web.deps), Action.APPROVE_APIP, "dewi")
    for role, ref in (
        (Role.AGENCY_OFFICER, routed.id),
        (Role.AGENCY_HEAD, routed.id),
        (Role.APIP, approved.id),
    ):
        seen = ok(web.role(role).get(f"/api/v1/cases/{ref}"))["complainant"]
        assert seen["masked"] is True
        assert seen["name"] == "(dirahasiakan)"
        assert seen["email"] is seen["phone"] is None
    assert web.role(Role.ADMIN).get(f"/api/v1/cases/{case['id']}").status_code == 404


def test_the_list_filters_and_pages_with_a_cursor(web: Web) -> None:
    officer = web.role(Role.OFFICER)
    ids = [submit(officer, subject=f"Keluhan {i}")["id"] for i in range(5)]
    ok(act(officer, str(ids[0]), Action.CLASSIFY))

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(officer.get("/api/v1/cases", params=params))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    classified = ok(officer.get("/api/v1/cases", params={"status": "classified"}))["items"]

    assert seen == ids
    assert [c["id"] for c in classified] == [ids[0]]
    assert ok(officer.get("/api/v1/cases", params={"assignee": "sari"}))["items"] == []


def test_the_queue_by_deadline_pages_soonest_first_and_overdue_shows_breaches(web: Web) -> None:
    officer = web.role(Role.OFFICER)
    clock = web.deps.clock
    assert isinstance(clock, FixedClock)
    first = submit(officer)
    clock.current += timedelta(days=1)
    second = submit(officer)
    clock.current += timedelta(days=1)
    third = submit(officer)

    page1 = ok(officer.get("/api/v1/cases", params={"sort": "deadline", "limit": 2}))
    page2 = ok(
        officer.get(
            "/api/v1/cases", params={"sort": "deadline", "limit": 2, "cursor": page1["next_cursor"]}
        )
    )
    order = [c["id"] for c in page1["items"] + page2["items"]]
    assert order == [first["id"], second["id"], third["id"]]
    assert page2["next_cursor"] is None

    now = clock.current.isoformat().replace("+00:00", "Z")
    items = page1["items"] + page2["items"]
    late_now = ok(officer.get("/api/v1/cases", params={"overdue": True}))["items"]
    assert [c["id"] for c in late_now] == [c["id"] for c in items if c["due_at"] <= now]
    clock.current += timedelta(days=40)
    late = ok(officer.get("/api/v1/cases", params={"overdue": True}))["items"]
    assert [c["id"] for c in late] == order


def test_bad_input_is_422_naming_the_field_and_the_rule(web: Web) -> None:
    officer = web.role(Role.OFFICER)

    missing = officer.post("/api/v1/cases", json=complaint(subject=""))
    bad_phone = officer.post(
        "/api/v1/cases", json=complaint(complainant={"name": "A", "phone": "12"})
    )
    case = submit(officer)
    bad_payload = officer.post(
        f"/api/v1/cases/{case['id']}/actions",
        json={"action": "classify", "payload": {"service_code": SERVICE}, "expected_version": 1},
    )
    unknown_service = officer.post(
        f"/api/v1/cases/{case['id']}/actions",
        json={
            "action": "classify",
            "payload": {"service_code": "99999", "problem_types": ["fees"]},
            "expected_version": 1,
        },
    )

    for response, field in (
        (missing, "subject"),
        (bad_phone, "complainant.phone"),
        (bad_payload, "problem_types"),
        (unknown_service, "service_code"),
    ):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["field"] == field
        assert problem["rule"]
        assert problem["status"] == 422 and problem["type"].startswith("urn:aduan:problem:")
    assert ok(officer.get(f"/api/v1/cases/{case['id']}"))["version"] == 1


def test_unknown_cases_routes_and_methods_are_404_and_405_problems(web: Web) -> None:
    officer = web.role(Role.OFFICER)

    for path in ("/api/v1/cases/999999", "/api/v1/cases/ADN-XXXXX-XXXXX", "/api/v1/nothing"):
        response = officer.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == PROBLEM
    wrong = officer.put("/api/v1/cases")
    assert wrong.status_code == 405
    assert wrong.headers["allow"]
    assert wrong.json()["code"] == "method_not_allowed"


def test_reference_data_is_there_for_staff(web: Web) -> None:
    client = web.role(Role.AGENCY_OFFICER)

    catalog = ok(client.get("/api/v1/catalog"))
    one = ok(client.get(f"/api/v1/catalog/{SERVICE}"))
    chart = ok(client.get("/api/v1/orgchart"))
    users = ok(client.get("/api/v1/users"))
    year = ok(client.get("/api/v1/calendar/2026"))

    assert SERVICE in {s["code"] for s in catalog} and one["code"] == SERVICE
    assert {u["code"] for u in chart["units"]} >= {"dpmptsp", "dispertan", "inspektorat"}
    budi = next(u for u in users if u["username"] == "budi")
    assert budi == {
        "username": "budi",
        "full_name": "Budi Santoso",
        "role": "officer",
        "position": "pelaksana-pengaduan",
        "unit": "dpmptsp",
        "active": True,
    }
    assert any(d["on"] == "2026-08-17" for d in year["days_off"])
    assert client.get("/api/v1/catalog/nope").status_code == 404
