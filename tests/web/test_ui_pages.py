"""The staff UI over HTTP (a real uvicorn server): login, queues, intake and the case page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from aduan import service
from aduan.ports import CaseQuery, FixedClock
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import (
    act,
    agency_case,
    apip_pending_case,
    internal_case,
    resolved_case,
    row_counts,
    submit,
    today,
)
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import csrf_of, login, post_form, serving, set_passwords, version_of


@pytest.fixture
def base_url(deps: Deps) -> Iterator[str]:
    """The app on a real server over the test's database, with staff passwords set."""
    set_passwords(deps)
    with serving(deps) as url:
        yield url


@pytest.fixture
def browser(base_url: str) -> Iterator[httpx.Client]:
    """A cookie-keeping HTTP client, like a browser without JavaScript."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client:
        yield client


def intake(deps: Deps, **changes: Any) -> dict[str, Any]:
    """A complete officer intake form for a WhatsApp complaint."""
    return {
        "channel": "whatsapp",
        "complainant.name": "Siti Aminah",
        "complainant.phone": "0812-3456-7890",
        "complainant.confidential": "on",
        "subject": "Sertifikat standar belum terbit",
        "description": "Sudah lewat 7 hari kerja sejak berkas lengkap",
        "service_code": "15121",
        "service_received_on": (today(deps) - timedelta(days=7)).isoformat(),
        **changes,
    }


# --- login --------------------------------------------------------------------------------


def test_pages_for_staff_send_a_stranger_to_the_login_page(browser: httpx.Client) -> None:
    for path in ("/queue", "/cases/new", "/supervisor", "/approvals", "/overdue", "/cases/1"):
        response = browser.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_wrong_password_is_refused_with_a_message_in_the_chosen_language(
    browser: httpx.Client,
) -> None:
    token = csrf_of(browser.get("/login?lang=en").text)
    form = {"username": "budi", "password": "salah-sekali-123", "csrf_token": token}
    refused = browser.post("/login", data=form)
    assert refused.status_code == 401
    assert "wrong username or password" in refused.text
    assert "aduan_session" not in refused.headers.get("set-cookie", "")


def test_login_without_the_form_token_is_refused(browser: httpx.Client) -> None:
    browser.get("/login")
    form = {"username": "budi", "password": "rahasia-budi-2026", "csrf_token": "forged"}
    assert browser.post("/login", data=form).status_code == 403


def test_login_lands_on_my_queue_and_logout_ends_the_session(browser: httpx.Client) -> None:
    queue = login(browser, "budi")
    assert queue.url.path == "/queue"
    assert "Budi Santoso" in queue.text
    assert 'href="#main"' in queue.text  # the skip link
    browser.post("/logout", data={"csrf_token": csrf_of(queue.text)})
    assert browser.get("/queue").status_code == 303


# --- queues -------------------------------------------------------------------------------


def test_my_queue_shows_overdue_cases_first_with_the_delay_in_words(
    deps: Deps, browser: httpx.Client, clock: FixedClock
) -> None:
    old = submit(deps, subject="Pengaduan lama")
    act(deps, old, Action.CLASSIFY, "budi")  # takes nobody's case: public ones are unassigned
    clock.current += timedelta(days=30)
    fresh = submit(deps, subject="Pengaduan baru")
    page = login(browser, "budi").text
    assert page.index(old.tracking_code) < page.index(fresh.tracking_code)
    assert re.search(r"due-overdue.*terlambat \d+ hari kerja", page, re.S)
    assert "hari kerja lagi" in page  # the fresh one, with the days left in words


def test_overdue_board_lists_only_late_cases(
    deps: Deps, browser: httpx.Client, clock: FixedClock
) -> None:
    late = submit(deps, subject="Pengaduan lama")
    clock.current += timedelta(days=30)
    on_time = submit(deps, subject="Pengaduan baru")
    login(browser, "sari")
    page = browser.get("/overdue?lang=en").text
    assert late.tracking_code in page
    assert on_time.tracking_code not in page
    assert "late by" in page


def test_supervisor_sees_the_escalated_case_and_the_written_report(
    deps: Deps, browser: httpx.Client
) -> None:
    case = internal_case(deps)
    act(deps, case, Action.ESCALATE, "budi", report="Berkas tertahan di verifikasi teknis")
    desk = login(browser, "sari") and browser.get("/supervisor").text
    escalations, reports, late = desk.split("<section")[1:4]
    assert case.tracking_code in escalations
    assert "Berkas tertahan di verifikasi teknis" in reports
    assert "oleh Budi Santoso" in reports  # the author by name, not username
    assert case.tracking_code not in late


def test_supervisor_sees_late_complaints_to_accept(deps: Deps, browser: httpx.Client) -> None:
    late = submit(deps, service_received_on=today(deps) - timedelta(days=45))
    login(browser, "sari")
    desk = browser.get("/supervisor").text
    late_section = desk.split('<section aria-labelledby="h-late">')[1].split("</section>")[0]
    assert late.tracking_code in late_section


def test_head_sees_apip_requests_to_approve(deps: Deps, browser: httpx.Client) -> None:
    pending = apip_pending_case(deps)
    login(browser, "dewi")
    assert pending.tracking_code in browser.get("/approvals").text
    browser.cookies.clear()
    login(browser, "sari")
    assert pending.tracking_code not in browser.get("/approvals").text


# --- intake -------------------------------------------------------------------------------


def test_officer_records_a_whatsapp_complaint_and_lands_on_its_page(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")
    done = post_form(browser, "/cases/new", "/cases/new", intake(deps))
    assert done.status_code == 303
    page = browser.get(done.headers["location"]).text
    assert "Pengaduan Anda telah diterima" in page
    assert "WhatsApp" in page
    assert "Siti Aminah" in page and "+6281234567890" in page  # the officer sees the identity
    assert 'id="form-classify"' in page
    # In the queue, the case is held by the officer who recorded it: by name, not username.
    queue = browser.get("/queue").text
    assert re.search(r'data-label="Pemegang">\s*Budi Santoso\s*<', queue)


def test_bad_intake_is_shown_again_with_each_message_by_its_field_and_nothing_written(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")
    bad = intake(deps, **{"complainant.email": "bukan-email", "subject": "  "})
    shown = post_form(browser, "/cases/new", "/cases/new", bad)
    assert shown.status_code == 422
    assert re.search(r'id="f-complainant-email-error">.*alamat email tidak valid', shown.text)
    assert re.search(r'id="f-subject-error">.*wajib diisi', shown.text)
    assert 'value="Siti Aminah"' in shown.text  # what was typed is kept
    assert row_counts(deps)["cases"] == 0


def test_intake_for_a_service_date_in_the_future_names_the_field(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")
    future = (today(deps) + timedelta(days=3)).isoformat()
    shown = post_form(browser, "/cases/new", "/cases/new", intake(deps, service_received_on=future))
    assert shown.status_code == 422
    assert 'id="f-service_received_on-error"' in shown.text
    assert row_counts(deps)["cases"] == 0


def test_agency_staff_may_not_record_complaints(browser: httpx.Client) -> None:
    login(browser, "tono")
    assert browser.get("/cases/new").status_code == 403


# --- the case page ------------------------------------------------------------------------


def test_case_page_offers_one_form_per_allowed_action(deps: Deps, browser: httpx.Client) -> None:
    case = internal_case(deps)
    login(browser, "budi")
    page = browser.get(f"/cases/{case.tracking_code}").text
    forms = re.findall(r'id="form-([a-z_]+)"', page)
    detail = service.get_case(deps, case.tracking_code, "budi")
    assert forms == detail.allowed_actions
    assert "Pejabat Pengelola Pengaduan" in page  # the chain, with the current tier
    assert 'aria-current="step"' in page


def test_action_with_bad_input_shows_the_message_by_the_field_and_changes_nothing(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)
    login(browser, "budi")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    data = {"csrf_token": csrf_of(page), "expected_version": version_of(page)}
    shown = browser.post(f"{url}/actions/classify", data={**data, "service_code": "15121"})
    assert shown.status_code == 422
    assert re.search(r'id="f-problem_types-error">.*paling sedikit 1', shown.text)
    assert '<details id="act-classify" open>' in shown.text
    assert service.get_case(deps, case.tracking_code, "budi").version == case.version


def test_action_moves_the_case_and_shows_it_on_the_timeline(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)
    login(browser, "budi")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    form = {
        "csrf_token": csrf_of(page),
        "expected_version": version_of(page),
        "service_code": "15121",
        "problem_types": ["completion_time", "fees"],
    }
    done = browser.post(f"{url}/actions/classify", data=form)
    assert done.status_code == 303
    shown = browser.get(done.headers["location"]).text
    assert "Tersimpan: Klasifikasi" in shown
    assert "Jangka waktu penyelesaian; Biaya/tarif" in shown
    assert 'id="form-review"' in shown


def test_the_report_to_the_superior_names_its_addressee(deps: Deps, browser: httpx.Client) -> None:
    case = resolved_case(deps)
    act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    act(deps, case, Action.REPORT_TO_SUPERIOR, "budi", addressee="agus")
    login(browser, "budi")
    page = browser.get(f"/cases/{case.tracking_code}").text
    addressed = re.findall(r"<dt>Tujuan</dt><dd[^>]*>([^<]*)</dd>", page)
    assert addressed, "the report's addressee is not shown"
    # By name and post, as the timeline names people; never a bare username.
    assert all(a.startswith("Agus Setiawan, ") for a in addressed), addressed


def test_stale_form_is_refused_with_a_clear_message(deps: Deps, browser: httpx.Client) -> None:
    case = submit(deps)
    login(browser, "budi")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    act(deps, case, Action.CLASSIFY, "sari")  # someone else acts in between
    form = {
        "csrf_token": csrf_of(page),
        "expected_version": version_of(page),
        "service_code": "15121",
        "problem_types": ["fees"],
    }
    stale = browser.post(f"{url}/actions/classify?lang=en", data=form)
    assert stale.status_code == 409
    assert "Someone else changed this case" in stale.text
    assert service.get_case(deps, case.tracking_code, "budi").problem_types == ["completion_time"]


def test_action_without_the_form_token_is_refused(deps: Deps, browser: httpx.Client) -> None:
    case = submit(deps)
    login(browser, "budi")
    url = f"/cases/{case.tracking_code}"
    form = {"csrf_token": "forged", "service_code": "15121", "problem_types": ["fees"]}
    assert browser.post(f"{url}/actions/classify", data=form).status_code == 403
    assert service.get_case(deps, case.tracking_code, "budi").status == "recorded"


def test_a_rule_of_the_procedure_is_shown_on_the_form(deps: Deps, browser: httpx.Client) -> None:
    case = act(deps, internal_case(deps), Action.RECORD_RESULT, "budi")
    login(browser, "sari")  # budi decided: his superior closes (item 8)
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    form = {"csrf_token": csrf_of(page), "expected_version": version_of(page)}
    refused = browser.post(f"{url}/actions/close", data=form)
    assert refused.status_code == 409
    assert "hasil belum disampaikan kepada pemohon" in refused.text


def test_agency_staff_see_the_complainant_masked(deps: Deps, browser: httpx.Client) -> None:
    case = agency_case(deps)
    login(browser, "tono")
    page = browser.get(f"/cases/{case.tracking_code}").text
    assert "Identitas dirahasiakan" in page
    assert "siti.aminah@contoh.id" not in page and "Siti Aminah" not in page


def test_unknown_case_is_a_404_page(browser: httpx.Client) -> None:
    login(browser, "budi")
    missing = browser.get("/cases/ADN-AAAAA-AAAAA")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]


def test_english_is_remembered_once_chosen(browser: httpx.Client) -> None:
    login(browser, "budi")
    assert "My queue" in browser.get("/queue?lang=en").text
    assert "My queue" in browser.get("/overdue").text
    assert "Antrean saya" in browser.get("/overdue?lang=id").text


# --- public -------------------------------------------------------------------------------


def test_public_form_returns_a_tracking_code_the_tracking_page_knows(
    deps: Deps, browser: httpx.Client
) -> None:
    form = {
        "complainant.name": "Ahmad Fauzi",
        "complainant.email": "ahmad@contoh.id",
        "subject": "Biaya tidak sesuai",
        "description": "Diminta biaya tambahan di loket",
        "service_received_on": (today(deps) - timedelta(days=2)).isoformat(),
    }
    sent = post_form(browser, "/lapor", "/lapor", form)
    assert (sent.status_code, sent.headers["location"]) == (303, "/lapor/tanda-terima")
    receipt = browser.get("/lapor/tanda-terima")
    assert receipt.status_code == 200
    code = re.search(r'id="tracking-code">([^<]+)<', receipt.text)
    assert code
    tracked = browser.get("/lacak", params={"code": code.group(1)}).text
    assert "Dicatat" in tracked
    assert "Ahmad" not in tracked and "ahmad@contoh.id" not in tracked
    stored = service.list_cases(deps, CaseQuery())
    assert [c.channel for c in stored] == ["web_dpmptsp"]


def test_public_form_with_bad_input_is_shown_again(deps: Deps, browser: httpx.Client) -> None:
    shown = post_form(browser, "/lapor?lang=en", "/lapor", {"subject": "Biaya"})
    assert shown.status_code == 422
    assert re.search(r'id="f-service_received_on-error">.*', shown.text)
    assert row_counts(deps)["cases"] == 0


def test_tracking_an_unknown_code_says_so(browser: httpx.Client) -> None:
    missing = browser.get("/lacak", params={"code": "ADN-AAAAA-AAAAA"})
    assert missing.status_code == 404
    assert "tidak ditemukan" in missing.text


def test_complainant_withdraws_from_the_tracking_page(deps: Deps, browser: httpx.Client) -> None:
    case = submit(deps)
    url = f"/lacak?code={case.tracking_code}"
    wrong = "000000" if case.pin != "000000" else "111111"
    reason = {"action": "withdraw", "reason": "Sudah selesai di loket"}
    refused = post_form(browser, url, f"/lacak/{case.tracking_code}", {**reason, "pin": wrong})
    assert refused.status_code == 422 and "PIN" in refused.text
    assert service.track_case(deps, case.tracking_code).status == "recorded"
    asked = post_form(browser, url, f"/lacak/{case.tracking_code}", {**reason, "pin": case.pin})
    assert asked.status_code == 200 and "Yakin mencabut pengaduan ini?" in asked.text
    assert service.track_case(deps, case.tracking_code).status == "recorded"
    confirmed = post_form(
        browser, url, f"/lacak/{case.tracking_code}", {**reason, "pin": case.pin, "confirm": "yes"}
    )
    assert confirmed.status_code == 303
    withdrawn = browser.get(confirmed.headers["location"])
    assert "Dicabut oleh pelapor" in withdrawn.text
    assert service.track_case(deps, case.tracking_code).status == "withdrawn"


def test_complainant_dispute_needs_a_reason(deps: Deps, browser: httpx.Client) -> None:
    case = submit(deps)
    for action in (Action.CLASSIFY, Action.REVIEW, Action.ROUTE_INTERNAL, Action.RECORD_RESULT):
        act(deps, case, action, "budi")
    for action in (Action.INFORM_COMPLAINANT, Action.REPORT_TO_SUPERIOR):
        act(deps, case, action, "budi")
    act(deps, case, Action.CLOSE, "sari")  # budi decided; his superior closes
    url = f"/lacak?code={case.tracking_code}"
    refused = post_form(
        browser, url, f"/lacak/{case.tracking_code}", {"action": "reopen", "pin": case.pin}
    )
    assert refused.status_code == 422
    assert "Alasan: wajib diisi" in refused.text
    assert service.track_case(deps, case.tracking_code).status == "closed"


# --- identity on record -------------------------------------------------------------------


def test_an_officer_reveals_a_masked_complainant_and_the_head_sees_who_and_why(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)  # filed by the public: budi did not record it, so he sees it masked
    login(browser, "budi")
    masked = browser.get(f"/cases/{case.tracking_code}")
    assert "siti.aminah@contoh.id" not in masked.text
    assert "Buka identitas" in masked.text

    empty = post_form(
        browser,
        f"/cases/{case.tracking_code}",
        f"/cases/{case.tracking_code}/identity",
        {"reason": "  "},
    )
    shown = post_form(
        browser,
        f"/cases/{case.tracking_code}",
        f"/cases/{case.tracking_code}/identity",
        {"reason": "Menelepon pelapor untuk klarifikasi"},
    )
    again = browser.get(f"/cases/{case.tracking_code}")

    assert empty.status_code == 422 and "siti.aminah@contoh.id" not in empty.text
    assert shown.status_code == 200 and "siti.aminah@contoh.id" in shown.text
    assert "tercatat dalam log akses identitas" in shown.text
    assert "siti.aminah@contoh.id" not in again.text  # each look is a reveal of its own
    assert "/identitas" not in again.text  # the report is the Head's

    browser.post("/logout", data={"csrf_token": csrf_of(again.text)})
    login(browser, "dewi")
    report = browser.get("/identitas")
    assert report.status_code == 200
    assert "Menelepon pelapor untuk klarifikasi" in report.text
    assert case.tracking_code in report.text
    assert "Budi" in report.text  # the person's name, not the username


def test_an_action_form_without_its_version_is_refused_not_taken_blind(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)
    login(browser, "budi")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    act(deps, case, Action.CLASSIFY, "sari")  # someone else acts in between
    form = {"csrf_token": csrf_of(page), "service_code": "15121", "problem_types": ["fees"]}
    refused = browser.post(f"{url}/actions/classify", data=form)  # expected_version left out
    assert refused.status_code == 422
    assert "Formulir ini tidak membawa versi kasus" in refused.text
    assert service.get_case(deps, case.tracking_code, "budi").problem_types == ["completion_time"]
