"""A NUL byte (or another control character) in a form field: a 4xx naming the field (issue 17).

On PostgreSQL a NUL in the public intake, the login or an Open311 form ended in a 500 (33 of the
33 5xx the fuzzer found): PostgreSQL cannot store it. One rule in ``aduan.schemas.text``.
"""

from __future__ import annotations

from aduan import service
from aduan.ports import CaseQuery
from aduan.service import accounts
from tests.web.conftest import Web
from tests.web.test_public_intake import opened_form, public_form
from tests.web.ui_support import csrf_of

BODY = {
    "complainant": {"name": "Siti\x00Aminah", "email": "siti@contoh.id"},
    "subject": "Izin usaha belum terbit",
    "description": "Sudah tiga minggu",
    "service_code": "15121",
    "service_received_on": "2026-02-23",
}
KEY = {"Idempotency-Key": "c0ffee00-1111-2222-3333-444455556666"}


def test_the_public_api_refuses_a_nul_naming_the_field(web: Web) -> None:
    sent = web.anon().post("/api/v1/public/complaints", json=BODY, headers=KEY)

    assert sent.status_code == 422, sent.text
    problem = sent.json()
    assert (problem["field"], problem["rule"]) == ("complainant.name", "control_characters")
    assert "karakter kendali" in problem["detail"]
    subject = {**BODY, "complainant": {"name": "Siti"}, "subject": "Izin\x1b[31m merah"}
    escaped = web.anon().post("/api/v1/public/complaints", json=subject, headers=KEY)
    assert escaped.status_code == 422 and escaped.json()["field"] == "subject"
    assert service.list_cases(web.deps, CaseQuery()) == []


def test_the_public_form_shows_itself_again_with_the_message_at_the_field(web: Web) -> None:
    browser = web.anon(headers={"Accept": "text/html"})
    form = public_form(web.deps, description="Diminta biaya\x00 tambahan")
    shown = browser.post("/lapor", data={**opened_form(browser), **form})

    assert shown.status_code == 422
    assert "karakter kendali" in shown.text
    assert service.list_cases(web.deps, CaseQuery()) == []


def test_a_nul_in_the_login_username_is_a_4xx_not_a_500(web: Web) -> None:
    api = web.anon().post("/api/v1/session", json={"username": "budi\x00", "password": "x"})
    assert api.status_code == 422, api.text
    assert api.json()["field"] == "username"

    browser = web.anon(headers={"Accept": "text/html"})
    token = csrf_of(browser.get("/login").text)
    page = browser.post(
        "/login", data={"username": "bu\x00di", "password": "x", "csrf_token": token}
    )
    assert page.status_code == 422
    assert "karakter kendali" in page.text


def test_an_open311_request_with_a_nul_is_refused_naming_the_field(web: Web) -> None:
    key = accounts.issue_client_key(web.deps, "Aplikasi Warga")
    form = {
        "api_key": key,
        "service_code": "15121",
        "description": "Izin belum terbit\x00",
        "first_name": "Siti",
        "attribute[service_received_on]": "2026-02-23",
    }
    sent = web.anon().post("/open311/v2/requests.json", data=form)

    assert sent.status_code == 422, sent.text
    [problem] = sent.json()
    # Open311 makes the subject from the description's first line: both carry the NUL.
    assert problem["description"].split(":")[0] in {"subject", "description"}
    assert "karakter kendali" in problem["description"]
    named = web.anon().post(
        "/open311/v2/requests.json", data={**form, "description": "ok", "first_name": "Si\x00ti"}
    )
    assert named.status_code == 422 and named.json()[0]["description"].startswith("name:")
    assert service.list_cases(web.deps, CaseQuery()) == []
