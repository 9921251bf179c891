"""Every port the service layer needs, in one module: repositories, unit of work, clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from aduan.catalog.orgchart import OrgChart, StaffUser
from aduan.catalog.services import Service
from aduan.escalation.calendar import Override
from aduan.escalation.deadlines import Alarm, AlarmPoint, DeadlineKind
from aduan.workflow.case import Case, CaseEvent, Outcomes, RelatedRecord, WrittenReport
from aduan.workflow.states import Kind, Status, Track


class TrackingCodeTakenError(Exception):
    """A new case drew a tracking code that exists already; the caller draws another."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"tracking code {code} is taken")


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Filters of a case list; ``after_id`` pages through results in id order."""

    status: Status | None = None
    kind: Kind | None = None
    track: Track | None = None
    assignee: str | None = None
    limit: int = 50
    after_id: int | None = None
    due_before: datetime | None = None  # open cases with a deadline by then, soonest first


class CaseRepository(Protocol):
    """Cases, their append-only events and their written reports."""

    def add(self, case: Case, event: CaseEvent) -> int:
        """Insert a new case with its first event; return its id.

        Raises ``TrackingCodeTakenError`` (and writes nothing) when the code exists.
        """

    def get(self, ref: str) -> Case:
        """Load by tracking code or numeric id; raise ``NotFoundError``."""

    def save(self, case: Case, expected_version: int) -> None:
        """Write the case if its stored version is still ``expected_version``; else conflict."""

    def append(self, case_id: int, outcomes: Outcomes) -> None:
        """Append an action's event and written reports."""

    def events(self, case_id: int) -> list[CaseEvent]:
        """The audit trail, oldest first."""

    def reports(self, case_id: int) -> list[WrittenReport]:
        """Written reports, oldest first."""

    def find(self, query: CaseQuery) -> list[Case]:
        """Cases matching the filters, by id."""

    def related(self, case: Case, limit: int = 20) -> list[RelatedRecord]:
        """Earlier cases with the same contact, service or licence number (item 6c)."""

    def open_with_deadlines(self) -> list[Case]:
        """Open cases under a response or stage deadline (for a calendar change)."""


@dataclass(frozen=True, slots=True)
class DueAlarm:
    """A stored alarm, as the sweep claims it."""

    id: int
    case_id: int
    kind: DeadlineKind
    point: AlarmPoint
    due_at: datetime
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A notification to deliver, written with the change that causes it."""

    idempotency_key: str
    event: str
    recipient: str
    channel: str
    payload: dict[str, Any]
    created_at: datetime
    case_id: int | None = None


class AlarmRepository(Protocol):
    """Reminder and breach alarms: the database owns deadlines (DESIGN §4)."""

    def replace(
        self, case_id: int, kinds: frozenset[DeadlineKind], alarms: Sequence[Alarm]
    ) -> None:
        """Drop the case's pending alarms of ``kinds`` and add ``alarms``.

        An alarm whose case, kind, point and deadline are stored already (it rang) is not added.
        """

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        """Pending alarms due by ``now``, oldest first; on PostgreSQL locked, skipping locked."""

    def mark_fired(self, ids: Sequence[int], now: datetime, worker: str) -> None:
        """Record that these alarms rang (in the transaction that acted on them)."""

    def pending(self, case_id: int) -> list[DueAlarm]:
        """The case's alarms still to ring, in firing order."""


class OutboxRepository(Protocol):
    """Notifications waiting for delivery."""

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False (and nothing written) when its idempotency key exists."""

    def for_recipient(self, recipient: str) -> list[OutboxMessage]:
        """Messages to one recipient, oldest first."""


class CalendarRepository(Protocol):
    """The administrator's overrides of the working-day calendar."""

    def overrides(self) -> list[Override]:
        """Every override, by date."""

    def put(self, override: Override, now: datetime) -> None:
        """Add or replace the override of its date."""

    def remove(self, on: date) -> bool:
        """Remove the override of a date; False when there was none."""


class ReferenceRepository(Protocol):
    """The service catalog and the organisation chart."""

    def services(self) -> list[Service]:
        """All services by code."""

    def service(self, code: str) -> Service | None:
        """One service, or None."""

    def put_services(self, services: list[Service], now: datetime) -> None:
        """Insert or replace services by code."""

    def user(self, username: str) -> StaffUser | None:
        """One staff user, or None."""

    def orgchart(self) -> OrgChart:
        """The current chart."""

    def put_orgchart(self, chart: OrgChart) -> None:
        """Replace the chart (units, positions, users) as a whole."""


class UnitOfWork(Protocol):
    """One transaction: nothing is kept unless ``commit`` is called."""

    @property
    def cases(self) -> CaseRepository:
        """Cases in this transaction."""

    @property
    def reference(self) -> ReferenceRepository:
        """Catalog and org chart in this transaction."""

    @property
    def alarms(self) -> AlarmRepository:
        """Deadline alarms in this transaction."""

    @property
    def outbox(self) -> OutboxRepository:
        """The notification outbox in this transaction."""

    @property
    def calendar(self) -> CalendarRepository:
        """Calendar overrides in this transaction."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Keep everything done in this unit of work."""


class UnitOfWorkFactory(Protocol):
    """Opens units of work; ``readonly`` ones may skip the write lock."""

    def __call__(self, *, readonly: bool = False) -> UnitOfWork:
        """A new, not yet entered, unit of work."""


class Clock(Protocol):
    """Where the service layer gets the time: pure code never calls ``now()``."""

    def now(self) -> datetime:
        """The current aware UTC time."""


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current aware UTC time."""
        return datetime.now(UTC)


@dataclass(slots=True)
class FixedClock:
    """A clock for tests and replays: set or advance it by hand."""

    current: datetime

    def now(self) -> datetime:
        """The time it was set to."""
        return self.current
