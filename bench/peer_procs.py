"""bench/peer.py's three systems in several processes at once (issue 15: "4 processes").

Each system in turn (the order rotating per round, as in the single-client table) runs in
``procs`` processes started with ``spawn``: each opens its own engine on the bench's database,
warms up, waits at a barrier, then runs its own range of cases (distinct per process, so no two
processes write one case or workflow row) and reports its step latencies and its CPU time.
Throughput is all steps of all processes divided by the wall time from the barrier to the last
process's end. Server CPU (PostgreSQL on this host) is read from /proc around each system's
round, as in the single-client table. Asserts nothing; prints one table per engine.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from typing import Any

from peer import (
    Raw,
    ServerCpu,
    Spiff,
    Tally,
    rows,
    run_aduan,
    run_floor,
    run_spiff,
)

from aduan.bootstrap import build, configure_logging
from aduan.config import Settings
from aduan.service import list_services

SYSTEMS = ("aduan", "spiffworkflow", "floor")


@dataclass
class Concurrent(Tally):
    """One system's steps across its processes and rounds: a rate over the wall time."""

    wall: float = 0.0  # seconds from each round's barrier to its last process's end, summed

    def steps_per_s(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


def _worker(
    url: str, system: str, cases: range, ids: list[int], start: Any, finish: Any, out: Any
) -> None:  # pragma: no cover - runs in a child process
    """Run ``cases`` of ``system`` after the barrier; put (latencies, cpu seconds) on ``out``.

    The process keeps its connection until ``finish``, so the parent reads its backend's CPU.
    """
    configure_logging(Settings(log_level="warning"))
    deps = build(Settings(database_url=url, log_level="warning"))
    codes = [s.code for s in list_services(deps)]
    raw = Raw(deps)
    warm = range(10**7 + cases.start, 10**7 + cases.start + 2)
    if system == "aduan":
        run_aduan(deps, warm, codes, Tally())
    elif system == "spiffworkflow":
        spiff = Spiff(raw)
        run_spiff(spiff, warm, codes, Tally())
    tally = Tally()
    start.wait()
    cpu = time.process_time()
    if system == "aduan":
        run_aduan(deps, cases, codes, tally)
    elif system == "spiffworkflow":
        run_spiff(spiff, cases, codes, tally)
    else:
        run_floor(raw, cases, ids, tally)
    out.put((tally.latencies, time.process_time() - cpu))
    finish.wait()
    raw.close()


def bench_procs(url: str, raw: Raw, ids: list[int], n: int, rounds: int, procs: int) -> None:
    """Interleaved rounds of the three systems, each in ``procs`` processes; print the table."""
    ctx = mp.get_context("spawn")
    results = {name: Concurrent() for name in SYSTEMS}
    server_cpu = ServerCpu(raw)
    per_proc = max(1, n // rounds // procs)
    base = 5 * 10**6  # case numbers apart from the single-client table's
    for r in range(rounds):
        order = SYSTEMS[r % 3 :] + SYSTEMS[: r % 3]
        for name in order:
            start, finish, out = ctx.Barrier(procs + 1), ctx.Barrier(procs + 1), ctx.Queue()
            workers = []
            for p in range(procs):
                first = base + (r * procs + p) * per_proc
                mine = ids[(p * len(ids)) // procs : ((p + 1) * len(ids)) // procs] or ids
                args = (url, name, range(first, first + per_proc), mine, start, finish, out)
                workers.append(ctx.Process(target=_worker, args=args))
            for w in workers:
                w.start()
            start.wait()  # every process is warm and waiting
            server = server_cpu()
            began = time.perf_counter()
            got = [out.get() for _ in workers]
            result = results[name]
            result.wall += time.perf_counter() - began
            used = ServerCpu.used(server, server_cpu())
            if used is not None:
                result.server_cpu = (result.server_cpu or 0.0) + used
            for latencies, cpu in got:
                result.latencies.extend(latencies)
                result.cpu += cpu
            finish.wait()
            for w in workers:
                w.join()
    print(f"  {procs} processes at once ({per_proc} cases each per round, {rounds} rounds):")
    rows(results, statements=False)
    print(f"  (load {os.getloadavg()[0]:.1f})")
