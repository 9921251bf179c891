"""The paused and extended answer clock on the pages (issue 14 item 5).

The officer asks the complainant from the case page; the tracking page shows the question and
a reply form (PIN required) only while the office waits; the supervisor extends the deadline
with a reason the complainant reads on the tracking page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from aduan import service
from aduan.ports import FixedClock
from aduan.service import Deps, timekeeping
from aduan.workflow.states import Action
from tests.integration.builders import act, internal_case, submit
from tests.integration.test_answer_clock import wib
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import csrf_of, login, post_form, serving, set_passwords, version_of

QUESTION = "Mohon kirim nomor NIB Anda."


@pytest.fixture
def browser(deps: Deps) -> Iterator[httpx.Client]:
    """A cookie-keeping client on the app over the test's database (SQLite and PostgreSQL)."""
    set_passwords(deps)
    with (
        serving(deps) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        yield client


def test_officer_asks_from_the_case_page_and_the_complainant_replies_on_lacak(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)
    act(deps, case, Action.CLASSIFY, "budi")
    login(browser, "budi")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    assert 'id="form-request_info"' in page
    tracking = f"/lacak?code={case.tracking_code}"
    assert 'name="reply"' not in browser.get(tracking).text  # nothing asked: no reply form

    empty = {"csrf_token": csrf_of(page), "expected_version": version_of(page)}
    refused = browser.post(f"{url}/actions/request_info", data=empty)
    assert refused.status_code == 422 and 'id="f-question-error"' in refused.text
    asked = browser.post(f"{url}/actions/request_info", data={**empty, "question": QUESTION})
    assert asked.status_code == 303
    shown = browser.get(asked.headers["location"]).text
    assert "Menunggu informasi dari pelapor" in shown
    assert "dihentikan sementara sejak" in shown
    assert QUESTION in shown
    # The notice to the complainant is listed by its name, never its code.
    assert "Permintaan kelengkapan informasi" in shown and "info_requested" not in shown
    assert 'id="form-record_info_reply"' in shown and 'id="form-request_info"' not in shown

    public = httpx.Client(
        base_url=str(browser.base_url), follow_redirects=False, timeout=HTTP_TIMEOUT
    )
    with public:
        lacak = public.get(tracking).text
        assert QUESTION in lacak and 'name="reply"' in lacak
        assert "dihentikan sementara: menunggu informasi dari pelapor" in lacak
        wrong = "000000" if case.pin != "000000" else "111111"
        reply = {"action": "record_info_reply", "reply": "NIB 9120001234567"}
        bad_pin = post_form(
            public, tracking, f"/lacak/{case.tracking_code}", {**reply, "pin": wrong}
        )
        assert bad_pin.status_code == 422 and 'id="reply-pin-error"' in bad_pin.text
        no_reply = post_form(
            public,
            tracking,
            f"/lacak/{case.tracking_code}",
            {"action": "record_info_reply", "reply": " ", "pin": case.pin},
        )
        assert no_reply.status_code == 422 and 'id="reply-error"' in no_reply.text
        assert service.get_case(deps, case.tracking_code, "budi").answer_clock.waiting_since
        done = post_form(
            public, tracking, f"/lacak/{case.tracking_code}", {**reply, "pin": case.pin}
        )
        assert done.status_code == 303
        after = public.get(done.headers["location"]).text
        assert "Jawaban Anda telah kami terima" in after
        assert 'name="reply"' not in after
        assert "Informasi dari pelapor diterima" in after

    resumed = browser.get(url).text
    assert "Menunggu informasi dari pelapor</span>" not in resumed
    assert "NIB 9120001234567" in resumed  # the reply on the timeline


def test_supervisor_extends_with_a_reason_the_complainant_reads(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps)
    login(browser, "sari")
    url = f"/cases/{case.tracking_code}"
    page = browser.get(url).text
    assert 'id="form-extend_deadline"' in page
    assert re.search(r'<input id="[^"]*until[^"]*" name="until" type="date"', page)
    form = {"csrf_token": csrf_of(page), "expected_version": version_of(page)}

    no_reason = browser.post(f"{url}/actions/extend_deadline", data={**form, "working_days": "3"})
    assert no_reason.status_code == 422 and 'id="f-reason-error"' in no_reason.text
    before = service.get_case(deps, case.tracking_code, "sari")
    not_later = browser.post(
        f"{url}/actions/extend_deadline",
        data={**form, "until": before.response_due_at.date().isoformat(), "reason": "Survei"},
    )
    assert not_later.status_code == 422 and 'id="f-until-error"' in not_later.text
    assert service.get_case(deps, case.tracking_code, "sari").version == before.version

    reason = "Menunggu pemeriksaan lapangan oleh Dinas"
    done = browser.post(
        f"{url}/actions/extend_deadline", data={**form, "working_days": "3", "reason": reason}
    )
    assert done.status_code == 303
    shown = browser.get(done.headers["location"]).text
    assert "Alasan perpanjangan batas waktu" in shown and reason in shown
    assert "3 hari kerja; tenggat sebelum perpanjangan" in shown
    assert "Pemberitahuan perpanjangan tenggat jawaban" in shown
    assert "deadline_extended" not in shown
    lacak = browser.get(f"/lacak?code={case.tracking_code}").text
    assert reason in lacak and "Batas waktu jawaban diperpanjang" in lacak


def test_a_paused_case_is_waiting_not_overdue_on_the_lists_and_lacak_says_until_when(
    deps: Deps, browser: httpx.Client, clock: FixedClock
) -> None:
    clock.current = wib(8, 11)  # Tuesday; the internal tier's 3 working days end on Friday 14
    case = internal_case(deps)
    clock.current = wib(8, 13)  # Thursday: asked, with one working day of the stage left
    act(deps, case, Action.REQUEST_INFO, "budi", question=QUESTION)
    clock.current = wib(8, 20)  # the stage's target has passed while the office waits

    report = timekeeping.sweep(deps)

    # Ten working days after Thursday 13 August (17 and 25 August are holidays).
    waiting = "menunggu informasi pelapor sampai Senin, 31 Agustus 2026"
    assert report.counts["escalated"] == report.counts["breached"] == 0  # no stage breach
    login(browser, "budi")
    queue = browser.get("/queue").text
    row = re.search(
        rf"<tr[^>]*>\s*<td[^>]*><a href=\"/cases/{case.tracking_code}\".*?</tr>", queue, re.S
    )
    assert row and waiting in row.group(0) and "1 hari kerja tersisa" in row.group(0)
    assert "terlambat" not in row.group(0) and "due-overdue" not in row.group(0)
    assert case.tracking_code not in browser.get("/overdue").text
    page = browser.get(f"/cases/{case.tracking_code}").text
    assert "badge due-overdue" not in page
    deadlines = re.search(r'<ul class="deadlines">(.*?)</ul>', page, re.S)
    assert deadlines and deadlines.group(1).count(waiting) == 2  # the answer and the stage
    lacak = browser.get(f"/lacak?code={case.tracking_code}").text
    assert "menunggu informasi dari pelapor sampai Senin, 31 Agustus 2026" in lacak
    assert "Kami menunggu jawaban Anda sampai Senin, 31 Agustus 2026." in lacak
    english = browser.get(f"/lacak?code={case.tracking_code}&lang=en").text
    assert "Monday, 31 August 2026" in english
