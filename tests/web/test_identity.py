"""Identity on record and the tracking code as no key, over HTTP (issue 16 items 4-5)."""

from __future__ import annotations

from structlog.testing import capture_logs

from aduan.web.middleware import redact_path
from aduan.web.ratelimit import RateLimiter
from aduan.workflow.states import Role
from tests.web.conftest import Web
from tests.web.test_public import FORM


def test_a_reveal_needs_a_reason_and_the_head_sees_it_in_the_report(web: Web) -> None:
    code = web.anon().post("/api/v1/public/complaints", json=FORM).json()["tracking_code"]
    officer, head = web.role(Role.OFFICER), web.role(Role.HEAD)
    assert officer.get(f"/api/v1/cases/{code}").json()["complainant"]["masked"] is True

    refused = officer.post(f"/api/v1/cases/{code}/identity", json={"reason": " "})
    shown = officer.post(f"/api/v1/cases/{code}/identity", json={"reason": "Menelepon pelapor"})

    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    assert shown.status_code == 200 and shown.json()["name"] == "Siti Aminah"
    report = head.get("/api/v1/reports/identity-access")
    assert report.status_code == 200
    assert [(e["username"], e["reason"]) for e in report.json()] == [("budi", "Menelepon pelapor")]
    assert officer.get("/api/v1/reports/identity-access").status_code == 403


def test_tracking_lookups_are_rate_limited_per_address(sqlite_web: Web) -> None:
    public = sqlite_web.anon()
    code = public.post("/api/v1/public/complaints", json=FORM).json()["tracking_code"]
    assert sqlite_web.app is not None
    sqlite_web.app.state.tracking_limiter = RateLimiter(2, 600, "pelacakan kode")

    codes = [public.get(f"/api/v1/public/track/{code}").status_code for _ in range(2)]
    guessed = public.get("/api/v1/public/track/ADN-AAAAA-AAAAA")
    page = public.get("/lacak", params={"code": code})

    assert codes == [200, 200]
    assert guessed.status_code == 429 and guessed.json()["code"] == "throttled"
    assert page.status_code == 429


def test_a_wrong_pin_changes_nothing_over_the_public_api(sqlite_web: Web) -> None:
    public = sqlite_web.anon()
    receipt = public.post("/api/v1/public/complaints", json=FORM).json()
    code, pin = receipt["tracking_code"], receipt["pin"]
    wrong = "000000" if pin != "000000" else "111111"
    url = f"/api/v1/public/track/{code}/actions"

    refused = public.post(url, json={"action": "withdraw", "pin": wrong})
    missing = public.post(url, json={"action": "withdraw"})

    assert refused.status_code == 422 and refused.json()["field"] == "pin"
    assert missing.status_code == 422
    assert public.get(f"/api/v1/public/track/{code}").json()["status"] == "recorded"
    done = public.post(url, json={"action": "withdraw", "reason": "Sudah terbit", "pin": pin})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"


def test_open311_client_a_sees_neither_client_b_nor_staff_cases(sqlite_web: Web) -> None:
    from aduan.service import accounts

    keys = [accounts.issue_client_key(sqlite_web.deps, name) for name in ("A", "B")]
    client = sqlite_web.anon()
    filed = [
        client.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "service_code": "15121", "description": "Izin belum terbit"},
        ).json()[0]["service_request_id"]
        for key in keys
    ]
    staff_code = client.post("/api/v1/public/complaints", json=FORM).json()["tracking_code"]

    listed = client.get("/open311/v2/requests.json", params={"api_key": keys[0]}).json()

    assert [r["service_request_id"] for r in listed] == [filed[0]]
    for other in (filed[1], staff_code):
        one = client.get(f"/open311/v2/requests/{other}.json", params={"api_key": keys[0]})
        assert one.status_code == 404
    # Without a key: the public view of a request filed through Open311, never a staff case,
    # under a public id; a tracking code, which opens the answer on /lacak, is never shown.
    public = [r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()]
    assert len(public) == 2 and not set(public) & {*filed, staff_code}
    for public_id in public:
        assert client.get(f"/open311/v2/requests/{public_id}.json").status_code == 200
    for code in (*filed, staff_code):
        assert client.get(f"/open311/v2/requests/{code}.json").status_code == 404


def test_no_tracking_code_reaches_the_logs(sqlite_web: Web) -> None:
    public = sqlite_web.anon()
    with capture_logs() as logs:
        receipt = public.post("/api/v1/public/complaints", json=FORM).json()
        code = receipt["tracking_code"]
        public.get(f"/api/v1/public/track/{code}")
        public.get(f"/api/v1/public/track/{code.lower().replace('-', '')}")
        public.post(f"/api/v1/public/track/{code}/actions", json={"action": "withdraw", "pin": "x"})

    assert logs, "the requests were logged"
    text = repr(logs).upper()
    assert code not in text and code.replace("-", "") not in text
    assert receipt["pin"] not in repr(logs)


def test_the_access_log_path_keeps_ids_and_hides_codes() -> None:
    assert redact_path("/api/v1/cases/42") == "/api/v1/cases/42"
    assert redact_path("/api/v1/cases/ADN-ABCDE-23456/actions") == "/api/v1/cases/{code}/actions"
    assert redact_path("/open311/v2/requests/ADN-ABCDE-23456.json") == (
        "/open311/v2/requests/{code}.json"
    )
    assert redact_path("/lacak/abcde23456") == "/lacak/{code}"
