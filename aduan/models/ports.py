"""Every port the service layer needs, in one module: repositories, unit of work, clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self

from aduan.catalog.orgchart import OrgChart, StaffUser
from aduan.catalog.services import Service
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
