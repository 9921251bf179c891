"""Replies by email (issue 14 item 5): read the office's mailbox and file every message once.

A complainant asked for missing information may answer by replying to the notice. Each unseen
message is matched to its case — by the notice's reply token in ``In-Reply-To``/``References``
or the tagged ``Reply-To`` address (``aduan.notifications.replies``), else by a tracking code in
its subject — and then:

- **applied** when it comes from the complainant's own address on record and the case waits for
  their information: their words (``mailtext.reply_text``) are the reply (``record_info_reply``
  as the complainant, marked ``via: email``) through the one save path, and the answer clock
  runs again; files attached to it are kept as the case's evidence when they pass the checks
  of any upload (else the reply is kept without them, and the row says so);
- **noted** when it comes from that address but the case does not wait for information (asked
  nothing, answered already, closed): the message goes on the case's timeline for staff
  ("Email dari pelapor"), where whoever holds the case reads it, and changes nothing else. It
  is the complainant's own word on their own case, so it belongs with the case, not in a
  list of strays; what it asks (a dispute, a new fact) is for staff to act on;
- **unmatched** otherwise: no case found, another sender (never applied: a From line is easy
  to forge, the address on record is the least we require), a sender the receiving server
  found forged (DMARC/DKIM/SPF fail), an automatic reply (out of office: no answer, and it
  must not resume the clock), or a message that could not be read. Listed for the
  office's complaint staff (``unmatched``), in the visibility policy, until one of them
  marks it handled with a note of what was done (``mark_handled``).

One row per Message-ID is written in the transaction that applies the message, and before it:
a message read again — by a poller restarted before it marked the message seen, or by a second
instance — finds the row and changes nothing. A message that makes the use case fail is filed
as unmatched, so it cannot stop the batch or come back on every poll.
"""

from __future__ import annotations

import io
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from aduan.ports import InboundEmail, InboundRecord, Mailbox, UnitOfWork
from aduan.schemas.inbound import Handling, InboundList, InboundView
from aduan.schemas.text import CONTROL
from aduan.service import attachments
from aduan.service.cases import act_in
from aduan.service.deps import Deps, sight_for, viewer_of
from aduan.service.mailmatch import match_case, same_address
from aduan.service.mailtext import reply_text
from aduan.service.retry import retrying
from aduan.service.saving import CaseChange, announce, save_case
from aduan.workflow.case import Actor, Case, CaseEvent, Outcomes
from aduan.workflow.errors import (
    AccessDeniedError,
    AduanError,
    ConflictError,
    DatabaseUnavailableError,
    InputError,
    NotFoundError,
)
from aduan.workflow.events import ComplainantWrote, DomainEvent
from aduan.workflow.states import N_, OPEN_STATUSES, Action, Role
from aduan.workflow.visibility import Sight

log = structlog.get_logger()

APPLIED, NOTED, UNMATCHED, DUPLICATE = "applied", "noted", "unmatched", "duplicate"
EMAIL_NOTE = "complainant_email"  # the timeline entry of a noted message
COMPLAINANT = Actor("complainant", Role.COMPLAINANT)
NO_TEXT = "(email tanpa teks / email without text)"
SEE_FILES = "(lihat lampiran / see the attached files)"
CONFLICT_ATTEMPTS = 3  # a case changed by someone else meanwhile: read it again, this often
MAIL_STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.HEAD})  # who reads the strays
NOTE_MAX = 500  # the note of what was done with a stray (``inbound_mail.handled_note``)


@dataclass(frozen=True, slots=True)
class Polling:
    """The mailbox the scheduler reads, how often, and how many messages at a time."""

    mailbox: Mailbox
    interval_seconds: float = 60.0
    batch_size: int = 50


@dataclass(frozen=True, slots=True)
class _Decision:
    case: Case | None
    matched_by: str | None
    outcome: str
    reason: str | None


def poll(deps: Deps, mailbox: Mailbox, limit: int = 50) -> Counter[str]:
    """File up to ``limit`` unseen messages; how many had each outcome.

    A message that cannot even be filed as unmatched stays unseen (``failed``, logged) and
    the batch goes on; the database unavailable ends the batch.

    Raises:
        MailboxError: The mailbox cannot be read (the job logs it and tries at its next run).
    """
    counts: Counter[str] = Counter()
    try:
        for mail in mailbox.unseen(limit):
            try:
                outcome = file_message(deps, clean(mail))
            except DatabaseUnavailableError:
                raise
            except Exception:
                log.exception("inbound_mail_failed", uid=mail.uid)
                counts["failed"] += 1  # left unseen: read again at the next run
                continue
            counts[outcome] += 1
            mailbox.done(mail.uid)  # only once its row is committed
    finally:
        mailbox.close()
    return counts


def clean(mail: InboundEmail) -> InboundEmail:
    """The message without control characters (a NUL cannot be stored; escapes have no place).

    Tabs and line breaks stay, as in every text people type (``aduan.schemas.text``).
    """
    return replace(
        mail,
        message_id=CONTROL.sub("", mail.message_id) or mail.message_id.encode().hex()[:255],
        sender=CONTROL.sub("", mail.sender),
        subject=CONTROL.sub("", mail.subject),
        text=CONTROL.sub("", mail.text),
        references=tuple(CONTROL.sub("", r) for r in mail.references),
        recipients=tuple(CONTROL.sub("", r) for r in mail.recipients),
    )


def file_message(deps: Deps, mail: InboundEmail) -> str:
    """File one message; its outcome (``duplicate`` when it was filed before).

    A failure of the database itself propagates (the message stays unseen and is read again);
    a case changed meanwhile by someone else is read again; anything else the message makes go
    wrong files it as unmatched.
    """
    try:
        for _ in range(CONFLICT_ATTEMPTS - 1):
            try:
                return retrying(lambda: _file(deps, mail, None))
            except ConflictError:
                continue
        return retrying(lambda: _file(deps, mail, None))
    except DatabaseUnavailableError:
        raise
    except Exception as exc:
        if not isinstance(exc, AduanError):  # filed for staff rather than tried forever
            log.exception("inbound_mail_unfiled", uid=mail.uid)
        reason = f"error:{getattr(exc, 'rule', None) or type(exc).__name__}"[:40]
        return retrying(lambda: _file(deps, mail, reason))


def _file(deps: Deps, mail: InboundEmail, failed: str | None) -> str:
    now = deps.clock.now()
    with ExitStack() as stack:
        uow = stack.enter_context(deps.uow())
        decision = (
            _decide(uow, mail) if failed is None else _Decision(None, None, UNMATCHED, failed)
        )
        case = decision.case
        files = _prepared(deps, uow, case, mail) if decision.outcome in (APPLIED, NOTED) else []
        stack.callback(attachments.close_all, files)
        reason = decision.reason or ("files_refused" if mail.files and not files else None)
        text = reply_text(mail.text) or (SEE_FILES if mail.files else NO_TEXT)
        if not uow.inbound.claim(_record(mail, decision, reason, text, now)):
            return DUPLICATE
        stored = stack.enter_context(attachments.kept(deps, files))  # removed if this fails
        events: list[DomainEvent] = []
        if case is not None and decision.outcome == APPLIED:
            reply = {"reply": text}
            events = act_in(deps, uow, case, COMPLAINANT, Action.RECORD_INFO_REPLY, reply, "email")
        elif case is not None and decision.outcome == NOTED:
            events = _note(deps, uow, case, mail, text)
        if case is not None and case.id is not None and files:
            kept = list(zip(files, stored, strict=True))
            action = Action.RECORD_INFO_REPLY.value if decision.outcome == APPLIED else EMAIL_NOTE
            attachments.record(uow, deps, case.id, COMPLAINANT.username, action, kept, now)
        uow.commit()
    if case is not None:
        announce(case, events)
    log.info(
        "inbound_mail_filed",
        outcome=decision.outcome,
        reason=reason,
        case_id=case.id if case else None,
        matched_by=decision.matched_by,
    )
    return decision.outcome


def _record(
    mail: InboundEmail, decision: _Decision, reason: str | None, text: str, now: datetime
) -> InboundRecord:
    case = decision.case
    return InboundRecord(
        message_id=mail.message_id,
        received_at=now,
        outcome=decision.outcome,
        reason=reason,
        case_id=case.id if case else None,
        sender=mail.sender[:320],
        subject=mail.subject[:300],
        text=text,
        sent_at=mail.sent_at,
        matched_by=decision.matched_by,
    )


def _decide(uow: UnitOfWork, mail: InboundEmail) -> _Decision:
    if mail.problem:
        return _Decision(None, None, UNMATCHED, f"malformed:{mail.problem}"[:40])
    case, matched_by = match_case(uow, mail)
    if case is None:
        return _Decision(None, None, UNMATCHED, "no_case")
    if mail.auth_failed:
        return _Decision(case, matched_by, UNMATCHED, "auth_failed")
    if mail.automatic:  # an out-of-office reply is no answer: it must not resume the clock
        return _Decision(case, matched_by, UNMATCHED, "automatic")
    if not same_address(mail.sender, case.complainant.email):
        return _Decision(case, matched_by, UNMATCHED, "sender_mismatch")
    if case.info_requested_at is not None and case.status in OPEN_STATUSES:
        return _Decision(case, matched_by, APPLIED, None)
    return _Decision(case, matched_by, NOTED, "not_waiting")


def _note(
    deps: Deps, uow: UnitOfWork, case: Case, mail: InboundEmail, text: str
) -> list[DomainEvent]:
    now = deps.clock.now()
    event = CaseEvent(
        action=EMAIL_NOTE,
        actor=COMPLAINANT.username,
        role=COMPLAINANT.role,
        from_status=case.status,
        to_status=case.status,
        at=now,
        data={"text": text, "subject": mail.subject[:300], "via": "email"},
    )
    case.record(ComplainantWrote(at=now))  # the holder hears of it (in-app)
    return save_case(deps, uow, CaseChange(case, case.version, [Outcomes(event)]), now)


def _prepared(
    deps: Deps, uow: UnitOfWork, case: Case | None, mail: InboundEmail
) -> list[attachments.Prepared]:
    """The message's files, checked as any upload; none if one is refused or too many.

    Too many: they would take the case over its limit of files. The reply is kept without
    them either way, and its row says ``files_refused``.
    """
    if not mail.files or deps.files is None or case is None or case.id is None:
        return []
    if len(uow.attachments.for_case(case.id)) + len(mail.files) > deps.attachments.max_per_case:
        return []
    uploads = [
        attachments.Upload("lampiran", f.name or "lampiran", io.BytesIO(f.content))
        for f in mail.files
    ]
    try:
        return attachments.prepare(deps, uploads)
    except AduanError:
        return []


# --- reads --------------------------------------------------------------------------------


def unmatched(deps: Deps, username: str, limit: int = 100, *, handled: bool = False) -> InboundList:
    """The unmatched messages for the office's complaint staff, and how many there are.

    Still to handle newest first, or (``handled``) the latest handled first with who, when and
    their note. A message that seemed to answer a case ``username`` may not see (one that
    names them as concerned, DESIGN §6) is left out, in the query itself; the others are
    theirs to read, as any email to the office's complaint address, with the case they seemed
    to answer.
    """
    with deps.uow(readonly=True) as uow:
        sight = _mail_sight(deps, uow, username)
        records = uow.inbound.unmatched(limit, sight=sight, handled=handled)
        total = uow.inbound.count_unmatched(sight=sight, handled=handled)
        views = [_view(deps, uow, record, record.tracking_code) for record in records]
    return InboundList(messages=views, total=max(total, len(views)), handled=handled)


def to_handle(deps: Deps, username: str) -> int:
    """How many unmatched messages ``username`` may read wait to be handled (0: not theirs).

    For the navigation, on every page: one count on a partial index.
    """
    with deps.uow(readonly=True) as uow:
        try:
            sight = _mail_sight(deps, uow, username)
        except AduanError:
            return 0
        return uow.inbound.count_unmatched(sight=sight)


def mark_handled(deps: Deps, username: str, mail_id: int, note: str) -> Handling:
    """Mark an unmatched message followed up by hand, with ``note`` saying what was done.

    Decided in one ``UPDATE … WHERE handled_at IS NULL``: a message someone already marked
    keeps their mark and note, and the answer says who and when (``marked`` False).

    Raises:
        InputError: The note is empty or longer than ``NOTE_MAX``; nothing is written.
        AccessDeniedError: ``username`` is not of the office's complaint staff or the Head.
        NotFoundError: No such unmatched message in their sight.
    """
    with deps.uow() as uow:
        sight = _mail_sight(deps, uow, username)
        note = _note_of(note)
        record = uow.inbound.unmatched_one(mail_id)
        code = _code_in_sight(uow, record.case_id, sight) if record and record.case_id else None
        if record is None or (record.case_id and code is None):
            raise NotFoundError("email/email", mail_id)
        marked = uow.inbound.mark_handled(mail_id, username, note, deps.clock.now())
        uow.commit()
    with deps.uow(readonly=True) as uow:  # as it stands: this mark, or the one made before
        record = uow.inbound.unmatched_one(mail_id) or record
        view = _view(deps, uow, record, code)
    log.info("inbound_mail_handled", mail_id=mail_id, marked=marked)
    return Handling(marked=marked, mail=view)


def _note_of(note: str) -> str:
    """The note of what was done, checked: some text, at most ``NOTE_MAX`` characters."""
    note = CONTROL.sub("", note).strip()
    if not note:
        raise InputError("handled_note", "required", N_("wajib diisi"))
    if len(note) > NOTE_MAX:
        raise InputError(
            "handled_note",
            "max_length",
            N_("terlalu panjang (paling banyak %(max_length)s karakter)"),
            max_length=NOTE_MAX,
        )
    return note


def _mail_sight(deps: Deps, uow: UnitOfWork, username: str) -> Sight:
    actor = viewer_of(deps, uow, username).actor
    if actor.role not in MAIL_STAFF:
        raise AccessDeniedError(
            "inbound_mail",
            N_("email masuk hanya untuk petugas pengaduan, atasannya dan Kepala Kantor"),
        )
    return sight_for(actor)


def _view(deps: Deps, uow: UnitOfWork, record: InboundRecord, code: str | None) -> InboundView:
    """``record`` as staff see it, naming its case by ``code`` (in the reader's sight)."""
    name = None
    if record.handled_by:
        user = deps.reference.orgchart(uow).users.get(record.handled_by)
        name = user.full_name if user is not None else None
    return InboundView.of(record, code, name)


def _code_in_sight(uow: UnitOfWork, case_id: int, sight: Sight) -> str | None:
    try:
        return uow.cases.get(str(case_id), sight).tracking_code
    except NotFoundError:
        return None
