"""Fast seeding for bench/sweep.py: N open cases, each with its alarms, a fixed share of them due.

Every case is built from one valid row (``aduan.adapters.sql.codec.case_to_row`` of a ``Case`` in
status ``recorded``), varying only its id, tracking code, receipt instant and response deadline.
Each case gets four response alarms (half, before_3, before_1, breach). One case in
``DUE_EVERY`` has its deadline in the past, so all four of its alarms are due; its
``response_due_at`` equals the alarms' ``due_at``, so the sweep rings them instead of skipping
them as stale. The other cases' alarms all fire in the future.

Rows are streamed in chunks (memory stays bounded): SQLAlchemy Core ``executemany`` for SQLite,
``COPY ... FROM STDIN`` through psycopg for PostgreSQL (or Core, with ``method="core"``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Engine, insert

from aduan.adapters.sql.codec import case_to_row
from aduan.adapters.sql.tables import alarms, cases
from aduan.escalation.deadlines import AlarmPoint, DeadlineKind
from aduan.workflow.case import Case, Complainant
from aduan.workflow.intake import wib_date
from aduan.workflow.states import Channel, Kind, Status

ALARMS_PER_CASE = 4
DUE_EVERY = 100  # one case in a hundred is due: 1 %
DAY = 86_400
# The alarm points and how long before the deadline each rings (the breach one second after).
POINTS: tuple[tuple[AlarmPoint, timedelta], ...] = (
    (AlarmPoint.HALF, timedelta(days=-7)),
    (AlarmPoint.BEFORE_3, timedelta(days=-3)),
    (AlarmPoint.BEFORE_1, timedelta(days=-1)),
    (AlarmPoint.BREACH, timedelta(seconds=1)),
)
# The alphabet of aduan.workflow.intake.new_tracking_code, in ASCII order: codes sort like ids.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RESPONSE = DeadlineKind.RESPONSE.value


class SeedTooSlowError(Exception):
    """The seed would take longer than its budget; raised early, with the projection."""

    def __init__(self, n: int, done: int, elapsed: float, projected: float) -> None:
        self.n, self.done, self.elapsed, self.projected = n, done, elapsed, projected
        super().__init__(
            f"seeding {n:,} cases: {done:,} done in {elapsed:.0f} s, "
            f"projected {projected:.0f} s ({projected / 60:.1f} min)"
        )


@dataclass
class SeedStats:
    """What the seed wrote and how long it took."""

    cases: int = 0
    alarms: int = 0
    due_cases: int = 0
    due_alarms: int = 0
    seconds: float = 0.0
    method: str = ""

    def as_dict(self) -> dict[str, Any]:
        rows = self.cases + self.alarms
        return {
            "cases": self.cases,
            "alarms": self.alarms,
            "due_cases": self.due_cases,
            "due_alarms": self.due_alarms,
            "seed_seconds": round(self.seconds, 2),
            "seed_rows_per_s": round(rows / self.seconds) if self.seconds else 0,
            "seed_method": self.method,
        }


def is_due(i: int) -> bool:
    """Whether case ``i`` (1-based) is one of the due ones."""
    return i % DUE_EVERY == 0


def tracking_code(i: int) -> str:
    """A well-formed, unique ``ADN-XXXXX-XXXXX`` code for case ``i``."""
    chars = []
    for _ in range(10):
        i, r = divmod(i, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    body = "".join(reversed(chars))
    return f"ADN-{body[:5]}-{body[5:]}"


def deadline(i: int, now: datetime) -> tuple[datetime, datetime]:
    """Receipt instant and response deadline of case ``i``; past deadline for due cases."""
    spread = (i * 7919) % DAY
    if is_due(i):  # missed within the last two days: all four alarms are due
        due_at = now - timedelta(seconds=60 + (i * 7919) % (2 * DAY))
        return due_at - timedelta(days=20), due_at
    received_at = now - timedelta(hours=1, seconds=(i * 31) % (10 * DAY))
    return received_at, now + timedelta(days=8, seconds=spread + DAY * (i % 20))


def template_row(now: datetime) -> dict[str, Any]:
    """One valid ``cases`` row: a complaint from the public web form, recorded, unassigned."""
    received_at = now - timedelta(days=1)
    case = Case(
        tracking_code=tracking_code(0),
        kind=Kind.COMPLAINT,
        status=Status.RECORDED,
        channel=Channel.WEB_DPMPTSP,
        complainant=Complainant(name="Pelapor Bench", email="pelapor@contoh.id"),
        subject="Keterlambatan penerbitan izin",
        description="Izin belum terbit melewati jangka waktu penyelesaian standar pelayanan.",
        service_received_on=wib_date(now) - timedelta(days=40),
        complained_at=received_at,
        received_at=received_at,
        intake_days=3,
        created_at=received_at,
        updated_at=received_at,
        response_started_at=received_at,
        response_due_at=now + timedelta(days=13),
    )
    return case_to_row(case)


def case_row(template: dict[str, Any], i: int, now: datetime) -> dict[str, Any]:
    """Row of case ``i``: the template with its own id, code, receipt and deadline."""
    received_at, due_at = deadline(i, now)
    row = dict(template)
    row.update(
        id=i,
        tracking_code=tracking_code(i),
        complained_at=received_at,
        received_at=received_at,
        created_at=received_at,
        updated_at=received_at,
        response_started_at=received_at,
        response_due_at=due_at,
    )
    return row


def alarm_rows(i: int, now: datetime) -> list[dict[str, Any]]:
    """The four response alarms of case ``i`` (ids ``4i-3 .. 4i``)."""
    _, due_at = deadline(i, now)
    first = (i - 1) * ALARMS_PER_CASE + 1
    return [
        {
            "id": first + k,
            "case_id": i,
            "kind": RESPONSE,
            "point": point.value,
            "due_at": due_at,
            "fire_at": due_at + offset,
            "fired_at": None,
            "fired_by": None,
        }
        for k, (point, offset) in enumerate(POINTS)
    ]


def chunks(n: int, size: int) -> Iterator[range]:
    """1-based case numbers ``1..n`` in ranges of ``size``."""
    for start in range(1, n + 1, size):
        yield range(start, min(start + size, n + 1))


Progress = Callable[[int, int, float, float], None]  # (done, n, elapsed, projected)


@dataclass(frozen=True, slots=True)
class SeedPlan:
    """How to seed: ``n`` cases relative to ``now``, in chunks, within a time budget."""

    n: int
    now: datetime
    chunk: int = 10_000
    budget: float = 0.0  # seconds; 0: no limit
    method: str = "auto"  # "auto" (COPY on PostgreSQL), "core" or "copy"
    progress_every: int = 100_000


def seed(engine: Engine, plan: SeedPlan, progress: Progress) -> SeedStats:
    """Write the cases and alarms of ``plan``; raise SeedTooSlowError past the budget."""
    pg = engine.dialect.name == "postgresql"
    method = plan.method if plan.method != "auto" else ("copy" if pg else "core")
    if method == "copy" and not pg:
        raise ValueError("COPY needs PostgreSQL")
    write: _CoreWriter | _CopyWriter = (
        _CopyWriter(engine, plan) if method == "copy" else _CoreWriter(engine, plan)
    )
    stats = SeedStats(method=method)
    started = time.perf_counter()
    next_report = plan.progress_every
    with write as chunk_writer:
        for numbers in chunks(plan.n, plan.chunk):
            chunk_writer(numbers)
            stats.cases += len(numbers)
            elapsed = time.perf_counter() - started
            projected = elapsed / stats.cases * plan.n
            if stats.cases >= next_report or stats.cases == plan.n:
                progress(stats.cases, plan.n, elapsed, projected)
                next_report += plan.progress_every
            _check_budget(plan, stats.cases, elapsed, projected)
    if pg:
        _fix_sequences(engine)
    stats.seconds = time.perf_counter() - started
    stats.alarms = stats.cases * ALARMS_PER_CASE
    stats.due_cases = plan.n // DUE_EVERY
    stats.due_alarms = stats.due_cases * ALARMS_PER_CASE
    return stats


def _check_budget(plan: SeedPlan, done: int, elapsed: float, projected: float) -> None:
    if not plan.budget or done >= plan.n:
        return
    if elapsed > plan.budget or (done >= plan.n // 10 and projected > plan.budget):
        raise SeedTooSlowError(plan.n, done, elapsed, projected)


class _CoreWriter:
    """SQLAlchemy Core executemany, one transaction per chunk (BEGIN IMMEDIATE on SQLite)."""

    def __init__(self, engine: Engine, plan: SeedPlan) -> None:
        self.engine, self.plan = engine, plan
        self.template = template_row(plan.now)

    def __enter__(self) -> Callable[[range], None]:
        self.conn = self.engine.connect()
        if self.engine.dialect.name == "sqlite":  # this connection only; disposed after seeding
            self.conn.exec_driver_sql("PRAGMA cache_size=-262144")
            self.conn.commit()
        return self.write

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def write(self, numbers: range) -> None:
        now = self.plan.now
        with self.conn.begin():
            self.conn.execute(insert(cases), [case_row(self.template, i, now) for i in numbers])
            rows = [a for i in numbers for a in alarm_rows(i, now)]
            for start in range(0, len(rows), self.plan.chunk):
                self.conn.execute(insert(alarms), rows[start : start + self.plan.chunk])


class _CopyWriter:
    """``COPY ... FROM STDIN`` (text format) on the engine's psycopg connection."""

    def __init__(self, engine: Engine, plan: SeedPlan) -> None:
        self.engine, self.plan = engine, plan
        template = template_row(plan.now)
        self.case_columns = ["id", *template]
        json_columns = {c.name for c in cases.columns if isinstance(c.type, JSON)}
        self.template = {
            k: (json.dumps(v) if k in json_columns and v is not None else v)
            for k, v in template.items()
        }
        self.alarm_columns = [c.name for c in alarms.columns]

    def __enter__(self) -> Callable[[range], None]:
        self.raw = self.engine.raw_connection()
        self.pg: Any = self.raw.driver_connection
        return self.write

    def __exit__(self, *exc: object) -> None:
        self.raw.close()

    def write(self, numbers: range) -> None:
        now = self.plan.now
        case_sql = f"COPY cases ({', '.join(_quote(c) for c in self.case_columns)}) FROM STDIN"
        alarm_sql = f"COPY alarms ({', '.join(self.alarm_columns)}) FROM STDIN"
        with self.pg.cursor() as cur:
            with cur.copy(case_sql) as copy:
                for i in numbers:
                    row = case_row(self.template, i, now)
                    copy.write_row([row[c] for c in self.case_columns])
            with cur.copy(alarm_sql) as copy:
                for i in numbers:
                    for a in alarm_rows(i, now):
                        copy.write_row([a[c] for c in self.alarm_columns])
        self.pg.commit()


def _quote(column: str) -> str:
    return f'"{column}"'


def _fix_sequences(engine: Engine) -> None:
    # Ids were given explicitly: move the sequences past them for whatever inserts next.
    with engine.begin() as conn:
        for table in ("cases", "alarms"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def analyze(engine: Engine) -> float:
    """Run ANALYZE (both engines); return the seconds it took."""
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started
