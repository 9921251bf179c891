"""Deliveries you can see (issue 13 item 6): the case page tells, for each message to the
complainant, whether it was sent, is waiting or failed — and why — instead of "Hasil
disampaikan" over a message that never left. Delivered through a real SMTP server."""

from __future__ import annotations

import html
import re
from pathlib import Path

from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.integration.servers import free_port, smtp_server
from tests.integration.test_delivery import dispatcher
from tests.web.conftest import Web


def deliveries(web: Web, user: str, code: str) -> str:
    """The words of the case page's section on messages to the complainant."""
    page = web.staff(user).get(f"/cases/{code}").text
    found = re.search(r'<section aria-labelledby="h-deliveries">(.*?)</section>', page, re.S)
    assert found, "no deliveries section"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_a_waiting_then_failing_email_is_shown_with_its_reason(web: Web, tmp_path: Path) -> None:
    code = b.submit(web.deps, channel="email").tracking_code

    waiting = deliveries(web, "sari", code)  # the complaints manager sees the address
    assert waiting.startswith(
        "Pemberitahuan kepada pelapor (1) Tanda terima pengaduan · Email (siti.aminah@contoh.id)"
    )
    assert waiting.endswith("Menunggu dikirim")

    nobody = free_port()  # no mail server listens there
    dispatcher(web.deps, tmp_path, smtp_host="127.0.0.1", smtp_port=nobody).dispatch()
    retrying = deliveries(web, "budi", code)
    assert "Menunggu dikirim (1 kali gagal, dicoba lagi " in retrying
    assert "server pengirim tidak dapat dihubungi" in retrying  # the reason, in words


def test_an_email_that_used_every_attempt_says_failed(web: Web, tmp_path: Path) -> None:
    code = b.submit(web.deps, channel="email").tracking_code

    dispatcher(
        web.deps, tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), max_attempts=1
    ).dispatch()

    shown = deliveries(web, "sari", code)
    assert "Gagal setelah 1 percobaan" in shown
    assert "Terkirim" not in shown
    assert "Pesan yang gagal dapat dikirim ulang oleh administrator" in shown


def test_a_delivered_email_says_sent(web: Web, tmp_path: Path) -> None:
    code = b.submit(web.deps, channel="email").tracking_code

    with smtp_server() as (port, mailbox):
        dispatcher(web.deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    assert len(mailbox.messages) == 1
    shown = deliveries(web, "budi", code)
    assert "✓ Terkirim" in shown
    assert "Menunggu" not in shown and "Gagal" not in shown


def test_someone_who_sees_the_complainant_masked_sees_no_address(web: Web) -> None:
    reviewed = b.act(web.deps, b.submit(web.deps, channel="email"), Action.CLASSIFY, "budi")
    reviewed = b.act(web.deps, reviewed, Action.REVIEW, "budi")
    case = b.act(web.deps, reviewed, Action.ROUTE_AGENCY, "budi")

    shown = deliveries(web, "tono", case.tracking_code)  # agency officer: identity masked

    assert "Tanda terima pengaduan · Email" in shown
    assert "siti.aminah@contoh.id" not in shown
