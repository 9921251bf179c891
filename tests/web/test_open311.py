"""Open311 GeoReport v2: a civic app lists services, files a request and follows it."""

from __future__ import annotations

from aduan.service import accounts
from aduan.workflow.states import Role
from tests.web.conftest import Web

SERVICE = "15121"


def test_services_are_the_catalog(sqlite_web: Web) -> None:
    client = sqlite_web.anon()

    services = client.get("/open311/v2/services.json").json()
    definition = client.get(f"/open311/v2/services/{SERVICE}.json").json()

    one = next(s for s in services if s["service_code"] == SERVICE)
    assert set(one) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert one["type"] == "realtime" and one["metadata"] is True
    assert definition["service_code"] == SERVICE
    assert [a["code"] for a in definition["attributes"]] == [
        "service_received_on",
        "licence_number",
    ]
    missing = client.get("/open311/v2/services/00000.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": missing.json()[0]["description"]}]


def test_a_trusted_client_files_a_request_that_becomes_a_complaint(sqlite_web: Web) -> None:
    key = accounts.issue_client_key(sqlite_web.deps, "Aplikasi Warga")
    client = sqlite_web.anon()

    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": SERVICE,
            "description": "Izin belum terbit\nSudah 3 minggu menunggu",
            "first_name": "Siti",
            "last_name": "Aminah",
            "email": "siti@contoh.id",
            "lat": "-6.55",
            "long": "107.44",
            "attribute[service_received_on]": "2026-02-23",
        },
    )

    assert response.status_code == 201, response.text
    [created] = response.json()
    code = created["service_request_id"]
    assert code in created["service_notice"]
    # The complaints manager sees the complainant (DESIGN §6; nobody recorded it by hand).
    case = sqlite_web.role(Role.SUPERVISOR).get(f"/api/v1/cases/{code}").json()
    assert case["channel"] == "api" and case["kind"] == "complaint"
    assert case["subject"] == "Izin belum terbit"
    assert case["complainant"]["name"] == "Siti Aminah"
    assert "-6.550000,107.440000" in case["description"]
    assert case["service_received_on"] == "2026-02-23"

    [one] = client.get(f"/open311/v2/requests/{code}.json", params={"api_key": key}).json()
    assert one["status"] == "open" and one["service_request_id"] == code
    assert "Siti" not in str(one) and "menunggu" not in str(one)
    listed = client.get("/open311/v2/requests.json", params={"api_key": key}).json()
    assert [r["service_request_id"] for r in listed] == [code]
    assert (
        client.get("/open311/v2/requests.json", params={"api_key": key, "status": "closed"}).json()
        == []
    )


def test_without_a_valid_api_key_nothing_is_filed_or_listed(sqlite_web: Web) -> None:
    client = sqlite_web.anon()
    form = {"api_key": "o311_palsu", "service_code": SERVICE, "description": "Halo"}

    filed = client.post("/open311/v2/requests.json", data=form)
    listed = client.get("/open311/v2/requests.json")

    assert filed.status_code == listed.status_code == 403
    assert filed.json()[0]["code"] == 403
    assert sqlite_web.role(Role.OFFICER).get("/api/v1/cases").json()["items"] == []


def test_an_unknown_service_code_is_refused_naming_it(sqlite_web: Web) -> None:
    key = accounts.issue_client_key(sqlite_web.deps, "Aplikasi Warga")

    response = sqlite_web.anon().post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "99999", "description": "Halo"},
    )

    assert response.status_code == 422
    assert "service_code" in response.json()[0]["description"]
