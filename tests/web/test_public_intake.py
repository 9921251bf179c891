"""Issue 12 items 3-4 over HTTP: the public form is post/redirect/get with an idempotency key,
the receipt says what was recorded, why and what happens next, the tracking page withdraws only
after a reason and a confirmation and can undo it, and the public API honours Idempotency-Key.

On SQLite and PostgreSQL (``web``, ``deps``); expected texts are written out by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from aduan import service
from aduan.ports import CaseQuery
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import act, row_counts, submit, today
from tests.web.conftest import Web
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import csrf_of, serving, set_passwords

RECEIPT = "/lapor/tanda-terima"


@pytest.fixture
def base_url(deps: Deps) -> Iterator[str]:
    set_passwords(deps)
    with serving(deps) as url:
        yield url


@pytest.fixture
def browser(base_url: str) -> Iterator[httpx.Client]:
    """A cookie-keeping HTTP client, like a browser without JavaScript."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client:
        yield client


def public_form(deps: Deps, **changes: Any) -> dict[str, Any]:
    return {
        "complainant.name": "Ahmad Fauzi",
        "complainant.email": "ahmad@contoh.id",
        "subject": "Biaya tidak sesuai",
        "description": "Diminta biaya tambahan di loket",
        "service_received_on": (today(deps) - timedelta(days=2)).isoformat(),
        **changes,
    }


def opened_form(client: httpx.Client) -> dict[str, str]:
    """The hidden fields of a freshly opened /lapor: its CSRF token and submission key."""
    html = client.get("/lapor").text
    key = re.search(r'name="submission_key" value="([^"]+)"', html)
    assert key, "the public form carries a submission key"
    return {"csrf_token": csrf_of(html), "submission_key": key.group(1)}


def code_on(html: str) -> str:
    found = re.search(r'id="tracking-code">([^<]+)<', html)
    assert found, "no tracking code on the page"
    return found.group(1)


def pin_on(html: str) -> str:
    found = re.search(r'id="pin">([^<]+)<', html)
    assert found, "no PIN on the page"
    return found.group(1)


def test_the_form_redirects_to_its_receipt_and_reloading_or_resending_files_nothing(
    deps: Deps, browser: httpx.Client, base_url: str
) -> None:
    hidden = opened_form(browser)

    sent = browser.post("/lapor", data={**hidden, **public_form(deps)})

    assert (sent.status_code, sent.headers["location"]) == (303, RECEIPT)
    receipt = browser.get(RECEIPT)
    assert receipt.status_code == 200
    assert receipt.headers["cache-control"] == "no-store"
    for words in (
        "Pengaduan Anda telah diterima.",
        "Dicatat sebagai pengaduan.",
        "Selanjutnya petugas mengklasifikasi dan menelaah pengaduan Anda",
        "(14 hari kerja).",
        "Batas waktu jawaban",
    ):
        assert words in receipt.text, words
    code, pin = code_on(receipt.text), pin_on(receipt.text)

    reloaded = browser.get(RECEIPT)  # the browser's refresh of the receipt
    again = browser.post("/lapor", data={**hidden, **public_form(deps)})  # a second click

    assert (code_on(reloaded.text), pin_on(reloaded.text)) == (code, pin)
    assert (again.status_code, again.headers["location"]) == (303, RECEIPT)
    assert code_on(browser.get(RECEIPT).text) == code
    assert row_counts(deps)["cases"] == 1
    # Another browser, with the tracking code only, never sees the receipt or its PIN.
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT) as stranger:
        gone = stranger.get(RECEIPT)
        tracked = stranger.get("/lacak", params={"code": code})
    assert gone.status_code == 404 and "Tanda terima tidak tersedia" in gone.text
    assert code not in gone.text
    assert pin not in tracked.text and "Ahmad" not in tracked.text


def test_a_late_submissions_receipt_says_suggestion_why_and_that_a_supervisor_may_accept(
    deps: Deps, browser: httpx.Client
) -> None:
    late = public_form(deps, service_received_on=(today(deps) - timedelta(days=45)).isoformat())

    browser.post("/lapor", data={**opened_form(browser), **late})
    receipt = browser.get(RECEIPT).text

    assert "Masukan Anda telah diterima." in receipt
    assert "Pengaduan Anda telah diterima." not in receipt
    assert (
        "Dicatat sebagai saran/masukan, bukan pengaduan, karena diajukan lebih dari 30 hari "
        "setelah layanan diterima." in receipt
    )
    assert "Atasan pengelola pengaduan masih dapat menerimanya sebagai pengaduan." in receipt
    assert "Batas waktu jawaban" not in receipt
    assert "late" not in re.sub(r"<[^>]+>", "", receipt).split()  # no raw codes


def test_the_same_form_sent_with_other_content_files_nothing_and_says_so(
    deps: Deps, browser: httpx.Client
) -> None:
    hidden = opened_form(browser)
    browser.post("/lapor", data={**hidden, **public_form(deps)})

    other = browser.post("/lapor", data={**hidden, **public_form(deps, subject="Antrean lama")})

    assert other.status_code == 422
    assert "formulir ini sudah dikirim dengan isi lain" in other.text
    assert 'value="Antrean lama"' in other.text  # what they typed is kept
    fresh = re.search(r'name="submission_key" value="([^"]+)"', other.text)
    assert fresh and fresh.group(1) != hidden["submission_key"]
    assert row_counts(deps)["cases"] == 1


def test_withdrawal_asks_a_reason_then_confirmation_and_can_be_undone(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)
    page_url = f"/lacak?code={case.tracking_code}"
    action_url = f"/lacak/{case.tracking_code}"
    csrf = csrf_of(browser.get(page_url).text)
    ask = {"csrf_token": csrf, "action": "withdraw", "pin": case.pin}

    no_reason = browser.post(action_url, data=ask)
    asked = browser.post(action_url, data={**ask, "reason": "Sudah diselesaikan di loket"})

    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    assert asked.status_code == 200 and "Yakin mencabut pengaduan ini?" in asked.text
    assert "Anda masih dapat membatalkan pencabutan dalam 72 jam" in asked.text
    assert asked.headers["cache-control"] == "no-store"
    assert service.track_case(deps, case.tracking_code).status == "recorded"

    confirmed = browser.post(
        action_url, data={**ask, "reason": "Sudah diselesaikan di loket", "confirm": "yes"}
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/lacak?code={case.tracking_code}&done=withdraw"
    shown = browser.get(confirmed.headers["location"])
    for words in (
        "Pengaduan Anda telah dicabut.",
        "Dicabut oleh pelapor",
        "Pencabutan dapat dibatalkan sampai",
        "Batalkan pencabutan",
    ):
        assert words in shown.text, words
    browser.get(confirmed.headers["location"])  # a reload repeats nothing
    assert len(service.get_case(deps, case.tracking_code, "sari").timeline) == 2

    undone = browser.post(
        action_url, data={"csrf_token": csrf, "action": "undo_withdraw", "pin": case.pin}
    )
    assert undone.status_code == 303
    back = browser.get(undone.headers["location"])
    assert "Pencabutan dibatalkan; pengaduan Anda kembali ditindaklanjuti." in back.text
    assert service.track_case(deps, case.tracking_code).status == "recorded"


def test_tracking_shows_the_deadline_the_referral_addressee_and_an_officers_withdrawal(
    deps: Deps, browser: httpx.Client
) -> None:
    open_case, referred, duplicate = submit(deps), submit(deps), submit(deps)
    act(deps, referred, Action.REFER, "budi", addressee="Kantor Pertanahan", reason="Sengketa")
    act(deps, duplicate, Action.WITHDRAW, "budi", reason="Duplikat")

    due = browser.get("/lacak", params={"code": open_case.tracking_code}).text
    moved = browser.get("/lacak", params={"code": referred.tracking_code}).text
    removed = browser.get("/lacak", params={"code": duplicate.tracking_code}).text

    assert "Batas waktu jawaban" in due
    assert "Dilimpahkan kepada" in moved and "Kantor Pertanahan" in moved
    assert "Dicabut oleh petugas" in removed and "Dicabut oleh pelapor" not in removed
    assert "Duplikat" not in removed  # the officer's reason goes to the complainant, not here


def test_the_public_api_files_once_per_idempotency_key(web: Web) -> None:
    public = web.anon()
    body = {
        "complainant": {"name": "Siti Aminah", "email": "siti@contoh.id"},
        "subject": "Izin usaha belum terbit",
        "description": "Sudah tiga minggu sejak berkas lengkap",
        "service_code": "15121",
        "service_received_on": "2026-02-23",
    }
    key = {"Idempotency-Key": "c0ffee00-1111-2222-3333-444455556666"}

    first = public.post("/api/v1/public/complaints", json=body, headers=key)
    again = public.post("/api/v1/public/complaints", json=body, headers=key)
    other = public.post("/api/v1/public/complaints", json={**body, "subject": "Lain"}, headers=key)
    short = public.post("/api/v1/public/complaints", json=body, headers={"Idempotency-Key": "abc"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert again.json()["pin"] == first.json()["pin"]
    assert first.json()["heading"] == "Pengaduan Anda telah diterima."
    assert first.json()["notes"][0] == "Dicatat sebagai pengaduan."
    assert other.status_code == 422 and other.json()["field"] == "submission_key"
    assert short.status_code == 422 and short.json()["field"] == "Idempotency-Key"
    assert len(service.list_cases(web.deps, CaseQuery())) == 1
