"""The statistics rollup: counts kept on write per WIB month, summed at read.

Aggregating a year of a million cases at every request costs seconds of CPU (measured: 1.5-2.8 s
on PostgreSQL with two parallel workers on a loaded 2-core machine), so the triggers of
migration 0007 keep signed counts in ``case_stats`` as cases change: for each insert, update
(of a column the statistics group by) or delete of a case, ``-1`` for the old row's group and
``+1`` for the new one; for the first APIP action of each kind on a case, ``+1``. Insert-only,
so concurrent writers never wait for each other nor deadlock on a counter; ``compact`` sums
the rows of each group into one (the scheduler runs it hourly; reading is correct either way).

A period reads the months it covers whole from the rollup and its partial months at the edges
from the cases (``aduan.adapters.sql.stats``); the results are the same (tests compare both ways on
SQLite and PostgreSQL). What depends on "now" is kept apart: an open, unanswered complaint
is stored with its deadline (``part = 'due'``) and is overdue or pending at read.

The rollup counts the whole office. A report for a narrower sight (an agency, the inspectorate:
DESIGN §6) aggregates the cases themselves, joined to the units they have been with; those are
a small share of the office's cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, insert, select, text

from aduan.adapters.sql import stats
from aduan.adapters.sql.tables import case_stats
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
        return PeriodCounts(dims, counts.spans, counts.apip)

    def reopened_tier_history(
        self, start: datetime, end: datetime, *, sight: Sight
    ) -> list[PastTier]:
        """See ``stats.reopened_tier_history``."""
        return stats.reopened_tier_history(self.conn, start, end, sight)

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


def _in(part: str, months: list[str]) -> list[ColumnElement[bool]]:
    return [case_stats.c.part == part, case_stats.c.month.in_(months)]


def dimension_counts(
    conn: Connection, months: list[str], now: datetime
) -> dict[str, dict[str, int]]:
    """The dimension counts of ``months`` from the rollup, as ``stats.dimension_counts``."""
    cols = [case_stats.c[n] for n in stats.BASE_COLUMNS]
    base = (
        select(*cols, case_stats.c.answer.label("compliance"), func.sum(case_stats.c.n).label("n"))
        .where(*_in(DIMS, months))
        .group_by(*cols, case_stats.c.answer)
        .cte("base")
    )
    found = stats.sum_dimensions(conn, base)
    buckets = found["compliance"]
    waiting = buckets.pop(OPEN_BUCKET, 0)
    overdue = conn.execute(
        select(func.coalesce(func.sum(case_stats.c.n), 0)).where(
            *_in(DUE, months), case_stats.c.due_at < now
        )
    ).scalar_one()
    for bucket, n in ((stats.OVERDUE_OPEN, int(overdue)), (stats.PENDING, waiting - int(overdue))):
        if n:
            buckets[bucket] = buckets.get(bucket, 0) + n
    return found


def answer_spans(conn: Connection, months: list[str]) -> list[AnswerSpan]:
    """The (clock start day, answer day) pairs of ``months`` from the rollup."""
    started, answered = case_stats.c.started_on, case_stats.c.answered_on
    total = func.sum(case_stats.c.n)
    stmt = (
        select(started, answered, total)
        .where(*_in(ANSWER, months))
        .group_by(started, answered)
        .having(total != 0)
    )
    return [AnswerSpan(stats.as_day(s), stats.as_day(a), int(n)) for s, a, n in conn.execute(stmt)]


def apip(conn: Connection, months: list[str]) -> dict[str, int]:
    """Cases of ``months`` with each APIP action at least once, from the rollup."""
    stmt = (
        select(case_stats.c.answer, func.sum(case_stats.c.n))
        .where(*_in(APIP, months))
        .group_by(case_stats.c.answer)
    )
    found = dict.fromkeys(APIP_ACTIONS, 0)
    found.update({str(a): int(n) for a, n in conn.execute(stmt)})
    return found


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
