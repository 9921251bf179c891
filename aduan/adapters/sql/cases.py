"""The case repository over SQL: cases, their audit events and written reports, listings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
    update,
)

from aduan.adapters.sql import codec, stats
from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import (
    UNIT_COPIES,
    case_concerns,
    case_events,
    case_units,
    cases,
    open_due_at,
    users,
    written_reports,
)
from aduan.catalog.orgchart import StaffUser
from aduan.ports import (
    AddressedReport,
    CaseListing,
    CaseQuery,
    TrackingCodeTakenError,
)
from aduan.workflow.case import Case, CaseEvent, Outcomes, RelatedRecord, WrittenReport
from aduan.workflow.errors import ConflictError, NotFoundError
from aduan.workflow.states import OPEN_STATUSES, Status
from aduan.workflow.visibility import OFFICE_SIGHT, Reach, Sight

_FILTERS = ("status", "kind", "track", "assignee", "screening_reason", "service_code")
# The open statuses as SQL literals (fixed enum names), so the prepared statement has no IN list.
_OPEN_STATUS_VALUES: list[ColumnElement[str]] = [
    literal_column(f"'{s.value}'") for s in sorted(OPEN_STATUSES)
]
_OPEN = cases.c.status.in_(_OPEN_STATUS_VALUES)
# One prepared SELECT per (columns, shape of the query): which filters are set and the order.
_LISTINGS: dict[tuple[Any, ...], Prepared] = {}
# The visibility policy for one unit's staff (DESIGN §6): the cases that are or were with the
# unit. A unit's list is read from ``case_units`` in the list's own order and joined to ``cases``
# by primary key, LIMIT the page: newest first from ix_case_units_unit_case_id backwards, the
# deadline queue from ix_case_units_unit_due_at_case_id, whose ``due_at`` is the case's
# ``open_due_at`` (kept equal by ``save`` and ``add_unit``, _SYNC_UNITS). Every other filter is
# checked on the joined case (but on the summary page, below). As an EXISTS per case, the lists
# walked the office's whole order and probed the unit for each case: at 100,000 cases with
# 10,000 routed to one agency, 2.2x (list) and 3.6x (queue) the unscoped read on SQLite, 1.7x
# and 2.6x on PostgreSQL (bench/visibility.py); as an IN (subquery), SQLite sorted the unit's
# whole queue.
#
# The summary page (``summary_fields``: the API's list and the deadline queue) is read from
# case_units alone (migration 0036): its columns and ``sealed`` are copied there too, so the page
# is the unit's rows in index order, with no primary-key probe of ``cases`` per row. Joined to
# ``cases`` on PostgreSQL, the 50 rows of a page sat on about 50 pages of cases, against four for
# the unscoped read's one index range: 1.4-1.8x the unscoped read (bench/visibility.py).
_UNIT_SOURCE = case_units.join(cases, cases.c.id == case_units.c.case_id)
_IN_UNIT: ColumnElement[bool] = case_units.c.unit == bindparam("unit")
# The case's copies on its rows in case_units (the deadline, migration 0020, and the listed
# columns, 0036), from the case's row, after it was written: one UPDATE ... FROM cases.
# Also run by the retention purge (its erasure moves the version on).
SYNC_UNITS = (
    update(case_units)
    .where(case_units.c.case_id == bindparam("_case_id"), cases.c.id == case_units.c.case_id)
    .values(due_at=open_due_at, **{name: cases.c[name] for name in UNIT_COPIES})
)
_SYNC_UNITS = Prepared(SYNC_UNITS)
# The summary columns a unit's rows of case_units hold (all of them: the id is ``case_id``).
assert set(codec.SUMMARY_COLUMNS) - {"id"} <= set(UNIT_COPIES)


def _key(source: Table) -> ColumnElement[Any]:
    """The case id of ``source`` (``cases`` or ``case_units``)."""
    return source.c.case_id if source is case_units else source.c.id


def _not_concerned(source: Table) -> ColumnElement[bool]:
    """Conflict of interest (issue 16 item 3): out of sight, a case that names the viewer.

    Through the primary key (case_id, username) of case_concerns.
    """
    return ~exists().where(
        case_concerns.c.case_id == _key(source), case_concerns.c.username == bindparam("me")
    )


_NOT_CONCERNED = _not_concerned(cases)


# PostgreSQL plans (issue 16): psycopg prepares a statement on the server from its fifth run, and
# the server keeps one generic plan for it only if that plan is estimated no dearer than the
# custom plans it made with the values. A LIMIT given as a parameter and a deadline bound the
# planner can see (it estimates the whole queue is due) made the generic plans look dearer, so
# every read was planned anew: 0.2-0.3 ms of a 0.6 ms read, twice that for the two-table unit
# reads. So the page size is a literal (one statement per page size; the sizes are few) and the
# bound is an InitPlan, ``(SELECT :due_before)``, which both plans estimate alike and which still
# bounds the index range. Measured with bench/visibility.py (numbers in its docstring).
_DUE_BEFORE = select(bindparam("due_before", type_=cases.c.response_due_at.type)).scalar_subquery()


def _sight_values(sight: Sight) -> dict[str, Any]:
    """The bound values of ``sight``'s conditions (see ``_sight_conditions``)."""
    values: dict[str, Any] = {}
    if sight.reach is Reach.UNIT:
        values["unit"] = sight.unit
    if sight.viewer is not None:
        values["me"] = sight.viewer
    return values


def _sight_conditions(
    names: tuple[str, ...] | dict[str, Any], sealed: bool, source: Table = cases
) -> list[Any]:
    """The visibility policy's conditions for the values ``names`` (and sealed cases or not).

    A unit's condition is on ``case_units``: the statement must read from ``_UNIT_SOURCE``, or
    from ``case_units`` alone (``source``: the table whose case columns the others are on).
    """
    found: list[Any] = [_IN_UNIT] if "unit" in names else []
    if "me" in names:
        found.append(_NOT_CONCERNED if source is cases else _not_concerned(source))
    if not sealed:
        found.append(source.c.sealed.is_(False))
    return found


def _listing(columns: str, query: CaseQuery) -> tuple[Prepared, dict[str, Any]]:
    """The prepared statement of ``query`` and its values.

    ``columns``: "case" (whole rows), "listing" (``codec.LISTING_COLUMNS``) or "summary"
    (``codec.SUMMARY_COLUMNS`` and ``due_at``).
    """
    values: dict[str, Any] = {
        name: value.value if hasattr(value, "value") else value
        for name in _FILTERS
        if (value := getattr(query, name)) is not None
    }
    values.update(_sight_values(query.sight))
    if query.after_id is not None:
        values["after_id"] = query.after_id
    if query.owes_report is not None:
        held = json.dumps(query.owes_report)
        held = held.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        values["owes_report"] = f'%"holder": {held}%'
    if query.due_before is not None:
        values["due_before"] = query.due_before
        if query.after_deadline is not None:
            values["after_due"], values["after_last"] = query.after_deadline
    shape = (
        columns,
        tuple(values),
        int(query.limit),
        query.newest_first,
        query.open_only,
        query.unassigned,
        query.sight.sealed,
    )
    found = _LISTINGS.get(shape)
    if found is None:
        statement = _listing_statement(columns, query, tuple(values))
        found = _LISTINGS[shape] = Prepared(statement.limit(_page(query.limit)))
    return found, values


def _select(columns: str) -> Select[Any]:
    if columns == "case":
        return select(cases)
    if columns == "listing":
        return select(*(cases.c[name] for name in codec.LISTING_COLUMNS))
    shown = (cases.c[name] for name in codec.SUMMARY_COLUMNS)
    return select(*shown, open_due_at.label("due_at"))


def _unit_summary() -> Select[Any]:
    """The summary columns from a unit's rows of case_units alone (their copies, see _IN_UNIT)."""
    shown = (
        case_units.c.case_id.label("id") if name == "id" else case_units.c[name]
        for name in codec.SUMMARY_COLUMNS
    )
    return select(*shown, case_units.c.due_at)


def _listing_statement(columns: str, query: CaseQuery, names: tuple[str, ...]) -> Select[Any]:
    # A unit's list walks its rows of case_units in order (see _IN_UNIT): the id and the
    # deadline are theirs, the same values as the case's. Its summary page reads their copies
    # of the case's columns and no row of ``cases`` (but for a filter on a column not copied).
    source = cases
    if "unit" in names and columns == "summary" and "owes_report" not in names:
        source = case_units
    sight = _sight_conditions(names, query.sight.sealed, source)
    filters = [source.c[name] == bindparam(name) for name in _FILTERS if name in names]
    stmt = (_unit_summary() if source is case_units else _select(columns)).where(*filters, *sight)
    key: ColumnElement[Any] = cases.c.id
    due: ColumnElement[Any] = open_due_at
    if "unit" in names:
        if source is cases:
            stmt = stmt.select_from(_UNIT_SOURCE)
        key, due = case_units.c.case_id, case_units.c.due_at
    if "after_id" in names:
        after = bindparam("after_id", type_=cases.c.id.type)
        stmt = stmt.where(key < after if query.newest_first else key > after)
    # By deadline, open_due_at says which cases are open (NULL for the others); a status
    # condition besides would lead SQLite to the status index and a sort of every open case
    # instead of the first entries of ix_cases_open_due_at_id.
    if query.open_only and "due_before" not in names:
        stmt = stmt.where(_OPEN if source is cases else source.c.status.in_(_OPEN_STATUS_VALUES))
    if query.unassigned:
        stmt = stmt.where(source.c.assignee.is_(None))
    if "owes_report" in names:  # the JSON as text, ``"holder": "<username>"`` on both databases
        owed = cast(cases.c.overdue_reports, Text)
        stmt = stmt.where(owed.like(bindparam("owes_report", type_=Text()), escape="\\"))
    if "due_before" not in names:
        stmt = stmt.order_by(key.desc() if query.newest_first else key)
    else:
        due_type = cases.c.response_due_at.type
        stmt = stmt.where(due <= _DUE_BEFORE)
        stmt = stmt.order_by(due, key)
        if "after_due" in names:
            after_due = bindparam("after_due", type_=due_type)
            last = bindparam("after_last", type_=cases.c.id.type)
            # The row value is the keyset; the bound before it is where SQLite's index range
            # starts (it does not use a row value on an expression index for that).
            stmt = stmt.where(due >= after_due, tuple_(due, key) > tuple_(after_due, last))
    return stmt


def _page(limit: int) -> ColumnElement[int]:
    """The page size as a literal of the statement (see ``_DUE_BEFORE``)."""
    return literal_column(str(int(limit)), Integer)


# The hot path's statements are built once and run on the driver's cursor (prepared.py):
# building and running them through Connection.execute cost more than the database's work
# (bench/lifecycle.py, profile in issue 2's note).
# Whether the case has rows in case_units (was ever routed or referred): a save of a case with
# none needs no _SYNC_UNITS (a seek on the primary key while the case is read, not a statement).
_ROUTED = exists().where(case_units.c.case_id == cases.c.id)
_CASE = select(cases, _ROUTED.label("case_routed"))  # what ``get`` reads
_CASE_BY_ID = Prepared(_CASE.where(cases.c.id == bindparam("key")))
_CASE_BY_CODE = Prepared(_CASE.where(cases.c.tracking_code == bindparam("key")))
# A case for one unit's staff: only if it is or was with their unit (primary key lookup).
_WITH_UNIT = exists().where(
    case_units.c.case_id == cases.c.id, case_units.c.unit == bindparam("unit")
)
_UNIT_CASE_BY_ID = Prepared(_CASE.where(cases.c.id == bindparam("key"), _WITH_UNIT))
_UNIT_CASE_BY_CODE = Prepared(_CASE.where(cases.c.tracking_code == bindparam("key"), _WITH_UNIT))
# One lookup per (by id, unit, viewer, sealed) shape for a named viewer (issue 16 item 3).
_VIEWER_GETS: dict[tuple[bool, bool, bool], Prepared] = {}


def _viewer_get(by_id: bool, sight: Sight) -> Prepared:
    shape = (by_id, sight.reach is Reach.UNIT, sight.sealed)
    found = _VIEWER_GETS.get(shape)
    if found is None:
        key = cases.c.id if by_id else cases.c.tracking_code
        unit = [_WITH_UNIT] if sight.reach is Reach.UNIT else []
        conditions = _sight_conditions(("me",), sight.sealed)
        stmt = _CASE.where(key == bindparam("key"), *unit, *conditions)
        found = _VIEWER_GETS[shape] = Prepared(stmt)
    return found


# The acting user and the case in one read (issue 15 item 2): the user's row, and the case's
# row joined to it only if it is in the sight the caller expects that user to have.
_USER_AND_CASE: dict[tuple[bool, Reach, bool, bool], Prepared] = {}
# The user's fields and their labels in ``_user_and_case``'s row (the schema is code: once).
_USER_LABELS = tuple((c.name, f"user_{c.name}") for c in users.c)


def _user_and_case(by_id: bool, sight: Sight) -> Prepared:
    shape = (by_id, sight.reach, sight.viewer is not None, sight.sealed)
    found = _USER_AND_CASE.get(shape)
    if found is None:
        key = cases.c.id if by_id else cases.c.tracking_code
        on = [key == bindparam("key")]
        if sight.reach is Reach.UNIT:
            on.append(_WITH_UNIT)
        elif sight.reach is Reach.NONE:
            on.append(false())
        on += _sight_conditions(("me",) if sight.viewer is not None else (), sight.sealed)
        who = [users.c[name].label(label) for name, label in _USER_LABELS]
        stmt = (
            select(*who, *cases.c, _ROUTED.label("case_routed"))
            .select_from(users.outerjoin(cases, and_(*on)))
            .where(users.c.username == bindparam("username"))
        )
        found = _USER_AND_CASE[shape] = Prepared(stmt)
    return found


_CONCERNS_OF_CASE = select(case_concerns.c.username).where(
    case_concerns.c.case_id == bindparam("case_id")
)
_UNITS_OF_CASE = select(case_units.c.unit).where(case_units.c.case_id == bindparam("case_id"))
_HAS_UNIT = select(case_units.c.case_id).where(
    case_units.c.case_id == bindparam("case_id"), case_units.c.unit == bindparam("unit")
)
_ADD_UNIT = insert(case_units).from_select(
    ["case_id", "unit", "since", "due_at", *UNIT_COPIES],
    select(
        cases.c.id,
        bindparam("_unit", type_=case_units.c.unit.type),
        bindparam("_since", type_=case_units.c.since.type),
        open_due_at,
        *(cases.c[name] for name in UNIT_COPIES),
    ).where(cases.c.id == bindparam("_case_id")),
)
_CODE_TAKEN = select(cases.c.id).where(cases.c.tracking_code == bindparam("key"))
_INSERT_CASE = insert(cases)
_EVENT_KEYS = (
    "case_id", "at", "actor", "role", "action", "from_status", "to_status", "note", "data"
)  # fmt: skip
_INSERT_EVENT = Prepared(insert(case_events).inline(), _EVENT_KEYS)  # inline: no RETURNING id
_REPORT_KEYS = (
    "case_id", "kind", "author", "addressee", "text", "at", "from_position", "to_position",
    "document",
)  # fmt: skip
_INSERT_REPORT = Prepared(insert(written_reports).inline(), _REPORT_KEYS)
# The case page reads the timeline and the reports on every view.
_EVENTS_OF_CASE = Prepared(
    select(case_events)
    .where(case_events.c.case_id == bindparam("case_id"))
    .order_by(case_events.c.id)
)
_REPORTS_OF_CASE = Prepared(
    select(written_reports)
    .where(written_reports.c.case_id == bindparam("case_id"))
    .order_by(written_reports.c.id)
)
_DUPLICATES_OF = Prepared(
    select(cases).where(cases.c.merged_into == bindparam("case_id")).order_by(cases.c.id)
)
# Only the count, not every report with its frozen document (issue 13 item 4), to number one.
_REPORT_COUNT = Prepared(
    select(func.count())
    .select_from(written_reports)
    .where(written_reports.c.case_id == bindparam("case_id"))
)
_SAVE_CASE = update(cases).where(
    cases.c.id == bindparam("_case_id"), cases.c.version == bindparam("_expected")
)
_SAVES: dict[tuple[str, ...], Prepared] = {}  # one UPDATE per set of changed columns
_RELATED: dict[tuple[str, ...], Prepared] = {}  # per set of columns the case has values in


def _related(columns: tuple[str, ...]) -> Prepared:
    """The cases sharing a value of ``columns`` with a case, each row tagged ``via`` its column.

    One small indexed query per column ((column, id) indexes, newest first, LIMIT), sent as one
    statement (UNION ALL).
    """
    found = _RELATED.get(columns)
    if found is None:
        arms = [
            select(
                cases.c.id,
                cases.c.tracking_code,
                cases.c.status,
                cases.c.subject,
                literal_column(f"'{name}'").label("via"),  # a column name: never user input
            )
            .where(cases.c[name] == bindparam(f"value_{name}"), cases.c.id != bindparam("case_id"))
            .order_by(cases.c.id.desc())
            .limit(bindparam("limit"))
            .subquery()
            for name in columns
        ]
        found = _RELATED[columns] = Prepared(union_all(*(select(arm) for arm in arms)))
    return found


def _save_statement(keys: tuple[str, ...]) -> Prepared:
    found = _SAVES.get(keys)
    if found is None:
        found = _SAVES[keys] = Prepared(_SAVE_CASE, keys)
    return found


class SqlCaseRepository:
    """Cases over one connection; one UPDATE and one INSERT per action.

    ``save`` writes only the columns that changed since ``get`` loaded the case in this unit
    of work (plus the version): SQLite then rewrites only the indexes of those columns, which
    is most of the pages a commit has to sync.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._runner: Runner | None = None
        self._loaded: dict[int, dict[str, Any]] = {}  # case id -> row as loaded or last saved
        self._routed: dict[int, bool] = {}  # case id -> has rows in case_units (where known)
        # case id -> (row before, row after) of its last add (None before) or save in this unit
        # of work: the alarms replan only the deadlines that moved (alarms.py).
        self.saved: dict[int, tuple[dict[str, Any] | None, dict[str, Any]]] = {}

    @property
    def runner(self) -> Runner:
        """The driver-cursor runner of this connection (made on first use)."""
        if self._runner is None:
            self._runner = Runner.of(self.conn)
        return self._runner

    def add(self, case: Case, event: CaseEvent) -> int:
        if self.conn.execute(_CODE_TAKEN, {"key": case.tracking_code}).first() is not None:
            raise TrackingCodeTakenError(case.tracking_code)
        row = codec.case_to_row(case)
        case_id = self.conn.execute(_INSERT_CASE, row).inserted_primary_key
        assert case_id is not None
        case.id = int(case_id[0])
        self.saved[case.id] = (None, row)
        self._routed[case.id] = False
        self.runner.defer(_INSERT_EVENT, codec.event_to_row(case.id, event))
        return case.id

    def get(self, ref: str, sight: Sight = OFFICE_SIGHT) -> Case:
        by_id = ref.isascii() and ref.isdigit()
        key = int(ref) if by_id else ref
        row = None
        if sight.reach is not Reach.NONE and (sight.viewer is not None or not sight.sealed):
            values = {"key": key, **_sight_values(sight)}
            values.setdefault("me", "")
            row = self.runner.first(_viewer_get(by_id, sight), values)
        elif sight.reach is Reach.OFFICE:
            row = self.runner.first(_CASE_BY_ID if by_id else _CASE_BY_CODE, {"key": key})
        elif sight.reach is Reach.UNIT:
            stmt = _UNIT_CASE_BY_ID if by_id else _UNIT_CASE_BY_CODE
            row = self.runner.first(stmt, {"key": key, "unit": sight.unit})
        # Out of sight answers exactly as a case that does not exist (no existence leak).
        if row is None:
            raise NotFoundError("kasus/case", ref)
        self._routed[row["id"]] = bool(row.pop("case_routed"))
        case = codec.case_from_row(row)  # builds its own objects: ``row`` stays as read
        self._loaded[row["id"]] = row
        return case

    def get_as(self, ref: str, username: str, sight: Sight) -> tuple[StaffUser | None, Case | None]:
        by_id = ref.isascii() and ref.isdigit()
        values = {"key": int(ref) if by_id else ref, "username": username}
        values.update(_sight_values(sight))
        row = self.runner.first(_user_and_case(by_id, sight), values)
        if row is None:
            return None, None
        user = StaffUser.model_validate({name: row.pop(label) for name, label in _USER_LABELS})
        routed = row.pop("case_routed")
        if row["id"] is None:  # no such case, or not in that sight
            return user, None
        self._loaded[row["id"]] = row
        self._routed[row["id"]] = bool(routed)
        return user, codec.case_from_row(row)

    def save(self, case: Case, expected_version: int) -> None:
        assert case.id is not None
        row = codec.case_to_row(case)
        before = self._loaded.get(case.id)
        changed = {k: v for k, v in row.items() if before is None or before[k] != v}
        changed["version"] = row["version"] = expected_version + 1
        values = {**changed, "_case_id": case.id, "_expected": expected_version}
        # Optimistic locking: the row is written only if nobody wrote it since it was read.
        if self.runner.execute(_save_statement(tuple(changed)), values) != 1:
            actual = self.conn.execute(
                select(cases.c.version).where(cases.c.id == case.id)
            ).scalar()
            raise ConflictError(case.ref, expected_version, actual)
        if self._routed.get(case.id, True):
            # The units' copies (a seek on the primary key; none for a case that was never
            # routed or referred, and no statement when the read said so). On every save: the
            # version is copied, and changes on every save.
            self.runner.defer(_SYNC_UNITS, {"_case_id": case.id})
        case.version = expected_version + 1
        self._loaded[case.id] = row
        if before is not None:
            self.saved[case.id] = (before, row)
        else:  # not read through ``get`` (a bulk recompute): its alarms are replanned whole
            self.saved.pop(case.id, None)

    def append(self, case_id: int, outcomes: Outcomes) -> None:
        self.runner.defer(_INSERT_EVENT, codec.event_to_row(case_id, outcomes.event))
        if outcomes.reports:
            self.runner.defer_many(
                _INSERT_REPORT, [codec.report_to_row(case_id, r) for r in outcomes.reports]
            )

    def events(self, case_id: int) -> list[CaseEvent]:
        rows = self.runner.all(_EVENTS_OF_CASE, {"case_id": case_id})
        return [codec.event_from_row(r) for r in rows]

    def add_unit(self, case_id: int, unit: str, at: datetime) -> None:
        # Only on routing and APIP approval, never on a plain save: the hot path stays as it is.
        # After the case's own row is written (``save_case``): the row copies its deadline.
        values = {"case_id": case_id, "unit": unit}
        self._routed[case_id] = True
        if self.conn.execute(_HAS_UNIT, values).first() is None:
            self.conn.execute(_ADD_UNIT, {"_case_id": case_id, "_unit": unit, "_since": at})

    def units(self, case_id: int) -> frozenset[str]:
        return frozenset(self.conn.execute(_UNITS_OF_CASE, {"case_id": case_id}).scalars())

    def add_concerns(
        self, case_id: int, usernames: Sequence[str], named_by: str, at: datetime, reason: str
    ) -> list[str]:
        known = self.concerns(case_id)
        added = [u for u in dict.fromkeys(usernames) if u not in known]
        if added:
            self.conn.execute(
                insert(case_concerns),
                [
                    {
                        "case_id": case_id,
                        "username": u,
                        "named_by": named_by,
                        "named_at": at,
                        "reason": reason,
                    }
                    for u in added
                ],
            )
        return added

    def concerns(self, case_id: int) -> frozenset[str]:
        return frozenset(self.conn.execute(_CONCERNS_OF_CASE, {"case_id": case_id}).scalars())

    def seal(self, case_id: int) -> None:
        # Not a column of the aggregate: ``save`` never writes it, so it needs no version.
        # The units' copy of ``sealed`` follows with the save of the case that records the
        # sealing (``name_concerned``), as every copy does: no statement of its own.
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(sealed=True))

    def sealed(self, case_id: int) -> bool:
        return bool(self.conn.execute(select(cases.c.sealed).where(cases.c.id == case_id)).scalar())

    def reports(self, case_id: int) -> list[WrittenReport]:
        rows = self.runner.all(_REPORTS_OF_CASE, {"case_id": case_id})
        return [codec.report_from_row(r) for r in rows]

    def report_count(self, case_id: int) -> int:
        row = self.runner.first(_REPORT_COUNT, {"case_id": case_id})
        return int(next(iter(row.values()))) if row else 0

    def find(self, query: CaseQuery) -> list[Case]:
        if query.sight.reach is Reach.NONE:
            return []
        stmt, values = _listing("case", query)
        return [codec.case_from_row(r) for r in self.runner.all(stmt, values)]

    def summaries(self, query: CaseQuery) -> list[CaseListing]:
        # A queue page reads a few columns, not 50 whole cases with their JSON and identity.
        if query.sight.reach is Reach.NONE:
            return []
        stmt, values = _listing("listing", query)
        return [codec.listing_from_row(r) for r in self.runner.all(stmt, values)]

    def summary_fields(self, query: CaseQuery) -> list[dict[str, Any]]:
        # A list page reads what it shows; the database works out the soonest deadline.
        if query.sight.reach is Reach.NONE:
            return []
        stmt, values = _listing("summary", query)
        return [codec.summary_from_row(r) for r in self.runner.all(stmt, values)]

    def reports_to(
        self, recipients: Sequence[str], limit: int = 50, sight: Sight = OFFICE_SIGHT
    ) -> list[AddressedReport]:
        if sight.reach is Reach.NONE:
            return []
        # The reader's sight, as the case page's (a sealed case is not on a supervisor's desk).
        values = _sight_values(sight)
        in_sight = [_WITH_UNIT] if sight.reach is Reach.UNIT else []
        in_sight += _sight_conditions(tuple(k for k in values if k != "unit"), sight.sealed)
        stmt = (
            select(written_reports, cases.c.tracking_code, cases.c.subject, cases.c.status)
            .join(cases, cases.c.id == written_reports.c.case_id)
            .where(
                or_(
                    written_reports.c.addressee.in_(recipients),
                    written_reports.c.to_position.in_(recipients),
                ),
                # Not a case that names the reader as concerned (issue 16 item 3).
                ~exists().where(
                    case_concerns.c.case_id == written_reports.c.case_id,
                    case_concerns.c.username.in_(recipients),
                ),
                *in_sight,
            )
            .order_by(written_reports.c.id.desc())
            .limit(limit)
        )
        return [
            AddressedReport(
                r["case_id"],
                r["tracking_code"],
                r["subject"],
                Status(r["status"]),
                codec.report_from_row(r),
            )
            for r in self.conn.execute(stmt, values).mappings()
        ]

    def open_with_deadlines(self) -> list[Case]:
        stmt = select(cases).where(
            cases.c.status.in_([s.value for s in OPEN_STATUSES]),
            or_(cases.c.response_due_at.is_not(None), cases.c.stage_due_at.is_not(None)),
        )
        return [codec.case_from_row(r) for r in self.conn.execute(stmt).mappings()]

    def related(
        self,
        case: Case,
        limit: int = 20,
        *,
        since: datetime | None = None,
        sight: Sight | None = None,
    ) -> list[RelatedRecord]:
        # One small indexed query per reason ((column, id) indexes, newest first, LIMIT): the
        # cost stays flat as the office's history grows, unlike one OR over every reason.
        c = case.complainant
        reasons = [
            ("same_contact", "complainant_email", c.email),
            ("same_contact", "complainant_phone", c.phone),
            ("same_licence", "licence_number", case.licence_number),
            ("same_service", "service_code", case.service_code),
        ]
        given = [(reason, column, value) for reason, column, value in reasons if value]
        per_reason = self._related_rows(given, case.id or 0, limit, since, sight)
        found: dict[int, RelatedRecord] = {}
        for reason, rows in per_reason:
            for row in rows:
                known = found.get(row["id"])
                if known is None:
                    found[row["id"]] = RelatedRecord(
                        row["tracking_code"], row["status"], reason, row["subject"], (reason,)
                    )
                elif reason not in known.reasons:
                    found[row["id"]] = replace(known, reasons=(*known.reasons, reason))
        return [found[i] for i in sorted(found, reverse=True)[:limit]]

    def _related_rows(
        self,
        given: list[tuple[str, str, Any]],
        case_id: int,
        limit: int,
        since: datetime | None,
        sight: Sight | None,
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        """The rows found for each (reason, column, value) of ``given``, in that order."""
        base = {"case_id": case_id, "limit": limit}
        if not given:
            return []
        if since is None and sight is None:  # the review's worksheet: all in one statement
            values = base | {f"value_{column}": value for _, column, value in given}
            rows = self.runner.all(_related(tuple(column for _, column, _ in given)), values)
            return [
                (reason, [r for r in rows if r["via"] == column]) for reason, column, _ in given
            ]
        found = []
        for reason, column, value in given:
            stmt = _related_in_sight(column, since, sight or OFFICE_SIGHT)
            mapped = self.conn.execute(stmt, base | {"value": value}).mappings()
            found.append((reason, [dict(r) for r in mapped]))
        return found

    def codes_in_sight(self, codes: Sequence[str], sight: Sight) -> set[str]:
        if not codes:
            return set()
        stmt = select(cases.c.tracking_code).where(
            cases.c.tracking_code.in_(list(codes)), stats.in_sight(sight)
        )
        return {str(code) for code in self.conn.execute(stmt).scalars()}

    def duplicates_of(self, case_id: int) -> list[Case]:
        rows = self.runner.all(_DUPLICATES_OF, {"case_id": case_id})  # every closing action
        return [codec.case_from_row(r) for r in rows]


def _related_in_sight(column: str, since: datetime | None, sight: Sight) -> Any:
    """As one arm of ``_related``: received since ``since``, in ``sight`` (likely duplicates)."""
    after = [cases.c.received_at >= since] if since is not None else []
    return (
        select(cases.c.id, cases.c.tracking_code, cases.c.status, cases.c.subject)
        .where(
            cases.c[column] == bindparam("value"),
            cases.c.id != bindparam("case_id"),
            *after,
            stats.in_sight(sight),
        )
        .order_by(cases.c.id.desc())
        .limit(bindparam("limit"))
    )
