"""Replies by email on the staff pages (issue 14 item 5).

The case page shows a reply by email on the timeline — who, when, "lewat email" — and a
message on a case that waits for nothing as "Email dari pelapor"; the office's complaint staff
find the messages that were not applied on "Email masuk", which agency staff cannot open.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import httpx
import pytest

from aduan.config import Inbound, Settings
from aduan.ports import FixedClock, InboundEmail
from aduan.service import Deps, inbound
from aduan.workflow.states import Action
from tests.integration.builders import COMPLAINANT, act, submit
from tests.web.ui_support import login, serving, set_passwords


@pytest.fixture
def browser(deps: Deps) -> Iterator[httpx.Client]:
    set_passwords(deps)
    with serving(deps) as url, httpx.Client(base_url=url, follow_redirects=False) as client:
        yield client


def email(n: int, subject: str, text: str, sender: str = COMPLAINANT["email"]) -> InboundEmail:
    return InboundEmail(
        uid=str(n), message_id=f"m{n}@contoh.id", sender=sender, subject=subject, text=text
    )


def test_staff_see_a_reply_by_email_on_the_timeline_and_the_strays_on_their_page(
    deps: Deps, clock: FixedClock, browser: httpx.Client
) -> None:
    case = submit(deps)
    act(deps, case, Action.CLASSIFY, "budi")
    act(deps, case, Action.REVIEW, "budi")
    act(deps, case, Action.REQUEST_INFO, "budi", question="Mohon kirim nomor NIB Anda")
    code = case.tracking_code
    assert inbound.file_message(deps, email(1, f"Re: {code}", "NIB 9120001234567")) == "applied"
    assert inbound.file_message(deps, email(2, f"Re: {code}", "Satu hal lagi")) == "noted"
    stray = email(3, f"Re: {code}", "Saya bukan pelapor", sender="orang.lain@contoh.id")
    assert inbound.file_message(deps, stray) == "unmatched"

    login(browser, "budi")
    page = browser.get(f"/cases/{code}").text
    timeline = page[page.index('id="h-timeline"') :]
    assert "Catat jawaban pelapor atas permintaan informasi" in timeline
    assert 'oleh Pelapor <span class="via">lewat email</span>' in timeline
    assert "NIB 9120001234567" in timeline
    assert "Email dari pelapor" in timeline and "Satu hal lagi" in timeline
    assert "complainant_email" not in page  # no internal code on the page
    assert 'href="/email-masuk"' in page

    listed = browser.get("/email-masuk")
    assert listed.status_code == 200
    text = html.unescape(listed.text)
    assert "orang.lain@contoh.id" in text and "Saya bukan pelapor" in text
    assert "Pengirim bukan alamat email pelapor yang tercatat" in text
    assert f'href="/cases/{code}"' in listed.text
    assert "NIB 9120001234567" not in text  # an applied reply is not a stray

    other = httpx.Client(base_url=str(browser.base_url), follow_redirects=False)
    with other:
        login(other, "tono")  # an agency officer
        refused = other.get("/email-masuk")
        assert refused.status_code == 403
        assert "orang.lain@contoh.id" not in refused.text


def test_the_page_says_the_mailbox_is_a_server_setting_only_while_it_is_not_set(
    deps: Deps,
) -> None:
    """The officer is told who can turn reading on: whoever runs the server, not an admin page."""
    set_passwords(deps)
    not_read = "Kotak email kantor tidak dibaca oleh Aduan"
    reading = Settings(inbound=Inbound(host="imap.contoh.id"))
    for settings, told in ((Settings(), True), (reading, False)):
        with serving(deps, settings) as url, httpx.Client(base_url=url) as client:
            login(client, "budi")
            text = html.unescape(client.get("/email-masuk").text)
        assert (not_read in text) is told
        assert ("ADUAN_IMAP_HOST" in text) is told
        assert ("pengelola server" in text) is told
        assert "administrator" not in text
