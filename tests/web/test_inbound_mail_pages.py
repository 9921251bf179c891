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
from aduan.web.ui.render import wib
from aduan.workflow.states import Action
from tests.integration.builders import COMPLAINANT, act, submit
from tests.web.ui_support import csrf_of, login, post_form, serving, set_passwords


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


def strays(deps: Deps, *subjects: str) -> dict[str, int]:
    """File one unmatched email per subject, from a stranger; their ids by subject."""
    for n, subject in enumerate(subjects, start=1):
        mail = email(n, subject, f"Isi {subject}", sender="orang.lain@contoh.id")
        assert inbound.file_message(deps, mail) == "unmatched"
    return {m.subject: m.id for m in inbound.unmatched(deps, "budi").messages}


def mark(client: httpx.Client, mail_id: int, note: str, **extra: str) -> httpx.Response:
    return post_form(
        client, "/email-masuk", f"/email-masuk/{mail_id}/ditangani", {"handled_note": note, **extra}
    )


def test_an_officer_marks_an_email_handled_and_a_colleague_is_told_who_did(
    deps: Deps, clock: FixedClock, browser: httpx.Client
) -> None:
    ids = strays(deps, "Izin usaha saya?", "Out of office")
    login(browser, "budi")
    before = html.unescape(browser.get("/email-masuk").text)
    assert "2 email perlu ditangani" in before
    assert "Email masuk (2)" in before  # the navigation counts them

    done = mark(browser, ids["Out of office"], "balasan otomatis, tidak perlu tindakan")
    assert done.status_code == 303
    after = html.unescape(browser.get(done.headers["location"]).text)
    assert "Email ditandai sudah ditangani" in after
    assert "1 email perlu ditangani" in after and "Email masuk (1)" in after
    assert "Izin usaha saya?" in after and "Out of office" not in after
    handled = html.unescape(browser.get("/email-masuk?tampil=ditangani").text)
    assert "1 email sudah ditangani" in handled
    assert "Out of office" in handled and "Izin usaha saya?" not in handled
    assert f"Ditangani oleh Budi Santoso pada {wib(clock.current)}" in handled
    assert "balasan otomatis, tidak perlu tindakan" in handled

    with httpx.Client(base_url=str(browser.base_url), follow_redirects=False) as other:
        login(other, "sari")
        late = mark(other, ids["Out of office"], "dibalas lewat telepon")
        assert late.status_code == 409
        text = html.unescape(late.text)
        assert "sudah ditangani oleh Budi Santoso pada" in text
        assert "catatan Anda tidak disimpan" in text
        assert "dibalas lewat telepon" in text  # what they typed is shown, not lost
    kept = html.unescape(browser.get("/email-masuk?tampil=ditangani").text)
    assert "balasan otomatis, tidak perlu tindakan" in kept
    assert "dibalas lewat telepon" not in kept


def test_an_empty_note_is_refused_at_its_field_and_nothing_is_written(
    deps: Deps, browser: httpx.Client
) -> None:
    ids = strays(deps, "Pertanyaan NIB")
    login(browser, "budi")

    refused = mark(browser, ids["Pertanyaan NIB"], "   ")

    assert refused.status_code == 422
    field = refused.text[refused.text.index(f'id="email-{ids["Pertanyaan NIB"]}"') :]
    assert f'id="note-{ids["Pertanyaan NIB"]}-error"' in field
    assert "<strong>Catatan tindak lanjut:</strong> wajib diisi" in field
    assert "1 email perlu ditangani" in html.unescape(browser.get("/email-masuk").text)
    too_long = mark(browser, ids["Pertanyaan NIB"], "x" * (inbound.NOTE_MAX + 1))
    assert too_long.status_code == 422
    assert "paling banyak 500 karakter" in too_long.text
    handled = html.unescape(browser.get("/email-masuk?tampil=ditangani").text)
    assert "0 email sudah ditangani" in handled


def test_only_the_page_s_staff_mark_and_only_with_the_form_s_token(
    deps: Deps, browser: httpx.Client
) -> None:
    ids = strays(deps, "Pertanyaan NIB")
    login(browser, "budi")
    forged = browser.post(
        f"/email-masuk/{ids['Pertanyaan NIB']}/ditangani",
        data={"handled_note": "sudah", "csrf_token": "palsu"},
    )
    assert forged.status_code == 403
    with httpx.Client(base_url=str(browser.base_url), follow_redirects=False) as other:
        login(other, "tono")  # an agency officer: no such page, no such mark
        token = csrf_of(other.get("/queue").text)
        refused = other.post(
            f"/email-masuk/{ids['Pertanyaan NIB']}/ditangani",
            data={"handled_note": "sudah", "csrf_token": token},
        )
        assert refused.status_code == 403
        assert "Email masuk" not in other.get("/queue").text
    assert "1 email perlu ditangani" in html.unescape(browser.get("/email-masuk").text)


def test_the_page_says_when_more_wait_than_it_shows(deps: Deps, browser: httpx.Client) -> None:
    strays(deps, *(f"Email {n}" for n in range(1, 103)))
    login(browser, "budi")

    text = html.unescape(browser.get("/email-masuk").text)

    assert "102 email perlu ditangani" in text
    assert "Ditampilkan 100 email terbaru dari 102" in text
    assert "Email 102" in text and "Email 2<" not in text
