"""Delivery through real peers: an SMTP server and a signed-webhook gateway started here.

The dispatcher runs in the test process on the service's fixed clock, so backoff can be
stepped through exactly.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from aduan import bootstrap, service
from aduan.config import Notify, Settings
from aduan.notifications.planner import NotifyPolicy
from aduan.notifications.replies import digest_of
from aduan.ports import FixedClock, OutboxEntry
from aduan.service import Deps, inbox
from aduan.service.dispatch import Dispatcher
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action
from tests.conftest import wired
from tests.integration.builders import COMPLAINANT, act, submit
from tests.integration.servers import (
    Login,
    free_port,
    self_signed_certificate,
    smtp_server,
    webhook_gateway,
)

PHONE = "+6281234567890"


@pytest.fixture
def deps(sqlite_url: str, clock: FixedClock) -> Iterator[Deps]:
    """The service on SQLite (delivery does not depend on the engine; see test_dispatchers)."""
    with wired(sqlite_url, clock) as deps:
        yield deps


def dispatcher(deps: Deps, tmp_path: Path, **notify: object) -> Dispatcher:
    settings = Settings(notify=Notify(letter_dir=str(tmp_path / "letters"), **notify))  # type: ignore[arg-type]
    return bootstrap.build_dispatcher(deps, settings, worker="test")


def entries(deps: Deps) -> list[OutboxEntry]:
    with deps.uow(readonly=True) as uow:
        return [e for i in range(1, 100) if (e := uow.outbox.get(i)) is not None]


def test_an_acknowledgement_arrives_by_email_with_code_status_and_deadline(
    deps: Deps, tmp_path: Path
) -> None:
    case = submit(deps, channel="email")
    with smtp_server() as (port, mailbox):
        report = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    assert report.counts["sent"] == 1
    (mail,) = mailbox.messages
    assert mailbox.envelopes[0][1] == [COMPLAINANT["email"]]
    assert mail["To"] == COMPLAINANT["email"]
    assert mail["Subject"] == f"Pengaduan Anda diterima — {case.tracking_code}"
    key = f"case:{case.id}:v1:acknowledged:complainant:email"
    delivery_key = str(mail["X-Aduan-Idempotency-Key"]).strip()  # a long header is folded
    assert delivery_key.startswith(f"{key}/")
    # The same row, the same Message-ID: the row's id and its delivery key's digest.
    assert re.fullmatch(rf"<\d+\.{digest_of(delivery_key)}@aduan>", mail["Message-ID"])
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert case.tracking_code in text
    assert "Status: Dicatat" in text
    due = case.deadlines[0].due_at.astimezone(WIB).strftime("%d-%m-%Y %H:%M")
    assert f"Batas waktu jawaban: {due} WIB" in text
    assert case.tracking_code in html.get_content()
    assert [e.status for e in entries(deps)] == ["sent"]


def test_email_in_english_when_the_office_chooses_it(deps: Deps, tmp_path: Path) -> None:
    english = dataclasses.replace(deps, notify=NotifyPolicy(language="en"))
    case = submit(english, channel="email")
    with smtp_server() as (port, mailbox):
        dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    (mail,) = mailbox.messages
    assert mail["Subject"] == f"Your complaint was received — {case.tracking_code}"
    plain = mail.get_body(("plain",))
    assert plain is not None
    due = case.deadlines[0].due_at.astimezone(WIB).strftime("%d-%m-%Y %H:%M")
    assert f"Answer due by: {due} WIB" in plain.get_content()


def test_a_whatsapp_answer_reaches_the_gateway_signed(deps: Deps, tmp_path: Path) -> None:
    case = submit(deps, channel="whatsapp")
    act(deps, case, Action.RESPOND, "budi", channel="whatsapp", text="Izin Anda sudah terbit.")
    with webhook_gateway() as (url, gateway):
        report = dispatcher(
            deps, tmp_path, whatsapp_webhook_url=url, webhook_secret=gateway.secret
        ).dispatch()

    assert report.counts["sent"] == 2
    assert gateway.rejected == 0
    ack, answer = (r["json"] for r in gateway.received)
    assert (ack["to"], ack["channel"], ack["event"]) == (PHONE, "whatsapp", "acknowledged")
    assert answer["event"] == "answered"
    assert "Izin Anda sudah terbit." in answer["text"]
    assert case.tracking_code in answer["text"]
    assert gateway.received[1]["headers"]["Idempotency-Key"] == answer["idempotency_key"]


def test_an_sms_fits_in_one_message(deps: Deps, tmp_path: Path) -> None:
    case = submit(deps, channel="sms")
    with webhook_gateway() as (url, gateway):
        dispatcher(deps, tmp_path, sms_webhook_url=url, webhook_secret=gateway.secret).dispatch()

    (sms,) = (r["json"] for r in gateway.received)
    assert len(sms["text"]) <= 160
    assert case.tracking_code in sms["text"]
    assert "Dicatat" in sms["text"]
    assert "WIB" in sms["text"]


def test_a_gateway_that_refuses_the_signature_dead_letters_and_an_admin_retry_delivers(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    submit(deps, channel="sms")
    with webhook_gateway() as (url, gateway):
        wrong = dispatcher(deps, tmp_path, sms_webhook_url=url, webhook_secret="salah")
        assert wrong.dispatch().counts["dead"] == 1  # 401 will not get better by retrying
        assert gateway.rejected == 1
        (dead,) = inbox.dead_letters(deps.uow)
        assert dead.last_error == "sms gateway answered 401"

        inbox.retry(deps.uow, clock, dead.id)
        right = dispatcher(deps, tmp_path, sms_webhook_url=url, webhook_secret=gateway.secret)
        assert right.dispatch().counts["sent"] == 1

    assert len(gateway.received) == 1
    assert inbox.dead_letters(deps.uow) == []


def test_smtp_down_for_a_while_retries_with_backoff_then_delivers_once(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    case = submit(deps, channel="email")
    port = free_port()  # nothing listens here yet
    sender = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port, timeout_seconds=2)
    start = clock.current

    assert sender.dispatch().counts["retry"] == 1
    (row,) = entries(deps)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == start + timedelta(seconds=30)
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert sender.dispatch().handled == 0  # not due yet

    clock.current = start + timedelta(seconds=30)
    assert sender.dispatch().counts["retry"] == 1
    (row,) = entries(deps)
    assert row.next_attempt_at == clock.current + timedelta(seconds=60)  # doubled

    with smtp_server(port) as (_, mailbox):
        clock.current += timedelta(seconds=60)
        assert sender.dispatch().counts["sent"] == 1
        assert sender.dispatch().handled == 0

    assert len(mailbox.messages) == 1
    (row,) = entries(deps)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 3, clock.current)
    # The failures never touched the case: it is as the submission left it.
    assert service.get_case(deps, case.tracking_code, "budi").version == case.version


def test_after_the_last_attempt_a_message_is_dead_lettered_for_the_administrator(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    submit(deps, channel="email")
    sender = dispatcher(
        deps, tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), max_attempts=2
    )
    sender.dispatch()
    clock.current += timedelta(minutes=1)
    assert sender.dispatch().counts["dead"] == 1

    (dead,) = inbox.dead_letters(deps.uow)
    assert (dead.attempts, dead.message.event) == (2, "acknowledged")
    clock.current += timedelta(days=1)
    assert sender.dispatch().handled == 0


def test_an_unconfigured_channel_dead_letters_with_a_clear_reason(
    deps: Deps, tmp_path: Path
) -> None:
    submit(deps, channel="email")

    assert dispatcher(deps, tmp_path).dispatch().counts["dead"] == 1
    (dead,) = inbox.dead_letters(deps.uow)
    assert dead.last_error == "channel 'email' is not configured"


def test_a_complainant_without_email_or_phone_channel_gets_a_print_ready_letter(
    deps: Deps, tmp_path: Path
) -> None:
    person = {"name": "Ani", "phone": "0812-1111-2222", "address": "Jl. Mawar 1, Purwakarta"}
    case = submit(deps, channel="mpp_counter", complainant=person)

    assert dispatcher(deps, tmp_path).dispatch().counts["sent"] == 1

    # A PDF letter and the JSON snapshot it was rendered from (tests/integration/test_letters.py).
    (letter,) = (tmp_path / "letters").glob("*.pdf")
    (snapshot,) = (tmp_path / "letters").glob("*.json")
    page = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.read_bytes())).pages).split()
    )
    assert "Kepada Yth. Ani Jl. Mawar 1, Purwakarta" in page
    assert case.tracking_code in page
    assert "DINAS PENANAMAN MODAL" in page
    assert json.loads(snapshot.read_text(encoding="utf-8"))["sha256"] in page


def test_staff_messages_are_in_the_inbox_and_delivery_marks_them_sent(
    deps: Deps, tmp_path: Path
) -> None:
    case = act(deps, submit(deps), Action.CLASSIFY, "budi")
    act(deps, case, Action.REVIEW, "budi")
    act(deps, case, Action.ROUTE_INTERNAL, "budi")
    act(deps, case, Action.ESCALATE, "budi", report="Mohon arahan")

    dispatcher(deps, tmp_path).dispatch()  # (the complainant's email has nowhere to go here)
    messages, unread = inbox.inbox(deps.uow, "sari")
    assert unread == 2
    assert {m.status for m in messages} == {"sent"}
    assert {m.message.event for m in messages} == {"report_addressed", "assigned"}


def test_contact_data_never_reaches_the_logs(
    deps: Deps, tmp_path: Path, clock: FixedClock, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    case = submit(deps, channel="email")
    act(deps, case, Action.RESPOND, "budi", channel="whatsapp", text="Sedang diproses")
    with smtp_server() as (port, _), webhook_gateway() as (url, gateway):
        dispatcher(
            deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port, whatsapp_webhook_url=url
        ).dispatch()  # the wrong (empty) webhook secret: a failure is logged too
        assert gateway.rejected == 1

    out, err = capfd.readouterr()
    assert "outbox_delivery_failed" in out + err  # the logs were captured ...
    for contact in (COMPLAINANT["email"], PHONE, "81234567890", COMPLAINANT["name"]):
        assert contact not in out + err  # ... and name no one


def test_email_over_starttls_with_a_login(deps: Deps, tmp_path: Path) -> None:
    case = submit(deps, channel="email")
    cert = self_signed_certificate(tmp_path)
    login = Login("aduan", "rahasia-smtp")
    with smtp_server(tls=cert, login=login) as (port, mailbox):
        report = dispatcher(
            deps,
            tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="starttls",
            smtp_username="aduan",
            smtp_password="rahasia-smtp",
            smtp_ca_file=str(cert[0]),
        ).dispatch()

    assert report.counts["sent"] == 1
    assert login.logins == ["aduan"]
    (mail,) = mailbox.messages
    assert case.tracking_code in mail["Subject"]


def test_a_wrong_smtp_password_or_an_untrusted_certificate_is_retried_not_lost(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    submit(deps, channel="email")
    cert = self_signed_certificate(tmp_path)
    with smtp_server(tls=cert, login=Login("aduan", "rahasia-smtp")) as (port, mailbox):
        wrong_password = dispatcher(
            deps,
            tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="starttls",
            smtp_username="aduan",
            smtp_password="salah",
            smtp_ca_file=str(cert[0]),
        ).dispatch()
    assert wrong_password.counts["retry"] == 1
    with smtp_server(tls=cert) as (port, mailbox):
        untrusted = dispatcher(
            deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_security="starttls"
        )
        clock.current += timedelta(seconds=30)
        assert untrusted.dispatch().counts["retry"] == 1

    assert mailbox.messages == []
    (row,) = entries(deps)
    assert (row.status, row.attempts) == ("pending", 2)
    assert "CERTIFICATE_VERIFY_FAILED" in (row.last_error or "")
