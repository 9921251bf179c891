"""Domain events: what happened to a case, in the past tense, recorded by the aggregate.

The lifecycle, intake and the deadline sweep record an event on the case (``Case.record``) when
they change it; the service's one save path (``aduan.service.saving``) takes them off the case
after it is stored and hands them to the reactions: the notices are planned from them inside the
unit of work (atomic with the change), the log lines after commit. Nothing reacts to an
``if action is …`` chain.

Each action of the transition table has its own event class, named in its declaration
(``aduan.workflow.actions``)::

    DomainEvent
    ├── ComplaintSubmitted          a submission recorded (a complaint or a suggestion)
    ├── ActionTaken                 an action of the table was taken (one subclass per action)
    │   ├── CaseClassified, CaseReviewed, HandlingStepRecorded,
    │   ├── RoutedInternally, RoutedToAgency, CaseEscalated,
    │   ├── ApipRequested, ApipApproved, ApipRefused,
    │   ├── ComplainantAnswered, ResultRecorded, ComplainantInformed, SuperiorReported,
    │   ├── CaseClosed, CaseReopened, CaseWithdrawn, WithdrawalUndone, CaseReferred,
    │   ├── CaseMarkedDuplicate, MergeUndone,
    │   ├── LateComplaintAccepted,
    │   ├── InformationRequested, InformationReceived, InformationWaitEnded, DeadlineExtended,
    │   ├── QaPublished, QaUnpublished, QaConsentWithdrawn
    │   └── SuggestionAcknowledged, SuggestionForwarded, SuggestionConverted
    ├── DeadlineReminderDue         a reminder alarm rang
    ├── DeadlineBreached            a deadline passed: marked overdue, maybe escalated
    ├── DeadlinesMoved              a calendar change moved the case's deadlines
    ├── ConcernsNamed               staff the case concerns (terlapor) were named
    └── ComplainantWrote            an email from the complainant was put on the timeline
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aduan.workflow.case import WrittenReport
from aduan.workflow.states import Action, Status


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    """Something that happened to a case at ``at``."""

    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintSubmitted(DomainEvent):
    """A submission was recorded; the case's kind says whether as a complaint or a suggestion."""

    recorded_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionTaken(DomainEvent):
    """An action of the transition table was taken by ``actor``."""

    action: Action
    actor: str
    role: str
    from_status: Status
    to_status: Status
    assignee_before: str | None
    payload: Any  # the action's validated payload (``aduan.workflow.payloads``)
    reports: tuple[WrittenReport, ...] = ()

    @property
    def by_system(self) -> bool:
        """Taken by the deadline sweep rather than by a person."""
        return self.role == "system"


class CaseClassified(ActionTaken):
    """Classified by service and problem type (seed §6 item 5c)."""

    __slots__ = ()


class CaseReviewed(ActionTaken):
    """The review worksheet was filed (item 6)."""

    __slots__ = ()


class HandlingStepRecorded(ActionTaken):
    """The outcome of a planned handling step was recorded."""

    __slots__ = ()


class RoutedInternally(ActionTaken):
    """Put on the internal track (item 7a)."""

    __slots__ = ()


class RoutedToAgency(ActionTaken):
    """Put on the track of a technical team or regional agency (item 7b)."""

    __slots__ = ()


class CaseEscalated(ActionTaken):
    """Moved one tier up with a written report (item 7a/7b)."""

    __slots__ = ()


class ApipRequested(ActionTaken):
    """APIP involvement was requested; the head decides (item 7c)."""

    __slots__ = ()


class ApipApproved(ActionTaken):
    """The head approved APIP involvement."""

    __slots__ = ()


class ApipOpenedByLaw(ApipApproved):
    """APIP took the case up on a legal basis, without the head's approval (item 7c).

    A kind of approval: the case is on the APIP track and the inspectorate's unit sees it from
    then on (``record_units``).
    """

    __slots__ = ()


class OverdueReportFiled(ActionTaken):
    """A tier passed over by the deadline sweep filed the written report it owed."""

    __slots__ = ()


class ApipRefused(ActionTaken):
    """The head refused APIP involvement; the case went back to its track."""

    __slots__ = ()


class ComplainantAnswered(ActionTaken):
    """An answer was sent to the complainant (item 4)."""

    __slots__ = ()


class ResultRecorded(ActionTaken):
    """The result of the follow-up was recorded."""

    __slots__ = ()


class ComplainantInformed(ActionTaken):
    """The result was sent to the complainant (item 8)."""

    __slots__ = ()


class SuperiorReported(ActionTaken):
    """The result was reported to the direct superior (item 8)."""

    __slots__ = ()


class CaseClosed(ActionTaken):
    """Closed: the complainant informed and the superior reported to."""

    __slots__ = ()


class CaseReopened(ActionTaken):
    """The complainant disputed the result within the window; the case is open again."""

    __slots__ = ()


class CaseWithdrawn(ActionTaken):
    """Withdrawn."""

    __slots__ = ()


class WithdrawalUndone(ActionTaken):
    """A withdrawal was undone within the window; the case is open again as it was."""

    __slots__ = ()


class CaseReferred(ActionTaken):
    """Referred to the body that has authority over it."""

    __slots__ = ()


class CaseMarkedDuplicate(ActionTaken):
    """Merged into its main case as a duplicate (issue 14 item 4)."""

    __slots__ = ()


class MergeUndone(ActionTaken):
    """A merge found mistaken was undone: the duplicate is handled on its own again."""

    __slots__ = ()


class QaPublished(ActionTaken):
    """The case's question and answer were published as a public Q&A (issue 14 item 7)."""

    __slots__ = ()


class QaUnpublished(ActionTaken):
    """The case's public Q&A entry was taken down by staff."""

    __slots__ = ()


class QaConsentWithdrawn(ActionTaken):
    """The complainant withdrew their consent to a public Q&A; any entry is taken down."""

    __slots__ = ()


class LateComplaintAccepted(ActionTaken):
    """A late submission was accepted as a complaint by a supervisor (item 3)."""

    __slots__ = ()


class SuggestionAcknowledged(ActionTaken):
    """A suggestion was taken up by the complaint staff (items 3 and 5b)."""

    __slots__ = ()


class SuggestionForwarded(ActionTaken):
    """A classified suggestion was forwarded to the yearly evaluation (component 14)."""

    __slots__ = ()


class SuggestionConverted(ActionTaken):
    """A suggestion screened by mistake was made a complaint by a supervisor, with a reason."""

    __slots__ = ()


class InformationRequested(ActionTaken):
    """The complainant was asked for missing information; the answer clock stopped."""

    __slots__ = ()


class InformationReceived(ActionTaken):
    """The complainant's reply arrived (by the tracking page or recorded by staff)."""

    __slots__ = ()


class InformationWaitEnded(ActionTaken):
    """The wait for the complainant's reply ran out; the answer clock runs again."""

    __slots__ = ()


class DeadlineExtended(ActionTaken):
    """A supervisor or the head moved the answer deadline later, with a written reason."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineReminderDue(DomainEvent):
    """A reminder alarm of a deadline rang for the case's holder."""

    alarm_id: int
    deadline: str
    point: str
    due_at: datetime
    holder: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineBreached(DomainEvent):
    """A deadline passed: the case is overdue, and moved one tier up when it could be."""

    alarm_id: int
    deadline: str
    point: str
    due_at: datetime
    holder: str
    superior: str
    escalated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlinesMoved(DomainEvent):
    """A change of the working-day calendar moved the case's deadlines."""

    moved: dict[str, tuple[datetime, datetime]]


@dataclass(frozen=True, slots=True, kw_only=True)
class HolderHandedOver(DomainEvent):
    """The holder left or was deactivated: the case went to their superior (issue 13 item 2)."""

    from_holder: str
    to_holder: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcernsNamed(DomainEvent):
    """Staff the case concerns (terlapor) were named; a concerned holder was skipped upwards."""

    actor: str
    concerned: tuple[str, ...]
    assignee_before: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplainantWrote(DomainEvent):
    """An email from the complainant, on a case that waits for nothing, is on its timeline.

    Issue 14 item 5: a reply by email that does not answer a request for information is a
    note for whoever holds the case.
    """
