"""Group commit on SQLite: concurrent writers with and without it, in one process, interleaved.

T threads each take cases through the whole internal track (``bench/lifecycle.py``'s case life:
submit and eight actions, 9 commits) on a SQLite file (WAL, synchronous=FULL). The same run with
group commit off (``ADUAN_SQLITE_GROUP_COMMIT=0``) is the baseline; rounds alternate between the
two databases so a busy machine or disk slows both alike. Printed per thread count: steps/s,
p50/p99 latency of a step, and disk commits per step; the ratio is grouped ÷ baseline.

With ``--db postgres`` the comparison is PostgreSQL's own group commit instead: the same run on
one scratch database, once with the server's defaults and once with ``commit_delay`` (µs, set
per session; ``commit_siblings`` other transactions must be active for the delay to apply).

It prints numbers; it asserts nothing. Usage::

    .venv/bin/python bench/group_commit.py --threads 1,2,4,8 --cases 40 --rounds 3
    .venv/bin/python bench/group_commit.py --db postgres --threads 1,4,8 --delays 100,1000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lifecycle import DEFAULT_PG_URL, TRACK, postgres_deps, submit_command

from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.bootstrap import build, configure_logging, upgrade_database
from aduan.config import Settings
from aduan.schemas.commands import ActionCommand
from aduan.service import Deps, list_services, perform_action, submit_complaint


@contextlib.contextmanager
def database(grouped: bool) -> Iterator[Deps]:
    """A migrated, seeded SQLite file with group commit on or off."""
    tmp = tempfile.mkdtemp(prefix="aduan-group-")
    settings = Settings(
        database_url=f"sqlite:///{tmp}/g.db", group_commit=grouped, log_level="warning"
    )
    configure_logging(settings)
    deps = build(settings)
    try:
        upgrade_database(deps)
        yield deps
    finally:
        factory = deps.uow
        assert isinstance(factory, SqlUnitOfWorkFactory)
        factory.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def delayed_twin(url: str, delay_us: int, siblings: int) -> Iterator[Deps]:
    """A second set of connections to the database at ``url`` whose commits wait ``delay_us``."""
    settings = Settings(database_url=url, log_level="warning")
    deps = build(settings)
    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)

    def on_connect(dbapi: Any, _record: Any) -> None:
        dbapi.execute(f"SET commit_delay = {int(delay_us)}")
        dbapi.execute(f"SET commit_siblings = {int(siblings)}")
        dbapi.commit()  # a SET in a transaction rolled back at checkin would be undone

    event.listen(factory.engine, "connect", on_connect)
    try:
        yield deps
    finally:
        factory.engine.dispose()


def one_case(deps: Deps, i: int, code: str, latencies: list[float]) -> None:
    """Case ``i`` through the track, each step's latency appended."""
    t0 = time.perf_counter()
    ref = str(submit_complaint(deps, submit_command(i, code)).id)
    latencies.append(time.perf_counter() - t0)
    for action, user, payload in TRACK:
        t0 = time.perf_counter()
        perform_action(
            deps, ActionCommand(case_ref=ref, action=action, payload=payload(i, code)), user
        )
        latencies.append(time.perf_counter() - t0)


def run(deps: Deps, threads: int, cases: int, offset: int) -> dict[str, float]:
    """``threads`` threads, ``cases`` cases each; steps/s, latency and commits per step."""
    codes = [s.code for s in list_services(deps)]
    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    commits: list[int] = []

    def count(_conn: Any) -> None:
        commits.append(1)

    event.listen(factory.engine, "commit", count)
    per_thread: list[list[float]] = [[] for _ in range(threads)]

    def work(t: int) -> None:
        for k in range(cases):
            i = offset + t * cases + k
            one_case(deps, i, codes[i % len(codes)], per_thread[t])

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - start
    event.remove(factory.engine, "commit", count)
    lat = sorted(x for xs in per_thread for x in xs)
    return {
        "steps": len(lat),
        "seconds": wall,
        "commits": len(commits),
        "lat": lat,  # type: ignore[dict-item]
    }


def summary(parts: list[dict[str, Any]]) -> dict[str, float]:
    lat = sorted(x for p in parts for x in p["lat"])
    steps = sum(p["steps"] for p in parts)
    return {
        "steps_per_s": steps / sum(p["seconds"] for p in parts),
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        "commits_per_step": sum(p["commits"] for p in parts) / steps,
    }


def compare(
    label: str, plain: Deps, grouped: Deps, args: argparse.Namespace, offset: int
) -> tuple[dict[str, Any], int]:
    """Interleaved rounds of both at each thread count; printed, and returned with the offset."""
    results: dict[str, Any] = {}
    for threads in [int(t) for t in args.threads.split(",")]:
        got: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for _ in range(args.rounds):
            for flag, deps in ((False, plain), (True, grouped)):
                got[flag].append(run(deps, threads, args.cases, offset))
                offset += threads * args.cases
        on, off = summary(got[True]), summary(got[False])
        results[str(threads)] = {"grouped": on, "baseline": off}
        print(
            f"{label} threads={threads:2d}"
            f"  steps/s {off['steps_per_s']:7.1f} -> {on['steps_per_s']:7.1f}"
            f" (x{on['steps_per_s'] / off['steps_per_s']:.2f})"
            f"  p50 ms {off['p50_ms']:6.2f} -> {on['p50_ms']:6.2f}"
            f"  p99 ms {off['p99_ms']:7.2f} -> {on['p99_ms']:7.2f}"
            f"  commits/step {off['commits_per_step']:.2f} -> {on['commits_per_step']:.2f}",
            flush=True,
        )
    return results, offset


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--threads", default="1,2,4,8")
    parser.add_argument("--cases", type=int, default=30, help="cases per thread per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--delays", default="100,1000", help="PostgreSQL commit_delay, µs")
    parser.add_argument("--siblings", type=int, default=5, help="PostgreSQL commit_siblings")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if args.db == "sqlite":
        with database(grouped=True) as grouped, database(grouped=False) as plain:
            results["sqlite"], _ = compare("sqlite group commit", plain, grouped, args, 0)
    else:
        configure_logging(Settings(log_level="warning"))
        with postgres_deps(args.pg_url) as (plain, url):
            offset = 0
            for delay in [int(d) for d in args.delays.split(",")]:
                with delayed_twin(url, delay, args.siblings) as delayed:
                    label = f"postgres commit_delay={delay}us siblings={args.siblings}"
                    results[label], offset = compare(label, plain, delayed, args, offset)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
