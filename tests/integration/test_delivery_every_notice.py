"""Hostile addresses and every notice kind, through the real SMTP server (issue 17).

One address the mail system cannot take fails its own row, with the reason, and the rest of the
batch goes out once; every notice the planner knows, and the survey invitation, reaches the
mailbox with an Indonesian subject and body.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from aduan.notifications.outbox import payload
from aduan.notifications.planner import EVENTS
from aduan.notifications.templates import render
from aduan.ports import FixedClock, OutboxEntry, OutboxMessage, RenderedMessage
from aduan.reports import period
from aduan.service import Deps, inbox, survey
from aduan.service.dispatch import Dispatcher
from tests.conftest import wired
from tests.indonesian import leaks
from tests.integration.builders import today
from tests.integration.servers import Mailbox, free_port, smtp_server
from tests.integration.test_delivery import dispatcher, entries
from tests.reports.test_survey import closed_case
from tests.unit.test_notify_templates import CONTEXT

BAD = "tëst@example.com"
IDN = "ani@contoh.indonésia.id"
IDN_WIRE = "ani@contoh." + "indonésia".encode("idna").decode() + ".id"


@pytest.fixture
def deps(sqlite_url: str, clock: FixedClock) -> Iterator[Deps]:
    """The service on SQLite, as in ``test_delivery``."""
    with wired(sqlite_url, clock) as deps:
        yield deps


def queue(deps: Deps, clock: FixedClock, *rows: tuple[str, str]) -> None:
    """Outbox rows of (event, address) by e-mail, rendered from the full test context."""
    with deps.uow() as uow:
        for i, (event, address) in enumerate(rows):
            message = OutboxMessage(
                f"test:{i}:{event}", event, address, "email", payload("id", CONTEXT), clock.now()
            )
            uow.outbox.add(message)
        uow.commit()


@contextmanager
def mail_server(*, smtputf8: bool) -> Iterator[tuple[int, Mailbox]]:
    """The aiosmtpd server of ``servers.smtp_server``, offering SMTPUTF8 or not."""
    mailbox, port = Mailbox(), free_port()
    server = Controller(mailbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    server.start()
    try:
        yield port, mailbox
    finally:
        server.stop()


def body(mail: EmailMessage) -> str:
    plain = mail.get_body(("plain",))
    assert plain is not None
    text: str = plain.get_content().replace("\r\n", "\n")
    return text


def test_one_unsendable_address_fails_alone_and_the_rest_go_out_once(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    queue(deps, clock, ("acknowledged", "a@example.com"), ("acknowledged", BAD),
          ("acknowledged", "b@example.com"))  # fmt: skip
    with mail_server(smtputf8=False) as (port, mailbox):
        sender = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port)
        report = sender.dispatch()
        clock.current += timedelta(days=1)  # past every lease and every backoff
        again = sender.dispatch()

    assert (report.counts["sent"], report.counts["dead"]) == (2, 1)
    assert again.handled == 0
    assert [to for _, to in mailbox.envelopes] == [["a@example.com"], ["b@example.com"]]
    assert [e.status for e in entries(deps)] == ["sent", "dead", "sent"]
    (dead,) = inbox.dead_letters(deps.uow)
    assert "SMTPUTF8" in (dead.last_error or "")
    assert BAD not in (dead.last_error or "")


def test_a_non_ascii_address_goes_out_with_smtputf8_and_an_idn_domain_as_idna(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    queue(deps, clock, ("acknowledged", BAD), ("acknowledged", IDN))
    with mail_server(smtputf8=True) as (port, mailbox):
        report = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    assert report.counts["sent"] == 2
    assert [to for _, to in mailbox.envelopes] == [[BAD], [IDN_WIRE]]
    first, second = mailbox.messages
    assert first["To"] == BAD
    assert second["To"] == IDN_WIRE
    assert first["Subject"] == render("acknowledged", "id", CONTEXT).subject


class Exploding:
    """A channel that fails in a way no one foresaw, for one address."""

    name = "email"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        if entry.message.recipient == BAD:
            raise RuntimeError(f"cannot handle {entry.message.recipient}")
        self.sent.append(entry.message.recipient)

    def close(self) -> None:
        return None


def test_any_error_in_a_channel_fails_that_row_and_retries_it_later(
    deps: Deps, clock: FixedClock
) -> None:
    queue(deps, clock, ("acknowledged", "a@example.com"), ("acknowledged", BAD),
          ("acknowledged", "b@example.com"))  # fmt: skip
    channel = Exploding()

    report = Dispatcher(deps.uow, clock, {"email": channel}, worker="test").dispatch()

    assert (report.counts["sent"], report.counts["retry"]) == (2, 1)
    assert channel.sent == ["a@example.com", "b@example.com"]
    failed = entries(deps)[1]
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert failed.last_error == "channel 'email' failed unexpectedly: RuntimeError"


def test_every_notice_and_the_survey_invitation_arrive_in_indonesian(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    queue(deps, clock, *((event, f"{event}@example.com") for event in EVENTS))
    code = closed_case(deps)
    invited = survey.dispatch_survey(deps, period.quarter_of(today(deps)), "https://aduan.test")
    assert invited.invited == 1
    with smtp_server() as (port, mailbox):
        report = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    assert report.counts["dead"] == report.counts["retry"] == 0
    mails = {
        str(m["X-Aduan-Idempotency-Key"]).strip().rpartition("/")[0]: m for m in mailbox.messages
    }
    for i, event in enumerate(EVENTS):
        mail = mails[f"test:{i}:{event}"]
        expected = render(event, "id", CONTEXT)
        assert mail["Subject"] == expected.subject, event
        assert body(mail).strip() == expected.text, event
        assert leaks(f"{mail['Subject']}\n{body(mail)}") == [], event
    (invitation,) = (m for k, m in mails.items() if k.startswith("survey:"))
    assert invitation["Subject"].startswith("Survei Kepuasan Masyarakat")
    text = body(invitation)
    assert f"Pengaduan Anda {code} telah selesai. Mohon nilai pelayanan kami" in text
    assert "https://aduan.test/" in text


def test_an_invitation_queued_in_the_old_shape_is_delivered_on_retry(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    old = {
        "subject": "Survei Kepuasan Masyarakat Triwulan I 2026 / Satisfaction survey",
        "text": "Pengaduan Anda ADN-7K2QX-M9DPA telah selesai.",
        "link": "https://aduan.test/survei/abc",
        "period": "2026Q1",
        "tracking_code": "ADN-7K2QX-M9DPA",
        "expires_at": clock.now().isoformat(),
    }
    with deps.uow() as uow:
        uow.outbox.add(
            OutboxMessage("survey:2026Q1:1:email", "survey_invitation", "a@example.com",
                          "email", old, clock.now())
        )  # fmt: skip
        uow.commit()
    with smtp_server() as (port, mailbox):
        report = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    assert report.counts["sent"] == 1
    (mail,) = mailbox.messages
    assert mail["Subject"] == "Survei Kepuasan Masyarakat 2026Q1 / Satisfaction survey"
    assert "https://aduan.test/survei/abc" in body(mail)
