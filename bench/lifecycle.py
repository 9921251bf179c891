"""Lifecycle throughput and memory benchmark for the Aduan service layer.

Runs N complaints through the whole internal track with the real service layer
(``submit_complaint`` then eight ``perform_action`` calls per case) on SQLite (a file database
in a temporary directory, configured by ``aduan.adapters.sql.engine.make_engine``: WAL,
synchronous=FULL, BEGIN IMMEDIATE) and/or PostgreSQL (a fresh database created and dropped by the
bench), and compares it with a raw-SQL baseline on the same database: one row UPDATE plus one
event INSERT per commit. The two alternate (``--rounds`` slices of the service run, each followed
by as many baseline commits as it had transitions), so a busy machine or disk slows both alike.

It prints numbers; it asserts nothing. Usage::

    .venv/bin/python bench/lifecycle.py --n 2000 --db both
    .venv/bin/python bench/lifecycle.py --db none --memory --memory-n 10000,100000
    .venv/bin/python bench/lifecycle.py --db none --memory --memory-timeout 1500
    .venv/bin/python bench/lifecycle.py --n 2000 --db sqlite --profile /tmp/aduan.prof

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
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from aduan.adapters.sql.uow import SqlUnitOfWorkFactory  # noqa: E402
from aduan.bootstrap import build, configure_logging, upgrade_database  # noqa: E402
from aduan.config import Settings  # noqa: E402
from aduan.schemas.commands import ActionCommand, ComplainantInput, SubmitCommand  # noqa: E402
from aduan.service import Deps, list_services, perform_action, submit_complaint  # noqa: E402
from aduan.workflow.intake import wib_date  # noqa: E402
from aduan.workflow.states import Action, Channel  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_SQLITE_TPS = 2_000
TARGET_SQLITE_RATIO = 0.35
TARGET_MEMORY_RATIO = 1.10


def log_note(level: str) -> str:
    """What the run did with logging, printed with the numbers."""
    base = (
        "structlog configured with aduan.bootstrap.configure_logging"
        f"(Settings(log_level={level!r}))"
    )
    if level in ("debug", "info"):
        return base + ": info events (case_transitioned, ...) ARE rendered to stderr"
    return (
        base
        + ": info events (complaint_submitted, case_transitioned)"
        + " are dropped by the filtering logger"
    )


# --- the workload -------------------------------------------------------------------------

Payload = Callable[[int, str], dict[str, Any]]

# (action, user, payload(case_number, service_code)); budi is the officer at tier 0 of the
# office chain, sari the supervisor one tier up who holds the case after the escalation.
TRACK: list[tuple[Action, str, Payload]] = [
    (Action.CLASSIFY, "budi", lambda i, svc: {"service_code": svc, "problem_types": ["procedure"]}),
    (
        Action.REVIEW,
        "budi",
        lambda i, svc: {
            "core_problem": f"Berkas permohonan {i} tidak diproses sesuai jangka waktu",
            "plan": [{"kind": "clarification", "party": "Petugas front office"}],
        },
    ),
    (Action.ROUTE_INTERNAL, "budi", lambda i, svc: {}),
    (
        Action.ESCALATE,
        "budi",
        lambda i, svc: {"report": f"Kasus {i} memerlukan keputusan Kepala Seksi Pengaduan."},
    ),
    (
        Action.RECORD_RESULT,
        "sari",
        lambda i, svc: {
            "outcome": "substantiated",
            "summary": f"Permohonan {i} terlambat diproses; berkas sudah diterbitkan.",
            "corrective_actions": ["Pengingat jatuh tempo di sistem antrean"],
        },
    ),
    (
        Action.INFORM_COMPLAINANT,
        "sari",
        lambda i, svc: {"channel": "email", "text": f"Izin {i} sudah terbit. Mohon maaf."},
    ),
    (
        Action.REPORT_TO_SUPERIOR,
        "sari",
        lambda i, svc: {"text": f"Pengaduan {i} selesai ditindaklanjuti."},
    ),
    (Action.CLOSE, "agus", lambda i, svc: {}),  # the superior of the tier that decided
]
TRANSITIONS_PER_CASE = len(TRACK)


def submit_command(i: int, service_code: str) -> SubmitCommand:
    """A valid, identified, on-time complaint; contact and licence unique per case."""
    return SubmitCommand(
        channel=Channel.WEB_DPMPTSP,
        complainant=ComplainantInput(
            name=f"Pelapor {i}", email=f"pelapor{i}@contoh.id", phone=f"0812{i:08d}"
        ),
        subject=f"Keterlambatan izin {i}",
        description="Izin belum terbit melewati jangka waktu penyelesaian standar pelayanan.",
        service_code=service_code,
        licence_number=f"LIC-{i:08d}",
        service_received_on=wib_date(datetime.now(UTC)) - timedelta(days=3),
    )


@dataclass
class ServiceStats:
    """Timings of one service-layer run."""

    cases: int = 0
    submit_seconds: float = 0.0
    transition_seconds: float = 0.0
    transition_cpu_seconds: float = 0.0  # process CPU time inside perform_action
    wall_seconds: float = 0.0
    per_action: dict[str, float] = field(default_factory=dict)
    first_decile_ms: float = 0.0  # mean transition latency over the first 10% of cases
    last_decile_ms: float = 0.0  # ... and over the last 10%

    @property
    def transitions(self) -> int:
        return self.cases * TRANSITIONS_PER_CASE

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "submits": self.cases,
            "transitions": self.transitions,
            "submit_seconds": round(self.submit_seconds, 4),
            "transition_seconds": round(self.transition_seconds, 4),
            "wall_seconds": round(self.wall_seconds, 4),
            "submits_per_s": _rate(self.cases, self.submit_seconds),
            "transitions_per_s": _rate(self.transitions, self.transition_seconds),
            "transition_cpu_ms": round(self.transition_cpu_seconds / self.transitions * 1000, 4)
            if self.transitions
            else 0.0,
            "end_to_end_ops_per_s": _rate(self.cases + self.transitions, self.wall_seconds),
            "per_action_ms": {
                a: round(s / self.cases * 1000, 4) for a, s in self.per_action.items()
            }
            if self.cases
            else {},
            "first_decile_transition_ms": round(self.first_decile_ms, 4),
            "last_decile_transition_ms": round(self.last_decile_ms, 4),
        }


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def run_case(deps: Deps, i: int, service_code: str, stats: ServiceStats | None) -> float:
    """Submit case ``i`` and take it through the track; return the time spent in transitions."""
    t0 = time.perf_counter()
    detail = submit_complaint(deps, submit_command(i, service_code))
    t1 = time.perf_counter()
    ref = str(detail.id)
    spent = 0.0
    cpu0 = time.process_time()
    for action, user, payload in TRACK:
        a0 = time.perf_counter()
        perform_action(
            deps, ActionCommand(case_ref=ref, action=action, payload=payload(i, service_code)), user
        )
        dt = time.perf_counter() - a0
        spent += dt
        if stats is not None:
            stats.per_action[action.value] = stats.per_action.get(action.value, 0.0) + dt
    if stats is not None:
        stats.submit_seconds += t1 - t0
        stats.transition_seconds += spent
        stats.transition_cpu_seconds += time.process_time() - cpu0
        stats.cases += 1
    return spent


def run_service(
    deps: Deps,
    n: int,
    *,
    offset: int = 0,
    progress_every: int = 0,
    on_progress: Callable[[int, float], None] | None = None,
    rounds: int = 1,
    between: Callable[[int], None] | None = None,
) -> ServiceStats:
    """N cases through the whole internal track; timings only of these N (no warm-up).

    With ``between``, the run is cut into ``rounds`` slices and ``between(cases_in_slice)``
    runs after each one, untimed (the interleaved baseline).
    """
    codes = [s.code for s in list_services(deps)]
    stats = ServiceStats()
    decile = max(1, n // 10)
    slice_size = max(1, n // max(1, rounds))
    first = last = paused = 0.0
    start = time.perf_counter()
    for k in range(n):
        i = offset + k
        spent = run_case(deps, i, codes[i % len(codes)], stats)
        if k < decile:
            first += spent
        if k >= n - decile:
            last += spent
        if progress_every and on_progress and (k + 1) % progress_every == 0:
            on_progress(k + 1, time.perf_counter() - start)
        if between is not None and ((k + 1) % slice_size == 0 or k + 1 == n):
            p0 = time.perf_counter()
            between((k % slice_size) + 1)
            paused += time.perf_counter() - p0
    stats.wall_seconds = time.perf_counter() - start - paused
    stats.first_decile_ms = first / (decile * TRANSITIONS_PER_CASE) * 1000
    stats.last_decile_ms = last / (decile * TRANSITIONS_PER_CASE) * 1000
    return stats


def statements_per_step(deps: Deps, cases: int = 5) -> float:
    """Statements sent per transition, counted (untimed) over ``cases`` more cases.

    Counted by the engine's ``before_cursor_execute`` event, which the hot path's prepared
    statements announce too; an ``executemany`` counts once per parameter set. BEGIN and
    COMMIT are not counted.
    """
    from sqlalchemy import event

    codes = [s.code for s in list_services(deps)]
    counted = [0]

    def listen(*args: Any) -> None:
        params, many = args[3], args[5]
        counted[0] += len(params) if many else 1

    engine = _engine(deps)
    steps = 0
    for k in range(cases):
        i = 20_000_000 + k
        detail = submit_complaint(deps, submit_command(i, codes[i % len(codes)]))
        event.listen(engine, "before_cursor_execute", listen)
        try:
            for action, user, payload in TRACK:
                command = ActionCommand(
                    case_ref=str(detail.id), action=action, payload=payload(i, codes[0])
                )
                perform_action(deps, command, user)
                steps += 1
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    return round(counted[0] / steps, 2)


def statistics_check(deps: Deps) -> bool:
    """Nothing lost: the year's statistics from the rollup equal a direct scan of the cases.

    Compared before and after a fold of the audit trail (the rollup plus the events past its
    watermark, then the rollup alone).
    """
    from aduan.reports import period
    from aduan.service.reports import compute_statistics, fold_rollup

    year = period.year(datetime.now(UTC).year)

    def same() -> bool:
        fast = compute_statistics(deps, year, "dewi").model_dump(exclude={"generated_at"})
        slow = compute_statistics(deps, year, "dewi", rollup=False)
        return bool(fast == slow.model_dump(exclude={"generated_at"}))

    before = same()
    fold_rollup(deps)
    return before and same()


def warm_up(deps: Deps, count: int) -> None:
    """Build the state machine and fill SQLAlchemy's statement cache before timing."""
    codes = [s.code for s in list_services(deps)]
    for i in range(count):
        run_case(deps, 10_000_000 + i, codes[i % len(codes)], None)


# --- raw-SQL baselines --------------------------------------------------------------------

EVENT_COLUMNS = "case_id, at, actor, role, action, from_status, to_status, note, data"


def _case_ids(deps: Deps) -> list[int]:
    engine = _engine(deps)
    with engine.connect() as conn:
        return [int(r[0]) for r in conn.exec_driver_sql("SELECT id FROM cases ORDER BY id")]


def sqlite_baseline(deps: Deps, commits: int) -> float:
    """UPDATE one cases row + INSERT one case_events row per commit; return the seconds.

    Uses the engine's own DBAPI connection (``engine.raw_connection()``), so the connect hook
    has set WAL, synchronous=FULL, foreign keys and autocommit mode; each commit opens with
    BEGIN IMMEDIATE like the service's write transactions.
    """
    ids = _case_ids(deps)
    raw = _engine(deps).raw_connection()
    try:
        cur = raw.cursor()
        update = (
            "UPDATE cases SET status = ?, version = version + 1, assignee = ?, updated_at = ?"
            " WHERE id = ?"
        )
        insert = f"INSERT INTO case_events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        start = time.perf_counter()
        for k in range(commits):
            case_id = ids[k % len(ids)]
            now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
            data = json.dumps({"bench": k})
            cur.execute("BEGIN IMMEDIATE")
            cur.execute(update, ("closed", "sari", now, case_id))
            cur.execute(
                insert, (case_id, now, "sari", "supervisor", "bench", "closed", "closed", "", data)
            )
            cur.execute("COMMIT")
        elapsed = time.perf_counter() - start
        cur.close()
    finally:
        raw.close()
    return elapsed


def pg_baseline(deps: Deps, conninfo: str, commits: int) -> float:
    """The same UPDATE + INSERT per commit with plain psycopg (one connection); seconds."""
    import psycopg
    from psycopg.types.json import Jsonb

    ids = _case_ids(deps)
    update = (
        "UPDATE cases SET status = %s, version = version + 1, assignee = %s, updated_at = %s"
        " WHERE id = %s"
    )
    insert = (
        f"INSERT INTO case_events ({EVENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with psycopg.connect(conninfo) as conn:
        cur = conn.cursor()
        start = time.perf_counter()
        for k in range(commits):
            case_id = ids[k % len(ids)]
            now = datetime.now(UTC)
            cur.execute(update, ("closed", "sari", now, case_id))
            cur.execute(
                insert,
                (
                    case_id,
                    now,
                    "sari",
                    "supervisor",
                    "bench",
                    "closed",
                    "closed",
                    "",
                    Jsonb({"bench": k}),
                ),
            )
            conn.commit()
        elapsed = time.perf_counter() - start
    return elapsed


# --- databases ----------------------------------------------------------------------------


def _engine(deps: Deps) -> Any:
    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    return factory.engine


@contextlib.contextmanager
def sqlite_deps(tmp_root: str | None) -> Iterator[tuple[Deps, str]]:
    """A migrated, seeded SQLite file database in a fresh temporary directory."""
    tmp = tempfile.mkdtemp(prefix="aduan-bench-", dir=tmp_root)
    url = f"sqlite:///{tmp}/bench.db"
    deps = build(Settings(database_url=url, log_level="warning"))
    try:
        upgrade_database(deps)
        yield deps, url
    finally:
        _engine(deps).dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def postgres_deps(admin_url: str) -> Iterator[tuple[Deps, str]]:
    """A fresh database on the server of ``admin_url``; dropped afterwards."""
    import psycopg

    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"aduan_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin_conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    deps = build(Settings(database_url=url, log_level="warning"))
    try:
        upgrade_database(deps)
        yield deps, url  # a libpq URL: usable by psycopg.connect as it is
    finally:
        _engine(deps).dispose()
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_settings(conninfo: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        names = ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        return {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}  # type: ignore[index]


# --- one engine ---------------------------------------------------------------------------


def interleaved(
    deps: Deps, args: argparse.Namespace, baseline_seconds: Callable[[int], float]
) -> tuple[ServiceStats, float]:
    """The service run and the baseline in alternating slices; return the baseline's commits/s.

    Each slice of ``n / rounds`` cases is followed by the baseline with as many commits as the
    slice had transitions, so both see the same machine (other load, disk) and a database of
    the same size; with ``--rounds 1`` the baseline runs once, after the whole service run.
    """
    spent = [0.0, 0]

    def baseline(cases: int) -> None:
        commits = cases * TRANSITIONS_PER_CASE
        spent[0] += baseline_seconds(commits)
        spent[1] += commits

    stats = run_service(deps, args.n, rounds=args.rounds, between=baseline)
    return stats, spent[1] / spent[0]


def bench_engine(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Service run and the baseline with as many commits as the service had transitions."""
    commits = args.n * TRANSITIONS_PER_CASE
    if kind == "sqlite":
        with sqlite_deps(args.tmpdir) as (deps, url):
            warm_up(deps, args.warmup)
            stats, baseline = interleaved(deps, args, lambda c: sqlite_baseline(deps, c))
            steps = statements_per_step(deps)
            checked = statistics_check(deps)
            extra = {
                "url": "sqlite:///<tmp>/bench.db",
                "pragmas": "WAL, synchronous=FULL, BEGIN IMMEDIATE",
            }
    else:
        with postgres_deps(args.pg_url) as (deps, url):
            warm_up(deps, args.warmup)
            stats, baseline = interleaved(deps, args, lambda c: pg_baseline(deps, url, c))
            steps = statements_per_step(deps)
            checked = statistics_check(deps)
            extra = {
                "url": make_url(url).render_as_string(hide_password=True),
                "server": pg_settings(url),
            }
    result = stats.as_dict()
    result.update(extra)
    result["statements_per_step"] = steps
    result["statistics_equal_scan"] = checked
    result["rounds"] = args.rounds
    result["baseline_commits"] = commits
    result["baseline_commits_per_s"] = round(baseline, 1)
    result["service_vs_baseline_pct"] = round(100 * result["transitions_per_s"] / baseline, 1)
    if kind == "sqlite":
        result["target_transitions_per_s"] = TARGET_SQLITE_TPS
        result["target_vs_baseline_pct"] = TARGET_SQLITE_RATIO * 100
        result["meets_tps_target"] = result["transitions_per_s"] >= TARGET_SQLITE_TPS
        result["meets_ratio_target"] = (
            result["service_vs_baseline_pct"] >= TARGET_SQLITE_RATIO * 100
        )
    return result


def print_engine_table(
    results: dict[str, dict[str, Any]], n: int, warmup: int, log_level: str, rounds: int
) -> None:
    print(
        f"\nLifecycle throughput: {n} cases x {TRANSITIONS_PER_CASE} transitions"
        f" (+{warmup} untimed warm-up cases); baseline interleaved in {rounds} rounds"
    )
    print(f"Logging: {log_note(log_level)}")
    kinds = list(results)
    rows: list[tuple[str, list[str]]] = [
        ("submits/s (submit_complaint)", [f"{results[k]['submits_per_s']:,.0f}" for k in kinds]),
        (
            "transitions/s (perform_action)",
            [f"{results[k]['transitions_per_s']:,.0f}" for k in kinds],
        ),
        (
            "end-to-end ops/s (submits+transitions)",
            [f"{results[k]['end_to_end_ops_per_s']:,.0f}" for k in kinds],
        ),
        (
            "raw baseline commits/s (1 UPDATE+1 INSERT)",
            [f"{results[k]['baseline_commits_per_s']:,.0f}" for k in kinds],
        ),
        ("service / baseline", [f"{results[k]['service_vs_baseline_pct']:.1f}%" for k in kinds]),
        (
            "statistics = direct scan (rollup, fold)",
            [str(results[k]["statistics_equal_scan"]) for k in kinds],
        ),
        (
            "statements per transition",
            [f"{results[k]['statements_per_step']:.2f}" for k in kinds],
        ),
        (
            "transition CPU ms (process_time)",
            [f"{results[k]['transition_cpu_ms']:.3f}" for k in kinds],
        ),
        (
            "transition ms, first 10% of cases",
            [f"{results[k]['first_decile_transition_ms']:.3f}" for k in kinds],
        ),
        (
            "transition ms, last 10% of cases",
            [f"{results[k]['last_decile_transition_ms']:.3f}" for k in kinds],
        ),
    ]
    actions = [a.value for a, _, _ in TRACK]
    rows += [
        (f"  ms per {a}", [f"{results[k]['per_action_ms'].get(a, 0):.3f}" for k in kinds])
        for a in actions
    ]
    width = max(len(label) for label, _ in rows) + 2
    print("".ljust(width) + "".join(k.rjust(14) for k in kinds))
    for label, values in rows:
        print(label.ljust(width) + "".join(v.rjust(14) for v in values))
    if "sqlite" in results:
        r = results["sqlite"]
        tps_ok = "MET" if r["meets_tps_target"] else "NOT MET"
        ratio_ok = "MET" if r["meets_ratio_target"] else "NOT MET"
        print(
            f"SQLite targets: >= {TARGET_SQLITE_TPS:,} transitions/s -> "
            f"{r['transitions_per_s']:,.0f} ({tps_ok}); "
            f">= {TARGET_SQLITE_RATIO:.0%} of baseline -> "
            f"{r['service_vs_baseline_pct']:.1f}% ({ratio_ok})"
        )
    if "postgres" in results:
        print(f"PostgreSQL server: {results['postgres']['server']}")


# --- profile ------------------------------------------------------------------------------


def profile_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    """cProfile one SQLite service run (fresh database); print top cumulative entries."""
    with sqlite_deps(args.tmpdir) as (deps, _):
        warm_up(deps, args.warmup)
        profiler = cProfile.Profile()
        profiler.enable()
        stats = run_service(deps, args.n)
        profiler.disable()
    profiler.dump_stats(args.profile)
    out = io.StringIO()
    ps = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    ps.print_stats(
        r"aduan/|sqlalchemy/|structlog/|pydantic|transitions/|json|sqlite3", args.profile_top
    )
    print(
        f"\ncProfile of the SQLite service run (n={args.n}; profiled, so slower: "
        f"{stats.as_dict()['transitions_per_s']:,.0f} transitions/s); stats in {args.profile}"
    )
    print(out.getvalue())
    return {
        "file": args.profile,
        "profiled_transitions_per_s": stats.as_dict()["transitions_per_s"],
    }


# --- memory -------------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return -1


def memory_child(n: int, tmp_root: str | None, every: int) -> None:
    """Run n cases on SQLite in this process; print progress and a final JSON line."""
    with sqlite_deps(tmp_root) as (deps, _):
        warm_up(deps, 10)
        rss_after_warmup = _status_kb("VmRSS")

        def progress(done: int, elapsed: float) -> None:
            row = {
                "done": done,
                "elapsed": round(elapsed, 1),
                "vmrss_kib": _status_kb("VmRSS"),
                "vmhwm_kib": _status_kb("VmHWM"),
            }
            print("PROGRESS " + json.dumps(row), flush=True)

        stats = run_service(deps, n, progress_every=every, on_progress=progress)
    result = {
        "n": n,
        "completed": True,
        "vmhwm_kib": _status_kb("VmHWM"),
        "vmrss_end_kib": _status_kb("VmRSS"),
        "vmrss_after_warmup_kib": rss_after_warmup,
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "wall_seconds": round(stats.wall_seconds, 1),
        "transitions_per_s": stats.as_dict()["transitions_per_s"],
        "first_decile_transition_ms": round(stats.first_decile_ms, 4),
        "last_decile_transition_ms": round(stats.last_decile_ms, 4),
    }
    print("RESULT " + json.dumps(result), flush=True)


def _progress_line(n: int, row: dict[str, Any], previous: dict[str, Any] | None) -> str:
    done, elapsed = row["done"], row["elapsed"]
    prev_done, prev_elapsed = (previous["done"], previous["elapsed"]) if previous else (0, 0.0)
    interval = (done - prev_done) / (elapsed - prev_elapsed) if elapsed > prev_elapsed else 0.0
    eta = (n - done) / interval if interval else 0.0
    return (
        f"progress n={n:,}: {done:,}/{n:,} cases, {elapsed:,.0f}s elapsed, "
        f"{interval:,.1f} cases/s in the last interval "
        f"({interval * (TRANSITIONS_PER_CASE + 1):,.0f} ops/s incl. submits), "
        f"ETA {eta:,.0f}s at that rate, VmRSS {row['vmrss_kib'] / 1024:.1f} MiB, "
        f"VmHWM {row['vmhwm_kib'] / 1024:.1f} MiB"
    )


def _run_memory_child(cmd: list[str], n: int, timeout: float) -> dict[str, Any]:
    """One child; on timeout it is killed and the last progress stands in for the result."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    result: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill) if timeout > 0 else None
    if timer:
        timer.start()
    try:
        for line in proc.stdout:
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
            elif line.startswith("PROGRESS "):
                row = json.loads(line[len("PROGRESS ") :])
                print(f"[memory] {_progress_line(n, row, last)}", flush=True)
                last = row
            else:
                print(f"[memory] {line.rstrip()}", flush=True)
        rc = proc.wait()
    finally:
        if timer:
            timer.cancel()
    seconds = round(time.perf_counter() - start, 1)
    if timed_out.is_set():
        partial: dict[str, Any] = {"n": n, "completed": False, "child_seconds": seconds}
        if last:
            partial.update(
                cases_done=last["done"],
                vmhwm_kib=last["vmhwm_kib"],
                vmrss_kib=last["vmrss_kib"],
                projected_seconds_linear=round(last["elapsed"] * n / last["done"]),
            )
        print(f"[memory] n={n:,}: stopped after {timeout:,.0f}s (--memory-timeout)", flush=True)
        return partial
    if rc != 0 or result is None:
        raise SystemExit(f"memory child n={n} failed with exit code {rc}")
    result["child_seconds"] = seconds
    return result


def memory_pair(
    sizes: list[int], tmp_root: str | None, log_level: str, timeout: float, every: int
) -> dict[str, Any]:
    """Each size in its own subprocess, one after the other; peak RSS of each."""
    runs = []
    for n in sizes:
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--memory-child",
            str(n),
            "--log-level",
            log_level,
            "--progress-every",
            str(every),
        ]
        print(f"\n[memory] starting child: n={n:,} ({' '.join(cmd[1:])})", flush=True)
        # The parent owns the child's temp directory, so a child stopped by the timeout
        # leaves no database behind.
        with tempfile.TemporaryDirectory(prefix="aduan-bench-mem-", dir=tmp_root) as root:
            result = _run_memory_child([*cmd, "--tmpdir", root], n, timeout)
        result["rusage_children_maxrss_kib_so_far"] = resource.getrusage(
            resource.RUSAGE_CHILDREN
        ).ru_maxrss
        if result["completed"]:
            print(
                f"[memory] n={n:,}: peak RSS (VmHWM) {result['vmhwm_kib'] / 1024:.1f} MiB, "
                f"{result['transitions_per_s']:,.0f} transitions/s, "
                f"{result['child_seconds']:,.0f}s",
                flush=True,
            )
        runs.append(result)
    out: dict[str, Any] = {"runs": runs}
    measured = [r for r in runs if "vmhwm_kib" in r]
    if len(measured) >= 2:
        small, big = measured[0], measured[-1]
        ratio = big["vmhwm_kib"] / small["vmhwm_kib"]
        out["peak_rss_ratio"] = round(ratio, 3)
        out["peak_rss_ratio_partial"] = not (small["completed"] and big["completed"])
        out["target_ratio_max"] = TARGET_MEMORY_RATIO
        out["meets_target"] = ratio <= TARGET_MEMORY_RATIO
    return out


def print_memory_table(mem: dict[str, Any]) -> None:
    print("\nPeak memory (SQLite workload, one subprocess per N; VmHWM of the child)")
    print(
        f"{'N cases':>10} {'done':>9} {'peak RSS MiB':>13} {'transitions/s':>14} {'seconds':>9}"
        "  note"
    )
    for r in mem["runs"]:
        done = r["n"] if r["completed"] else r.get("cases_done", 0)
        peak = f"{r['vmhwm_kib'] / 1024:.1f}" if "vmhwm_kib" in r else "-"
        tps = f"{r['transitions_per_s']:,.0f}" if "transitions_per_s" in r else "-"
        note = (
            ""
            if r["completed"]
            else f"stopped; projected {r.get('projected_seconds_linear', 0):,}s (linear)"
        )
        print(f"{r['n']:>10,} {done:>9,} {peak:>13} {tps:>14} {r['child_seconds']:>9,.0f}  {note}")
    if "peak_rss_ratio" in mem:
        ok = "MET" if mem["meets_target"] else "NOT MET"
        partial = " (partial: a run was stopped early)" if mem["peak_rss_ratio_partial"] else ""
        print(
            f"peak RSS ratio largest/smallest N: {mem['peak_rss_ratio']:.3f} "
            f"(target <= {TARGET_MEMORY_RATIO:.2f}: {ok}){partial}"
        )


# --- command line -------------------------------------------------------------------------


def code_version() -> str:
    """The commit under test, marked dirty when aduan/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "aduan", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--n", type=int, default=2000, help="cases per engine (default 2000)")
    p.add_argument("--db", choices=["sqlite", "postgres", "both", "none"], default="sqlite")
    p.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="server to create the bench database on"
    )
    p.add_argument("--warmup", type=int, default=10, help="untimed warm-up cases per engine")
    p.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="slices of the service run, each followed by its share of the baseline (default 10)",
    )
    p.add_argument("--tmpdir", default=None, help="where the SQLite temp directory goes")
    p.add_argument("--memory", action="store_true", help="also run the peak-memory pair")
    p.add_argument("--memory-n", default="10000,100000", help="comma-separated N for --memory")
    p.add_argument(
        "--memory-timeout",
        type=float,
        default=0,
        help="stop a memory child after this many seconds and report its progress (0: never)",
    )
    p.add_argument("--profile", default=None, metavar="FILE", help="also cProfile a SQLite run")
    p.add_argument("--profile-top", type=int, default=45)
    p.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="structlog level during the run (default warning: info logs dropped)",
    )
    p.add_argument(
        "--progress-every", type=int, default=10_000, help="memory-mode progress (cases)"
    )
    p.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    configure_logging(Settings(log_level=args.log_level))
    if args.memory_child is not None:
        memory_child(args.memory_child, args.tmpdir, args.progress_every)
        return
    summary: dict[str, Any] = {
        "n": args.n,
        "warmup": args.warmup,
        "transitions_per_case": TRANSITIONS_PER_CASE,
        "logging": f"structlog level={args.log_level}"
        + (
            " (info rendered to stderr)"
            if args.log_level in ("debug", "info")
            else " (info dropped)"
        ),
        "python": sys.version.split()[0],
        "code": code_version(),
        "cpus": os.cpu_count(),
    }
    print(f"[setup] code {summary['code']}; {log_note(args.log_level)}", flush=True)
    kinds = {
        "sqlite": ["sqlite"],
        "postgres": ["postgres"],
        "both": ["sqlite", "postgres"],
        "none": [],
    }[args.db]
    results: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        print(f"[run] {kind}: {args.n:,} cases ...", flush=True)
        results[kind] = bench_engine(kind, args)
    if results:
        print_engine_table(results, args.n, args.warmup, args.log_level, args.rounds)
    summary.update(results)
    if args.profile:
        summary["profile"] = profile_sqlite(args)
    if args.memory:
        sizes = [int(s) for s in args.memory_n.split(",") if s.strip()]
        summary["memory"] = memory_pair(
            sizes, args.tmpdir, args.log_level, args.memory_timeout, args.progress_every
        )
        print_memory_table(summary["memory"])
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
