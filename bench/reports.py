"""Yearly statistics benchmark for Aduan: 1,000,000 cases on SQLite and PostgreSQL.

For each database (a SQLite file in a temporary directory, WAL and synchronous=FULL; a fresh
PostgreSQL database created and dropped by the bench, see ``bench/sweep.py``), migrate, seed N
cases received over one year (``--year``, default 2025) plus the APIP events of the cases that
went to the inspectorate (every insert goes through the rollup triggers of migration 0007),
compact the rollup as the hourly job does, ANALYZE, then time
``aduan.service.reports.compute_statistics`` for that year: the first (cold) run and the
median of ``--repeat`` warm runs with the machine's load average, the same statistics without
the rollup (``rollup=False``: every case aggregated in the database, with parallel workers;
checked equal), each query alone, and the peak Python memory of one run (tracemalloc) and of
the process (ru_maxrss).

Baseline, in the same process: the same counts computed the way this module avoids, by
streaming every case of the year into Python and counting there (``--baseline``, on by
default; ``--no-baseline`` skips it). The ratio baseline / database is printed.

The rows vary deterministically with the case number: kind (one in ten a suggestion, by three
reasons), status (closed, open, withdrawn, referred, APIP), service (4), channel (15), problem
types (1-2 of 8), track and tier, outcome, answer time (0-27 calendar days, so some late), and
open cases past their deadline. Seeding: ``COPY`` on PostgreSQL, Core ``executemany`` on SQLite.

It prints numbers; it asserts nothing. Usage::

    .venv/bin/python bench/reports.py                         # 1,000,000 cases, both databases
    .venv/bin/python bench/reports.py --db postgres --n 200000

The last line of the output is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics as pystats
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _seed  # noqa: E402
import sweep  # noqa: E402
from sqlalchemy import Connection, Engine, insert, select  # noqa: E402

from aduan.adapters.sql import rollup, stats  # noqa: E402
from aduan.adapters.sql.tables import case_events, cases  # noqa: E402
from aduan.adapters.sql.uow import SqlUnitOfWork  # noqa: E402
from aduan.bootstrap import configure_logging  # noqa: E402
from aduan.config import Settings  # noqa: E402
from aduan.ports import FixedClock, UnitOfWork  # noqa: E402
from aduan.reports.period import Period, year  # noqa: E402
from aduan.service import Deps  # noqa: E402
from aduan.service.reports import compact_rollup, compute_statistics  # noqa: E402
from aduan.workflow.states import Channel, ProblemType  # noqa: E402

TARGET_SECONDS_PG = 2.0
HEAD = "dewi"  # the sample Head of Office: the office-wide statistics (DESIGN §6)
SERVICES = ("15121", "71204", "78422", "01622")
CHANNELS = tuple(c.value for c in Channel)
PROBLEMS = tuple(p.value for p in ProblemType)
REASONS = ("late", "no_identity", "no_subject")
DAY = 86_400


def variant(i: int, first: datetime) -> dict[str, Any]:
    """The columns of case ``i`` that differ from the template (deterministic in ``i``)."""
    received_at = first + timedelta(seconds=(i * 7919) % (365 * DAY))
    # About 14 working days, at 23:59:59 WIB as the working-day calendar sets deadlines.
    due_day = (received_at + timedelta(days=20, hours=7)).date()
    due_at = datetime(due_day.year, due_day.month, due_day.day, 16, 59, 59, tzinfo=UTC)
    row: dict[str, Any] = {
        "received_at": received_at,
        "complained_at": received_at,
        "created_at": received_at,
        "updated_at": received_at,
        "service_code": SERVICES[i % 4],
        "channel": CHANNELS[(i // 4) % len(CHANNELS)],
        "problem_types": [PROBLEMS[i % 8]] + ([PROBLEMS[(i // 8) % 8]] if i % 3 == 0 else []),
        "kind": "complaint",
        "screening_reason": None,
        "status": "closed",
        "track": None,
        "tier": 0,
        "outcome": None,
        "answered_at": None,
        "closed_at": None,
        "response_started_at": received_at,
        "response_due_at": due_at,
    }
    if i % 10 == 0:  # a suggestion: no answer deadline
        row.update(
            kind="suggestion",
            status="suggestion",
            screening_reason=REASONS[(i // 10) % 3],
            response_started_at=None,
            response_due_at=None,
        )
        return row
    bucket = (i // 10) % 20
    track = ("internal", "agency")[i % 2]
    if bucket < 14:  # answered and closed, 0-27 days after receipt
        answered = received_at + timedelta(days=(i // 7) % 28, hours=2)
        row.update(
            status="closed",
            track=track,
            tier=(i // 3) % 4 if track == "internal" else (i // 3) % 3,
            outcome=("substantiated", "partly_substantiated", "not_substantiated")[i % 3],
            answered_at=answered,
            closed_at=answered + timedelta(days=1),
        )
    elif bucket < 17:  # still open, unanswered (past deadline for most of the year)
        row.update(status=("recorded", "classified", "internal_handling")[i % 3])
    elif bucket == 17:
        row.update(status="withdrawn", closed_at=received_at + timedelta(days=2))
    elif bucket == 18:
        row.update(status="referred", closed_at=received_at + timedelta(days=1))
    else:  # went to APIP
        row.update(status="apip_handling", track="apip", tier=(i // 3) % 4)
    return row


def apip_events(i: int, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The request and approval events of a case that went to APIP."""
    if row["track"] != "apip":
        return []
    at = row["received_at"] + timedelta(days=5)
    base = {"case_id": i, "actor": "bench", "role": "officer", "note": "", "data": {}}
    return [
        {**base, "at": at, "action": "request_apip", "from_status": "internal_handling",
         "to_status": "apip_pending"},
        {**base, "at": at + timedelta(days=1), "action": "approve_apip", "role": "head",
         "from_status": "apip_pending", "to_status": "apip_handling"},
    ]  # fmt: skip


def rows(numbers: range, template: dict[str, Any], first: datetime) -> Iterator[dict[str, Any]]:
    """Full case rows for ``numbers``."""
    for i in numbers:
        row = dict(template)
        row.update(id=i, tracking_code=_seed.tracking_code(i), **variant(i, first))
        yield row


def seed(engine: Engine, n: int, first: datetime, chunk: int = 20_000) -> dict[str, Any]:
    """Write ``n`` cases (and their APIP events); COPY on PostgreSQL."""
    template = _seed.template_row(first)
    started = time.perf_counter()
    events = 0
    pg = engine.dialect.name == "postgresql"
    raw = engine.raw_connection() if pg else None
    conn = None if pg else engine.connect()
    try:
        for numbers in _seed.chunks(n, chunk):
            batch = list(rows(numbers, template, first))
            extra = [e for r in batch for e in apip_events(r["id"], r)]
            events += len(extra)
            if raw is not None:
                _copy(raw.driver_connection, batch, extra)
            else:
                assert conn is not None
                with conn.begin():
                    conn.execute(insert(cases), batch)
                    if extra:
                        conn.execute(insert(case_events), extra)
    finally:
        if raw is not None:
            raw.close()
        if conn is not None:
            conn.close()
    if pg:
        _seed._fix_sequences(engine)
    seconds = time.perf_counter() - started
    return {"cases": n, "events": events, "seed_seconds": round(seconds, 1)}


def _copy(pg: Any, batch: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    case_columns = list(batch[0])
    event_columns = ["case_id", "at", "actor", "role", "action", "from_status", "to_status",
                     "note", "data"]  # fmt: skip
    json_columns = {"problem_types", "chain", "corrective_actions", "worksheet", "data"}

    def value(row: dict[str, Any], column: str) -> Any:
        v = row[column]
        return json.dumps(v) if column in json_columns and v is not None else v

    with pg.cursor() as cur:
        names = ", ".join(f'"{c}"' for c in case_columns)
        with cur.copy(f"COPY cases ({names}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row([value(row, c) for c in case_columns])
        if events:
            with cur.copy(f"COPY case_events ({', '.join(event_columns)}) FROM STDIN") as copy:
                for e in events:
                    copy.write_row([value(e, c) for c in event_columns])
    pg.commit()


def vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE, as autovacuum would (it is off on the bench's server).

    Compacting the rollup after a million-case seed deletes about two million rows at once;
    until vacuumed, every read of the rollup steps over them. A running installation compacts
    hourly, a few hundred rows at a time, and autovacuum keeps up.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        _seed.analyze(engine)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call took, and its result."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def sql_connection(uow: UnitOfWork) -> Connection:
    """The connection of a SQL unit of work: the benchmark times the queries themselves."""
    assert isinstance(uow, SqlUnitOfWork)
    return uow.cases.conn


def query_times(deps: Deps, period: Period, now: datetime) -> dict[str, float]:
    """Each query alone, warm: the direct scans (used for partial months) and the rollup read."""
    start, end = period.start_at, period.end_at
    out = {}
    with deps.uow(readonly=True) as uow:
        conn = sql_connection(uow)
        stats.tune_for_reports(conn)
        for name, fn in {
            "dimension_counts": lambda: stats.dimension_counts(conn, start, end, now),
            "answer_spans": lambda: stats.answer_spans(conn, start, end),
            "apip_actions": lambda: stats.apip_actions(conn, start, end),
            "rollup_period_counts": lambda: rollup.period_counts(conn, start, end, now),
        }.items():
            out[name] = round(timed(fn)[0], 3)
    return out


def baseline(deps: Deps, period: Period, now: datetime) -> tuple[float, int]:
    """Stream every case of the period into Python and count there (what we avoid)."""
    columns = [cases.c[n] for n in ("kind", "screening_reason", "service_code", "channel",
               "track", "outcome", "status", "tier", "problem_types", "answered_at",
               "response_due_at")]  # fmt: skip
    started = time.perf_counter()
    counters: dict[str, Counter[Any]] = {}
    seen = 0
    with deps.uow(readonly=True) as uow:
        conn = sql_connection(uow)
        result = conn.execution_options(yield_per=10_000).execute(
            select(*columns).where(stats.in_period(period.start_at, period.end_at))
        )
        for row in result:
            seen += 1
            for name, value in row._mapping.items():
                if name == "problem_types":
                    for p in value:
                        counters.setdefault(name, Counter())[p] += 1
                elif name not in ("answered_at", "response_due_at"):
                    counters.setdefault(name, Counter())[value] += 1
            due, answered = row.response_due_at, row.answered_at
            bucket = (
                "na"
                if due is None
                else ("answered" if answered else ("open" if due > now else "late"))
            )
            counters.setdefault("compliance", Counter())[bucket] += 1
    return time.perf_counter() - started, seen


def run_one(deps: Deps, where: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, analyze and time one database."""
    engine = sweep._engine(deps)
    first = datetime(args.year, 1, 1, tzinfo=UTC) - timedelta(hours=7)
    now = datetime(args.year + 1, 1, 15, 3, tzinfo=UTC)
    configure_logging(Settings(log_level="warning"))
    print(f"[{where}] seeding {args.n:,} cases …", flush=True)
    seeded = seed(engine, args.n, first)
    print(f"[{where}] seeded in {seeded['seed_seconds']} s; ANALYZE …", flush=True)
    bench_deps = Deps(uow=deps.uow, clock=FixedClock(now))
    # The seed's inserts went through the rollup triggers: sum them as the hourly job does.
    compact_s, compacted = timed(lambda: compact_rollup(bench_deps))
    print(f"[{where}] rollup compacted in {compact_s:.1f} s; VACUUM ANALYZE …", flush=True)
    vacuum(engine)
    period = year(args.year)
    cold, result = timed(lambda: compute_statistics(bench_deps, period, HEAD))
    load_before = os.getloadavg()
    warm = [
        timed(lambda: compute_statistics(bench_deps, period, HEAD))[0] for _ in range(args.repeat)
    ]
    load_after = os.getloadavg()
    tracemalloc.start()
    compute_statistics(bench_deps, period, HEAD)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The same statistics aggregated from every case (no rollup): must agree, and how long.
    direct = [
        timed(lambda: compute_statistics(bench_deps, period, HEAD, rollup=False))
        for _ in range(args.direct_repeat)
    ]
    same = all(
        d.model_dump(exclude={"generated_at"}) == result.model_dump(exclude={"generated_at"})
        for _, d in direct
    )
    out: dict[str, Any] = {
        "database": where,
        **seeded,
        "rollup_compaction_s": round(compact_s, 1),
        "rollup_rows_removed": compacted["rows_removed"],
        "cases_in_year": result.total,
        "stats_cold_s": round(cold, 3),
        "stats_warm_median_s": round(pystats.median(warm), 3),
        "stats_warm_runs_s": [round(w, 3) for w in warm],
        # 1-minute load average of the machine before and after the warm runs (shared cores)
        "load_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "direct_scan_median_s": round(pystats.median(t for t, _ in direct), 3),
        "direct_scan_runs_s": [round(t, 3) for t, _ in direct],
        "direct_scan_same_result": same,
        "queries_s": query_times(bench_deps, period, now),
        "python_peak_mib": round(peak / 2**20, 2),
        "process_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "compliance": result.compliance.model_dump(),
        "answer_days": result.answer_days.model_dump(),
    }
    if args.baseline:
        seconds, seen = baseline(bench_deps, period, now)
        out["baseline_python_loop_s"] = round(seconds, 3)
        out["baseline_rows"] = seen
        out["ratio_baseline_over_db"] = round(seconds / out["stats_warm_median_s"], 1)
    print(f"[{where}] " + json.dumps(out), flush=True)
    return out


def main() -> None:
    """Parse the arguments and run the benchmark on each database."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--direct-repeat", type=int, default=3, help="runs without the rollup")
    p.add_argument("--pg-url", default=sweep.DEFAULT_PG_URL)
    p.add_argument("--tmp", default=None, help="directory for the SQLite file")
    p.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    args = p.parse_args()
    results = []
    if args.db in ("postgres", "both"):
        with sweep.postgres_database(args.pg_url) as (deps, _where):
            results.append(
                run_one(deps, "postgresql", args) | {"server": sweep.pg_server(sweep._engine(deps))}
            )
    if args.db in ("sqlite", "both"):
        with sweep.sqlite_database(args.tmp) as (deps, _where):
            results.append(run_one(deps, "sqlite", args))
    for r in results:
        verdict = ""
        if r["database"] == "postgresql":
            verdict = (
                " (target < 2 s: "
                + ("met" if r["stats_warm_median_s"] < TARGET_SECONDS_PG else "NOT met")
                + ")"
            )
        print(f"{r['database']}: yearly statistics over {r['cases_in_year']:,} cases: cold "
              f"{r['stats_cold_s']} s, warm median {r['stats_warm_median_s']} s{verdict}; "
              f"Python peak {r['python_peak_mib']} MiB; load {r['load_1min']}; "
              f"without the rollup {r['direct_scan_median_s']} s "
              f"(same result: {r['direct_scan_same_result']}); "
              f"Python-loop baseline / rollup {r.get('ratio_baseline_over_db')}")  # fmt: skip
    print(json.dumps({"n": args.n, "year": args.year, "results": results}))


if __name__ == "__main__":
    main()
