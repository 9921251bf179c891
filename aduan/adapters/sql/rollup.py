"""The statistics rollup: signed counts per WIB month, folded from the audit trail, summed at read.

Aggregating a year of a million cases at every request costs seconds of CPU (measured: 1.5-2.8 s
on PostgreSQL with two parallel workers on a loaded 2-core machine), so ``case_stats`` keeps
counts per month and group. Nothing on the write path keeps them (issue 15: the triggers of
migration 0007 cost 51 trigger programs per case on SQLite and most of the server's CPU per step
on PostgreSQL). Every write of a case appends an event, and the scheduler *folds* the events past
a watermark (``fold``): for each case they touch, ``-1`` for the case as folded before (kept in
``case_stats_folded``) and ``+1`` for the case as it is now, then the new state and the new
watermark, all in one transaction. A report reads the rollup *and* does the same for the events
past the watermark (``_rolled``), in the same statement, so the figures are exact at any moment,
however far behind the fold is.

Which events are past the watermark, so that none is ever passed over:

- SQLite: writers take turns (``BEGIN IMMEDIATE``), so an event's id is given in commit order
  and the fold, itself a writer, sees every event up to the highest id: the watermark is an id.
- PostgreSQL: ids come from a sequence when the row is inserted, and transactions commit in any
  order: folding up to the highest committed id would pass over an event with a lower id whose
  transaction commits a moment later. Each event records the transaction that wrote it
  (``txid``, ``pg_current_xact_id()`` by default), and the fold takes the events of the
  transactions below the oldest one still running (``pg_snapshot_xmin``): those have all ended,
  so that set never grows again. The watermark is that transaction id; a long write
  transaction holds the fold back (reports stay exact, only the part read from the events
  grows) and costs the writers nothing.

Exactly once across instances: on PostgreSQL the fold runs in ``REPEATABLE READ`` and locks the
watermark row first; a second fold waits, then fails to serialise and is skipped (the first did
the work). On SQLite the fold is one writer among the others. A crash anywhere in between rolls
the whole fold back. A report runs in one snapshot (SQLite's read transaction, ``REPEATABLE
READ`` for PostgreSQL's read-only units of work), so the rollup, the state folded and the
watermark it reads agree with each other.

``compact`` sums the rows of each group into one (the scheduler runs it hourly; reading is
correct either way). A period reads the months it covers whole from the rollup and its partial
months at the edges from the cases (``aduan.adapters.sql.stats``); the results are the same
(tests compare both ways on SQLite and PostgreSQL). What depends on "now" is kept apart: an
open, unanswered complaint is stored with its deadline (``part = 'due'``) and is overdue or
pending at read; one whose answer clock stopped for the complainant's information at or before
its deadline is stored without one, pending while it waits (``aduan.escalation.answer``).

The rollup counts the whole office. A report for a narrower sight (an agency, the inspectorate:
DESIGN §6) aggregates the cases themselves, joined to the units they have been with; those are
a small share of the office's cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    Boolean,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from aduan.adapters.sql import stats
from aduan.adapters.sql.tables import (
    case_events,
    case_stats,
    case_stats_folded,
    cases,
    fold_watermarks,
)
from aduan.ports import APIP_ACTIONS, AnswerSpan, CaseLine, PastTier, PeriodCounts
from aduan.workflow.intake import WIB
from aduan.workflow.visibility import Reach, Sight

DIMS = "dims"
ANSWER = "answer"
DUE = "due"
APIP = "apip"
OPEN_BUCKET = "open"  # an open complaint without an answer: overdue or pending, as of now
_KEYS = (
    "part", "month", "kind", "screening_reason", "service_code", "channel", "track", "tier",
    "outcome", "status", "problem_types", "answer", "started_on", "answered_on", "due_at",
)  # fmt: skip


@dataclass
class Counts:
    """What the statistics need from the database for one period."""

    dims: dict[str, dict[str, int]] = field(
        default_factory=lambda: {name: {} for name in stats.DIMENSIONS}
    )
    spans: list[AnswerSpan] = field(default_factory=list)
    apip: dict[str, int] = field(default_factory=lambda: dict.fromkeys(APIP_ACTIONS, 0))

    def add(
        self,
        dims: dict[str, dict[str, int]],
        spans: list[AnswerSpan],
        apip: dict[str, int],
    ) -> None:
        """Add the counts of another stretch of time."""
        for name, values in dims.items():
            mine = self.dims.setdefault(name, {})
            for key, n in values.items():
                mine[key] = mine.get(key, 0) + n
        self.spans.extend(spans)
        for action, n in apip.items():
            self.apip[action] = self.apip.get(action, 0) + n


class SqlStatisticsReader:
    """``StatisticsReader`` on the connection of a SQL unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def period_counts(
        self,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        sight: Sight,
        rollup: bool = True,
    ) -> PeriodCounts:
        """The rollup for the whole months and the cases for the rest (or the cases only).

        The rollup holds the office's counts: only the office's sight may read it, and only
        when no case of the office is out of the reader's sight.
        """
        stats.tune_for_reports(self.conn)  # SET LOCAL: holds for the rest of the transaction
        # Not for a reader some case is out of sight for (issue 16 item 3): the rollup counts all.
        whole = sight.reach is Reach.OFFICE and not stats.excludes_any(self.conn, sight)
        if rollup and whole:
            counts = period_counts(self.conn, start, end, now)
        else:
            counts = Counts()
            counts.add(
                stats.dimension_counts(self.conn, start, end, now, sight),
                stats.answer_spans(self.conn, start, end, sight),
                stats.apip_actions(self.conn, start, end, sight),
            )
        dims = dict(counts.dims)
        dims["problem_types"] = stats.problem_type_counts(dims["problem_types"])
        merged = stats.merged_complainants(self.conn, start, end, sight)
        return PeriodCounts(dims, counts.spans, counts.apip, merged)

    def reopened_tier_history(
        self, start: datetime, end: datetime, *, sight: Sight
    ) -> list[PastTier]:
        """See ``stats.reopened_tier_history``."""
        return stats.reopened_tier_history(self.conn, start, end, sight)

    def deadline_compliance(
        self, start: datetime, end: datetime, now: datetime, *, sight: Sight
    ) -> dict[str, int]:
        """See ``stats.deadline_compliance`` (from the cases: by deadline, not by receipt)."""
        return stats.deadline_compliance(self.conn, start, end, now, sight)

    def overdue_cases(
        self, start: datetime, end: datetime, now: datetime, limit: int, *, sight: Sight
    ) -> list[CaseLine]:
        """See ``stats.overdue_cases``."""
        return stats.overdue_cases(self.conn, start, end, now, limit, sight)

    def apip_cases(
        self, start: datetime, end: datetime, limit: int, *, sight: Sight
    ) -> list[CaseLine]:
        """See ``stats.apip_cases``."""
        return stats.apip_cases(self.conn, start, end, limit, sight)

    def compact_rollup(self) -> int:
        """See ``compact``."""
        return compact(self.conn)

    def fold_rollup(self, now: datetime) -> int | None:
        """See ``fold``: the cases folded again, or None if another fold was doing it."""
        done = fold(self.conn, now)
        return None if done is None else done.cases


def split(start: datetime, end: datetime) -> tuple[list[str], list[tuple[datetime, datetime]]]:
    """The WIB months (``YYYY-MM``) ``[start, end)`` covers whole, and the stretches left over.

    15 January - 31 March: February and March, and 15-31 January from the cases.
    """
    s, e = start.astimezone(WIB), end.astimezone(WIB)
    first = _month_start(s.year, s.month)
    if first < s:
        first = _month_start(s.year + s.month // 12, s.month % 12 + 1)
    last = _month_start(e.year, e.month)
    if first >= last:
        return [], [(s, e)] if s < e else []
    months = []
    at = first
    while at < last:
        months.append(f"{at.year:04d}-{at.month:02d}")
        at = _month_start(at.year + at.month // 12, at.month % 12 + 1)
    edges = [(a, b) for a, b in ((s, first), (last, e)) if a < b]
    return months, edges


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=WIB)


def period_counts(conn: Connection, start: datetime, end: datetime, now: datetime) -> Counts:
    """The counts of the cases received in ``[start, end)``: rollup months plus edge scans."""
    months, edges = split(start, end)
    found = Counts()
    if months:
        found.add(
            dimension_counts(conn, months, now), answer_spans(conn, months), apip(conn, months)
        )
    for a, b in edges:
        found.add(
            stats.dimension_counts(conn, a, b, now),
            stats.answer_spans(conn, a, b),
            stats.apip_actions(conn, a, b),
        )
    return found


def dimension_counts(
    conn: Connection, months: list[str], now: datetime
) -> dict[str, dict[str, int]]:
    """The dimension counts of ``months`` from the rollup, as ``stats.dimension_counts``."""
    rolled = _rolled(conn, months)
    cols = [rolled.c[n] for n in stats.BASE_COLUMNS]
    base = (
        select(*cols, rolled.c.answer.label("compliance"), func.sum(rolled.c.n).label("n"))
        .where(rolled.c.part == DIMS)
        .group_by(*cols, rolled.c.answer)
        .cte("base")
    )
    found = stats.sum_dimensions(conn, base)
    buckets = found["compliance"]
    waiting = buckets.pop(OPEN_BUCKET, 0)
    rolled = _rolled(conn, months)
    overdue = conn.execute(
        select(func.coalesce(func.sum(rolled.c.n), 0)).where(
            rolled.c.part == DUE, rolled.c.due_at < now
        )
    ).scalar_one()
    for bucket, n in ((stats.OVERDUE_OPEN, int(overdue)), (stats.PENDING, waiting - int(overdue))):
        if n:
            buckets[bucket] = buckets.get(bucket, 0) + n
    return found


def answer_spans(conn: Connection, months: list[str]) -> list[AnswerSpan]:
    """The (clock start day, answer day) pairs of ``months`` from the rollup."""
    rolled = _rolled(conn, months)
    started, answered = rolled.c.started_on, rolled.c.answered_on
    total = func.sum(rolled.c.n)
    stmt = (
        select(started, answered, total)
        .where(rolled.c.part == ANSWER)
        .group_by(started, answered)
        .having(total != 0)
    )
    return [AnswerSpan(stats.as_day(s), stats.as_day(a), int(n)) for s, a, n in conn.execute(stmt)]


def apip(conn: Connection, months: list[str]) -> dict[str, int]:
    """Cases of ``months`` with each APIP action at least once, from the rollup."""
    rolled = _rolled(conn, months)
    stmt = select(rolled.c.answer, func.sum(rolled.c.n)).where(rolled.c.part == APIP)
    found = dict.fromkeys(APIP_ACTIONS, 0)
    found.update({str(a): int(n) for a, n in conn.execute(stmt.group_by(rolled.c.answer))})
    return found


# --- the fold ---------------------------------------------------------------------------------

ROLLUP = "case_stats"  # the watermark's name
_SERIALIZATION_FAILURE = "40001"
_STATE = (
    "month",
    *stats.BASE_COLUMNS,
    "answer",
    "started_on",
    "answered_on",
    "due_at",
    *APIP_ACTIONS,
)
_OPEN_SQL = ", ".join(f"'{s}'" for s in stats.OPEN)  # literals, as in the frozen migration


def _wib(conn: Connection, column: str) -> str:
    """SQL for the WIB wall-clock instant of ``column`` (a UTC instant)."""
    if conn.dialect.name == "postgresql":
        return f"(({column}) AT TIME ZONE 'UTC' + interval '7 hours')"
    return f"{column}, '+7 hours'"


def _month(conn: Connection) -> ColumnElement[str]:
    """The WIB month of receipt of a case, ``YYYY-MM`` (as migration 0016 computes it)."""
    if conn.dialect.name == "postgresql":
        sql = f"to_char({_wib(conn, 'cases.received_at')}, 'YYYY-MM')"
    else:
        sql = f"strftime('%Y-%m', {_wib(conn, 'cases.received_at')})"
    return literal_column(sql, String)


def _day(conn: Connection, column: str) -> ColumnElement[Any]:
    """The WIB calendar day of a UTC instant column of ``cases``."""
    if conn.dialect.name == "postgresql":
        return literal_column(f"{_wib(conn, column)}::date", Date)
    return literal_column(f"date({_wib(conn, column)})", Date)


def current_state(conn: Connection, case_ids: Select[Any]) -> Select[Any]:
    """The cases of ``case_ids`` as the rollup counts them now (``case_stats_folded``'s columns)."""
    c = cases.c
    is_open = literal_column(f"cases.status IN ({_OPEN_SQL})", Boolean)
    answered = and_(c.response_due_at.is_not(None), c.answered_at.is_not(None))
    # Overdue or pending at read by its deadline; one waiting for the complainant's information
    # since before it is pending until the clock runs again (an event: folded again).
    waiting = and_(
        c.response_due_at.is_not(None),
        c.answered_at.is_(None),
        is_open,
        stats.not_waiting_in_time(),
    )
    bucket = case(
        (c.response_due_at.is_(None), stats.NOT_APPLICABLE),
        (and_(c.answered_at.is_not(None), c.answered_at <= c.response_due_at), stats.ON_TIME),
        (c.answered_at.is_not(None), stats.LATE),
        (is_open, OPEN_BUCKET),
        else_=stats.ENDED_UNANSWERED,
    )
    started = _day(conn, "coalesce(cases.response_started_at, cases.received_at)")
    # The action as a literal: the partial index ix_case_events_apip_action then serves it.
    flags = [
        exists()
        .where(case_events.c.case_id == c.id, case_events.c.action == literal_column(f"'{a}'"))
        .label(a)
        for a in APIP_ACTIONS
    ]
    return select(
        c.id.label("case_id"),
        _month(conn).label("month"),
        *(c[name] for name in stats.BASE_COLUMNS),
        bucket.label("answer"),
        case((answered, started)).label("started_on"),
        case((answered, _day(conn, "cases.answered_at"))).label("answered_on"),
        case((waiting, c.response_due_at)).label("due_at"),
        *flags,
    ).where(c.id.in_(case_ids), stats.counted())


def contributions(
    state: FromClause, sign: int, months: list[str] | None = None
) -> list[Select[Any]]:
    """The rollup rows (``case_stats``' columns and ``n``) of the cases in ``state``, each ``sign``.

    ``state`` has the columns of ``case_stats_folded``; ``months``: only the cases of those.
    """
    n = literal_column(str(sign), Integer).label("n")

    def row(part: str, **values: ColumnElement[Any]) -> list[ColumnElement[Any]]:
        given = {"month": state.c.month, **values}
        return [
            literal_column(f"'{part}'", String).label("part"),
            *(
                given[k].label(k) if k in given else cast(null(), case_stats.c[k].type).label(k)
                for k in _KEYS[1:]
            ),
            n,
        ]

    within = [state.c.month.in_(months)] if months is not None else []
    dims = {k: state.c[k] for k in stats.BASE_COLUMNS}
    arms = [
        select(*row(DIMS, **dims, answer=state.c.answer)).where(*within),
        select(*row(ANSWER, started_on=state.c.started_on, answered_on=state.c.answered_on)).where(
            state.c.answered_on.is_not(None), *within
        ),
        select(*row(DUE, due_at=state.c.due_at)).where(state.c.due_at.is_not(None), *within),
    ]
    for action in APIP_ACTIONS:
        flag = literal_column(f"'{action}'", String)
        arms.append(select(*row(APIP, answer=flag)).where(state.c[action].is_(True), *within))
    return arms


_XMAX: ColumnElement[int] = literal_column("pg_snapshot_xmax(pg_current_snapshot())::text::bigint")


def _past(conn: Connection, low: Any, high: Any = None) -> list[ColumnElement[bool]]:
    """The events past the watermark ``low`` (and, for a fold, up to its bound ``high``)."""
    if conn.dialect.name == "postgresql":
        # Bounded on both sides even at read (every event this snapshot sees is below its
        # xmax): a range, unlike ``>=`` alone, takes ix_case_events_txid whatever the planner's
        # statistics say (never analysed, it guesses a third of the table for ``>=``).
        high = _XMAX if high is None else high
        return [case_events.c.txid >= low, case_events.c.txid < high]
    found = [case_events.c.id > low]
    return found + ([case_events.c.id <= high] if high is not None else [])


def _touched(conn: Connection, low: Any, high: Any = None) -> Select[Any]:
    """The cases with an event past the watermark ``low`` (up to ``high``)."""
    return select(case_events.c.case_id).where(*_past(conn, low, high)).distinct()


def _watermark() -> ColumnElement[int]:
    """The rollup's watermark, as a scalar subquery (0: nothing folded yet)."""
    position = select(fold_watermarks.c.position).where(fold_watermarks.c.name == ROLLUP)
    return func.coalesce(position.scalar_subquery(), 0)


def _rolled(conn: Connection, months: list[str]) -> CTE:
    """The rollup rows of ``months`` with the events past the watermark folded in, at read.

    Every statement that reads the rollup reads the watermark and the folded state in the same
    snapshot as the rollup itself (one statement), so the figures are exact whenever the fold
    last ran.
    """
    ids = _touched(conn, _watermark())
    before = select(case_stats_folded).where(case_stats_folded.c.case_id.in_(ids)).subquery()
    now = current_state(conn, ids).subquery()
    stored = select(*(case_stats.c[k] for k in _KEYS), case_stats.c.n).where(
        case_stats.c.month.in_(months)
    )
    return union_all(
        stored, *contributions(before, -1, months), *contributions(now, 1, months)
    ).cte("rolled")


@dataclass(frozen=True, slots=True)
class Folded:
    """What one fold did: the cases folded again and the watermark it moved to."""

    cases: int
    watermark: int


def fold(conn: Connection, now: datetime) -> Folded | None:
    """Fold the events past the watermark into the rollup; None if another fold is doing it.

    Must be the first thing the write transaction on ``conn`` does (PostgreSQL: it sets the
    isolation level). The caller commits.
    """
    pg = conn.dialect.name == "postgresql"
    try:
        if pg:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            bound: ColumnElement[Any] = literal_column(
                "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
            )
        else:
            bound = select(func.coalesce(func.max(case_events.c.id), 0)).scalar_subquery()
        # The watermark row, locked: a second fold waits here, then fails to serialise.
        mark = (
            select(fold_watermarks.c.position, bound.label("bound"))
            .where(fold_watermarks.c.name == ROLLUP)
            .with_for_update(of=fold_watermarks)
        )
        row = conn.execute(mark).first()
        if row is None:  # a database emptied by hand: start from nothing
            start = {"name": ROLLUP, "position": 0}
            conn.execute(_insert(conn).values(start).on_conflict_do_nothing())
            row = conn.execute(mark).one()  # another fold's row: fails to serialise (skipped)
        low, high = int(row[0]), int(row[1])
        if high <= low:
            return Folded(0, int(low))
        return Folded(_fold_range(conn, int(low), high, now), high)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _SERIALIZATION_FAILURE:
            return None  # another instance folded meanwhile: its work stands, ours is undone
        raise


def _insert(conn: Connection) -> Any:
    """An INSERT into the watermarks that can skip a row already there."""
    if conn.dialect.name == "postgresql":
        return postgresql_insert(fold_watermarks)
    return sqlite_insert(fold_watermarks)


def _fold_range(conn: Connection, low: int, high: int, now: datetime) -> int:
    ids = _touched(conn, low, high)
    count = conn.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    if count:
        before = select(case_stats_folded).where(case_stats_folded.c.case_id.in_(ids)).subquery()
        after = current_state(conn, ids).subquery()
        change = union_all(*contributions(before, -1), *contributions(after, 1)).subquery()
        keys = [change.c[k] for k in _KEYS]
        total = func.sum(change.c.n)
        summed = select(*keys, total).group_by(*keys).having(total != 0)
        conn.execute(insert(case_stats).from_select([*_KEYS, "n"], summed))
        conn.execute(delete(case_stats_folded).where(case_stats_folded.c.case_id.in_(ids)))
        conn.execute(
            insert(case_stats_folded).from_select(["case_id", *_STATE], current_state(conn, ids))
        )
    advance(conn, high, now)
    return int(count)


def advance(conn: Connection, position: int, now: datetime) -> None:
    """Move the rollup's watermark to ``position`` (in the fold's transaction)."""
    conn.execute(
        update(fold_watermarks)
        .where(fold_watermarks.c.name == ROLLUP)
        .values(position=position, folded_at=now)
    )


def compact(conn: Connection) -> int:
    """Sum the rows of each group into one (dropping groups that sum to zero); rows removed.

    PostgreSQL: one statement that deletes the rows it sums (``DELETE ... RETURNING``), so a
    row a concurrent transaction commits meanwhile is neither lost nor counted twice, and two
    compactions at once each sum only what they deleted. SQLite has one writer at a time: sum
    the rows up to the highest id, then delete them, in the caller's write transaction.
    """
    keys = ", ".join(_KEYS)
    before = conn.execute(select(func.count()).select_from(case_stats)).scalar_one()
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"WITH gone AS (DELETE FROM case_stats RETURNING {keys}, n) "
                f"INSERT INTO case_stats ({keys}, n) SELECT {keys}, sum(n) FROM gone "
                f"GROUP BY {keys} HAVING sum(n) <> 0"
            )
        )
    else:
        top = conn.execute(select(func.max(case_stats.c.id))).scalar_one()
        if top is None:
            return 0
        cols = [case_stats.c[k] for k in _KEYS]
        total = func.sum(case_stats.c.n)
        summed = (
            select(*cols, total).where(case_stats.c.id <= top).group_by(*cols).having(total != 0)
        )
        conn.execute(insert(case_stats).from_select([*_KEYS, "n"], summed))
        conn.execute(case_stats.delete().where(case_stats.c.id <= top))
    after = conn.execute(select(func.count()).select_from(case_stats)).scalar_one()
    return int(before) - int(after)
