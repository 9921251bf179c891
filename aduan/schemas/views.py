"""Read models: what the service layer returns to the CLI, the API and the UI."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from aduan.catalog.orgchart import OrgChart
from aduan.escalation.deadlines import DeadlineStatus
from aduan.ports import CaseListing
from aduan.workflow.case import Case, CaseEvent, Complainant, WrittenReport
from aduan.workflow.states import OPEN_STATUSES, STATUS_NAMES, Role

# DESIGN §6: the identity is shown to the recording officer, the complaints manager
# (supervisor) and the Head of Office; anyone else with sight of the case reveals it with a
# written reason. The roles below see it on every case; an officer on the cases they recorded.
SEES_IDENTITY = frozenset({Role.SUPERVISOR, Role.HEAD})
MASKED_NAME = "(dirahasiakan)"


class View(BaseModel):
    """Base of read models: immutable, JSON-ready."""

    model_config = ConfigDict(frozen=True)


class ComplainantView(View):
    """The complainant as the viewer may see them."""

    name: str | None
    email: str | None
    phone: str | None
    social: str | None
    address: str | None
    confidential: bool
    masked: bool


class PersonView(View):
    """A staff member as a page names them: full name and position (jabatan), NIP if known."""

    name: str
    position: str | None = None
    nip: str | None = None


class DeliveryView(View):
    """A message to the complainant and how its delivery went: sent, pending or failed (dead).

    ``recipient`` is None when the viewer sees the complainant masked; ``error`` is the last
    failure as the channel reported it.
    """

    event: str
    channel: str
    recipient: str | None
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    error: str | None = None


class EventView(View):
    """One timeline entry."""

    at: datetime
    actor: str
    role: str
    action: str
    from_status: str | None
    to_status: str
    note: str
    data: dict[str, Any]


class ReportView(View):
    """A written report (laporan tertulis)."""

    kind: str
    author: str
    addressee: str
    from_position: str | None
    to_position: str | None
    text: str
    at: datetime
    document: dict[str, Any] | None = None  # as filed, frozen (issue 13 item 4)


class OverdueReportView(View):
    """A written report a tier still owes: the sweep moved the case past it (issue 13 item 3).

    ``tier`` and ``to_tier`` are counted from 1, as people say them.
    """

    tier: int
    title: str
    holder: str | None
    to_tier: int
    to_title: str
    to_holder: str | None
    missed_at: datetime


class DeadlineView(View):
    """A limit the case is under: when, and how many working days are left or how late it is."""

    kind: str
    due_at: datetime
    working_days_left: int
    overdue: bool
    overdue_working_days: int
    paused: bool = False  # the answer clock stands still: waiting for the complainant
    waiting_until: datetime | None = None  # while paused: the end of the wait for the reply


class AnswerClockView(View):
    """The answer clock paused and extended (issue 14 item 5), as the case and tracking pages say.

    ``waiting_since`` and ``question``: while the office waits for the complainant's reply;
    ``extension_reason``: the written reason of the latest extension (shown to the complainant);
    ``original_due_at``: the deadline without the extensions, when there were any.
    """

    waiting_since: datetime | None = None
    waiting_until: datetime | None = None  # the end of the wait: the clock runs again then
    question: str | None = None
    paused_days: int = 0
    extended_days: int = 0
    extension_reason: str | None = None
    original_due_at: datetime | None = None


class CaseSummary(View):
    """A row of a case list."""

    id: int
    tracking_code: str
    version: int
    kind: str
    status: str
    status_label: str
    screening_reason: str | None
    channel: str
    subject: str
    service_code: str | None
    track: str | None
    assignee: str | None
    received_at: datetime
    due_at: datetime | None = None  # the soonest open deadline (answer or current stage)


class RelatedView(View):
    """Another case shown beside this one: a likely duplicate or a merged one (issue 14 item 4).

    ``reasons``: why it is shown (``same_contact``, ``same_licence``, ``same_service``,
    ``similar_text``, ``merged``); the page says each in words.
    """

    tracking_code: str
    subject: str
    status: str
    reasons: list[str] = []


class CaseDetail(CaseSummary):
    """Everything about a case a staff member may see, and what they may do next."""

    complainant: ComplainantView
    description: str
    service_text: str | None
    licence_number: str | None
    service_received_on: date | None  # None: the service is not yet delivered
    # Seed §6 items 2–3: a service not yet delivered ("belum terbit/belum selesai") and its
    # application date; the day the 30-day window ran from; what the channel recorded
    # (``ChannelFacts``: dropped_on, letter_number, letter_date, postmarked_on, social_handle,
    # lapor_id, lapor_received_on), ISO dates as text.
    service_pending: bool = False
    applied_on: date | None = None
    window_from: date | None = None
    channel_facts: dict[str, str] = {}
    complained_at: datetime
    intake_days: int
    problem_types: list[str]
    worksheet: dict[str, Any] | None
    agency_unit: str | None
    chain: list[dict[str, Any]]
    tier: int
    holder: str | None
    outcome: str | None
    result_summary: str | None
    corrective_actions: list[str]
    answered_at: datetime | None
    informed_at: datetime | None
    reported_at: datetime | None
    closed_at: datetime | None
    late_acceptance_reason: str | None
    referred_to: str | None
    reopen_count: int
    allowed_actions: list[str]
    may_attach: bool = False  # whether the viewer may add evidence files now (``may_add_files``)
    deadlines: list[DeadlineView]
    response_due_at: datetime | None
    overdue: bool
    timeline: list[EventView]
    reports: list[ReportView]
    # Written reports tiers still owe after a breach escalation (issue 13 item 3).
    overdue_reports: list[OverdueReportView] = []
    # Who the usernames on this page are (timeline actors, report authors and addressees, the
    # chain's holders): the person's name and position, so a page never shows a bare username.
    people: dict[str, PersonView] = {}
    service_title: str | None = None  # the catalog's name of ``service_code``
    deliveries: list[DeliveryView] = []  # messages to the complainant and their delivery
    answer_clock: AnswerClockView = AnswerClockView()  # paused or extended (issue 14 item 5)
    # The complainant's PIN (issue 16 item 5): only in the answer to a submission, shown once
    # to be handed to the complainant; it is kept hashed and never shown again.
    pin: str | None = None
    # Duplicates (issue 14 item 4): the likely ones, for staff who may merge this case; the
    # main case it was merged into; the duplicates merged into it, and so its complainants.
    likely_duplicates: list[RelatedView] = []
    merged_into: str | None = None
    duplicates: list[RelatedView] = []
    complainants: int = 1
    # When the retention purge erased the complainant's personal data (issue 14 item 1).
    personal_data_erased_at: datetime | None = None
    # Issue 14 item 7: the complainant's consent to a public Q&A, and the entry published
    # (question, answer, service_code, published_at, published_by), if any.
    qa_consent: bool = False
    public_qa: dict[str, Any] | None = None


class ActionResult(View):
    """What one action did: the case's new state, its audit entry and any written reports.

    The whole case page (timeline and all) is ``get_case``; an action does not reload it.
    """

    id: int
    tracking_code: str
    version: int
    kind: str
    status: str
    status_label: str
    track: str | None
    tier: int
    assignee: str | None
    event: EventView
    reports: list[ReportView]
    allowed_actions: list[str]


class TrackingView(View):
    """What the public tracking page shows: status, dates and the answer, nobody's identity.

    Issue 12 item 3: the answer deadline of a complaint, the answer as it was sent to the
    complainant (never the office's internal summary), where a referred case went, until when a
    closed result may be disputed, and who withdrew a withdrawn case and until when that may be
    undone.
    """

    tracking_code: str
    kind: str
    status: str
    status_label: str
    status_label_en: str
    screening_reason: str | None
    received_at: datetime
    response_due_at: datetime | None = None  # the 14 working days of a complaint (item 4)
    answered_at: datetime | None
    answer: str | None = None  # the last answer or result sent to the complainant, verbatim
    answer_kind: str | None = None  # "answer", "interim" (tanggapan sementara) or "result"
    answer_sent_at: datetime | None = None
    referred_to: str | None = None
    closed_at: datetime | None
    reopen_until: datetime | None = None  # a closed complaint may be disputed until then
    withdrawn_by: str | None = None  # "complainant" or "officer"
    undo_until: datetime | None = None  # a withdrawal may be undone until then
    history: list[tuple[datetime, str]]
    answer_clock: AnswerClockView = AnswerClockView()  # paused or extended (issue 14 item 5)
    # Issue 14 item 7: whether the complainant agreed to a public Q&A (they may withdraw it
    # here), and whether one is published now.
    qa_consent: bool = False
    qa_published: bool = False


def summary_fields(case: Case | CaseListing) -> dict[str, Any]:
    """The fields shared by summaries and details (a listing row has all of them)."""
    assert case.id is not None
    return {
        "id": case.id,
        "tracking_code": case.tracking_code,
        "version": case.version,
        "kind": case.kind.value,
        "status": case.status.value,
        "status_label": STATUS_NAMES[case.status],
        "screening_reason": case.screening_reason and case.screening_reason.value,
        "channel": case.channel.value,
        "subject": case.subject,
        "service_code": case.service_code,
        "track": case.track and case.track.value,
        "assignee": case.assignee,
        "received_at": case.received_at,
        "due_at": soonest_due(case),
    }


def soonest_due(case: Case | CaseListing) -> datetime | None:
    """The case's soonest open deadline: the answer (until given) or the current stage."""
    if case.status not in OPEN_STATUSES:
        return None
    response = case.response_due_at if case.answered_at is None else None
    return min((d for d in (response, case.stage_due_at) if d is not None), default=None)


def summarise(case: Case) -> CaseSummary:
    """A case as a list row."""
    return CaseSummary(**summary_fields(case))


def summarise_listing(row: CaseListing) -> CaseSummary:
    """A list row read with ``CaseRepository.summaries`` (same fields as ``summarise``)."""
    return CaseSummary(**summary_fields(row))


_CASE_SUMMARIES = TypeAdapter(list[CaseSummary])


def summaries_of(rows: list[dict[str, Any]]) -> list[CaseSummary]:
    """List rows from dicts of ``summary_fields`` (``CaseRepository.summary_fields``).

    One validation of the whole list: half the cost of building the summaries one by one.
    """
    return _CASE_SUMMARIES.validate_python(rows)


def sees_identity(role: Role, username: str | None, recorded_by: str | None) -> bool:
    """Whether a person sees the complainant's identity unmasked without revealing it.

    The complaints manager and the Head always; otherwise only the staff member who recorded
    the submission (``recorded_by``: None for a submission of the complainant themselves).
    """
    return role in SEES_IDENTITY or (recorded_by is not None and username == recorded_by)


def has_identity(c: Complainant) -> bool:
    """Whether there is anything to mask: a name or a way to reach the complainant."""
    return any((c.name, c.email, c.phone, c.social, c.address))


def complainant_view(c: Complainant, shown: bool) -> ComplainantView:
    """The complainant as shown: everything when ``shown``, else their identity masked."""
    if not shown and has_identity(c):
        return ComplainantView(
            name=MASKED_NAME if c.name else None,
            email=None,
            phone=None,
            social=None,
            address=None,
            confidential=c.confidential,
            masked=True,
        )
    return ComplainantView(
        name=c.name,
        email=c.email,
        phone=c.phone,
        social=c.social,
        address=c.address,
        confidential=c.confidential,
        masked=False,
    )


def document_complainant(
    c: Complainant, role: Role, username: str | None = None, recorded_by: str | None = None
) -> ComplainantView:
    """The complainant as written-report PDFs and exports show them (DESIGN §6).

    A complainant who asked for confidentiality (rahasia) is masked for every role except
    the recording officer, the complaints manager and the Head; the others are shown.
    """
    return complainant_view(c, not c.confidential or sees_identity(role, username, recorded_by))


def deadline_view(d: DeadlineStatus, waiting_until: datetime | None = None) -> DeadlineView:
    """A deadline as shown; a paused one with the end of the wait (``waiting_until``)."""
    return DeadlineView(
        kind=d.kind.value,
        due_at=d.due_at,
        working_days_left=d.working_days_left,
        overdue=d.overdue,
        overdue_working_days=d.overdue_working_days,
        paused=d.paused,
        waiting_until=waiting_until if d.paused else None,
    )


def event_view(e: CaseEvent) -> EventView:
    """A timeline entry from an audit event."""
    return EventView(
        at=e.at,
        actor=e.actor,
        role=e.role.value,
        action=e.action,
        from_status=e.from_status and e.from_status.value,
        to_status=e.to_status.value,
        note=e.note,
        data=e.data,
    )


def report_view(r: WrittenReport) -> ReportView:
    """A written report as shown."""
    return ReportView(
        kind=r.kind,
        author=r.author,
        addressee=r.addressee,
        from_position=r.from_position,
        to_position=r.to_position,
        text=r.text,
        at=r.at,
        document=dict(r.document) if r.document is not None else None,
    )


class QueueReason(View):
    """Why a case is in a person's own queue (issue 16 item 6), for the page to say in words.

    ``message`` is an Indonesian msgid of the catalog with ``%(name)s`` placeholders for
    ``facts``; ``code`` names the reason for programs (holder, agency, apip, waiting, assigned).
    """

    code: str
    message: str
    facts: dict[str, str | int] = {}


class WrittenRequest(View):
    """A request's written reason, with who wrote it and when, for the person who decides."""

    text: str
    by: str  # the person's name and position
    at: datetime


class QueueItem(View):
    """A case in a work queue, with its most pressing deadline (overdue first, then soonest)."""

    case: CaseSummary
    tier: int
    holder: str | None
    deadline: DeadlineView | None
    reason: QueueReason | None = None  # on the person's own queue: why they hold or see it
    # What the person deciding must read (the officer's reason for involving APIP, ...).
    request: WrittenRequest | None = None


class ReportItem(View):
    """A written report in its addressee's queue, with the case it is about."""

    case_id: int
    tracking_code: str
    subject: str
    status: str
    status_label: str
    report: ReportView


class SupervisorQueue(View):
    """A supervisor's desk: cases escalated to them, reports to them, late-complaint requests."""

    escalations: list[QueueItem]
    reports: list[ReportItem]
    late_requests: list[QueueItem]
    # Cases on which the user still owes a written report after a breach escalation.
    owed_reports: list[QueueItem] = []


class IdentityAccessView(View):
    """One entry of the Head's identity-access report: who looked at whose case, and why."""

    at: datetime
    username: str
    role: str
    case_id: int
    tracking_code: str
    reason: str  # the written reason of a reveal, or "view" for a view of an unmasked identity


class StaffUserView(View):
    """A staff user as the administrator's user list shows them (issue 16 item 6)."""

    username: str
    full_name: str
    role: str
    position: str | None  # the post's code
    position_title: str | None
    unit: str | None  # the code of the post's unit
    unit_name: str | None
    active: bool


def people_of(chart: OrgChart, usernames: Iterable[str]) -> dict[str, PersonView]:
    """Name and position of each staff username (others — system, complainant — are left out)."""
    people: dict[str, PersonView] = {}
    for username in usernames:
        user = chart.users.get(username)
        if user is None or username in people:
            continue
        post = chart.positions.get(user.position) if user.position else None
        people[username] = PersonView(
            name=user.full_name, position=post.title if post else None, nip=user.nip
        )
    return people
