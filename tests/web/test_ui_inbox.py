"""The staff inbox in the web UI: unread count in the menu, messages in words, mark read."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import act, internal_case
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import csrf_of, login, serving, set_passwords


@pytest.fixture
def browser(sqlite_deps_web: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sqlite_deps_web, follow_redirects=False, timeout=HTTP_TIMEOUT
    ) as client:
        yield client


@pytest.fixture
def sqlite_deps_web(deps: Deps) -> Iterator[str]:
    set_passwords(deps)
    with serving(deps) as url:
        yield url


def test_an_escalation_shows_in_the_supervisors_inbox_until_read(
    deps: Deps, browser: httpx.Client
) -> None:
    case = internal_case(deps)
    act(deps, case, Action.ESCALATE, "budi", report="Berkas tertahan di verifikasi teknis")

    queue = login(browser, "sari").text
    assert 'href="/inbox"' in queue
    assert "Kotak masuk (2)" in queue
    page = browser.get("/inbox").text
    assert f"Laporan tertulis untuk Anda — {case.tracking_code}" in page
    assert "Berkas tertahan di verifikasi teknis" in page
    assert f"Pengaduan {case.tracking_code} ditugaskan kepada Anda" in page
    assert "2 belum dibaca" in page

    english = browser.get("/inbox?lang=en").text
    assert f"A written report for you — {case.tracking_code}" in english

    first_id = re.search(r'name="id" value="(\d+)"', page)
    assert first_id
    marked = browser.post(
        "/inbox/read", data={"csrf_token": csrf_of(page), "id": first_id.group(1)}
    )
    assert marked.status_code == 303
    assert "1 unread" in browser.get("/inbox").text
    page = browser.get("/inbox").text
    browser.post("/inbox/read", data={"csrf_token": csrf_of(page)})
    after = browser.get("/inbox?lang=id").text
    assert "0 belum dibaca" in after
    assert "Kotak masuk (" not in after  # no count in the menu once everything is read


def test_marking_read_needs_the_form_token_and_touches_only_my_messages(
    deps: Deps, browser: httpx.Client
) -> None:
    act(deps, internal_case(deps), Action.ESCALATE, "budi", report="Mohon arahan")
    login(browser, "budi")
    page = browser.get("/inbox").text
    assert "Tidak ada pesan." in page
    browser.post("/inbox/read", data={"csrf_token": csrf_of(page)})  # budi marks "all" read

    refused = browser.post("/inbox/read", data={"csrf_token": "salah"})
    assert refused.status_code == 403
    browser.cookies.clear()
    login(browser, "sari")
    assert "2 belum dibaca" in browser.get("/inbox").text


def test_a_stranger_is_sent_to_the_login_page(browser: httpx.Client) -> None:
    response = browser.get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
