"""The case repository in memory: cases, audit events, written reports and listings."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from aduan.adapters.memory.store import Data, loaded, stored
from aduan.adapters.rows import (
    case_from_row,
    case_to_row,
    event_from_row,
    event_to_row,
    report_from_row,
    report_to_row,
)
from aduan.catalog.orgchart import StaffUser
from aduan.ports import (
    AddressedReport,
    CaseListing,
    CaseQuery,
    TrackingCodeTakenError,
)
from aduan.schemas import views
from aduan.schemas.codec import listing_of
from aduan.workflow.case import Case, CaseEvent, Outcomes, RelatedRecord, WrittenReport
from aduan.workflow.errors import ConflictError, NotFoundError
from aduan.workflow.states import OPEN_STATUSES, Status
from aduan.workflow.visibility import OFFICE_SIGHT, Sight


def sees(data: Data, sight: Sight, case_id: int) -> bool:
    """Whether the case ``case_id`` of ``data`` is in ``sight`` (the visibility policy)."""
    concerned = frozenset(data.concerns.get(case_id, ()))
    units = frozenset(data.units.get(case_id, ()))
    return sight.sees(units, concerned, case_id in data.sealed)


class InMemoryCaseRepository:
    """Cases, events and reports in a unit of work's working copy."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def add(self, case: Case, event: CaseEvent) -> int:
        """Insert a new case with its first event; return its id."""
        if case.tracking_code in self._data.codes:
            raise TrackingCodeTakenError(case.tracking_code)
        case_id = self._data.next_id
        self._data.next_id += 1
        case.id = case_id
        self._data.cases[case_id] = {"id": case_id, **stored(case_to_row(case))}
        self._data.codes[case.tracking_code] = case_id
        self._data.events[case_id] = [stored(event_to_row(case_id, event))]
        self._data.reports[case_id] = []
        return case_id

    def get(self, ref: str, sight: Sight = OFFICE_SIGHT) -> Case:
        """Load by tracking code or numeric id; raise ``NotFoundError`` (also out of sight)."""
        case_id = int(ref) if (ref.isascii() and ref.isdigit()) else self._data.codes.get(ref)
        row = self._data.cases.get(case_id) if case_id is not None else None
        if row is None or not self._sees(sight, row["id"]):
            raise NotFoundError("kasus/case", ref)
        return case_from_row(loaded(row))

    def get_as(self, ref: str, username: str, sight: Sight) -> tuple[StaffUser | None, Case | None]:
        """The staff user and the case if it is in ``sight`` (None for each one missing)."""
        rows = [row for row in self._data.chart[2] if row["username"] == username]
        if not rows:
            return None, None
        try:
            case: Case | None = self.get(ref, sight)
        except NotFoundError:
            case = None
        return StaffUser.model_validate(rows[0]), case

    def save(self, case: Case, expected_version: int) -> None:
        """Write the case if its stored version is still ``expected_version``; else conflict."""
        old = self._data.cases.get(case.id) if case.id is not None else None
        actual = None if old is None else int(old["version"])
        if old is None or actual != expected_version:
            raise ConflictError(case.ref, expected_version, actual)
        row = stored(case_to_row(case))
        row.update(id=case.id, version=expected_version + 1)
        self._data.cases[old["id"]] = row
        del self._data.codes[old["tracking_code"]]
        self._data.codes[case.tracking_code] = old["id"]
        case.version = expected_version + 1

    def append(self, case_id: int, outcomes: Outcomes) -> None:
        """Append an action's event and written reports."""
        if case_id not in self._data.cases:
            raise NotFoundError("kasus/case", case_id)
        self._data.events[case_id].append(stored(event_to_row(case_id, outcomes.event)))
        self._data.reports[case_id].extend(
            stored(report_to_row(case_id, r)) for r in outcomes.reports
        )

    def events(self, case_id: int) -> list[CaseEvent]:
        """Return the audit trail, oldest first."""
        return [event_from_row(loaded(r)) for r in self._data.events.get(case_id, [])]

    def add_unit(self, case_id: int, unit: str, at: datetime) -> None:
        """Record that the case is with ``unit`` from ``at`` on (no-op if it was before)."""
        self._data.units.setdefault(case_id, {}).setdefault(unit, at)

    def units(self, case_id: int) -> frozenset[str]:
        """The units the case has been with."""
        return self._units_of(case_id)

    def _units_of(self, case_id: int) -> frozenset[str]:
        return frozenset(self._data.units.get(case_id, ()))

    def _sees(self, sight: Sight, case_id: int) -> bool:
        return sees(self._data, sight, case_id)

    def add_concerns(
        self, case_id: int, usernames: Sequence[str], named_by: str, at: datetime, reason: str
    ) -> list[str]:
        """Name staff the case concerns; return those not named before, in order."""
        named = self._data.concerns.setdefault(case_id, {})
        added = [u for u in dict.fromkeys(usernames) if u not in named]
        for username in added:
            named[username] = stored({"named_by": named_by, "named_at": at, "reason": reason})
        return added

    def concerns(self, case_id: int) -> frozenset[str]:
        """The usernames of the staff the case concerns."""
        return frozenset(self._data.concerns.get(case_id, ()))

    def seal(self, case_id: int) -> None:
        """Seal the case to the Head of Office and APIP."""
        self._data.sealed.add(case_id)

    def sealed(self, case_id: int) -> bool:
        """Whether the case is sealed."""
        return case_id in self._data.sealed

    def reports(self, case_id: int) -> list[WrittenReport]:
        """Written reports, oldest first."""
        return [report_from_row(loaded(r)) for r in self._data.reports.get(case_id, [])]

    def report_count(self, case_id: int) -> int:
        """How many written reports the case has."""
        return len(self._data.reports.get(case_id, []))

    def find(self, query: CaseQuery) -> list[Case]:
        """Cases matching the filters, by id."""
        filters = {
            "status": query.status,
            "kind": query.kind,
            "track": query.track,
            "assignee": query.assignee,
            "service_code": query.service_code,
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
            and self._sees(query.sight, case_id)
            and all(row[k] == v for k, v in wanted.items())
            and (not query.open_only or row["status"] in OPEN_STATUSES)
            and (
                query.owes_report is None
                or any(o["holder"] == query.owes_report for o in row["overdue_reports"] or [])
            )
        )
        if query.due_before is None:
            return [case_from_row(loaded(r)) for r in itertools.islice(rows, query.limit)]
        due = [d for c in map(case_from_row, map(loaded, rows)) if (d := _due(c, query))]
        if query.after_deadline is not None:
            due = [d for d in due if (d[0], d[1]) > query.after_deadline]
        return [c for _, _, c in sorted(due, key=lambda t: (t[0], t[1]))[: query.limit]]

    def summaries(self, query: CaseQuery) -> list[CaseListing]:
        """The list columns of the cases ``find`` returns, in the same order."""
        return [listing_of(c) for c in self.find(query)]

    def summary_fields(self, query: CaseQuery) -> list[dict[str, Any]]:
        """What a list page shows of the cases ``find`` returns, in the same order."""
        return [views.summary_fields(c) for c in self.find(query)]

    def reports_to(
        self, recipients: Sequence[str], limit: int = 50, sight: Sight = OFFICE_SIGHT
    ) -> list[AddressedReport]:
        """Written reports addressed to any of ``recipients``, newest first.

        Only of cases in ``sight``; not those of a case that names one of ``recipients``.
        """
        wanted = set(recipients)
        found = [
            (row["at"], case_id, index, row)
            for case_id, rows in self._data.reports.items()
            for index, row in enumerate(rows)
            if (row["addressee"] in wanted or row["to_position"] in wanted)
            and not wanted & set(self._data.concerns.get(case_id, ()))
            and self._sees(sight, case_id)
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
                    report_from_row(loaded(row)),
                )
            )
        return out

    def open_with_deadlines(self) -> list[Case]:
        found = [case_from_row(loaded(r)) for r in self._data.cases.values()]
        return [
            c for c in found if c.status in OPEN_STATUSES and (c.response_due_at or c.stage_due_at)
        ]

    def related(
        self,
        case: Case,
        limit: int = 20,
        *,
        since: datetime | None = None,
        sight: Sight | None = None,
    ) -> list[RelatedRecord]:
        """Other cases with the same contact, licence number or service, newest first."""
        c = case.complainant
        reasons = [
            ("same_contact", "complainant_email", c.email),
            ("same_contact", "complainant_phone", c.phone),
            ("same_licence", "licence_number", case.licence_number),
            ("same_service", "service_code", case.service_code),
        ]
        matches = [(reason, column, value) for reason, column, value in reasons if value]
        found = (
            r
            for case_id, r in self._related(case.id, matches)
            if (since is None or self._data.cases[case_id]["received_at"] >= since)
            and (sight is None or self._sees(sight, case_id))
        )
        return list(itertools.islice(found, limit))

    def codes_in_sight(self, codes: Sequence[str], sight: Sight) -> set[str]:
        """Which of ``codes`` name cases in ``sight``."""
        wanted = set(codes)
        return {
            row["tracking_code"]
            for case_id, row in self._data.cases.items()
            if row["tracking_code"] in wanted and self._sees(sight, case_id)
        }

    def duplicates_of(self, case_id: int) -> list[Case]:
        """The duplicates merged into ``case_id``, oldest first."""
        return [
            case_from_row(loaded(row))
            for _, row in sorted(self._data.cases.items())
            if row.get("merged_into") == case_id
        ]

    def _related(
        self, case_id: int | None, matches: list[tuple[str, str, str]]
    ) -> Iterator[tuple[int, RelatedRecord]]:
        for other_id, row in sorted(self._data.cases.items(), reverse=True):
            reasons = tuple(
                dict.fromkeys(r for r, column, value in matches if row[column] == value)
            )
            if other_id != case_id and reasons:
                record = RelatedRecord(
                    row["tracking_code"], row["status"], reasons[0], row["subject"], reasons
                )
                yield other_id, record


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
