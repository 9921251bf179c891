"""Answer templates (issue 14 item 3, issue 13 item 7), over HTTP on both engines: the
complaints manager keeps them in the browser, unknown placeholders are refused next to the
field with nothing saved, and an officer answering a case starts from the fitting template
filled with the case's facts; what is sent is the edited text, stored as sent."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from aduan.service import Deps
from aduan.service import templates as svc
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import login, post_form, serving, set_passwords, version_of

Clients = Callable[[str], httpx.Client]
TEXT = "Yth. {nama_pelapor}, pengaduan {kode} ({perihal}) kami terima dan sedang kami tangani."


@pytest.fixture
def client(deps: Deps) -> Iterator[Clients]:
    """Browser-like clients logged in as a user, closed at the end."""
    set_passwords(deps)
    opened: list[httpx.Client] = []
    with serving(deps) as url:

        def logged_in(username: str) -> httpx.Client:
            c = httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT)
            opened.append(c)
            login(c, username)
            return c

        yield logged_in
        for c in opened:
            c.close()


def test_a_supervisor_keeps_templates_and_an_officer_answers_from_one(
    client: Clients, deps: Deps
) -> None:
    sari, budi = client("sari"), client("budi")
    saved = post_form(
        sari, "/templat", "/templat",
        {"name": "Tanda terima", "service_code": "15121", "problem_type": "", "text": TEXT},
    )  # fmt: skip
    assert saved.status_code == 303
    (template,) = svc.list_templates(deps, "budi")

    case = b.internal_case(deps)
    page = budi.get(f"/cases/{case.tracking_code}?templat={template.id}").text
    offered = re.search(r'<textarea id="f-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert offered is not None
    expected = (
        f"Yth. Bapak/Ibu, pengaduan {case.tracking_code} (Sertifikat standar belum terbit) "
        "kami terima dan sedang kami tangani."
    )  # budi sees the complainant masked: no name in his starting text
    assert html.unescape(offered.group(1)) == expected

    edited = expected + " Mohon lampirkan bukti pembayaran."
    sent = post_form(
        budi, f"/cases/{case.tracking_code}", f"/cases/{case.tracking_code}/actions/respond",
        {"channel": "whatsapp", "text": edited, "answer_kind": "answer",
         "expected_version": version_of(page)},
    )  # fmt: skip
    assert sent.status_code == 303
    shown = b.service.get_case(deps, case.tracking_code, "sari")
    assert shown.timeline[-1].action == Action.RESPOND.value
    assert shown.timeline[-1].data["text"] == edited  # stored as sent
    assert shown.answered_at is not None
    assert shown.answered_at.astimezone(WIB).date() == b.today(deps)


def test_an_unknown_placeholder_is_refused_next_to_the_text(client: Clients, deps: Deps) -> None:
    sari = client("sari")
    refused = post_form(
        sari, "/templat", "/templat", {"name": "Salah", "text": "Halo {nama}, {kode}"}
    )
    assert refused.status_code == 422
    assert 'id="tpl-text-error"' in refused.text
    assert "{nama}" in html.unescape(refused.text)
    assert svc.list_templates(deps, "sari") == []


def test_an_officer_sees_templates_but_may_not_change_them(client: Clients, deps: Deps) -> None:
    budi = client("budi")
    assert "Tambah templat" not in budi.get("/templat").text
    refused = post_form(budi, "/templat", "/templat", {"name": "X", "text": "Halo {kode}"})
    assert refused.status_code == 403
    assert svc.list_templates(deps, "budi") == []
