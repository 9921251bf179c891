"""Duplicates on the case page (issue 14 item 4): the likely ones shown to the officer at intake
with why, the merge form refusing a wrong main case at its field, and the merged case and its
main case each saying so — in Indonesian words, never an internal code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from aduan import service
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import act, reviewed_case, submission, today
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import csrf_of, login, serving, set_passwords, version_of


@pytest.fixture
def browser(deps: Deps) -> Iterator[httpx.Client]:
    """A cookie-keeping client on the app over the test's database, staff passwords set."""
    set_passwords(deps)
    with (
        serving(deps) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        yield client


def intake_form(deps: Deps, page: str) -> dict[str, str]:
    """The officer's intake form for Siti's complaint again (her contact, her licence)."""
    return {
        "csrf_token": csrf_of(page),
        "channel": "email",
        "complainant.name": "Siti Aminah",
        "complainant.email": "siti.aminah@contoh.id",
        "complainant.confidential": "on",
        "subject": "Sertifikat standar belum terbit juga",
        "description": "Sudah lewat 10 hari kerja",
        "service_code": "15121",
        "licence_number": "SS-2026-000123",
        "service_received_on": (today(deps) - timedelta(days=7)).isoformat(),
    }


def test_the_officer_sees_likely_duplicates_at_intake_and_merges_one(
    deps: Deps, browser: httpx.Client
) -> None:
    main = reviewed_case(deps)
    login(browser, "budi")
    recorded = browser.post("/cases/new", data=intake_form(deps, browser.get("/cases/new").text))
    assert recorded.status_code == 303
    url = recorded.headers["location"].split("?")[0]
    page = browser.get(recorded.headers["location"]).text

    likely = re.search(r'<ul id="likely-duplicates">(.*?)</ul>', page, re.S)
    assert likely and main.tracking_code in likely.group(1)
    assert "pelapor yang sama" in likely.group(1) and "nomor izin yang sama" in likely.group(1)
    assert "same_contact" not in page and "similar_text" not in page
    assert 'id="form-mark_duplicate"' in page and "Gabungkan sebagai duplikat" in page

    form = {"csrf_token": csrf_of(page), "expected_version": version_of(page), "reason": "Sama"}
    own = url.rsplit("/", 1)[1]
    refused = browser.post(f"{url}/actions/mark_duplicate", data={**form, "main_code": own})
    assert refused.status_code == 422
    assert re.search(r'id="f-main_code-error">.*dirinya sendiri', refused.text)
    assert service.get_case(deps, own, "budi").status == "recorded"  # nothing changed

    done = browser.post(
        f"{url}/actions/mark_duplicate", data={**form, "main_code": main.tracking_code}
    )
    assert done.status_code == 303
    merged = browser.get(done.headers["location"]).text
    assert "Digabungkan dengan pengaduan yang sama" in merged
    assert re.search(rf'id="merged-into">.*{main.tracking_code}', merged)
    shown = browser.get(f"/cases/{main.tracking_code}").text
    assert "Jumlah pelapor: 2" in shown
    listed = re.search(r'<ul id="merged-duplicates">(.*?)</ul>', shown, re.S)
    assert listed and own in listed.group(1) and "digabungkan sebagai duplikat" in listed.group(1)


def test_a_merge_is_undone_from_the_case_page_with_a_reason(
    deps: Deps, browser: httpx.Client
) -> None:
    main = reviewed_case(deps)
    other = {"name": "Joko Widodo", "email": "joko@contoh.id"}
    duplicate = service.submit_complaint(deps, submission(deps, complainant=other), "budi")
    act(deps, duplicate, Action.MARK_DUPLICATE, "budi", main_code=main.tracking_code)
    url = f"/cases/{duplicate.tracking_code}"
    login(browser, "dewi")  # the Head neither merges nor undoes a merge: not offered
    assert 'id="form-undo_merge"' not in browser.get(url).text
    browser.cookies.clear()
    login(browser, "budi")
    page = browser.get(url).text
    assert 'id="form-undo_merge"' in page and 'href="#act-undo_merge"' in page
    form = {"csrf_token": csrf_of(page), "expected_version": version_of(page)}

    refused = browser.post(f"{url}/actions/undo_merge", data={**form, "reason": ""})
    done = browser.post(f"{url}/actions/undo_merge", data={**form, "reason": "Izinnya berbeda"})

    assert refused.status_code == 422 and re.search(r'id="f-reason-error"', refused.text)
    assert done.status_code == 303
    back = browser.get(done.headers["location"]).text
    assert "Batalkan penggabungan" in back and "Izinnya berbeda" in back
    assert 'id="merged-into"' not in back and 'id="form-undo_merge"' not in back
    shown = browser.get(f"/cases/{main.tracking_code}").text
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', shown, re.S)
    assert timeline is not None
    assert "Duplikat digabungkan ke pengaduan ini" in timeline.group(1)
    assert "Penggabungan duplikat dibatalkan" in timeline.group(1)
    assert duplicate.tracking_code in timeline.group(1) and "Izinnya berbeda" in timeline.group(1)
    assert "duplicate_unmerged" not in shown and "undo_merge" not in timeline.group(1)
