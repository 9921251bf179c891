"""Statistics of a period, computed in the database: counts by dimension, answer times, APIP.

These aggregate the cases themselves; ``aduan.adapters.sql.rollup`` reads the same numbers for whole
months from counts kept on write and calls these for the partial months of a period. Every
query selects the cases *received* in ``[start, end)`` (the ``ix_cases_received_at``
index) and aggregates there, the same SQL on SQLite and PostgreSQL: all the dimension counts
in one scan, the answer times in a second, APIP involvement from the events' partial index.
What returns to Python is a few rows per dimension value, never one per case.

Each takes the reader's ``Sight`` (DESIGN §6) and adds it to the query as ``in_sight``: the
office's reach adds nothing, a unit's an indexed ``EXISTS`` on ``case_units``, no sight ``false``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)

from aduan.adapters.sql.tables import (
    case_concerns,
    case_events,
    case_units,
    cases,
    written_reports,
)
from aduan.escalation.answer import EXTENDED, ORIGINAL
from aduan.ports import (
    APIP_ACTIONS,
    NO_VALUE,
    AnswerDeadline,
    AnswerSpan,
    CaseLine,
    PastTier,
)
from aduan.workflow.states import OPEN_STATUSES, Status
from aduan.workflow.visibility import OFFICE_SIGHT, Reach, Sight

EPOCH = date(1970, 1, 1)
WIB_OFFSET_SECONDS = 7 * 3600
NONE = NO_VALUE
OPEN = tuple(s.value for s in OPEN_STATUSES)

# What the answer deadline of seed §6 item 4 says about a case, as of ``now``.
ON_TIME = AnswerDeadline.ON_TIME
LATE = AnswerDeadline.LATE
OVERDUE_OPEN = AnswerDeadline.OVERDUE_OPEN
PENDING = AnswerDeadline.PENDING
ENDED_UNANSWERED = AnswerDeadline.ENDED_UNANSWERED
NOT_APPLICABLE = AnswerDeadline.NOT_APPLICABLE


def in_period(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Cases received in ``[start, end)``."""
    return and_(cases.c.received_at >= start, cases.c.received_at < end)


def in_sight(sight: Sight) -> ColumnElement[bool]:
    """The cases ``sight`` reaches, as a condition on ``cases`` (DESIGN §6).

    A unit sees the cases that are or were with it: ``EXISTS`` on ``case_units`` through its
    primary key (case, unit). No sight (the administrator) reaches no case at all. A case that
    names the reader as concerned is out of their sight (``NOT EXISTS`` on ``case_concerns``
    through its primary key), and a sealed case out of everyone's but the Head's and APIP's.
    """
    if sight.reach is Reach.OFFICE:
        reach: ColumnElement[bool] = true()
    elif sight.reach is Reach.UNIT and sight.unit is not None:
        reach = exists().where(case_units.c.case_id == cases.c.id, case_units.c.unit == sight.unit)
    else:
        return false()
    conditions = [reach]
    if sight.viewer is not None:
        conditions.append(
            ~exists().where(
                case_concerns.c.case_id == cases.c.id, case_concerns.c.username == sight.viewer
            )
        )
    if not sight.sealed:
        conditions.append(cases.c.sealed.is_(False))
    return and_(*conditions) if len(conditions) > 1 else reach


def excludes_any(conn: Connection, sight: Sight) -> bool:
    """Whether ``sight`` leaves out any case of the office (two index seeks).

    True when a case names the reader as concerned, or one is sealed and the reader may not see
    sealed cases.
    """
    if sight.viewer is not None:
        named = select(case_concerns.c.case_id).where(case_concerns.c.username == sight.viewer)
        if conn.execute(named.limit(1)).first() is not None:
            return True
    if not sight.sealed:
        sealed = select(cases.c.id).where(cases.c.sealed)  # the partial index ix_cases_sealed_id
        if conn.execute(sealed.limit(1)).first() is not None:
            return True
    return False


def counted() -> ColumnElement[bool]:
    """Not a merged duplicate: it is counted once, with its main complaint (issue 14 item 4)."""
    return cases.c.status != literal_column(f"'{Status.MERGED.value}'")


def in_scope(start: datetime, end: datetime, sight: Sight) -> ColumnElement[bool]:
    """Cases received in ``[start, end)`` that ``sight`` reaches, merged duplicates left out."""
    return and_(in_period(start, end), in_sight(sight), counted())


def merged_complainants(
    conn: Connection, start: datetime, end: datetime, sight: Sight = OFFICE_SIGHT
) -> int:
    """Duplicates merged into the cases received in ``[start, end)`` in ``sight``.

    Through the partial index ``ix_cases_merged_into``: a handful of rows, never the period.
    """
    duplicate = cases.alias("duplicate")
    mains = select(cases.c.id).where(in_scope(start, end, sight))
    stmt = select(func.count()).where(
        duplicate.c.merged_into.is_not(None), duplicate.c.merged_into.in_(mains)
    )
    return int(conn.execute(stmt).scalar_one())


def compliance(now: datetime, due: ColumnElement[Any] | None = None) -> ColumnElement[str]:
    """The answer-deadline bucket of a case, as of ``now``, against ``due`` (the one in force).

    ``aduan.escalation.answer.answer_standing`` in SQL: the one definition of "on time" (a test
    holds the two together on SQLite and PostgreSQL).
    """
    due = cases.c.response_due_at if due is None else due
    answered = cases.c.answered_at
    is_open = cases.c.status.in_(OPEN)
    return case(
        (due.is_(None), NOT_APPLICABLE),
        (and_(answered.is_not(None), answered <= due), ON_TIME),
        (answered.is_not(None), LATE),
        (and_(is_open, due < now, not_waiting_in_time(due)), OVERDUE_OPEN),
        (is_open, PENDING),
        else_=ENDED_UNANSWERED,
    )


def not_waiting_in_time(due: ColumnElement[Any] | None = None) -> ColumnElement[bool]:
    """Not a clock stopped for the complainant's information at or before ``due``.

    ``aduan.escalation.answer.waits_in_time`` negated: while it stands still, such a complaint
    is not late, whenever the stored deadline was (``aduan.escalation.pause``).
    """
    due = cases.c.response_due_at if due is None else due
    paused = cases.c.info_requested_at
    return or_(paused.is_(None), paused > due)


# The base columns grouped in one pass over the period's cases; each dimension then sums them.
BASE_COLUMNS = (
    "kind", "screening_reason", "service_code", "channel", "track", "tier", "outcome", "status",
    "problem_types",
)  # fmt: skip
# dimension -> base columns it groups by
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "kind_reason": ("kind", "screening_reason"),
    "service": ("service_code",),
    "channel": ("channel",),
    "track": ("track",),
    "outcome": ("outcome",),
    "status": ("status",),
    "tier": ("track", "tier"),
    "compliance": ("compliance",),
    "problem_types": ("problem_types",),
}


def tune_for_reports(conn: Connection) -> None:
    """Per-transaction planner settings for the big aggregations (PostgreSQL only).

    The planner multiplies the distinct values of the grouped columns (ignoring that they go
    together: a suggestion has no track, no outcome) and expects about as many groups as rows
    (900,000 for a year of a million cases; there are about 2,500). Two consequences, both
    corrected here for this read-only transaction:

    - it sorts a million rows by ten keys where a hash table of a few thousand groups does
      (measured: 4-6 s of a 7 s run): ``enable_sort = off`` makes it hash;
    - it sees no gain in splitting the scan among parallel workers, because it expects the
      partial aggregates to ship as many rows through ``Gather`` as they read. In truth each
      worker ships a few thousand groups, so tuples through ``Gather`` cost nothing:
      ``parallel_tuple_cost = 0`` and ``parallel_setup_cost = 0`` let the scans and the
      hashing run in ``max_parallel_workers_per_gather`` workers plus the leader (measured on
      2 cores under load: 1.9-2.8 s serial, 0.6-0.9 s parallel for the dimension counts).

    JIT compilation costs more than it saves on a one-off scan.
    """
    if conn.dialect.name == "postgresql":
        for setting in (
            "jit = off",
            "work_mem = '64MB'",
            "enable_sort = off",
            "parallel_setup_cost = 0",
            "parallel_tuple_cost = 0",
        ):
            conn.exec_driver_sql(f"SET LOCAL {setting}")


def dimension_counts(
    conn: Connection,
    start: datetime,
    end: datetime,
    now: datetime,
    sight: Sight = OFFICE_SIGHT,
) -> dict[str, dict[str, int]]:
    """Cases received in ``[start, end)`` counted by each dimension, from the cases themselves.

    One scan: the cases are grouped by every base column at once (a few hundred to a few
    thousand groups, materialised), and ``sum_dimensions`` sums those groups per dimension.
    The rollup (``aduan.adapters.sql.rollup``) does the same from its stored counts.
    """
    cols = [cases.c[n] for n in BASE_COLUMNS]
    bucket = compliance(now).label("compliance")
    base = (
        select(*cols, bucket, func.count().label("n"))
        .where(in_scope(start, end, sight))
        .group_by(*cols, bucket)
        .cte("base")
        .prefix_with("MATERIALIZED")
    )
    return sum_dimensions(conn, base)


def sum_dimensions(conn: Connection, base: CTE) -> dict[str, dict[str, int]]:
    """Sum the groups of ``base`` per dimension: ``{dimension: {value: count}}``.

    ``base`` has the ``BASE_COLUMNS`` columns, ``compliance`` and the count ``n``; each dimension
    sums it in one arm of a ``UNION ALL`` (one round trip). Problem types come back per stored
    list (a case may have several); ``problem_type_counts`` splits them. Keys:
    ``kind:screening_reason``, ``track:tier`` (0-based), else the value; ``NONE`` for none.
    """
    parts = []
    for name, keys in DIMENSIONS.items():
        # Keys as text: the arms of a UNION must agree in type (tier is an integer, the
        # problem types JSON).
        key_cols = [cast(base.c[k], String) for k in keys]
        key_cols += [cast(literal(None), String)] * (2 - len(keys))
        parts.append(
            select(literal(name).label("dim"), *key_cols, func.sum(base.c.n)).group_by(
                *(base.c[k] for k in keys)
            )
        )
    found: dict[str, dict[str, int]] = {n: {} for n in DIMENSIONS}
    for row in conn.execute(union_all(*parts)):
        dim, first, second, n = row[0], row[1], row[2], int(row[3])
        if n:
            key = _key(dim, first, second)
            found[dim][key] = found[dim].get(key, 0) + n
    return found


def _key(dim: str, first: Any, second: Any) -> str:
    if dim == "kind_reason":
        return f"{first}:{second or NONE}"
    if dim == "tier":
        return NONE if first is None else f"{first}:{second}"
    if dim == "problem_types":
        return json.dumps(first if isinstance(first, list) else json.loads(first or "[]"))
    return NONE if first is None else str(first)


def problem_type_counts(per_list: dict[str, int]) -> dict[str, int]:
    """How often each problem type was recorded; a case may have several.

    ``per_list``: the counts per stored list, as ``dimension_counts`` returns them.
    """
    found: dict[str, int] = {}
    for stored, n in per_list.items():
        for problem in set(json.loads(stored)):
            found[problem] = found.get(problem, 0) + n
    return found


def wib_day(conn: Connection, column: ColumnElement[datetime]) -> ColumnElement[Any]:
    """The calendar day in Jakarta (WIB: UTC+7 all year, no daylight saving) of a UTC instant.

    PostgreSQL: the instant of that day's 00:00 WIB, by ``date_bin`` (integer arithmetic on
    the timestamp; ``EXTRACT(epoch ...)`` returns ``numeric`` since PostgreSQL 14 and cost
    three times as much per row); SQLite: the ISO date. ``_day`` reads either back.
    """
    if conn.dialect.name == "postgresql":
        return func.date_bin(
            literal_column("interval '1 day'"),
            column,
            literal_column("timestamptz '2000-01-01 00:00:00+07'"),
        )
    return func.date(column, "+7 hours")


def answer_spans(
    conn: Connection, start: datetime, end: datetime, sight: Sight = OFFICE_SIGHT
) -> list[AnswerSpan]:
    """Answered complaints of the period grouped by (clock start day, answer day), in WIB.

    Working days between the two need the working-day calendar (holidays, cuti bersama,
    overrides), which lives in Python; the database reduces a year of cases to a few thousand
    day pairs, and the caller turns each pair into working days once.
    """
    started = wib_day(conn, func.coalesce(cases.c.response_started_at, cases.c.received_at))
    answered = wib_day(conn, cases.c.answered_at)
    stmt = (
        select(started.label("s"), answered.label("a"), func.count().label("n"))
        .where(
            in_scope(start, end, sight),
            cases.c.answered_at.is_not(None),
            cases.c.response_due_at.is_not(None),
        )
        .group_by(started, answered)
    )
    return [AnswerSpan(as_day(s), as_day(a), int(n)) for s, a, n in conn.execute(stmt)]


def deadline_compliance(
    conn: Connection,
    start: datetime,
    end: datetime,
    now: datetime,
    sight: Sight = OFFICE_SIGHT,
) -> dict[str, int]:
    """Complaints whose answer deadline falls in ``[start, end)``, by ``compliance`` bucket.

    The period a complaint is judged in is the one its deadline falls in, whenever it arrived
    (``aduan.escalation.answer``): an open complaint that became late this month counts as late
    this month. Through the index ``ix_cases_response_due_at`` (deadline, answer, status).
    Issue 14 item 5: besides, each complaint judged against its deadline without the extensions
    (keys prefixed ``answer.ORIGINAL``), and the number extended (``answer.EXTENDED``).
    """
    original = func.coalesce(cases.c.response_original_due_at, cases.c.response_due_at)
    bucket, first = compliance(now), compliance(now, original)
    extended = case((original < cases.c.response_due_at, 1), else_=0)
    stmt = (
        select(bucket, first, extended, func.count())
        .where(
            cases.c.response_due_at >= start,
            cases.c.response_due_at < end,
            in_sight(sight),
            counted(),
        )
        .group_by(bucket, first, extended)
    )
    counts: dict[str, int] = {}
    for key, key_original, was_extended, n in conn.execute(stmt):
        for name in (str(key), ORIGINAL + str(key_original), *([EXTENDED] * int(was_extended))):
            counts[name] = counts.get(name, 0) + int(n)
    return counts


def as_day(value: Any) -> date:
    """A day as the database returns it: a date, an ISO string, a WIB midnight instant."""
    if isinstance(value, datetime):  # 00:00 WIB of the day (PostgreSQL)
        return (value + timedelta(seconds=WIB_OFFSET_SECONDS)).astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    return EPOCH + timedelta(days=int(value))


def apip_actions(
    conn: Connection, start: datetime, end: datetime, sight: Sight = OFFICE_SIGHT
) -> dict[str, int]:
    """Cases of the period with each APIP action at least once (request, approve, refuse)."""
    stmt = (
        select(case_events.c.action, func.count(func.distinct(case_events.c.case_id)))
        .join(cases, cases.c.id == case_events.c.case_id)
        .where(case_events.c.action.in_(APIP_ACTIONS), in_scope(start, end, sight))
        .group_by(case_events.c.action)
    )
    found = dict.fromkeys(APIP_ACTIONS, 0)
    found.update({str(a): int(n) for a, n in conn.execute(stmt)})
    return found


ROUTE_TRACKS = {"route_internal": "internal", "route_agency": "agency"}


def reopened_tier_history(
    conn: Connection, start: datetime, end: datetime, sight: Sight = OFFICE_SIGHT
) -> list[PastTier]:
    """The earlier tracks and tier reports of the period's reopened cases.

    Reopening clears a case's track and tier (``workflow.effects._reopen``), so the highest
    tier a reopened case ever reached is in its history: the ``tier`` written reports (the
    position each went up to) and the route events. A case never reopened only ever moved up
    its one track, so its current tier is the highest; only reopened cases (few) come here,
    through the partial index ``ix_cases_reopened_received_at``.
    """
    reopened = (
        select(cases.c.id, cases.c.track, cases.c.tier)
        .where(in_scope(start, end, sight), cases.c.reopen_count > 0)
        .cte("reopened")
    )
    reports = select(
        reopened.c.id,
        reopened.c.track,
        reopened.c.tier,
        written_reports.c.to_position,
        cast(literal(None), String),
    ).join(
        written_reports,
        and_(written_reports.c.case_id == reopened.c.id, written_reports.c.kind == "tier"),
    )
    routes = select(
        reopened.c.id,
        reopened.c.track,
        reopened.c.tier,
        cast(literal(None), String),
        case(
            *((case_events.c.action == a, t) for a, t in ROUTE_TRACKS.items()),
        ),
    ).join(
        case_events,
        and_(
            case_events.c.case_id == reopened.c.id,
            case_events.c.action.in_(tuple(ROUTE_TRACKS)),
        ),
    )
    return [
        PastTier(int(i), track, int(tier), position, routed)
        for i, track, tier, position, routed in conn.execute(union_all(reports, routes))
    ]


_LINE = (
    cases.c.id,
    cases.c.tracking_code,
    cases.c.subject,
    cases.c.service_code,
    cases.c.status,
    cases.c.track,
    cases.c.tier,
    cases.c.assignee,
    cases.c.received_at,
    cases.c.response_due_at,
    cases.c.info_requested_at,
)


def overdue_cases(
    conn: Connection,
    start: datetime,
    end: datetime,
    now: datetime,
    limit: int,
    sight: Sight = OFFICE_SIGHT,
) -> list[CaseLine]:
    """Open complaints still unanswered at ``now`` whose deadline passed before ``end``.

    The backlog as the period closes (or now, for the running period): those that became late in
    ``[start, end)`` and those still late from before it, whenever they arrived. ``start`` is
    not a bound: a complaint late since an earlier month is still late. Oldest deadline first,
    through the partial index ``ix_cases_open_response_due_at``. A complaint waiting for the
    complainant's information since before its deadline is not late (``answer``): the index's
    rows are filtered on it, as on the status.
    """
    stmt = (
        select(*_LINE)
        .where(
            cases.c.response_due_at.is_not(None),
            cases.c.answered_at.is_(None),
            cases.c.response_due_at < min(now, end),
            cases.c.status.in_(OPEN),
            not_waiting_in_time(),
            in_sight(sight),
        )
        .order_by(cases.c.response_due_at, cases.c.id)
        .limit(limit)
    )
    return [CaseLine(**row) for row in conn.execute(stmt).mappings()]


def apip_cases(
    conn: Connection, start: datetime, end: datetime, limit: int, sight: Sight = OFFICE_SIGHT
) -> list[CaseLine]:
    """Cases of the period handled by APIP or awaiting the head's approval for it."""
    stmt = (
        select(*_LINE)
        .where(
            in_scope(start, end, sight),
            (cases.c.track == "apip") | (cases.c.status == "apip_pending"),
        )
        .order_by(cases.c.received_at, cases.c.id)
        .limit(limit)
    )
    return [CaseLine(**row) for row in conn.execute(stmt).mappings()]
