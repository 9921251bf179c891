"""The public Q&A on the pages and the intake entry points (issue 14 item 7).

The consent is asked on the public form, recorded at staff intake, accepted by the API and as
an Open311 attribute (default no); a supervisor publishes an anonymised text from the case page
(the form warns and prefills); ``/tanya-jawab`` shows only that text, escaped, with the month;
the complainant withdraws on ``/lacak`` with the PIN, and the entry is gone at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aduan import service
from aduan.ports import CaseQuery
from aduan.service import Deps, accounts
from aduan.workflow.states import Action, Role
from tests.integration.builders import act
from tests.integration.test_public_answers import closed_case
from tests.web.conftest import Web
from tests.web.test_public_intake import opened_form, public_form
from tests.web.ui_support import csrf_of, login, post_form, serving, set_passwords, version_of

QUESTION = "Bagaimana bila sertifikat standar belum terbit setelah tujuh hari kerja?"
ANSWER = "Sertifikat terbit setelah verifikasi <b>berkas</b>; hubungi loket bila terlambat."


@pytest.fixture
def browser(deps: Deps) -> Iterator[httpx.Client]:
    """A cookie-keeping client on the app over the test's database (SQLite and PostgreSQL)."""
    set_passwords(deps)
    with serving(deps) as url, httpx.Client(base_url=url, follow_redirects=False) as client:
        yield client


def public(browser: httpx.Client) -> httpx.Client:
    return httpx.Client(base_url=str(browser.base_url), follow_redirects=False)


def test_the_public_form_asks_for_consent_and_no_is_the_default(
    deps: Deps, browser: httpx.Client
) -> None:
    form = browser.get("/lapor").text
    assert 'name="qa_consent"' in form and 'id="f-qa_consent"' in form
    assert "Saya setuju pertanyaan dan jawaban atas pengaduan ini diterbitkan" in form
    assert re.search(r'name="qa_consent"[^>]*checked', form) is None

    browser.post("/lapor", data={**opened_form(browser), **public_form(deps)})
    browser.post("/lapor", data={**opened_form(browser), **public_form(deps, qa_consent="on")})

    cases = service.list_cases(deps, CaseQuery(), "sari")
    consents = sorted(service.get_case(deps, c.tracking_code, "sari").qa_consent for c in cases)
    assert consents == [False, True]


def test_staff_intake_records_the_consent_as_told(deps: Deps, browser: httpx.Client) -> None:
    login(browser, "budi")
    page = browser.get("/cases/new").text
    assert 'name="qa_consent"' in page and "pelapor sendiri menyatakan setuju" in page
    data = {
        "channel": "phone",
        "complainant.name": "Ahmad Fauzi",
        "complainant.phone": "081234567890",
        "subject": "Biaya tidak sesuai",
        "description": "Diminta biaya tambahan di loket",
        "service_received_on": "2026-02-27",
        "qa_consent": "on",
    }
    done = post_form(browser, "/cases/new", "/cases/new", data)
    assert done.status_code == 303, done.text
    code = done.headers["location"].split("/cases/")[1].split("?")[0]
    assert service.get_case(deps, code, "budi").qa_consent is True


def test_a_supervisor_publishes_from_the_case_page_and_the_public_reads_only_that(
    deps: Deps, browser: httpx.Client
) -> None:
    case = closed_case(deps, consent=True)
    login(browser, "agus")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    assert 'id="form-publish_qa"' in page and 'id="qa-warning"' in page
    # Prefilled from the case, for the supervisor to anonymise: subject and the answer sent.
    assert "Sertifikat standar belum terbit" in page and "Sertifikat Anda telah terbit" in page
    base = {"csrf_token": csrf_of(page), "expected_version": version_of(page)}
    texts = {"public_question": QUESTION, "public_answer": ANSWER, "reason": "Sering ditanya"}

    unconfirmed = browser.post(f"{url}/actions/publish_qa", data={**base, **texts})
    assert unconfirmed.status_code == 422
    assert 'id="f-anonymised-error"' in unconfirmed.text
    no_reason = {**base, **texts, "reason": "", "anonymised": "on"}
    refused = browser.post(f"{url}/actions/publish_qa", data=no_reason)
    assert refused.status_code == 422 and 'id="f-reason-error"' in refused.text
    assert service.get_case(deps, case.tracking_code, "agus").public_qa is None

    done = browser.post(f"{url}/actions/publish_qa", data={**base, **texts, "anonymised": "on"})
    assert done.status_code == 303, done.text
    shown = browser.get(url).text
    assert 'id="published-qa"' in shown and "Terbitkan sebagai tanya jawab publik" in shown

    with public(browser) as anyone:
        qa = anyone.get("/tanya-jawab")
        assert qa.status_code == 200
        html = qa.text
        assert QUESTION in html
        assert "verifikasi &lt;b&gt;berkas&lt;/b&gt;" in html and "<b>berkas</b>" not in html
        for private in (case.tracking_code, "Siti Aminah", "siti.aminah", "0812"):
            assert private not in html
        assert not re.search(r"\b\d{1,2} (Januari|Februari|Maret|Desember)\b", html)
        assert 'href="/tanya-jawab"' in anyone.get("/").text  # the public navigation
        assert 'href="/tanya-jawab"' in anyone.get("/transparansi").text
        english = anyone.get("/tanya-jawab", params={"lang": "en"})
        assert english.status_code == 200 and '<html lang="en">' in english.text


def test_the_complainant_withdraws_on_lacak_and_the_entry_is_gone(
    deps: Deps, browser: httpx.Client
) -> None:
    case = closed_case(deps, consent=True)
    act(deps, case, Action.PUBLISH_QA, "agus", public_question=QUESTION,
        public_answer=ANSWER, reason="Sering ditanya", anonymised=True)  # fmt: skip
    tracking = f"/lacak?code={case.tracking_code}"
    with public(browser) as anyone:
        assert QUESTION in anyone.get("/tanya-jawab").text
        lacak = anyone.get(tracking).text
        assert 'id="h-qa-consent"' in lacak and 'id="qa-published"' in lacak
        wrong = "000000" if case.pin != "000000" else "111111"
        target = f"/lacak/{case.tracking_code}"
        withdraw = {"action": "withdraw_qa_consent"}
        bad = post_form(anyone, tracking, target, {**withdraw, "pin": wrong})
        assert bad.status_code == 422 and 'id="qa-pin-error"' in bad.text
        assert QUESTION in anyone.get("/tanya-jawab").text

        done = post_form(anyone, tracking, target, {**withdraw, "pin": case.pin})

        assert done.status_code == 303
        after = anyone.get(done.headers["location"]).text
        assert "Persetujuan Anda dicabut" in after and 'id="h-qa-consent"' not in after
        gone = anyone.get("/tanya-jawab").text
        assert QUESTION not in gone and 'id="qa-none"' in gone


def test_bad_parameters_of_the_page_name_the_field(deps: Deps, browser: httpx.Client) -> None:
    unknown = browser.get("/tanya-jawab", params={"layanan": "99999"})
    assert unknown.status_code == 422 and 'id="filter-error"' in unknown.text
    assert "layanan: layanan tidak ada di katalog: 99999" in unknown.text
    for bad in ("dua", "0", "-1"):
        page = browser.get("/tanya-jawab", params={"halaman": bad})
        assert page.status_code == 422, bad
        assert "halaman: harus bilangan bulat 1 sampai 10000" in page.text


def test_the_api_and_open311_take_the_consent(web: Web) -> None:
    body: dict[str, Any] = {
        "channel": "whatsapp",
        "complainant": {"name": "Siti", "phone": "081234567890"},
        "subject": "Sertifikat standar belum terbit",
        "description": "Sudah 10 hari kerja sejak berkas lengkap",
        "service_code": "15121",
        "service_received_on": "2026-02-23",
    }
    officer = web.role(Role.OFFICER)
    agreed = officer.post("/api/v1/cases", json={**body, "qa_consent": True})
    assert agreed.status_code == 201, agreed.text
    assert agreed.json()["qa_consent"] is True
    bad = officer.post("/api/v1/cases", json={**body, "qa_consent": "maybe"})
    assert bad.status_code == 422 and "qa_consent" in bad.text

    key = accounts.issue_client_key(web.deps, "Aplikasi Warga")
    form = {"api_key": key, "service_code": "15121", "description": "Izin belum terbit"}
    client = web.anon()
    yes = client.post("/open311/v2/requests.json", data={**form, "attribute[qa_consent]": "true"})
    assert yes.status_code == 201, yes.text
    code = yes.json()[0]["service_request_id"]
    assert web.role(Role.SUPERVISOR).get(f"/api/v1/cases/{code}").json()["qa_consent"] is True
    wrong = client.post("/open311/v2/requests.json", data={**form, "attribute[qa_consent]": "ya"})
    assert wrong.status_code == 422, wrong.text
    assert "attribute[qa_consent]" in wrong.json()[0]["description"]
    unsaid = client.post("/open311/v2/requests.json", data=form)
    code = unsaid.json()[0]["service_request_id"]
    assert web.role(Role.SUPERVISOR).get(f"/api/v1/cases/{code}").json()["qa_consent"] is False
