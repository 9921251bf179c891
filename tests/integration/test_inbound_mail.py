"""Replies by email (issue 14 item 5) through a real IMAP server, on SQLite and PostgreSQL.

The office asks for information; the notice goes out through a real SMTP server (aiosmtpd) and
the complainant's mail program answers it: the reply, with ``In-Reply-To`` naming the notice,
is appended to the INBOX of a throwaway Dovecot (``tests/integration/dovecot.py``), and the
poller reads it from there with the production IMAP adapter.
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from PIL import Image
from sqlalchemy import select

from aduan import bootstrap, service
from aduan.adapters.sql.tables import inbound_mail
from aduan.config import Inbound, Notify, Settings, load_settings
from aduan.jobs import scheduler
from aduan.notifications.planner import NotifyPolicy
from aduan.ports import FixedClock, MailboxError
from aduan.schemas.views import CaseDetail
from aduan.service import Deps, attachments, inbound, inbox, retention
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action
from tests.integration.builders import COMPLAINANT, act, engine_of, submit
from tests.integration.dovecot import ImapServer, dovecot_server
from tests.integration.servers import free_port, smtp_server

A = Action
RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday 11 August 2026, 10:00 WIB
DONE = "Diproses"
REPLY = "Nomor NIB saya 9120001234567. Sertifikat terlampir."


def wib(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=WIB).astimezone(UTC)


@pytest.fixture(scope="module")
def imap() -> Iterator[ImapServer]:
    with dovecot_server() as server:
        yield server


@pytest.fixture
def mailbox(imap: ImapServer) -> ImapServer:
    """The office's INBOX, emptied before each test (and no done folder)."""
    client = imap.connect()
    try:
        client.delete(DONE)  # NO when there is none: fine
        _, data = client.select("INBOX")
        if int(data[0] or 0):
            client.store("1:*", "+FLAGS", "(\\Deleted)")
            client.expunge()
    finally:
        client.logout()
    return imap


def polling(imap: ImapServer) -> inbound.Polling:
    """The production poller of ``ADUAN_IMAP_*`` settings pointing at the test's Dovecot."""
    settings = Settings(
        inbound=Inbound(
            host=imap.host, port=imap.port, username=imap.user, password=imap.password, ssl=False
        )
    )
    found = bootstrap.build_mail_polling(settings)
    assert found is not None
    return found


def poll(deps: Deps, imap: ImapServer) -> dict[str, int]:
    mail = polling(imap)
    return dict(inbound.poll(deps, mail.mailbox, mail.batch_size))


def asked(deps: Deps, clock: FixedClock) -> CaseDetail:
    """A complaint whose officer asked on Friday 14 August for information (reply-able)."""
    clock.current = RECEIVED
    case = submit(deps)
    act(deps, case, A.CLASSIFY, "budi")
    act(deps, case, A.REVIEW, "budi")
    clock.current = wib(8, 14)
    act(deps, case, A.REQUEST_INFO, "budi", question="Mohon kirim nomor NIB Anda")
    return case


def sent_notice(deps: Deps, tmp_path: Path) -> EmailMessage:
    """Deliver the outbox through a real SMTP server; the information request as it arrived."""
    settings = Settings(
        notify=Notify(
            letter_dir=str(tmp_path / "letters"),
            smtp_host="127.0.0.1",
            smtp_reply_to="pengaduan@dpmptsp.example.id",
            smtp_reply_to_token=True,
        )
    )
    with smtp_server() as (port, received):
        settings = dataclasses.replace(
            settings, notify=dataclasses.replace(settings.notify, smtp_port=port)
        )
        bootstrap.build_dispatcher(deps, settings, worker="test").dispatch()
    (notice,) = [m for m in received.messages if "kelengkapan" in str(m["Subject"])]
    return notice


def reply_to(
    notice: EmailMessage | None,
    *,
    sender: str = COMPLAINANT["email"],
    subject: str | None = None,
    text: str = REPLY,
    message_id: str = "<balasan-1@mail.contoh.id>",
) -> bytes:
    """The complainant's answer as a mail program writes it: quoting the notice below."""
    mail = EmailMessage()
    mail["From"] = f"Siti Aminah <{sender}>"
    mail["To"] = str(notice["Reply-To"]) if notice else "pengaduan@dpmptsp.example.id"
    mail["Subject"] = (
        subject if subject is not None else f"Re: {notice['Subject'] if notice else ''}"
    )
    mail["Date"] = format_datetime(datetime(2026, 8, 18, 2, 0, tzinfo=UTC))
    mail["Message-ID"] = message_id
    if notice is not None:
        mail["In-Reply-To"] = str(notice["Message-ID"])
        mail["References"] = str(notice["Message-ID"])
    quoted = "\n".join(f"> {line}" for line in ["Yth. Pelapor,", "Mohon kirim nomor NIB"])
    mail.set_content(
        f"{text}\n\nPada tanggal Jum, 14 Agu 2026 pukul 10.00 Aduan <aduan@x> menulis:\n{quoted}\n"
    )
    return mail.as_bytes()


def replies_on(detail: CaseDetail) -> list[dict[str, object]]:
    return [e.data for e in detail.timeline if e.action == A.RECORD_INFO_REPLY.value]


def test_a_reply_by_email_resumes_the_clock_and_shows_on_the_timeline(
    deps: Deps, clock: FixedClock, mailbox: ImapServer, tmp_path: Path
) -> None:
    deps = dataclasses.replace(deps, notify=NotifyPolicy(reply_by_email=True))
    case = asked(deps, clock)
    notice = sent_notice(deps, tmp_path)
    # The notice invites the reply, and carries its token in the Message-ID and Reply-To.
    assert "membalas email ini" in notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    token = str(notice["Message-ID"]).strip("<>").split("@")[0]
    assert str(notice["Reply-To"]) == f"pengaduan+{token}@dpmptsp.example.id"

    mailbox.deliver(reply_to(notice))
    clock.current = wib(8, 18)  # Tuesday: one working day stood still (17 August a holiday)
    counts = poll(deps, mailbox)

    assert counts == {"applied": 1}
    resumed = service.get_case(deps, case.tracking_code, "budi")
    assert resumed.answer_clock.waiting_since is None
    assert resumed.answer_clock.paused_days == 1
    (entry,) = [e for e in resumed.timeline if e.action == A.RECORD_INFO_REPLY.value]
    assert entry.actor == "complainant" and entry.role == "complainant"
    assert entry.at == wib(8, 18)
    assert entry.data == {"reply": REPLY, "via": "email"}  # the quoted notice is cut off
    assert mailbox.flags() == ["1 (FLAGS (\\Seen))"]
    tracked = service.track_case(deps, case.tracking_code)
    assert tracked.answer_clock.waiting_since is None


def test_a_reply_found_by_the_tracking_code_in_its_subject(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    case = asked(deps, clock)
    code = case.tracking_code.lower().replace("-", "")  # as a person might type it
    mailbox.deliver(reply_to(None, subject=f"Jawaban untuk pengaduan {code}"))

    assert poll(deps, mailbox) == {"applied": 1}
    detail = service.get_case(deps, case.tracking_code, "budi")
    assert replies_on(detail) == [{"reply": REPLY, "via": "email"}]


def test_a_reply_from_another_address_is_never_applied(
    deps: Deps, clock: FixedClock, mailbox: ImapServer, tmp_path: Path
) -> None:
    case = asked(deps, clock)
    notice = sent_notice(deps, tmp_path)
    mailbox.deliver(reply_to(notice, sender="penipu@contoh.id"))

    assert poll(deps, mailbox) == {"unmatched": 1}
    detail = service.get_case(deps, case.tracking_code, "budi")
    assert detail.answer_clock.waiting_since == wib(8, 14)  # still waiting
    assert replies_on(detail) == []
    (listed,) = inbound.unmatched(deps, "budi").messages
    assert listed.reason == "sender_mismatch"
    assert listed.sender == "penipu@contoh.id"
    assert listed.tracking_code == case.tracking_code
    assert mailbox.flags() == ["1 (FLAGS (\\Seen))"]


def test_an_out_of_office_reply_does_not_resume_the_clock(
    deps: Deps, clock: FixedClock, mailbox: ImapServer, tmp_path: Path
) -> None:
    case = asked(deps, clock)
    raw = reply_to(sent_notice(deps, tmp_path), text="Saya sedang cuti sampai 20 Agustus.")
    mailbox.deliver(b"Auto-Submitted: auto-replied\r\n" + raw)

    assert poll(deps, mailbox) == {"unmatched": 1}
    assert waiting(deps, case)
    (listed,) = inbound.unmatched(deps, "budi").messages
    assert listed.reason == "automatic"


def test_a_message_is_applied_once_however_often_it_is_read(
    deps: Deps, clock: FixedClock, mailbox: ImapServer, tmp_path: Path
) -> None:
    case = asked(deps, clock)
    mailbox.deliver(reply_to(sent_notice(deps, tmp_path)))
    # Two instances poll at the same moment, then a restarted one finds it unseen again.
    results: list[dict[str, int]] = []
    threads = [threading.Thread(target=lambda: results.append(poll(deps, mailbox))) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client = mailbox.connect()
    client.select("INBOX")
    client.store("1:*", "-FLAGS", "(\\Seen)")  # as if the poller died before marking it
    client.logout()
    again = poll(deps, mailbox)

    assert sum(r.get("applied", 0) for r in results) == 1
    assert again == {"duplicate": 1}
    detail = service.get_case(deps, case.tracking_code, "budi")
    assert len(replies_on(detail)) == 1
    assert mailbox.flags() == ["1 (FLAGS (\\Seen))"]


def test_a_malformed_message_does_not_stop_the_batch(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    case = asked(deps, clock)
    mailbox.deliver(b"\x00\xff\xfe not a message\r\n\r\n\x80\x81")
    mailbox.deliver(
        b"From: \r\nSubject: =?x-unknown?b?////?=\r\nContent-Type: multipart/mixed\r\n\r\n--"
    )
    hostile = base64.b64encode(b"NIB\x00 912\x1b[31m")
    mailbox.deliver(
        b"From: Siti <%s>\r\nSubject: Re: %s\r\nMessage-ID: <nul@contoh.id>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\n%s\r\n" % (COMPLAINANT["email"].encode(), case.tracking_code.encode(), hostile)
    )

    counts = poll(deps, mailbox)

    assert counts == {"unmatched": 2, "applied": 1}
    # A NUL (PostgreSQL cannot store it) and an escape are dropped; the reply is kept.
    assert replies_on(service.get_case(deps, case.tracking_code, "budi")) == [
        {"reply": "NIB 912[31m", "via": "email"}
    ]
    reasons = sorted(str(m.reason) for m in inbound.unmatched(deps, "budi").messages)
    assert all(r.startswith("malformed:") for r in reasons), reasons
    assert mailbox.flags() == [f"{n} (FLAGS (\\Seen))" for n in (1, 2, 3)]


def test_a_message_for_no_case_is_listed_for_the_complaint_staff(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    clock.current = RECEIVED
    mailbox.deliver(
        reply_to(None, subject="Pertanyaan tentang izin usaha", sender="warga@contoh.id")
    )

    assert poll(deps, mailbox) == {"unmatched": 1}
    (listed,) = inbound.unmatched(deps, "sari").messages
    assert (listed.reason, listed.tracking_code) == ("no_case", None)
    assert listed.subject == "Pertanyaan tentang izin usaha"
    assert listed.text == REPLY
    for outsider in ("tono", "irfan", "admin"):  # agency staff, APIP, the administrator
        with pytest.raises(AccessDeniedError):
            inbound.unmatched(deps, outsider)


def test_a_message_on_a_case_not_waiting_is_a_note_on_its_timeline(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    clock.current = RECEIVED
    case = submit(deps)
    mailbox.deliver(reply_to(None, subject=f"Tambahan {case.tracking_code}", text="Satu hal lagi."))

    assert poll(deps, mailbox) == {"noted": 1}
    detail = service.get_case(deps, case.tracking_code, "budi")
    note = detail.timeline[-1]
    assert note.action == inbound.EMAIL_NOTE
    assert note.actor == "complainant"
    assert note.data["text"] == "Satu hal lagi." and note.data["via"] == "email"
    assert detail.status == "recorded"  # nothing else changed
    assert inbound.unmatched(deps, "budi").messages == []
    assert holder_heard(deps, "budi") == []  # nobody holds it yet: the intake queue shows it


def test_the_holder_hears_that_the_complainant_wrote(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    clock.current = RECEIVED
    case = submit(deps)
    act(deps, case, A.CLASSIFY, "budi")
    act(deps, case, A.REVIEW, "budi")
    holder = act(deps, case, A.ROUTE_INTERNAL, "budi").assignee
    assert holder is not None
    act(deps, case, A.REQUEST_INFO, "budi", question="Mohon kirim nomor NIB Anda")
    mailbox.deliver(reply_to(None, subject=f"Re: {case.tracking_code}"))
    mailbox.deliver(
        reply_to(None, subject=f"Re: {case.tracking_code}", text="Lagi.", message_id="<b@c.id>")
    )

    assert poll(deps, mailbox) == {"applied": 1, "noted": 1}
    heard = holder_heard(deps, holder)
    assert [c["resumed"] for c in heard] == [True, False]
    assert {c["tracking_code"] for c in heard} == {case.tracking_code}


def holder_heard(deps: Deps, username: str) -> list[dict[str, object]]:
    entries, _ = inbox.inbox(deps.uow, username)
    found = [e for e in entries if e.message.event == "complainant_wrote"]
    return [e.message.payload["context"] for e in reversed(found)]


def test_files_attached_to_a_reply_are_kept_as_the_cases_evidence(
    deps: Deps, clock: FixedClock, mailbox: ImapServer, tmp_path: Path
) -> None:
    case = asked(deps, clock)
    raw = reply_to(sent_notice(deps, tmp_path))
    mail = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    mail.add_attachment(png(), maintype="image", subtype="png", filename="sertifikat.png")
    mail.add_attachment(b"MZ\x90\x00", maintype="application", subtype="pdf", filename="x.pdf")
    mailbox.deliver(mail.as_bytes())

    assert poll(deps, mailbox) == {"applied": 1}
    # The PDF is not one (its content says so): the files are refused as an upload's would be,
    # and the reply is kept without them, saying so.
    assert attachments.list_attachments(deps, case.tracking_code, "budi") == []
    good = email.message_from_bytes(
        reply_to(None, subject=f"Lampiran {case.tracking_code}", message_id="<b3@contoh.id>"),
        _class=EmailMessage,
        policy=email.policy.default,
    )
    assert isinstance(good, EmailMessage)
    good.add_attachment(png(), maintype="image", subtype="png", filename="sertifikat.png")
    mailbox.deliver(good.as_bytes())

    assert poll(deps, mailbox) == {"noted": 1}  # answered already: a note, with its file
    (kept,) = attachments.list_attachments(deps, case.tracking_code, "budi")
    assert (kept.name, kept.content_type, kept.uploaded_by) == (
        "sertifikat.png",
        "image/png",
        "complainant",
    )
    assert kept.action == inbound.EMAIL_NOTE


def test_handled_messages_move_to_the_done_folder(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    case = asked(deps, clock)
    mailbox.deliver(reply_to(None, subject=f"Re: {case.tracking_code}"))
    settings = Settings(
        inbound=Inbound(
            host=mailbox.host,
            port=mailbox.port,
            username=mailbox.user,
            password=mailbox.password,
            ssl=False,
            done_folder=DONE,
        )
    )
    mail = bootstrap.build_mail_polling(settings)
    assert mail is not None

    assert inbound.poll(deps, mail.mailbox) == {"applied": 1}
    assert mailbox.flags() == []
    (moved,) = mailbox.flags(DONE)
    assert "\\Seen" in moved


def test_a_message_too_large_is_listed_unread(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    case = asked(deps, clock)
    mailbox.deliver(reply_to(None, subject=f"Re: {case.tracking_code}", text="x" * 50_000))
    settings = Settings(
        inbound=Inbound(
            host=mailbox.host,
            port=mailbox.port,
            username=mailbox.user,
            password=mailbox.password,
            ssl=False,
            max_bytes=10_000,
        )
    )
    mail = bootstrap.build_mail_polling(settings)
    assert mail is not None

    assert inbound.poll(deps, mail.mailbox) == {"unmatched": 1}
    (listed,) = inbound.unmatched(deps, "budi").messages
    assert listed.reason == "malformed:too_large"
    assert service.get_case(deps, case.tracking_code, "budi").answer_clock.waiting_since


def png() -> bytes:
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_scheduler_reads_the_mailbox_by_itself(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    case = asked(deps, clock)
    mailbox.deliver(reply_to(None, subject=f"Re: {case.tracking_code}"))
    found = polling(mailbox)
    background = BackgroundScheduler(timezone="UTC")
    scheduler.configure(
        background,
        deps,
        interval_seconds=3600,
        mail=dataclasses.replace(found, interval_seconds=0.2),
    )
    background.start()
    try:
        deadline = time.monotonic() + 15
        while waiting(deps, case) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        background.shutdown(wait=True)

    assert not waiting(deps, case)
    assert mailbox.flags() == ["1 (FLAGS (\\Seen))"]


def waiting(deps: Deps, case: CaseDetail) -> bool:
    return service.get_case(deps, case.tracking_code, "budi").answer_clock.waiting_since is not None


def test_an_unreachable_mailbox_is_one_warning_and_the_job_goes_on(deps: Deps) -> None:
    settings = Settings(inbound=Inbound(host="127.0.0.1", port=free_port(), ssl=False))
    mail = bootstrap.build_mail_polling(settings)
    assert mail is not None

    with pytest.raises(MailboxError):
        inbound.poll(deps, mail.mailbox)
    assert scheduler._read_mail(deps, mail) is None  # logged as inbound_mail_unreachable


def test_inbound_mail_is_off_unless_configured_and_its_settings_are_checked() -> None:
    assert bootstrap.build_mail_polling(Settings()) is None
    assert load_settings({}).inbound.host is None
    plain = load_settings({"ADUAN_IMAP_HOST": "mail.example.id", "ADUAN_IMAP_SSL": "0"})
    assert (plain.inbound.port, plain.inbound.ssl, plain.inbound.folder) == (143, False, "INBOX")
    assert load_settings({"ADUAN_IMAP_HOST": "mail.example.id"}).inbound.port == 993
    with pytest.raises(InputError) as refused:
        load_settings({"ADUAN_IMAP_SSL": "kadang"})
    assert refused.value.field == "ADUAN_IMAP_SSL"


def test_files_beyond_the_cases_limit_are_left_out_and_the_reply_kept(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    deps = dataclasses.replace(
        deps, attachments=dataclasses.replace(deps.attachments, max_per_case=1)
    )
    case = asked(deps, clock)
    mail = email.message_from_bytes(
        reply_to(None, subject=f"Re: {case.tracking_code}"),
        _class=EmailMessage,
        policy=email.policy.default,
    )
    assert isinstance(mail, EmailMessage)
    for name in ("satu.png", "dua.png"):
        mail.add_attachment(png(), maintype="image", subtype="png", filename=name)
    mailbox.deliver(mail.as_bytes())

    assert poll(deps, mailbox) == {"applied": 1}
    assert attachments.list_attachments(deps, case.tracking_code, "budi") == []
    assert not waiting(deps, case)


def test_the_retention_purge_erases_who_wrote_and_what(
    deps: Deps, clock: FixedClock, mailbox: ImapServer
) -> None:
    case = asked(deps, clock)
    mailbox.deliver(reply_to(None, subject=f"Re: {case.tracking_code}"))
    assert poll(deps, mailbox) == {"applied": 1}
    for action, user in (
        (A.ROUTE_INTERNAL, "budi"),
        (A.RECORD_RESULT, "sari"),
        (A.INFORM_COMPLAINANT, "budi"),
        (A.REPORT_TO_SUPERIOR, "budi"),
        (A.CLOSE, "agus"),
    ):
        act(deps, case, action, user)
    clock.current += timedelta(days=366 * 2)

    assert [c.tracking_code for c in retention.purge_personal_data(deps, 1).cases] == [
        case.tracking_code
    ]
    with engine_of(deps).connect() as conn:
        rows = conn.execute(
            select(inbound_mail.c.message_id, inbound_mail.c.sender, inbound_mail.c.text)
        ).all()
    assert [tuple(r) for r in rows] == [("balasan-1@mail.contoh.id", "(dihapus)", "")]
    mailbox.deliver(reply_to(None, subject=f"Re: {case.tracking_code}"))  # read again
    assert poll(deps, mailbox) == {"duplicate": 1}
