"""SQL adapters: the engine (SQLite or PostgreSQL), repositories and the unit of work."""

from __future__ import annotations

import contextlib
import math
import threading
import time
import weakref
from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

from aduan.adapters.sql import codec
from aduan.adapters.sql.accounts import SqlAccountRepository
from aduan.adapters.sql.listings import SqlCaseListingReader
from aduan.adapters.sql.outbox import SqlOutboxRepository
from aduan.adapters.sql.prepared import Prepared, Runner
from aduan.adapters.sql.rollup import SqlStatisticsReader
from aduan.adapters.sql.surveys import SqlSingletonRuns, SqlSurveyRepository
from aduan.adapters.sql.tables import (
    alarms,
    calendar_overrides,
    case_events,
    cases,
    open_due_at,
    positions,
    services,
    units,
    users,
    written_reports,
)
from aduan.adapters.sql.writer_turn import WriterTurn
from aduan.catalog.orgchart import OrgChart, Position, StaffUser, Unit, build_orgchart
from aduan.catalog.services import Service
from aduan.escalation.calendar import Override
from aduan.escalation.deadlines import Alarm, AlarmPoint, DeadlineKind
from aduan.ports import (
    AddressedReport,
    CaseListing,
    CaseQuery,
    DueAlarm,
    TrackingCodeTakenError,
)
from aduan.workflow.case import Case, CaseEvent, Outcomes, RelatedRecord, WrittenReport
from aduan.workflow.errors import ConflictError, DatabaseUnavailableError, NotFoundError
from aduan.workflow.states import OPEN_STATUSES, Status

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is off so that BEGIN IMMEDIATE below is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the lock at BEGIN, so two writers never deadlock upgrading a read lock.
    readonly = conn.get_execution_options().get("aduan_readonly", False)
    sql = "BEGIN" if readonly else "BEGIN IMMEDIATE"
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    try:  # on the driver: Connection.exec_driver_sql costs more than the BEGIN
        dbapi.execute(sql)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(sql, None, exc, conn.dialect.loaded_dbapi.Error) from exc


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (file, WAL, FULL, immediate writes) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # A pooled connection per web worker thread and scheduler job: beyond pool_size a
        # connection is opened, set up (PRAGMAs) and closed for every transaction.
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_size=10
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # No pre-ping: it cost a round trip on every checkout, a third of a small read (bench/api.py).
    # A connection the server dropped fails its request once; SQLAlchemy then discards the
    # pool's older connections, and recycling after 30 minutes outlives idle timeouts.
    return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=1800)


_FILTERS = ("status", "kind", "track", "assignee", "screening_reason")
# The open statuses as SQL literals (fixed enum names), so the prepared statement has no IN list.
_OPEN = cases.c.status.in_([literal_column(f"'{s.value}'") for s in sorted(OPEN_STATUSES)])
# One prepared SELECT per (columns, shape of the query): which filters are set and the order.
_LISTINGS: dict[tuple[Any, ...], Prepared] = {}


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
    values["limit"] = query.limit
    if query.after_id is not None:
        values["after_id"] = query.after_id
    if query.due_before is not None:
        values["due_before"] = query.due_before
        if query.after_deadline is not None:
            values["after_due"], values["after_last"] = query.after_deadline
    shape = (columns, tuple(values), query.newest_first, query.open_only, query.unassigned)
    found = _LISTINGS.get(shape)
    if found is None:
        found = _LISTINGS[shape] = Prepared(_listing_statement(columns, query, tuple(values)))
    return found, values


def _listing_statement(columns: str, query: CaseQuery, names: tuple[str, ...]) -> Select[Any]:
    if columns == "case":
        stmt = select(cases)
    elif columns == "listing":
        stmt = select(*(cases.c[name] for name in codec.LISTING_COLUMNS))
    else:
        shown = (cases.c[name] for name in codec.SUMMARY_COLUMNS)
        stmt = select(*shown, open_due_at.label("due_at"))
    for name in _FILTERS:
        if name in names:
            stmt = stmt.where(cases.c[name] == bindparam(name))
    if "after_id" in names:
        after = bindparam("after_id", type_=cases.c.id.type)
        stmt = stmt.where(cases.c.id < after if query.newest_first else cases.c.id > after)
    # By deadline, open_due_at says which cases are open (NULL for the others); a status
    # condition besides would lead SQLite to the status index and a sort of every open case
    # instead of the first entries of ix_cases_open_due_at_id.
    if query.open_only and "due_before" not in names:
        stmt = stmt.where(_OPEN)
    if query.unassigned:
        stmt = stmt.where(cases.c.assignee.is_(None))
    if "due_before" not in names:
        stmt = stmt.order_by(cases.c.id.desc() if query.newest_first else cases.c.id)
    else:
        due_type = cases.c.response_due_at.type
        stmt = stmt.where(open_due_at <= bindparam("due_before", type_=due_type))
        stmt = stmt.order_by(open_due_at, cases.c.id)
        if "after_due" in names:
            due = bindparam("after_due", type_=due_type)
            last = bindparam("after_last", type_=cases.c.id.type)
            # The row value is the keyset; the bound before it is where SQLite's index range
            # starts (it does not use a row value on an expression index for that).
            stmt = stmt.where(
                open_due_at >= due, tuple_(open_due_at, cases.c.id) > tuple_(due, last)
            )
    return stmt.limit(bindparam("limit"))


# The hot path's statements are built once and run on the driver's cursor (adapters/sql/prepared.py):
# building and running them through Connection.execute cost more than the database's work
# (bench/lifecycle.py, profile in issue 2's note).
_CASE_BY_ID = Prepared(select(cases).where(cases.c.id == bindparam("key")))
_CASE_BY_CODE = Prepared(select(cases).where(cases.c.tracking_code == bindparam("key")))
_CODE_TAKEN = select(cases.c.id).where(cases.c.tracking_code == bindparam("key"))
_INSERT_CASE = insert(cases)
_EVENT_KEYS = (
    "case_id", "at", "actor", "role", "action", "from_status", "to_status", "note", "data"
)  # fmt: skip
_INSERT_EVENT = Prepared(insert(case_events).inline(), _EVENT_KEYS)  # inline: no RETURNING id
_REPORT_KEYS = (
    "case_id", "kind", "author", "addressee", "text", "at", "from_position", "to_position"
)  # fmt: skip
_INSERT_REPORT = Prepared(insert(written_reports).inline(), _REPORT_KEYS)
_USER = Prepared(select(users).where(users.c.username == bindparam("key")))
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
_SAVE_CASE = update(cases).where(
    cases.c.id == bindparam("_case_id"), cases.c.version == bindparam("_expected")
)
_SAVES: dict[tuple[str, ...], Prepared] = {}  # one UPDATE per set of changed columns
_RELATED = {
    column.name: Prepared(
        select(cases.c.id, cases.c.tracking_code, cases.c.status, cases.c.subject)
        .where(column == bindparam("value"), cases.c.id != bindparam("case_id"))
        .order_by(cases.c.id.desc())
        .limit(bindparam("limit"))
    )
    for column in (
        cases.c.complainant_email,
        cases.c.complainant_phone,
        cases.c.licence_number,
        cases.c.service_code,
    )
}


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

    @property
    def runner(self) -> Runner:
        """The driver-cursor runner of this connection (made on first use)."""
        if self._runner is None:
            self._runner = Runner(self.conn)
        return self._runner

    def add(self, case: Case, event: CaseEvent) -> int:
        if self.conn.execute(_CODE_TAKEN, {"key": case.tracking_code}).first() is not None:
            raise TrackingCodeTakenError(case.tracking_code)
        case_id = self.conn.execute(_INSERT_CASE, codec.case_to_row(case)).inserted_primary_key
        assert case_id is not None
        case.id = int(case_id[0])
        self.runner.execute(_INSERT_EVENT, codec.event_to_row(case.id, event))
        return case.id

    def get(self, ref: str) -> Case:
        by_id = ref.isascii() and ref.isdigit()
        stmt, key = (_CASE_BY_ID, int(ref)) if by_id else (_CASE_BY_CODE, ref)
        row = self.runner.first(stmt, {"key": key})
        if row is None:
            raise NotFoundError("kasus/case", ref)
        case = codec.case_from_row(row)  # builds its own objects: ``row`` stays as read
        self._loaded[row["id"]] = row
        return case

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
        case.version = expected_version + 1
        self._loaded[case.id] = row

    def append(self, case_id: int, outcomes: Outcomes) -> None:
        self.runner.execute(_INSERT_EVENT, codec.event_to_row(case_id, outcomes.event))
        if outcomes.reports:
            self.runner.execute_many(
                _INSERT_REPORT, [codec.report_to_row(case_id, r) for r in outcomes.reports]
            )

    def events(self, case_id: int) -> list[CaseEvent]:
        rows = self.runner.all(_EVENTS_OF_CASE, {"case_id": case_id})
        return [codec.event_from_row(r) for r in rows]

    def reports(self, case_id: int) -> list[WrittenReport]:
        rows = self.runner.all(_REPORTS_OF_CASE, {"case_id": case_id})
        return [codec.report_from_row(r) for r in rows]

    def find(self, query: CaseQuery) -> list[Case]:
        stmt, values = _listing("case", query)
        return [codec.case_from_row(r) for r in self.runner.all(stmt, values)]

    def summaries(self, query: CaseQuery) -> list[CaseListing]:
        # A queue page reads a few columns, not 50 whole cases with their JSON and identity.
        stmt, values = _listing("listing", query)
        return [codec.listing_from_row(r) for r in self.runner.all(stmt, values)]

    def summary_fields(self, query: CaseQuery) -> list[dict[str, Any]]:
        # A list page reads what it shows; the database works out the soonest deadline.
        stmt, values = _listing("summary", query)
        return [codec.summary_from_row(r) for r in self.runner.all(stmt, values)]

    def reports_to(self, recipients: Sequence[str], limit: int = 50) -> list[AddressedReport]:
        stmt = (
            select(written_reports, cases.c.tracking_code, cases.c.subject, cases.c.status)
            .join(cases, cases.c.id == written_reports.c.case_id)
            .where(
                or_(
                    written_reports.c.addressee.in_(recipients),
                    written_reports.c.to_position.in_(recipients),
                )
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
            for r in self.conn.execute(stmt).mappings()
        ]

    def open_with_deadlines(self) -> list[Case]:
        stmt = select(cases).where(
            cases.c.status.in_([s.value for s in OPEN_STATUSES]),
            or_(cases.c.response_due_at.is_not(None), cases.c.stage_due_at.is_not(None)),
        )
        return [codec.case_from_row(r) for r in self.conn.execute(stmt).mappings()]

    def related(self, case: Case, limit: int = 20) -> list[RelatedRecord]:
        # One small indexed query per reason ((column, id) indexes, newest first, LIMIT): the
        # cost stays flat as the office's history grows, unlike one OR over every reason.
        c = case.complainant
        reasons = [
            ("same_contact", "complainant_email", c.email),
            ("same_contact", "complainant_phone", c.phone),
            ("same_licence", "licence_number", case.licence_number),
            ("same_service", "service_code", case.service_code),
        ]
        found: dict[int, RelatedRecord] = {}
        for reason, column, value in reasons:
            if not value:
                continue
            rows = self.runner.all(
                _RELATED[column], {"value": value, "case_id": case.id or 0, "limit": limit}
            )
            for row in rows:
                found.setdefault(
                    row["id"],
                    RelatedRecord(row["tracking_code"], row["status"], reason, row["subject"]),
                )
        return [found[i] for i in sorted(found, reverse=True)[:limit]]


class SqlReferenceRepository:
    """The catalog and org chart tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def services(self) -> list[Service]:
        rows = self.conn.execute(select(services.c.data).order_by(services.c.code)).scalars()
        return [Service.model_validate(data) for data in rows]

    def service(self, code: str) -> Service | None:
        data = self.conn.execute(select(services.c.data).where(services.c.code == code)).scalar()
        return None if data is None else Service.model_validate(data)

    def put_services(self, items: list[Service], now: datetime) -> None:
        codes = [s.code for s in items]
        self.conn.execute(delete(services).where(services.c.code.in_(codes)))
        self.conn.execute(
            insert(services),
            [
                {
                    "code": s.code,
                    "title": s.title,
                    "data": s.model_dump(mode="json"),
                    "updated_at": now,
                }
                for s in items
            ],
        )

    def user(self, username: str) -> StaffUser | None:
        # Read on every action (who may act is never cached), so on the driver's cursor.
        row = Runner(self.conn).first(_USER, {"key": username})
        return None if row is None else StaffUser.model_validate(row)

    def orgchart(self) -> OrgChart:
        return build_orgchart(
            [Unit.model_validate(dict(r)) for r in self.conn.execute(select(units)).mappings()],
            [
                Position.model_validate(dict(r))
                for r in self.conn.execute(select(positions)).mappings()
            ],
            [
                StaffUser.model_validate(dict(r))
                for r in self.conn.execute(select(users)).mappings()
            ],
        )

    def put_orgchart(self, chart: OrgChart) -> None:
        # Users and positions reference each other; clear the links, then replace everything.
        self.conn.execute(update(positions).values(reports_to=None))
        for table in (users, positions, units):
            self.conn.execute(delete(table))
        if chart.units:
            self.conn.execute(insert(units), [u.model_dump() for u in chart.units.values()])
        if chart.positions:
            plain = [{**p.model_dump(), "reports_to": None} for p in chart.positions.values()]
            self.conn.execute(insert(positions), plain)
            for p in chart.positions.values():
                if p.reports_to:
                    self.conn.execute(
                        update(positions)
                        .where(positions.c.code == p.code)
                        .values(reports_to=p.reports_to)
                    )
        if chart.users:
            self.conn.execute(
                insert(users), [u.model_dump(mode="json") for u in chart.users.values()]
            )


_ALARM_KEYS = ("case_id", "kind", "point", "due_at", "fire_at")
_INSERT_ALARM = {
    "sqlite": Prepared(sqlite_insert(alarms).inline().on_conflict_do_nothing(), _ALARM_KEYS),
    "postgresql": Prepared(
        postgresql_insert(alarms).inline().on_conflict_do_nothing(), _ALARM_KEYS
    ),
}

_PENDING_OF_CASE = delete(alarms).where(
    alarms.c.case_id == bindparam("case_id"), alarms.c.fired_at.is_(None)
)
# Pending alarms of some deadline kinds: every kind needs no kind filter (no IN list to expand).
_DROP_PENDING = {
    frozenset(DeadlineKind): Prepared(_PENDING_OF_CASE),
    **{
        frozenset({kind}): Prepared(_PENDING_OF_CASE.where(alarms.c.kind == kind.value))
        for kind in DeadlineKind
    },
}


class SqlAlarmRepository:
    """Alarms over one connection; the sweep's claim skips rows other workers hold."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def replace(self, case_id: int, kinds: frozenset[DeadlineKind], items: Sequence[Alarm]) -> None:
        runner = Runner(self.conn)
        if kinds:
            runner.execute(_DROP_PENDING[kinds], {"case_id": case_id})
        if items:
            # An alarm that rang already (a deadline moved away and back) never rings twice:
            # the unique (case, kind, point, due_at) row is kept as it is.
            runner.execute_many(
                _INSERT_ALARM[self.conn.dialect.name],
                [
                    {
                        "case_id": case_id,
                        "kind": a.kind.value,
                        "point": a.point.value,
                        "due_at": a.due_at,
                        "fire_at": a.fire_at,
                    }
                    for a in items
                ],
            )

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        stmt = (
            select(alarms)
            .where(alarms.c.fired_at.is_(None), alarms.c.fire_at <= now)
            .order_by(alarms.c.fire_at, alarms.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers instead
        )
        return [_due(r) for r in self.conn.execute(stmt).mappings()]

    def mark_fired(self, ids: Sequence[int], now: datetime, worker: str) -> None:
        self.conn.execute(
            update(alarms)
            .where(alarms.c.id.in_(list(ids)), alarms.c.fired_at.is_(None))
            .values(fired_at=now, fired_by=worker)
        )

    def pending(self, case_id: int) -> list[DueAlarm]:
        stmt = (
            select(alarms)
            .where(alarms.c.case_id == case_id, alarms.c.fired_at.is_(None))
            .order_by(alarms.c.fire_at, alarms.c.id)
        )
        return [_due(r) for r in self.conn.execute(stmt).mappings()]


def _due(r: Any) -> DueAlarm:
    return DueAlarm(
        r["id"],
        r["case_id"],
        DeadlineKind(r["kind"]),
        AlarmPoint(r["point"]),
        r["due_at"],
        r["fire_at"],
    )


class SqlCalendarRepository:
    """Calendar overrides."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def overrides(self) -> list[Override]:
        rows = self.conn.execute(
            select(calendar_overrides).order_by(calendar_overrides.c.on)
        ).mappings()
        return [Override(r["on"], r["kind"], r["reason"], r["entered_by"]) for r in rows]

    def put(self, override: Override, now: datetime) -> None:
        self.remove(override.on)
        self.conn.execute(
            insert(calendar_overrides).values(
                on=override.on,
                kind=override.kind,
                reason=override.reason,
                entered_by=override.entered_by,
                entered_at=now,
            )
        )

    def remove(self, on: date) -> bool:
        result = self.conn.execute(delete(calendar_overrides).where(calendar_overrides.c.on == on))
        return result.rowcount > 0


class SqlUnitOfWork:
    """A transaction on one connection; rolled back unless ``commit`` was called."""

    cases: SqlCaseRepository
    reference: SqlReferenceRepository
    alarms: SqlAlarmRepository
    outbox: SqlOutboxRepository
    calendar: SqlCalendarRepository
    accounts: SqlAccountRepository

    def __init__(self, factory: SqlUnitOfWorkFactory, *, readonly: bool = False) -> None:
        self.factory = factory
        self.engine = factory.engine
        self.readonly = readonly
        self._conn: Connection | None = None
        self._turn: WriterTurn | None = None

    def __enter__(self) -> Self:
        turn = None if self.readonly else self.factory.writer
        if turn is not None and not turn.acquire():
            raise DatabaseUnavailableError(
                _safe_url(self.engine), f"another writer held it for {turn.timeout_s:.0f} s"
            )
        self._turn = turn
        try:
            conn = self.factory.acquire(self.readonly)
        except BaseException:
            self._end_turn()
            raise
        try:
            conn.begin()
        except BaseException as exc:
            self.factory.release(conn, self.readonly, reusable=False)
            self._end_turn()
            if isinstance(exc, OperationalError):
                raise DatabaseUnavailableError(_safe_url(self.engine), str(exc.orig)) from None
            raise
        self._conn = conn
        self.cases = SqlCaseRepository(conn)
        self.reference = SqlReferenceRepository(conn)
        self.alarms = SqlAlarmRepository(conn)
        self.outbox = SqlOutboxRepository(conn)
        self.calendar = SqlCalendarRepository(conn)
        self.accounts = SqlAccountRepository(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        assert conn is not None
        self._conn = None
        # A domain error (bad input, a conflict) leaves the connection as good as new; after a
        # database error it is not trusted again and goes back to the pool to be reset.
        reusable = exc is None or not isinstance(exc, DBAPIError)
        try:
            if conn.in_transaction():
                conn.rollback()
        except BaseException:
            reusable = False
            raise
        finally:
            self.factory.release(conn, self.readonly, reusable=reusable)
            self._end_turn()

    def commit(self) -> None:
        assert self._conn is not None
        self._conn.commit()

    # The report readers (``ReportingUnitOfWork``), made on use: most transactions need none.
    @property
    def stats(self) -> SqlStatisticsReader:
        """Statistics counts in this transaction."""
        assert self._conn is not None
        return SqlStatisticsReader(self._conn)

    @property
    def listings(self) -> SqlCaseListingReader:
        """Case rows and groups of a period in this transaction."""
        assert self._conn is not None
        return SqlCaseListingReader(self._conn)

    @property
    def surveys(self) -> SqlSurveyRepository:
        """SKM invitations and responses in this transaction."""
        assert self._conn is not None
        return SqlSurveyRepository(self._conn)

    @property
    def singletons(self) -> SqlSingletonRuns:
        """Office-wide run claims in this transaction."""
        assert self._conn is not None
        return SqlSingletonRuns(self._conn)

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class SqlUnitOfWorkFactory:
    """Opens SQL units of work on one engine.

    A unit of work ends with its connection out of any transaction, so the factory keeps a
    few of them checked out between units of work (newest first) instead of returning each to
    the pool: the pool's checkout, reset and checkin cost about a seventh of a small write
    (bench/lifecycle.py). Never more than ``keep`` of each kind (read-only or writing) wait
    here, so concurrent units of work beyond that use the pool as before; a connection older
    than the pool's recycle time, invalidated, or used by a unit of work that failed in the
    database goes back to the pool. ``Engine.dispose()`` closes the waiting ones too.
    """

    def __init__(self, engine: Engine, *, keep: int = 4) -> None:
        self.engine = engine
        # SQLite: writers queue for the one write lock (models/writer_turn.py).
        self.writer: WriterTurn | None = None
        if engine.dialect.name == "sqlite":
            path = engine.url.database
            on_disk = bool(path) and path != ":memory:" and not str(path).startswith("file:")
            self.writer = WriterTurn(path if on_disk else None, SQLITE_BUSY_TIMEOUT_MS / 1000)
        self.keep = keep
        self._idle: dict[bool, list[Connection]] = {False: [], True: []}
        self._born: dict[int, float] = {}  # id(connection) -> when it left the pool
        self._lock = threading.Lock()
        recycle = getattr(engine.pool, "_recycle", -1)
        self._recycle = float(recycle) if recycle and recycle > 0 else math.inf
        # The engine does not keep the factory alive; whichever goes first, nothing leaks.
        me = weakref.ref(self)
        event.listen(engine, "engine_disposed", lambda _engine: _drop_waiting(me))
        weakref.finalize(self, _close_all, self._idle)

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self, readonly=readonly)

    def acquire(self, readonly: bool) -> Connection:
        """A connection out of any transaction: a waiting one, or one from the pool."""
        with self._lock:
            idle = self._idle[readonly]
            if idle:
                return idle.pop()
        try:
            conn = self.engine.connect()
        except OperationalError as exc:
            raise DatabaseUnavailableError(_safe_url(self.engine), str(exc.orig)) from None
        if readonly:
            conn.execution_options(aduan_readonly=True)  # in place: it stays a reader
        self._born[id(conn)] = time.monotonic()
        return conn

    def release(self, conn: Connection, readonly: bool, *, reusable: bool = True) -> None:
        """Keep ``conn`` for the next unit of work, or return it to the pool."""
        born = self._born.get(id(conn), 0.0)
        if (
            reusable
            and not conn.closed
            and not conn.invalidated
            and not conn.in_transaction()
            and time.monotonic() - born < self._recycle
        ):
            with self._lock:
                idle = self._idle[readonly]
                if len(idle) < self.keep:
                    idle.append(conn)
                    return
        self._born.pop(id(conn), None)
        conn.close()

    def close(self, *, drop: bool = False) -> None:
        """Return every waiting connection to the pool (``drop``: close it for good)."""
        with self._lock:
            _close_all(self._idle, drop=drop)
            self._born.clear()


def _drop_waiting(ref: weakref.ref[SqlUnitOfWorkFactory]) -> None:
    # After Engine.dispose() the pool they came from is gone: closing them would park them in
    # it, open, until it is garbage-collected. Invalidating closes the driver's connection.
    factory = ref()
    if factory is not None:
        factory.close(drop=True)


def _close_all(idle: dict[bool, list[Connection]], *, drop: bool = False) -> None:
    waiting = [conn for conns in idle.values() for conn in conns]
    for conns in idle.values():
        conns.clear()
    for conn in waiting:
        with contextlib.suppress(Exception):  # a dead connection is as good as closed
            if drop:
                conn.invalidate()
            conn.close()
