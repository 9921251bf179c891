"""Open311 GeoReport v2: a civic app lists services, files a request and follows it.

Every endpoint in XML (the default, also without an extension) and JSON, with the
specification's element names; every refusal as GeoReport's error list in the same format.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx
import pytest
from sqlalchemy import create_engine, text

from aduan.service import accounts
from aduan.workflow.states import Role
from tests.web.conftest import Web
from tests.web.test_public import FORM

SERVICE = "15121"
V2 = "/open311/v2"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


def xml(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return ET.fromstring(response.content)


def xml_error(response: httpx.Response) -> tuple[int, str]:
    """The one ``<errors><error>`` of an XML refusal: (code, description)."""
    root = xml(response)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"]
    code, description = root.find("error/code"), root.find("error/description")
    assert code is not None and description is not None and description.text
    assert int(code.text or 0) == response.status_code
    return response.status_code, description.text


def json_error(response: httpx.Response) -> tuple[int, str]:
    [error] = response.json()
    assert set(error) == {"code", "description"} and error["code"] == response.status_code
    return response.status_code, error["description"]


def test_services_in_xml_by_default_and_in_json(sqlite_web: Web) -> None:
    client = sqlite_web.anon()

    bare = xml(client.get(f"{V2}/services"))
    as_xml = xml(client.get(f"{V2}/services.xml"))
    as_json = client.get(f"{V2}/services.json").json()

    assert bare.tag == as_xml.tag == "services"
    assert {e.tag for e in as_xml} == {"service"}
    one = next(s for s in as_xml if s.findtext("service_code") == SERVICE)
    assert [e.tag for e in one] == SERVICE_FIELDS
    assert (one.findtext("metadata"), one.findtext("type")) == ("true", "realtime")
    assert len(as_xml) == len(as_json) == len(bare)
    first = next(s for s in as_json if s["service_code"] == SERVICE)
    assert list(first) == SERVICE_FIELDS and first["metadata"] is True
    assert first["service_name"] == one.findtext("service_name")


def test_a_service_definition_lists_the_attributes_a_request_carries(sqlite_web: Web) -> None:
    client = sqlite_web.anon()

    as_xml = xml(client.get(f"{V2}/services/{SERVICE}.xml"))
    as_json = client.get(f"{V2}/services/{SERVICE}.json").json()

    assert as_xml.tag == "service_definition" and as_xml.findtext("service_code") == SERVICE
    codes = [a.findtext("code") for a in as_xml.findall("attributes/attribute")]
    assert codes == [
        "service_received_on", "licence_number", "service_pending", "applied_on", "qa_consent",
    ]  # fmt: skip
    keys = [v.findtext("key") for v in as_xml.findall("attributes/attribute/values/value")]
    assert keys == ["false", "true"] * 2
    assert [a["code"] for a in as_json["attributes"]] == codes
    missing = client.get(f"{V2}/services/00000.json")
    assert json_error(missing)[0] == 404
    assert xml_error(client.get(f"{V2}/services/00000"))[0] == 404


def test_a_trusted_client_files_a_request_that_becomes_a_complaint(sqlite_web: Web) -> None:
    key = accounts.issue_client_key(sqlite_web.deps, "Aplikasi Warga")
    client = sqlite_web.anon()

    response = client.post(
        f"{V2}/requests.json",
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
            "attribute[licence_number]": "SS-2026-000123",
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
    assert case["licence_number"] == "SS-2026-000123"

    [one] = client.get(f"{V2}/requests/{code}.json", params={"api_key": key}).json()
    assert one["status"] == "open" and one["service_request_id"] == code
    assert (one["service_code"], one["expected_datetime"] is not None) == (SERVICE, True)
    assert one["media_url"] is None
    assert "Siti" not in str(one) and "menunggu" not in str(one)
    listed = client.get(f"{V2}/requests.json", params={"api_key": key}).json()
    assert [r["service_request_id"] for r in listed] == [code]
    closed = client.get(f"{V2}/requests.json", params={"api_key": key, "status": "closed"})
    assert closed.json() == []


def test_requests_in_xml_need_no_key_to_read(sqlite_web: Web) -> None:
    key = accounts.issue_client_key(sqlite_web.deps, "Aplikasi Warga")
    client = sqlite_web.anon()
    form = {
        "api_key": key,
        "service_code": SERVICE,
        "description": "Izin belum terbit",
        "first_name": "Siti",
        "email": "siti@contoh.id",
    }

    created = xml(client.post(f"{V2}/requests.xml", data=form))
    code = created.findtext("request/service_request_id")
    listed = xml(client.get(f"{V2}/requests"))
    [public_id] = [r.findtext("service_request_id") for r in listed.findall("request")]
    one = xml(client.get(f"{V2}/requests/{public_id}.xml"))
    own = xml(client.get(f"{V2}/requests/{code}.xml", params={"api_key": key}))

    assert created.tag == "service_requests" and [e.tag for e in created] == ["request"]
    assert code and code in (created.findtext("request/service_notice") or "")
    assert listed.tag == "service_requests" and public_id and public_id != code
    assert [r.findtext("service_request_id") for r in one.findall("request")] == [public_id]
    assert [r.findtext("service_request_id") for r in own.findall("request")] == [code]
    request = one.find("request")
    assert request is not None and request.findtext("status") == "open"
    assert request.find("media_url") is not None and request.findtext("media_url") == ""
    assert xml_error(client.get(f"{V2}/requests/{code}.xml"))[0] == 404  # a code needs the key


def stored_ids(db_url: str) -> dict[str, str | None]:
    """Every case in the database: its tracking code and its public id (None if it has none)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT tracking_code, public_id FROM cases")).all()
    finally:
        engine.dispose()
    return {str(row[0]): row[1] for row in rows}


def test_without_a_key_no_tracking_code_is_shown_and_none_opens_a_request(
    sqlite_web: Web, sqlite_url: str
) -> None:
    keys = [accounts.issue_client_key(sqlite_web.deps, name) for name in ("A", "B")]
    client = sqlite_web.anon()
    form = {"service_code": SERVICE, "description": "Izin belum terbit", "first_name": "Siti"}
    form["email"] = "siti@contoh.id"
    filed = [
        client.post(f"{V2}/requests.json", data={**form, "api_key": k}).json()[0]
        for k in (*keys, keys[1])
    ]
    codes = [f["service_request_id"] for f in filed]
    staff = client.post("/api/v1/public/complaints", json=FORM).json()["tracking_code"]
    with sqlite_web.deps.uow() as uow:  # the third request is sealed: never public
        uow.cases.seal(uow.cases.get(codes[2]).id or 0)
        uow.commit()
    stored = stored_ids(sqlite_url)

    as_json = client.get(f"{V2}/requests.json")
    as_xml = client.get(f"{V2}/requests.xml")
    shown = [r["service_request_id"] for r in as_json.json()]
    by_id = client.get(f"{V2}/requests.json", params={"service_request_id": ",".join(codes)})

    assert sorted(shown) == sorted(str(stored[c]) for c in codes[:2])
    assert [r.findtext("service_request_id") for r in xml(as_xml)] == shown
    for code in stored:  # no tracking code of any case, in any format, anywhere
        for body in (as_json.text, as_xml.text):
            assert code not in body and code.replace("-", "") not in body
    assert by_id.json() == []
    for public_id in shown:
        [one] = client.get(f"{V2}/requests/{public_id.upper()}.json").json()
        assert one["service_request_id"] == public_id and one["status"] == "open"
        assert client.get(f"/api/v1/public/track/{public_id}").status_code == 404
        assert client.get("/lacak", params={"code": public_id}).status_code == 404
    missing = client.get(f"{V2}/requests/{'0' * 24}.json")
    for hidden in (codes[0], codes[2], staff, str(stored[codes[2]])):
        refused = client.get(f"{V2}/requests/{hidden}.json")
        assert json_error(refused)[0] == json_error(missing)[0] == 404
    own = client.get(f"{V2}/requests.json", params={"api_key": keys[1]}).json()
    assert sorted(r["service_request_id"] for r in own) == sorted(codes[1:])


def test_a_request_pending_service_carries_its_application_date(sqlite_web: Web) -> None:
    key = accounts.issue_client_key(sqlite_web.deps, "Aplikasi Warga")
    form = {
        "api_key": key,
        "service_code": SERVICE,
        "description": "Izin belum terbit",
        "first_name": "Siti",
        "email": "siti@contoh.id",
        "attribute[service_pending]": "true",
        "attribute[applied_on]": "2026-02-02",
    }

    created = sqlite_web.anon().post(f"{V2}/requests.json", data=form)

    code = created.json()[0]["service_request_id"]
    case = sqlite_web.role(Role.SUPERVISOR).get(f"/api/v1/cases/{code}").json()
    assert case["service_pending"] is True and case["applied_on"] == "2026-02-02"


def test_the_jurisdiction_is_this_office_and_another_is_refused(sqlite_web: Web) -> None:
    client = sqlite_web.anon()

    ours = client.get(f"{V2}/services.json", params={"jurisdiction_id": "localhost"})
    theirs = client.get(f"{V2}/services.xml", params={"jurisdiction_id": "kota-lain.go.id"})

    assert ours.status_code == 200
    status, description = xml_error(theirs)
    assert status == 422 and "jurisdiction_id" in description and "localhost" in description


REFUSED = [
    ("get", "requests.json", {"start_date": "bukan-tanggal"}, "start_date"),
    ("get", "requests.xml", {"start_date": "2026-02-10", "end_date": "2026-01-01"}, "end_date"),
    ("get", "requests.json", {"start_date": "2025-01-01", "end_date": "2025-12-31"}, "90"),
    ("get", "requests", {"status": "selesai"}, "status"),
    ("get", "services.csv", {}, "format"),
    ("get", "requests/ADN-AAAAA-22222.csv", {}, "format"),
    ("post", "requests.json", {"service_code": SERVICE, "description": "Halo"}, "api_key"),
    ("post", "requests.xml", {"service_code": "99999", "description": "Halo"}, "service_code"),
    ("post", "requests.csv", {"service_code": SERVICE, "description": "Halo"}, "format"),
    ("post", "requests.xml", {"service_code": SERVICE, "attribute[service_pending]": "ya"}, ""),
    (
        "post",
        "requests.json",
        {"service_code": SERVICE, "attribute[qa_consent]": "ya"},
        "qa_consent",
    ),
]


@pytest.mark.parametrize(("method", "path", "params", "named"), REFUSED)
def test_bad_input_is_a_georeport_error_and_writes_nothing(
    sqlite_web: Web, method: str, path: str, params: dict[str, str], named: str
) -> None:
    key = accounts.issue_client_key(sqlite_web.deps, "Aplikasi Warga")
    client = sqlite_web.anon()
    if method == "post" and named != "api_key":
        params = {**params, "api_key": key}

    if method == "get":
        response = client.get(f"{V2}/{path}", params=params)
    else:
        response = client.post(f"{V2}/{path}", data=params)

    assert 400 <= response.status_code < 500
    wants_json = path.endswith(".json")
    _status, description = json_error(response) if wants_json else xml_error(response)
    assert named in description
    assert sqlite_web.role(Role.OFFICER).get("/api/v1/cases").json()["items"] == []


def test_without_a_valid_api_key_nothing_is_filed(sqlite_web: Web) -> None:
    client = sqlite_web.anon()
    form = {"api_key": "o311_palsu", "service_code": SERVICE, "description": "Halo"}

    filed = client.post(f"{V2}/requests.json", data=form)
    listed = client.get(f"{V2}/requests.json", params={"api_key": "o311_palsu"})

    assert json_error(filed)[0] == json_error(listed)[0] == 403
    assert sqlite_web.role(Role.OFFICER).get("/api/v1/cases").json()["items"] == []


def test_a_body_over_the_limit_is_refused_in_the_format_asked(sqlite_web: Web) -> None:
    client = sqlite_web.anon()
    body = {"service_code": SERVICE, "description": "x" * (3 << 20)}

    as_xml = client.post(f"{V2}/requests.xml", data=body)
    as_json = client.post(f"{V2}/requests.json", data=body)

    assert xml_error(as_xml)[0] == json_error(as_json)[0] == 413
    assert sqlite_web.role(Role.OFFICER).get("/api/v1/cases").json()["items"] == []
