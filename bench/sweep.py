"""Deadline sweep benchmark for Aduan: the working-day calendar, then the sweep itself.

Section ``calendar``: deadline computations per second. Builds the working-day calendar once
(printing the build time and the time to rebuild it with overrides), then times
``WorkingCalendar.response_due_at`` over varied receipt instants in 2024–2030 against a naive
baseline in the same process: a loop stepping day by day over the same non-working days.

Section ``sweep``: for each size N (open cases) and database (a SQLite file in a temporary
directory from ``aduan.adapters.sql.engine.make_engine``: WAL, synchronous=FULL; and/or a fresh
PostgreSQL database created and dropped by the bench), migrate with ``aduan.bootstrap``, seed N
cases with four alarms each (1 % of the cases due, all their alarms in the past; see
``bench/_seed.py``), ANALYZE, then measure

(a) the due-rows query alone: ``SqlAlarmRepository(conn).claim_due(now, 200)`` and ``count(*)``
    with the same WHERE, each on a fresh connection and on a warm one, rolled back, timed
    round-robin over the sizes (all sizes of a database are seeded first, so load on the host
    falls on every size alike), and the ratio large/small size (target: within 1.5x; cost
    grows with what is due, not with what is open);
(b) the full ``aduan.service.timekeeping.sweep(deps, now, batch_size=200)``: alarms rung per second,
    this process's CPU and SQL statements per alarm; then the claim again, with nothing due;
(c) the plans: EXPLAIN QUERY PLAN (SQLite) / EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL) of the
    exact SQL and parameters ``claim_due`` sent (captured from the driver), on PostgreSQL also
    its generic plan (what a pooled connection may keep once psycopg prepares the statement),
    and the plan of the count.

A seed projected past ``--seed-budget`` seconds is stopped and the size replaced by
``--fallback-size`` (printed and recorded).

It prints numbers; it asserts nothing. Usage::

    .venv/bin/python bench/sweep.py                      # calendar + sweep, 100,000 cases, SQLite
    .venv/bin/python bench/sweep.py --calendar-only
    .venv/bin/python bench/sweep.py --calendar-only --n 2000000 --naive-n 200000
    .venv/bin/python bench/sweep.py --sweep --db both --sizes 100000,1000000

The last line of the output is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, Engine, event, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from aduan.adapters.sql.alarms import SqlAlarmRepository  # noqa: E402
from aduan.adapters.sql.tables import alarms  # noqa: E402
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory  # noqa: E402
from aduan.bootstrap import build, configure_logging, upgrade_database  # noqa: E402
from aduan.config import Settings  # noqa: E402
from aduan.escalation.calendar import END_OF_DAY, Override, WorkingCalendar  # noqa: E402
from aduan.service import Deps  # noqa: E402
from aduan.service.timekeeping import sweep  # noqa: E402
from aduan.workflow.intake import WIB  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _seed  # noqa: E402

TARGET_DEADLINES_PER_SECOND = 200_000
RESPONSE_WORKING_DAYS = 14  # seed §6 item 4
SPAN_START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_END = datetime(2031, 1, 1, tzinfo=UTC)
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SWEEP_NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # a Tuesday, 10:00 WIB
CLAIM_LIMIT = 200
TARGET_CLAIM_RATIO = 1.5

# --- section: calendar --------------------------------------------------------------------


def receipt_instants(n: int, seed: int) -> list[datetime]:
    """``n`` aware instants spread over 2024–2030, at any second of the day (WIB midnights too)."""
    rng = random.Random(seed)
    span = int((SPAN_END - SPAN_START).total_seconds())
    return [SPAN_START + timedelta(seconds=rng.randrange(span)) for _ in range(n)]


def naive_due_at(received_at: datetime, n: int, non_working: frozenset[date]) -> datetime:
    """The baseline: step one day at a time, skipping weekends and listed days."""
    day = received_at.astimezone(WIB).date()
    left = n
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in non_working:
            left -= 1
    return datetime.combine(day, END_OF_DAY, WIB).astimezone(UTC)


def rate(fn: Callable[[datetime, int], datetime], instants: list[datetime]) -> float:
    """Calls per second of ``fn`` over ``instants``."""
    n = RESPONSE_WORKING_DAYS
    started = time.perf_counter()
    for received_at in instants:
        fn(received_at, n)
    return len(instants) / (time.perf_counter() - started)


def bench_calendar(args: argparse.Namespace) -> dict[str, Any]:
    """Deadline computations per second: the precomputed index against a day-by-day loop."""
    started = time.perf_counter()
    calendar = WorkingCalendar.for_indonesia()
    build_ms = (time.perf_counter() - started) * 1000
    regional = [Override(date(2026, 8, 12), "holiday", "Hari Jadi Kabupaten", "bench")]
    started = time.perf_counter()
    calendar.with_overrides(regional)
    rebuild_ms = (time.perf_counter() - started) * 1000
    print(
        f"calendar {calendar.first}..{calendar.last}: built in {build_ms:.1f} ms "
        f"(holidays package + index), rebuilt with overrides in {rebuild_ms:.1f} ms"
    )

    non_working = frozenset(
        d.on
        for year in range(calendar.first.year, calendar.last.year + 1)
        for d in calendar.non_working_days(year)
    )
    instants = receipt_instants(args.n, args.seed)
    naive_instants = instants[: args.naive_n]
    mismatches = sum(
        calendar.response_due_at(t, RESPONSE_WORKING_DAYS)
        != naive_due_at(t, RESPONSE_WORKING_DAYS, non_working)
        for t in naive_instants[:10_000]
    )
    indexed = rate(calendar.response_due_at, instants)
    naive = rate(lambda t, n: naive_due_at(t, n, non_working), naive_instants)
    verdict = "meets" if indexed >= TARGET_DEADLINES_PER_SECOND else "MISSES"
    print(f"response_due_at (index):   {indexed:12,.0f} /s over {len(instants):,} receipts")
    print(f"naive day-by-day baseline: {naive:12,.0f} /s over {len(naive_instants):,} receipts")
    print(
        f"ratio index/naive: {indexed / naive:.1f}x; "
        f"target >= {TARGET_DEADLINES_PER_SECOND:,}/s: {verdict}"
    )
    print(f"agreement on {min(len(naive_instants), 10_000):,} receipts: {mismatches} mismatches")
    return {
        "calendar_build_ms": round(build_ms, 2),
        "calendar_rebuild_ms": round(rebuild_ms, 2),
        "deadlines_per_second": round(indexed),
        "naive_deadlines_per_second": round(naive),
        "ratio": round(indexed / naive, 2),
        "target_deadlines_per_second": TARGET_DEADLINES_PER_SECOND,
        "mismatches": mismatches,
    }


# --- section: sweep -----------------------------------------------------------------------


def _engine(deps: Deps) -> Engine:
    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    return factory.engine


@contextlib.contextmanager
def sqlite_database(tmp_root: str | None) -> Iterator[tuple[Deps, str]]:
    """A migrated SQLite file database (``make_engine``: WAL, FULL) in a fresh temp directory."""
    tmp = tempfile.mkdtemp(prefix="aduan-sweep-", dir=tmp_root)
    deps = build(Settings(database_url=f"sqlite:///{tmp}/sweep.db", log_level="warning"))
    try:
        upgrade_database(deps)
        yield deps, "sqlite:///<tmp>/sweep.db"
    finally:
        _engine(deps).dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[tuple[Deps, str]]:
    """A fresh, migrated database on the server of ``admin_url``; dropped afterwards."""
    import psycopg

    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"aduan_sweep_{os.getpid()}_{secrets.token_hex(3)}"
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name)
    deps = build(
        Settings(database_url=url.render_as_string(hide_password=False), log_level="warning")
    )
    try:
        upgrade_database(deps)
        yield deps, url.render_as_string(hide_password=True)
    finally:
        _engine(deps).dispose()
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_server(engine: Engine) -> dict[str, str]:
    """The server settings that matter to these numbers."""
    names = ("server_version", "shared_buffers", "work_mem", "random_page_cost", "autovacuum")
    with engine.connect() as conn:
        return {n: str(conn.exec_driver_sql(f"SHOW {n}").scalar()) for n in names}


def db_size_mb(engine: Engine) -> float:
    """Size of the database on disk (SQLite: file plus WAL)."""
    if engine.dialect.name == "sqlite":
        path = str(engine.url.database)
        files = [path, path + "-wal"]
        return sum(os.path.getsize(f) for f in files if os.path.exists(f)) / 2**20
    with engine.connect() as conn:
        size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    return int(size or 0) / 2**20


def _fresh(engine: Engine) -> Connection:
    """A new DBAPI connection (not one from the pool), in a transaction like the sweep's."""
    engine.dispose()
    conn = engine.connect()
    conn.begin()  # BEGIN IMMEDIATE on SQLite, as the sweep's unit of work
    return conn


def due_count_stmt(now: datetime) -> Any:
    """``count(*)`` of the due alarms: the WHERE of ``SqlAlarmRepository.claim_due``."""
    return (
        select(func.count())
        .select_from(alarms)
        .where(alarms.c.fired_at.is_(None), alarms.c.fire_at <= now)
    )


def _timings(samples: list[float], rows: int) -> dict[str, Any]:
    return {
        "first_ms": round(samples[0] * 1000, 3),
        "median_ms": round(statistics.median(samples[1:] or samples) * 1000, 3),
        "min_ms": round(min(samples) * 1000, 3),
        "rows": rows,
        "samples": len(samples),
    }


Query = Callable[[Connection], int]
Run = tuple[Deps, dict[str, Any]]  # a seeded database and its numbers


def _sample(engine: Engine, warm: Connection | None, query: Query) -> tuple[float, int]:
    conn = _fresh(engine) if warm is None else warm
    if warm is not None:
        conn.begin()  # BEGIN IMMEDIATE on SQLite, as the sweep's unit of work
    try:
        started = time.perf_counter()
        rows = query(conn)
        return time.perf_counter() - started, rows
    finally:
        conn.rollback()
        if warm is None:
            conn.close()


def interleaved(
    engines: list[Engine], repeats: int, fresh: bool, query: Query
) -> list[dict[str, Any]]:
    """Time ``query`` alone on each engine, round-robin so load on the host hits all alike.

    Each run is its own transaction, rolled back. ``fresh``: a new DBAPI connection per run
    (it pays for loading the schema or the catalog caches); otherwise one connection per
    engine, warmed by an untimed run first.
    """
    warm = [None if fresh else e.connect() for e in engines]
    samples: list[list[float]] = [[] for _ in engines]
    rows = [0] * len(engines)
    try:
        for conn in warm:
            if conn is not None:
                query(conn)
                conn.rollback()
        for _ in range(repeats):
            for k, engine in enumerate(engines):
                seconds, rows[k] = _sample(engine, warm[k], query)
                samples[k].append(seconds)
    finally:
        for conn in warm:
            if conn is not None:
                conn.close()
    return [_timings(s, r) for s, r in zip(samples, rows, strict=True)]


def claim_query(now: datetime) -> Query:
    """``claim_due(now, 200)`` on a connection; how many alarms it returned."""
    return lambda conn: len(SqlAlarmRepository(conn).claim_due(now, CLAIM_LIMIT))


def count_query(now: datetime) -> Query:
    """``count(*)`` of every due alarm, with the claim's WHERE."""
    return lambda conn: int(conn.execute(due_count_stmt(now)).scalar_one())


def measure_queries(runs: list[Run], args: argparse.Namespace, after: bool = False) -> None:
    """(a): the claim and the count, fresh and warm, interleaved over the sizes."""
    engines = [_engine(deps) for deps, _ in runs]
    measures = {"claim": claim_query(SWEEP_NOW), "count": count_query(SWEEP_NOW)}
    if after:  # once the sweep has rung everything: the claim finds nothing
        measures = {"claim_after_sweep": claim_query(SWEEP_NOW)}
    for name, query in measures.items():
        for fresh, suffix in ((True, ""), (False, "_warm")):
            found = interleaved(engines, args.repeats, fresh, query)
            for (_, result), timing in zip(runs, found, strict=True):
                result[name + suffix] = timing


def captured(engine: Engine, run: Callable[[Connection], object]) -> tuple[str, Any]:
    """The SQL and parameters the driver received for the query on ``alarms`` that ``run`` ran."""
    seen: list[tuple[str, Any]] = []

    def listen(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with engine.connect() as conn:
            run(conn)
            conn.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return next((s, p) for s, p in seen if "FROM alarms" in s)


def explain(engine: Engine, statement: str, params: Any) -> list[str]:
    """The plan of ``statement``: EXPLAIN QUERY PLAN or EXPLAIN (ANALYZE, BUFFERS); rolled back."""
    pg = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).all()
        conn.rollback()
    if pg:
        return [str(r[0]) for r in rows]
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


def explain_generic(engine: Engine, statement: str, params: dict[str, Any]) -> list[str]:
    """PostgreSQL: the generic plan of ``statement``, the one a pooled connection may settle on.

    psycopg prepares a statement on its fifth execution on a connection; PostgreSQL may then
    keep one generic plan for it. PREPARE, ``plan_cache_mode = force_generic_plan``, EXPLAIN
    (ANALYZE, BUFFERS) EXECUTE with the captured parameters; rolled back.
    """
    import psycopg

    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    numbered = re.sub(r"%\((\w+)\)s", number, statement)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE bench_generic AS {numbered}")
        args = ", ".join(f"%({n})s" for n in names)
        # EXECUTE inside EXPLAIN takes no bind parameters: psycopg renders them as literals.
        cursor = psycopg.ClientCursor(conn.connection.driver_connection)
        query = cursor.mogrify(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic({args})", params)
        rows = conn.exec_driver_sql(query).all()
        conn.exec_driver_sql("DEALLOCATE bench_generic")
        conn.rollback()
    return [str(r[0]) for r in rows]


def plans(engine: Engine, now: datetime) -> dict[str, Any]:
    """The claim's own SQL and parameters, and the plans of the claim and of the count."""
    claim_sql, claim_params = captured(
        engine, lambda c: SqlAlarmRepository(c).claim_due(now, CLAIM_LIMIT)
    )
    count_sql, count_params = captured(engine, lambda c: c.execute(due_count_stmt(now)).all())
    found = {
        "claim_sql": " ".join(claim_sql.split()),
        "claim_params": repr(claim_params),
        "claim_plan": explain(engine, claim_sql, claim_params),
        "count_sql": " ".join(count_sql.split()),
        "count_plan": explain(engine, count_sql, count_params),
    }
    if engine.dialect.name == "postgresql":
        found["claim_generic_plan"] = explain_generic(engine, claim_sql, claim_params)
    return found


def table_counts(engine: Engine, now: datetime) -> dict[str, int]:
    """Rows left due, and what the sweep wrote."""
    with engine.connect() as conn:
        return {
            "due_left": int(conn.execute(due_count_stmt(now)).scalar_one()),
            "outbox_rows": int(conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar_one()),
            "case_events_rows": int(
                conn.exec_driver_sql("SELECT count(*) FROM case_events").scalar_one()
            ),
        }


def run_sweep(deps: Deps, now: datetime, profile: str | None, top: int) -> dict[str, Any]:
    """``timekeeping.sweep`` over every due alarm: alarms per second, CPU and SQL per alarm."""
    with deps.uow(readonly=True) as uow:  # the scheduler's process keeps its calendar warm
        deps.calendars.get(uow)
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    engine = _engine(deps)
    event.listen(engine, "before_cursor_execute", count)
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    try:
        report = sweep(deps, now, batch_size=CLAIM_LIMIT)
    finally:
        if profiler:
            profiler.disable()
        event.remove(engine, "before_cursor_execute", count)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler and profile:
        print_profile(profiler, profile, top)
    handled = max(report.handled, 1)
    return {
        "sweep_seconds": round(seconds, 3),
        "sweep_alarms": report.handled,
        "sweep_alarms_per_s": round(report.handled / seconds, 1) if seconds else 0.0,
        "sweep_cpu_ms_per_alarm": round(cpu / handled * 1000, 3),
        "sweep_statements_per_alarm": round(statements[0] / handled, 2),
        "sweep_batches": report.batches,
        "sweep_counts": dict(sorted(report.counts.items())),
        "loadavg_1m_after_sweep": round(os.getloadavg()[0], 2),
    }


def print_profile(profiler: cProfile.Profile, path: str, top: int) -> None:
    """Save the profile and print its top entries by cumulative time."""
    profiler.dump_stats(path)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


def seed_progress(kind: str) -> _seed.Progress:
    """Prints seeding progress with the projected total."""

    def show(done: int, n: int, elapsed: float, projected: float) -> None:
        print(
            f"  [seed {kind} {n:,}] {done:,} cases ({100 * done / n:.0f} %) in {elapsed:.0f} s;"
            f" projected {projected:.0f} s",
            flush=True,
        )

    return show


def open_seeded(stack: contextlib.ExitStack[Any], kind: str, n: int, args: Any) -> Run:
    """A fresh database with ``n`` cases seeded and analysed, kept open on ``stack``."""
    with contextlib.ExitStack() as own:
        opener = (
            sqlite_database(args.tmpdir) if kind == "sqlite" else postgres_database(args.pg_url)
        )
        deps, label = own.enter_context(opener)
        engine = _engine(deps)
        plan = _seed.SeedPlan(
            n,
            SWEEP_NOW,
            chunk=args.seed_chunk,
            budget=args.seed_budget if n > args.fallback_size else 0.0,
            method=args.pg_seed if kind == "postgres" else "core",
            progress_every=max(n // 10, args.seed_chunk),
        )
        result: dict[str, Any] = {
            "loadavg_1m_before_seed": round(os.getloadavg()[0], 2),
            "db": kind,
            "url": label,
            "requested_cases": n,
            **_seed.seed(engine, plan, seed_progress(kind)).as_dict(),
        }
        result["analyze_seconds"] = round(_seed.analyze(engine), 3)
        result["db_size_mb"] = round(db_size_mb(engine), 1)
        if kind == "postgres":
            result["server"] = pg_server(engine)
        engine.dispose()  # the seeding connection (large cache_size on SQLite) goes
        stack.enter_context(own.pop_all())
    return deps, result


def seeded_or_fallback(stack: contextlib.ExitStack[Any], kind: str, n: int, args: Any) -> Run:
    """``open_seeded``; a seed over budget is replaced by the fallback size."""
    print(f"[seed] {kind}: {n:,} open cases ...", flush=True)
    try:
        return open_seeded(stack, kind, n, args)
    except _seed.SeedTooSlowError as slow:
        print(
            f"[fallback] {kind}: {slow}; over the {args.seed_budget:.0f} s budget, "
            f"measuring {args.fallback_size:,} cases instead",
            flush=True,
        )
        deps, result = open_seeded(stack, kind, args.fallback_size, args)
        result["requested_cases"] = n
        result["seed_aborted"] = {
            "requested_cases": n,
            "seeded_before_abort": slow.done,
            "elapsed_seconds": round(slow.elapsed, 1),
            "projected_seconds": round(slow.projected, 1),
        }
        return deps, result


def sweep_db(kind: str, sizes: list[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every size on one database: seed all, time the queries interleaved, plan, sweep."""
    with contextlib.ExitStack() as stack:
        runs = [seeded_or_fallback(stack, kind, n, args) for n in sizes]
        print(f"[measure] {kind}: claim and count, {args.repeats} rounds ...", flush=True)
        measure_queries(runs, args)
        for deps, result in runs:
            result["explain"] = plans(_engine(deps), SWEEP_NOW)
            print_plans(kind, result["cases"], result["explain"])
        for deps, result in runs:
            print(f"[sweep] {kind}: {result['cases']:,} cases ...", flush=True)
            profile = None if args.profiled else args.profile_sweep
            args.profiled = args.profiled or bool(profile)
            result.update(run_sweep(deps, SWEEP_NOW, profile, args.profile_top))
            result.update(table_counts(_engine(deps), SWEEP_NOW))
        measure_queries(runs, args, after=True)
    return [result for _, result in runs]


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def ratios(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Large size against small size: the claim should not grow with what is open."""
    small, large = runs[0], runs[-1]
    out: dict[str, Any] = {
        "small_cases": small["cases"],
        "large_cases": large["cases"],
        "open_ratio": _ratio(large["cases"], small["cases"]),
        "due_ratio": _ratio(large["count"]["rows"], small["count"]["rows"]),
        "target_claim_ratio": TARGET_CLAIM_RATIO,
    }
    for key in ("claim", "claim_warm", "count", "count_warm"):
        out[f"{key}_median_ratio"] = _ratio(large[key]["median_ms"], small[key]["median_ms"])
        out[f"{key}_min_ratio"] = _ratio(large[key]["min_ms"], small[key]["min_ms"])
        per_due = [r[key]["median_ms"] / max(r["count"]["rows"], 1) for r in (large, small)]
        out[f"{key}_per_due_row_ratio"] = _ratio(*per_due)
    out["claim_first_ratio"] = _ratio(large["claim"]["first_ms"], small["claim"]["first_ms"])
    out["sweep_rate_ratio"] = _ratio(large["sweep_alarms_per_s"], small["sweep_alarms_per_s"])
    out["meets_claim_target"] = out["claim_median_ratio"] <= TARGET_CLAIM_RATIO
    out["meets_claim_target_warm"] = out["claim_warm_median_ratio"] <= TARGET_CLAIM_RATIO
    return out


def print_ratios(found: dict[str, dict[str, Any]]) -> None:
    """The large/small ratios and the verdict on the 1.5x target."""
    for kind, r in found.items():
        fresh = "meets" if r["meets_claim_target"] else "MISSES"
        warm = "meets" if r["meets_claim_target_warm"] else "MISSES"
        print(
            f"{kind}: {r['large_cases']:,} vs {r['small_cases']:,} open cases "
            f"({r['open_ratio']:.1f}x open, {r['due_ratio']:.1f}x due). "
            f"claim200 median: fresh connection {r['claim_median_ratio']:.2f}x ({fresh}), "
            f"warm {r['claim_warm_median_ratio']:.2f}x ({warm}; min-to-min "
            f"{r['claim_warm_min_ratio']:.2f}x) [target <= "
            f"{TARGET_CLAIM_RATIO}x]; count(due) warm {r['count_warm_median_ratio']:.2f}x "
            f"= {r['count_warm_per_due_row_ratio']:.2f}x per due row; "
            f"sweep rate {r['sweep_rate_ratio']:.2f}x"
        )


def print_plans(kind: str, n: int, found: dict[str, Any]) -> None:
    """The claim's SQL and both plans, as measured."""
    what = "EXPLAIN (ANALYZE, BUFFERS)" if kind == "postgres" else "EXPLAIN QUERY PLAN"
    print(f"  claim_due SQL ({kind}): {found['claim_sql']}")
    print(f"  parameters: {found['claim_params']}")
    print(f"  {what} of claim_due(now, {CLAIM_LIMIT}) on {kind}, {n:,} cases:")
    for line in found["claim_plan"]:
        print(f"    {line}")
    if "claim_generic_plan" in found:
        print(f"  generic plan of claim_due (force_generic_plan, EXECUTE) on {kind}, {n:,} cases:")
        for line in found["claim_generic_plan"]:
            print(f"    {line}")
    print(f"  {what} of the due count on {kind}: {found['count_sql']}")
    for line in found["count_plan"]:
        print(f"    {line}")


def print_sweep_table(results: dict[str, list[dict[str, Any]]]) -> None:
    """One line per database and size."""
    print(
        "sweep: ms medians; claim = claim_due(now, 200) on a fresh connection / warm connection;"
        " count = count(*) of due alarms, warm; cpu ms/a, sql/a = this process's CPU and SQL"
        " statements per alarm rung; after = claim (warm) once all is rung"
    )
    print(
        f"{'db':8} {'cases':>9} {'alarms':>9} {'due':>6} {'seed s':>7} {'seed r/s':>9} "
        f"{'claim fresh':>11} {'claim warm':>10} {'count warm':>10} {'sweep s':>8} "
        f"{'alarms/s':>9} {'cpu ms/a':>8} {'sql/a':>5} {'after':>7}"
    )
    for kind, runs in results.items():
        for r in runs:
            print(
                f"{kind:8} {r['cases']:>9,} {r['alarms']:>9,} {r['count']['rows']:>6,} "
                f"{r['seed_seconds']:>7.1f} {r['seed_rows_per_s']:>9,} "
                f"{r['claim']['median_ms']:>11.3f} {r['claim_warm']['median_ms']:>10.3f} "
                f"{r['count_warm']['median_ms']:>10.3f} {r['sweep_seconds']:>8.2f} "
                f"{r['sweep_alarms_per_s']:>9,.1f} {r['sweep_cpu_ms_per_alarm']:>8.3f} "
                f"{r['sweep_statements_per_alarm']:>5.2f} "
                f"{r['claim_after_sweep_warm']['median_ms']:>7.3f}"
            )


def bench_sweep(args: argparse.Namespace) -> dict[str, Any]:
    """Seed, claim, plan and sweep, per database and size."""
    configure_logging(Settings(log_level=args.log_level))
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.profiled = False
    results = {kind: sweep_db(kind, sizes, args) for kind in kinds[args.db]}
    print_sweep_table(results)
    summary: dict[str, Any] = {
        "now": SWEEP_NOW.isoformat(),
        "batch_size": CLAIM_LIMIT,
        "alarms_per_case": _seed.ALARMS_PER_CASE,
        "due_share": 1 / _seed.DUE_EVERY,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": results.get("sqlite", []),
        "postgres": results.get("postgres", []),
    }
    if len(sizes) > 1:
        summary["ratios"] = {kind: ratios(runs) for kind, runs in results.items()}
        print_ratios(summary["ratios"])
    return summary


# --- driver -------------------------------------------------------------------------------

# Sections run in this order; later sections of the sweep benchmark are added here.
SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "calendar": bench_calendar,
    "sweep": bench_sweep,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--calendar-only", action="store_true", help="run only the calendar section")
    p.add_argument(
        "--sweep", "--sweep-only", action="store_true", help="run only the sweep section"
    )
    p.add_argument("--n", type=int, default=1_000_000, help="response_due_at calls to time")
    p.add_argument("--naive-n", type=int, default=100_000, help="baseline calls to time")
    p.add_argument("--seed", type=int, default=20260811)
    p.add_argument("--sizes", default="100000", help="open cases per sweep run, comma-separated")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server for the bench database")
    p.add_argument("--tmpdir", default=None, help="where the SQLite temp directory goes")
    p.add_argument("--repeats", type=int, default=15, help="timed claims/counts per run")
    p.add_argument("--seed-chunk", type=int, default=10_000, help="cases per insert chunk")
    p.add_argument("--pg-seed", choices=["copy", "core"], default="copy")
    p.add_argument(
        "--seed-budget", type=float, default=600.0, help="seconds before a large seed falls back"
    )
    p.add_argument("--fallback-size", type=int, default=300_000)
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning"])
    p.add_argument("--profile-sweep", default=None, metavar="FILE", help="cProfile first sweep")
    p.add_argument("--profile-top", type=int, default=30)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    names = ["calendar"] if args.calendar_only else ["sweep"] if args.sweep else list(SECTIONS)
    summary: dict[str, Any] = {}
    for name in names:
        print(f"== {name} ==", flush=True)
        summary[name] = SECTIONS[name](args)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
