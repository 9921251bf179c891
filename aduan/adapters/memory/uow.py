"""In-memory adapters: the repositories and unit of work of ``ports`` without a database.

They keep rows, not objects: a case is written with the same row codec as the SQL adapters
(``aduan.adapters.rows``), with datetimes converted to UTC and JSON-shaped values copied
through text, and rebuilt on every read. So the memory store behaves like the database for
everything the contract tests check: nothing read can change what is stored, and a unit of
work that is not committed leaves no trace.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from aduan.adapters.memory.accounts import AccountRows, InMemoryAccountRepository
from aduan.adapters.memory.outbox import InMemoryOutboxRepository, OutboxRows
from aduan.adapters.rows import (
    case_from_row,
    case_to_row,
    event_from_row,
    event_to_row,
    report_from_row,
    report_to_row,
)
from aduan.catalog.orgchart import OrgChart, Position, StaffUser, Unit, build_orgchart
from aduan.catalog.services import Service
from aduan.escalation.calendar import Override
from aduan.escalation.deadlines import Alarm, DeadlineKind
from aduan.ports import (
    AddressedReport,
    CaseListing,
    CaseQuery,
    DueAlarm,
    TrackingCodeTakenError,
)
from aduan.schemas import views
from aduan.schemas.codec import listing_of
from aduan.workflow.case import Case, CaseEvent, Outcomes, RelatedRecord, WrittenReport
from aduan.workflow.errors import ConflictError, DatabaseUnavailableError, NotFoundError
from aduan.workflow.states import OPEN_STATUSES, Status

Row = dict[str, Any]
# A writer waits for the write lock as long as a SQLite writer waits for the database.
WRITE_LOCK_TIMEOUT_S = 10.0


def _stored(row: Row) -> Row:
    """Return ``row`` as the database keeps it: aware datetimes in UTC, JSON copied.

    The row codec gives datetimes only to timestamp columns and lists or dicts only to JSON
    columns, so the value's type says what the column would do with it.
    """
    out: Row = {}
    for name, value in row.items():
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime: store aware UTC only")
            value = value.astimezone(UTC)
        elif isinstance(value, dict | list | tuple):
            value = json.loads(json.dumps(value))
        out[name] = value
    return out


def _loaded(row: Row) -> Row:
    return copy.deepcopy(row)


@dataclass(slots=True)
class _Data:
    """Everything stored. Rows are replaced, never changed in place, so copies stay shallow."""

    cases: dict[int, Row] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    events: dict[int, list[Row]] = field(default_factory=dict)
    reports: dict[int, list[Row]] = field(default_factory=dict)
    services: dict[str, Row] = field(default_factory=dict)
    chart: tuple[list[Row], list[Row], list[Row]] = field(default_factory=lambda: ([], [], []))
    next_id: int = 1
    alarms: dict[int, DueAlarm] = field(default_factory=dict)
    fired: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    outbox: OutboxRows = field(default_factory=OutboxRows)
    overrides: dict[date, Override] = field(default_factory=dict)
    next_alarm_id: int = 1
    accounts: AccountRows = field(default_factory=AccountRows)

    def copy(self) -> _Data:
        return _Data(
            dict(self.cases),
            dict(self.codes),
            {k: list(v) for k, v in self.events.items()},
            {k: list(v) for k, v in self.reports.items()},
            dict(self.services),
            self.chart,
            self.next_id,
            dict(self.alarms),
            dict(self.fired),
            self.outbox.copy(),
            dict(self.overrides),
            self.next_alarm_id,
            accounts=self.accounts.copy(),
        )


class InMemoryCaseRepository:
    """Cases, events and reports in a unit of work's working copy."""

    def __init__(self, data: _Data) -> None:
        self._data = data

    def add(self, case: Case, event: CaseEvent) -> int:
        """Insert a new case with its first event; return its id."""
        if case.tracking_code in self._data.codes:
            raise TrackingCodeTakenError(case.tracking_code)
        case_id = self._data.next_id
        self._data.next_id += 1
        case.id = case_id
        self._data.cases[case_id] = {"id": case_id, **_stored(case_to_row(case))}
        self._data.codes[case.tracking_code] = case_id
        self._data.events[case_id] = [_stored(event_to_row(case_id, event))]
        self._data.reports[case_id] = []
        return case_id

    def get(self, ref: str) -> Case:
        """Load by tracking code or numeric id; raise ``NotFoundError``."""
        case_id = int(ref) if (ref.isascii() and ref.isdigit()) else self._data.codes.get(ref)
        row = self._data.cases.get(case_id) if case_id is not None else None
        if row is None:
            raise NotFoundError("kasus/case", ref)
        return case_from_row(_loaded(row))

    def save(self, case: Case, expected_version: int) -> None:
        """Write the case if its stored version is still ``expected_version``; else conflict."""
        old = self._data.cases.get(case.id) if case.id is not None else None
        actual = None if old is None else int(old["version"])
        if old is None or actual != expected_version:
            raise ConflictError(case.ref, expected_version, actual)
        row = _stored(case_to_row(case))
        row.update(id=case.id, version=expected_version + 1)
        self._data.cases[old["id"]] = row
        del self._data.codes[old["tracking_code"]]
        self._data.codes[case.tracking_code] = old["id"]
        case.version = expected_version + 1

    def append(self, case_id: int, outcomes: Outcomes) -> None:
        """Append an action's event and written reports."""
        if case_id not in self._data.cases:
            raise NotFoundError("kasus/case", case_id)
        self._data.events[case_id].append(_stored(event_to_row(case_id, outcomes.event)))
        self._data.reports[case_id].extend(
            _stored(report_to_row(case_id, r)) for r in outcomes.reports
        )

    def events(self, case_id: int) -> list[CaseEvent]:
        """Return the audit trail, oldest first."""
        return [event_from_row(_loaded(r)) for r in self._data.events.get(case_id, [])]

    def reports(self, case_id: int) -> list[WrittenReport]:
        """Written reports, oldest first."""
        return [report_from_row(_loaded(r)) for r in self._data.reports.get(case_id, [])]

    def find(self, query: CaseQuery) -> list[Case]:
        """Cases matching the filters, by id."""
        filters = {
            "status": query.status,
            "kind": query.kind,
            "track": query.track,
            "assignee": query.assignee,
        }
        wanted: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        if query.unassigned:
            wanted["assignee"] = None
        if query.screening_reason is not None:
            wanted["screening_reason"] = query.screening_reason.value
        rows = (
            row
            for case_id, row in sorted(self._data.cases.items(), reverse=query.newest_first)
            if _after(case_id, query)
            and all(row[k] == v for k, v in wanted.items())
            and (not query.open_only or row["status"] in OPEN_STATUSES)
        )
        if query.due_before is None:
            return [case_from_row(_loaded(r)) for r in itertools.islice(rows, query.limit)]
        due = [d for c in map(case_from_row, map(_loaded, rows)) if (d := _due(c, query))]
        if query.after_deadline is not None:
            due = [d for d in due if (d[0], d[1]) > query.after_deadline]
        return [c for _, _, c in sorted(due, key=lambda t: (t[0], t[1]))[: query.limit]]

    def summaries(self, query: CaseQuery) -> list[CaseListing]:
        """The list columns of the cases ``find`` returns, in the same order."""
        return [listing_of(c) for c in self.find(query)]

    def summary_fields(self, query: CaseQuery) -> list[dict[str, Any]]:
        """What a list page shows of the cases ``find`` returns, in the same order."""
        return [views.summary_fields(c) for c in self.find(query)]

    def reports_to(self, recipients: Sequence[str], limit: int = 50) -> list[AddressedReport]:
        """Written reports addressed to any of ``recipients``, newest first."""
        wanted = set(recipients)
        found = [
            (row["at"], case_id, index, row)
            for case_id, rows in self._data.reports.items()
            for index, row in enumerate(rows)
            if row["addressee"] in wanted or row["to_position"] in wanted
        ]
        found.sort(key=lambda t: t[:3], reverse=True)
        out = []
        for _, case_id, _, row in found[:limit]:
            case = self._data.cases[case_id]
            out.append(
                AddressedReport(
                    case_id,
                    case["tracking_code"],
                    case["subject"],
                    Status(case["status"]),
                    report_from_row(_loaded(row)),
                )
            )
        return out

    def open_with_deadlines(self) -> list[Case]:
        found = [case_from_row(_loaded(r)) for r in self._data.cases.values()]
        return [
            c for c in found if c.status in OPEN_STATUSES and (c.response_due_at or c.stage_due_at)
        ]

    def related(self, case: Case, limit: int = 20) -> list[RelatedRecord]:
        """Other cases with the same contact, licence number or service, newest first."""
        c = case.complainant
        reasons = [
            ("same_contact", "complainant_email", c.email),
            ("same_contact", "complainant_phone", c.phone),
            ("same_licence", "licence_number", case.licence_number),
            ("same_service", "service_code", case.service_code),
        ]
        matches = [(reason, column, value) for reason, column, value in reasons if value]
        return list(itertools.islice(self._related(case.id, matches), limit))

    def _related(
        self, case_id: int | None, matches: list[tuple[str, str, str]]
    ) -> Iterator[RelatedRecord]:
        for other_id, row in sorted(self._data.cases.items(), reverse=True):
            reason = next((r for r, column, value in matches if row[column] == value), None)
            if other_id != case_id and reason is not None:
                yield RelatedRecord(row["tracking_code"], row["status"], reason, row["subject"])


def _after(case_id: int, query: CaseQuery) -> bool:
    """Whether ``case_id`` lies past the page boundary ``query.after_id``."""
    if query.after_id is None:
        return True
    return case_id < query.after_id if query.newest_first else case_id > query.after_id


def _due(case: Case, query: CaseQuery) -> tuple[datetime, int, Case] | None:
    """The case's soonest open deadline if it falls by ``query.due_before``."""
    assert query.due_before is not None
    assert case.id is not None
    if case.status not in OPEN_STATUSES:
        return None
    response = case.response_due_at if case.answered_at is None else None
    soonest = min((d for d in (response, case.stage_due_at) if d is not None), default=None)
    return (soonest, case.id, case) if soonest and soonest <= query.due_before else None


class InMemoryReferenceRepository:
    """The catalog and the org chart in a unit of work's working copy."""

    def __init__(self, data: _Data) -> None:
        self._data = data

    def services(self) -> list[Service]:
        """All services by code."""
        return [Service.model_validate(row) for _, row in sorted(self._data.services.items())]

    def service(self, code: str) -> Service | None:
        """One service, or None."""
        row = self._data.services.get(code)
        return None if row is None else Service.model_validate(row)

    def put_services(self, services: list[Service], now: datetime) -> None:
        """Insert or replace services by code."""
        for s in services:
            self._data.services[s.code] = s.model_dump(mode="json")

    def user(self, username: str) -> StaffUser | None:
        """One staff user, or None."""
        rows = (row for row in self._data.chart[2] if row["username"] == username)
        return next((StaffUser.model_validate(row) for row in rows), None)

    def orgchart(self) -> OrgChart:
        """Return the current chart."""
        units, positions, users = self._data.chart
        return build_orgchart(
            [Unit.model_validate(u) for u in units],
            [Position.model_validate(p) for p in positions],
            [StaffUser.model_validate(u) for u in users],
        )

    def put_orgchart(self, chart: OrgChart) -> None:
        """Replace the chart as a whole."""
        self._data.chart = (
            [u.model_dump(mode="json") for u in chart.units.values()],
            [p.model_dump(mode="json") for p in chart.positions.values()],
            [u.model_dump(mode="json") for u in chart.users.values()],
        )


class InMemoryAlarmRepository:
    """Alarms in a unit of work's working copy; writers are serialised, so no locking."""

    def __init__(self, data: _Data) -> None:
        self._data = data

    def replace(self, case_id: int, kinds: frozenset[DeadlineKind], items: Sequence[Alarm]) -> None:
        data = self._data
        for alarm_id, alarm in list(data.alarms.items()):
            if alarm.case_id == case_id and alarm.kind in kinds and alarm_id not in data.fired:
                del data.alarms[alarm_id]
        mine = {(a.kind, a.point, a.due_at) for a in data.alarms.values() if a.case_id == case_id}
        for a in items:
            if (a.kind, a.point, a.due_at) in mine:
                continue  # it rang already: a deadline moved away and back never rings twice
            alarm_id = data.next_alarm_id
            data.next_alarm_id += 1
            data.alarms[alarm_id] = DueAlarm(
                alarm_id, case_id, a.kind, a.point, a.due_at, a.fire_at
            )

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        due = [
            a
            for i, a in self._data.alarms.items()
            if i not in self._data.fired and a.fire_at <= now
        ]
        return sorted(due, key=lambda a: (a.fire_at, a.id))[:limit]

    def mark_fired(self, ids: Sequence[int], now: datetime, worker: str) -> None:
        for alarm_id in ids:
            self._data.fired.setdefault(alarm_id, (now, worker))

    def pending(self, case_id: int) -> list[DueAlarm]:
        mine = [
            a
            for i, a in self._data.alarms.items()
            if a.case_id == case_id and i not in self._data.fired
        ]
        return sorted(mine, key=lambda a: (a.fire_at, a.id))


class InMemoryCalendarRepository:
    """Calendar overrides in a unit of work's working copy."""

    def __init__(self, data: _Data) -> None:
        self._data = data

    def overrides(self) -> list[Override]:
        return [self._data.overrides[on] for on in sorted(self._data.overrides)]

    def put(self, override: Override, now: datetime) -> None:
        self._data.overrides[override.on] = override

    def remove(self, on: date) -> bool:
        return self._data.overrides.pop(on, None) is not None


@dataclass(slots=True)
class InMemoryStore:
    """The committed data, shared by the units of work of one factory."""

    data: _Data = field(default_factory=_Data)
    write_lock: threading.Lock = field(default_factory=threading.Lock)


class InMemoryUnitOfWork:
    """Works on a copy of the store; ``commit`` publishes it, anything else discards it.

    Like SQLite, writers take the one write lock when they begin, so they run one after the
    other; a read-only unit of work reads a snapshot without waiting.
    """

    cases: InMemoryCaseRepository
    reference: InMemoryReferenceRepository
    alarms: InMemoryAlarmRepository
    outbox: InMemoryOutboxRepository
    calendar: InMemoryCalendarRepository
    accounts: InMemoryAccountRepository

    def __init__(self, store: InMemoryStore, *, readonly: bool = False) -> None:
        self.store = store
        self.readonly = readonly
        self._work: _Data | None = None
        self._locked = False

    def __enter__(self) -> Self:
        if not self.readonly:
            self._lock()
        self._work = self.store.data.copy()
        self.cases = InMemoryCaseRepository(self._work)
        self.reference = InMemoryReferenceRepository(self._work)
        self.alarms = InMemoryAlarmRepository(self._work)
        self.outbox = InMemoryOutboxRepository(self._work.outbox)
        self.calendar = InMemoryCalendarRepository(self._work)
        self.accounts = InMemoryAccountRepository(self._work.accounts)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None
        if self._locked:
            self._locked = False
            self.store.write_lock.release()

    def commit(self) -> None:
        """Publish the working copy; the unit of work goes on from there."""
        assert self._work is not None
        if self._locked:
            self.store.data = self._work.copy()
            return
        with self.store.write_lock:
            self.store.data = self._work.copy()

    def _lock(self) -> None:
        if not self.store.write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT_S):
            raise DatabaseUnavailableError("memory://", "locked by another unit of work")
        self._locked = True


class InMemoryUnitOfWorkFactory:
    """Opens units of work on one in-memory store (empty until something is committed)."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    def __call__(self, *, readonly: bool = False) -> InMemoryUnitOfWork:
        """Open a unit of work; a ``readonly`` one reads a snapshot without the write lock."""
        return InMemoryUnitOfWork(self.store, readonly=readonly)
