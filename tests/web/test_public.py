"""The public side without an account: intake (rate-limited) and tracking by code."""

from __future__ import annotations

from typing import Any

from aduan.web.ratelimit import IntakeLimits
from aduan.workflow.states import Action, Role
from tests.integration.builders import PAYLOADS
from tests.web.conftest import Web

FORM: dict[str, Any] = {
    "complainant": {"name": "Siti Aminah", "email": "siti@contoh.id", "phone": "081234567890"},
    "subject": "Izin usaha belum terbit",
    "description": "Sudah tiga minggu sejak berkas lengkap",
    "service_code": "15121",
    "service_received_on": "2026-02-23",
}
PRIVATE = ("Siti", "siti@contoh.id", "081234567890", "+6281234567890", "tiga minggu")


def test_a_complaint_without_an_account_gets_a_tracking_code(sqlite_web: Web) -> None:
    public = sqlite_web.anon()

    response = public.post("/api/v1/public/complaints", json=FORM)

    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["tracking_code"].startswith("ADN-")
    assert receipt["kind"] == "complaint" and receipt["status"] == "recorded"
    assert receipt["response_due_at"] is not None
    assert not any(text in response.text for text in PRIVATE)
    assert len(receipt["pin"]) == 6 and receipt["pin"].isdigit()
    # The complaints manager sees the complainant (DESIGN §6); an officer who did not record
    # the case sees it masked (tests/web/test_identity.py).
    staff_view = sqlite_web.role(Role.SUPERVISOR).get(f"/api/v1/cases/{receipt['tracking_code']}")
    assert staff_view.json()["channel"] == "web_dpmptsp"
    assert staff_view.json()["complainant"]["name"] == "Siti Aminah"


def test_tracking_shows_status_dates_and_answer_and_nobody_s_identity(sqlite_web: Web) -> None:
    public, officer = sqlite_web.anon(), sqlite_web.role(Role.OFFICER)
    code = public.post("/api/v1/public/complaints", json=FORM).json()["tracking_code"]
    answer = "Sertifikat Anda sudah terbit, silakan unduh"
    for action in (Action.CLASSIFY, Action.REVIEW, Action.ROUTE_INTERNAL, Action.RECORD_RESULT):
        version = officer.get(f"/api/v1/cases/{code}").json()["version"]
        officer.post(
            f"/api/v1/cases/{code}/actions",
            json={
                "action": action,
                "payload": PAYLOADS.get(action, {}),
                "expected_version": version,
            },
        ).raise_for_status()
    version = officer.get(f"/api/v1/cases/{code}").json()["version"]
    officer.post(
        f"/api/v1/cases/{code}/actions",
        json={
            "action": "inform_complainant",
            "payload": {"channel": "email", "text": answer},
            "expected_version": version,
        },
    ).raise_for_status()

    tracked = public.get(f"/api/v1/public/track/{code.lower()}")

    assert tracked.status_code == 200
    view = tracked.json()
    # The answer as sent to the complainant; the office's internal summary stays inside.
    assert view["status"] == "resolved" and view["answer"] == answer
    assert PAYLOADS[Action.RECORD_RESULT]["summary"] not in tracked.text
    assert view["history"][0][1] == "Dicatat"
    assert not any(text in tracked.text for text in PRIVATE)
    assert public.get("/api/v1/public/track/ADN-AAAAA-AAAAA").status_code == 404


def test_the_complainant_may_withdraw_by_tracking_code(sqlite_web: Web) -> None:
    public = sqlite_web.anon()
    receipt = public.post("/api/v1/public/complaints", json=FORM).json()
    code, pin = receipt["tracking_code"], receipt["pin"]

    response = public.post(
        f"/api/v1/public/track/{code}/actions",
        json={"action": "withdraw", "reason": "Sudah terbit", "pin": pin},
    )
    reopen = public.post(
        f"/api/v1/public/track/{code}/actions", json={"action": "reopen", "pin": pin}
    )

    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert reopen.status_code == 422 and reopen.json()["field"] == "reason"


def test_public_intake_is_rate_limited_per_address(sqlite_web: Web) -> None:
    public = sqlite_web.anon()
    # The app's limits, made strict for the test: 2 per hour for a caller without a device
    # cookie (the API's), 5 per address.
    assert sqlite_web.app is not None
    sqlite_web.app.state.intake_limits = IntakeLimits(per_device=2, per_address=5)

    codes = [public.post("/api/v1/public/complaints", json=FORM).status_code for _ in range(3)]

    assert codes == [201, 201, 429]
    refused = public.post("/api/v1/public/complaints", json=FORM)
    assert refused.headers["content-type"] == "application/problem+json"
    assert 3000 < int(refused.headers["retry-after"]) <= 3600
    assert refused.json()["code"] == "throttled"
    assert public.get("/healthz").status_code == 200  # only the intake is limited


def test_bad_public_input_names_the_field(sqlite_web: Web) -> None:
    response = sqlite_web.anon().post(
        "/api/v1/public/complaints", json={**FORM, "service_received_on": "kemarin"}
    )

    assert response.status_code == 422
    assert response.json()["field"] == "service_received_on"
    assert response.json()["rule"] == "date_from_datetime_parsing"
