"""The suggestion queue and the conversion of a suggestion over the HTTP API (issue 12 item 2).

Bad input is problem+json naming the field and the rule, and nothing is written.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aduan import service
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web

REASON = "Nama dan nomor telepon ada di formulir, terlewat saat dicatat"


def _suggestion(web: Web, **changes: Any) -> Any:
    fields: dict[str, Any] = {"complainant": {"name": None}, **changes}
    return service.submit_complaint(web.deps, b.submission(web.deps, **fields), "budi")


def _convert(web: Web, user: str, case: Any, payload: dict[str, Any]) -> Any:
    return web.staff(user).post(
        f"/api/v1/cases/{case.id}/actions",
        json={"action": "convert_suggestion", "payload": payload, "expected_version": 1},
    )


def test_the_queue_lists_suggestions_by_reason_and_service(sqlite_web: Web) -> None:
    anonymous = _suggestion(sqlite_web)
    late = b.submit(
        sqlite_web.deps,
        service_code="71204",
        service_received_on=b.today(sqlite_web.deps) - timedelta(days=40),
    )
    b.submit(sqlite_web.deps)  # a complaint
    officer = sqlite_web.staff("budi")

    every = officer.get("/api/v1/suggestions")
    assert every.status_code == 200
    assert [i["case"]["tracking_code"] for i in every.json()] == [
        anonymous.tracking_code,
        late.tracking_code,
    ]
    by_reason = officer.get("/api/v1/suggestions", params={"reason": "late"}).json()
    assert [i["case"]["screening_reason"] for i in by_reason] == ["late"]
    by_service = officer.get("/api/v1/suggestions", params={"service_code": "71204"}).json()
    assert [i["case"]["tracking_code"] for i in by_service] == [late.tracking_code]


def test_bad_filters_name_the_field_and_the_rule(sqlite_web: Web) -> None:
    officer = sqlite_web.staff("budi")

    bad_reason = officer.get("/api/v1/suggestions", params={"reason": "terlambat"})
    assert bad_reason.status_code == 422
    assert bad_reason.headers["content-type"] == "application/problem+json"
    assert bad_reason.json()["errors"][0]["field"] == "reason"
    assert bad_reason.json()["errors"][0]["rule"] == "enum"

    unknown = officer.get("/api/v1/suggestions", params={"service_code": "99999"})
    assert unknown.status_code == 422
    assert (unknown.json()["field"], unknown.json()["rule"]) == ("service_code", "known_service")


def test_agency_staff_may_not_open_the_suggestion_queue(sqlite_web: Web) -> None:
    refused = sqlite_web.staff("tono").get("/api/v1/suggestions")
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["rule"]) == ("access_denied", "suggestion_staff")


def test_a_conversion_without_a_reason_names_the_field_and_writes_nothing(
    sqlite_web: Web,
) -> None:
    case = _suggestion(sqlite_web)
    for payload, rule in (({}, "missing"), ({"reason": "  "}, "string_too_short")):
        refused = _convert(sqlite_web, "sari", case, payload)
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert (problem["field"], problem["rule"]) == ("reason", rule)
    after = service.get_case(sqlite_web.deps, case.tracking_code, "sari")
    assert (after.kind, after.status, after.version) == ("suggestion", "suggestion", 1)


def test_an_officer_may_not_convert_a_suggestion(sqlite_web: Web) -> None:
    case = _suggestion(sqlite_web)
    refused = _convert(sqlite_web, "budi", case, {"reason": REASON})
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["code"] == "forbidden"
    assert "convert_suggestion" in problem["detail"] and "officer" in problem["detail"]
    assert service.get_case(sqlite_web.deps, case.tracking_code, "sari").version == 1


def test_a_supervisor_converts_with_a_reason(sqlite_web: Web) -> None:
    case = _suggestion(sqlite_web)
    done = _convert(sqlite_web, "sari", case, {"reason": REASON})
    assert done.status_code == 200, done.text
    assert (done.json()["kind"], done.json()["status"]) == ("complaint", "recorded")
    assert done.json()["event"]["data"] == {"reason": REASON}
    after = service.get_case(sqlite_web.deps, case.tracking_code, "budi")
    assert Action.CLASSIFY.value in after.allowed_actions
