"""The case aggregate and the records it produces: events (audit trail) and written reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from aduan.workflow.states import (
    Action,
    Channel,
    Kind,
    Outcome,
    ProblemType,
    Role,
    ScreeningReason,
    Status,
    StepKind,
    Track,
)

if TYPE_CHECKING:
    from aduan.workflow.events import DomainEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a staff user (with the position they hold), the complainant, or the system.

    ``unit`` is the unit of the position in the org chart (the office, an agency, APIP); the
    guards compare it with the agency a case is on.
    """

    username: str
    role: Role
    position: str | None = None
    unit: str | None = None


@dataclass(slots=True)
class Complainant:
    """Identity of the complainant (pelapor). Confidential by default (DESIGN §6)."""

    name: str | None
    email: str | None = None
    phone: str | None = None
    social: str | None = None
    address: str | None = None
    confidential: bool = True

    @property
    def identified(self) -> bool:
        """Seed §6 item 5a/5b: a name and at least one way to reach them.

        A postal address is a way (a letter is answered by letter), as are a phone number, an
        email address and a social media account.
        """
        ways = (self.address, self.email, self.phone, self.social)
        return bool(self.name and self.name.strip()) and any(w and w.strip() for w in ways)


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    """What the channel itself tells about a submission (seed §6 item 2 a–m), as it arrived.

    Which facts a channel takes, and which it requires, is ``intake.CHANNEL_FACTS``: a box
    letter's drop date (m), a letter's reference number, date and postmark (c), the social
    account it came from (h, i), SP4N-LAPOR!'s tracking ID and the date LAPOR! received it.
    The website of a web complaint (j, k) is its channel.
    """

    dropped_on: date | None = None  # m. the day the letter went into the box, as found
    letter_number: str | None = None  # c. nomor surat
    letter_date: date | None = None  # c. tanggal surat
    postmarked_on: date | None = None  # c. cap pos
    social_handle: str | None = None  # h, i. the account that sent it
    lapor_id: str | None = None  # SP4N-LAPOR! tracking ID
    lapor_received_on: date | None = None  # the day SP4N-LAPOR! received it

    def given(self) -> dict[str, Any]:
        """The facts that are present, by name (dates as dates)."""
        found = ((name, getattr(self, name)) for name in _FACT_NAMES)
        return {name: value for name, value in found if value is not None}


_FACT_NAMES = tuple(f.name for f in fields(ChannelFacts))  # in declaration order


@dataclass(frozen=True, slots=True)
class TierLevel:
    """One level of a resolution track's chain, from the organisation chart."""

    position: str
    title: str
    unit: str
    holder: str | None = None


@dataclass(slots=True)
class PlanStep:
    """A handling-plan step of the review (seed §6 item 6d–e)."""

    kind: StepKind
    party: str
    description: str = ""
    outcome: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StandardLink:
    """A link from the complaint to the service standard, an SOP or a regulation (item 6b)."""

    kind: str  # "component" | "regulation" | "sop"
    ref: str
    text: str


@dataclass(frozen=True, slots=True)
class RelatedRecord:
    """An earlier case related to this one (item 6c), found automatically."""

    tracking_code: str
    status: str
    reason: str  # "same_contact" | "same_service" | "same_licence"
    subject: str
    # Every reason it matched, ``reason`` first (issue 14 item 4); not part of its identity.
    reasons: tuple[str, ...] = field(default=(), compare=False)


@dataclass(slots=True)
class Worksheet:
    """The review worksheet (penelaahan, item 6)."""

    core_problem: str
    links: list[StandardLink] = field(default_factory=list)
    related: list[RelatedRecord] = field(default_factory=list)
    plan: list[PlanStep] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """A written report up the chain (laporan tertulis): a tier escalation or the final report."""

    kind: str  # "tier" | "superior"
    author: str
    addressee: str
    text: str
    at: datetime
    from_position: str | None = None
    to_position: str | None = None
    # What the printed document says, frozen when it is filed (issue 13 item 4): the service
    # fills it on the way to storage; ``None`` for reports filed before documents were kept.
    document: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OverdueReport:
    """A written report a tier still owes: its deadline passed and the sweep moved the case up.

    Issue 13 item 3: the automatic escalation is a system notice, not a written report; the
    tier that missed its deadline keeps the task of filing its own report (laporan tertulis)
    to the tier above, until it does (``file_overdue_report``).
    """

    tier: int  # 0-based, as ``Case.tier``
    position: str
    title: str
    holder: str | None
    to_position: str
    to_title: str
    to_holder: str | None
    missed_at: datetime


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Who withdrew an open case, when and why, and what undoing it restores (issue 12 item 4).

    The complainant withdraws their own complaint; an officer withdraws one on their behalf or
    as a duplicate, and the record says so. Within the undo window either may undo it: the case
    goes back to ``from_status`` with the stage target it had (the answer deadline is kept on
    the case throughout).
    """

    from_status: Status
    at: datetime
    actor: str
    role: Role
    reason: str
    stage_started_at: datetime | None = None
    stage_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PublicAnswer:
    """A closed case's question and answer as published on the public Q&A page (issue 14 item 7).

    Written by staff, anonymised by them, and published only with the complainant's consent
    (``Case.qa_consent``): the texts are what the public page shows, nothing else of the case.
    ``service_code`` lists it under a service (optional); ``published_at`` orders the page,
    which shows only its month.
    """

    question: str
    answer: str
    service_code: str | None
    published_at: datetime
    published_by: str


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One append-only entry of the audit trail."""

    action: str
    actor: str
    role: Role
    from_status: Status | None
    to_status: Status
    at: datetime
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Case:
    """A complaint or suggestion and everything decided about it so far."""

    tracking_code: str
    kind: Kind
    status: Status
    channel: Channel
    complainant: Complainant
    subject: str
    description: str
    service_received_on: date | None
    complained_at: datetime
    received_at: datetime
    intake_days: int
    created_at: datetime
    updated_at: datetime
    screening_reason: ScreeningReason | None = None
    # Seed §6 items 2–3: the channel's own facts, and a service not yet delivered ("belum
    # terbit/belum selesai"): applied for on ``applied_on``, due on ``service_due_on`` (the
    # application date plus the service's completion time in working days), received never
    # (``service_received_on`` None).
    channel_facts: ChannelFacts = field(default_factory=ChannelFacts)
    service_pending: bool = False
    applied_on: date | None = None
    service_due_on: date | None = None
    service_code: str | None = None
    service_text: str | None = None
    licence_number: str | None = None
    id: int | None = None
    version: int = 1
    problem_types: list[ProblemType] = field(default_factory=list)
    worksheet: Worksheet | None = None
    track: Track | None = None
    apip_origin: Status | None = None
    agency_unit: str | None = None
    chain: list[TierLevel] = field(default_factory=list)
    tier: int = 0
    assignee: str | None = None
    # Written reports the tiers passed over by the deadline sweep still owe (issue 13 item 3).
    overdue_reports: list[OverdueReport] = field(default_factory=list)
    outcome: Outcome | None = None
    result_summary: str | None = None
    # The post whose holder recorded the result (item 8): its direct superior receives the
    # report of the result and closes the case.
    result_position: str | None = None
    corrective_actions: list[str] = field(default_factory=list)
    answered_at: datetime | None = None
    informed_at: datetime | None = None
    reported_at: datetime | None = None
    closed_at: datetime | None = None
    late_acceptance_reason: str | None = None
    referred_to: str | None = None
    withdrawal: Withdrawal | None = None  # set while withdrawn, for the record and the undo
    reopen_count: int = 0
    merged_into: int | None = None  # the main case's id, once merged as a duplicate (issue 14)
    merged_from: Status | None = None  # the status it was merged from, which an undo restores
    # Deadlines (DESIGN §3), kept by the escalation policy, never by the transition table.
    response_started_at: datetime | None = None
    response_due_at: datetime | None = None
    response_breached_at: datetime | None = None
    stage_started_at: datetime | None = None
    stage_due_at: datetime | None = None
    stage_breached_at: datetime | None = None
    # Issue 14 item 5 (``aduan.escalation.pause``): the answer clock stands still from
    # ``info_requested_at`` until the complainant's reply or the end of the wait; the working
    # days it stood still and those a supervisor granted move the answer deadline later.
    info_requested_at: datetime | None = None
    response_paused_days: int = 0
    response_extended_days: int = 0
    response_original_due_at: datetime | None = None  # the deadline without the extensions
    # When the retention purge erased the complainant's personal data (issue 14 item 1); only
    # the purge sets it, never an action.
    personal_data_erased_at: datetime | None = None
    # Issue 14 item 7: the complainant agreed that the question and answer may be published
    # without their identity (default no; they may withdraw it), and what staff published.
    qa_consent: bool = False
    public_qa: PublicAnswer | None = None
    # What happened to it since it was loaded (``aduan.workflow.events``); never stored as such.
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """How errors and logs name the case: its tracking code."""
        return self.tracking_code

    def record(self, event: DomainEvent) -> None:
        """Note that ``event`` happened to this case; the save path reacts to it."""
        self.events.append(event)

    def take_events(self) -> list[DomainEvent]:
        """The events recorded since the last call, oldest first, and forget them."""
        taken, self.events = self.events, []
        return taken

    @property
    def window_from(self) -> date | None:
        """The day the 30-day window runs from (items 2–3): service received, or due."""
        return self.service_due_on if self.service_pending else self.service_received_on

    @property
    def holder(self) -> TierLevel | None:
        """The tier level currently holding the case on its track, if any."""
        if not self.chain:
            return None
        return self.chain[self.tier]


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What one action produced, for the service to persist."""

    event: CaseEvent
    reports: tuple[WrittenReport, ...] = ()


__all__ = [
    "Action",
    "Actor",
    "Case",
    "CaseEvent",
    "ChannelFacts",
    "Complainant",
    "Outcomes",
    "OverdueReport",
    "PlanStep",
    "PublicAnswer",
    "RelatedRecord",
    "StandardLink",
    "TierLevel",
    "Withdrawal",
    "Worksheet",
    "WrittenReport",
]
