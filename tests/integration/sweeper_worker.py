"""One deadline sweeper in its own process, driven by tests/integration/test_sweepers.py.

    python tests/integration/sweeper_worker.py DB_URL NOW_ISO WORKER [options]

Wires the service layer the way an instance does (``aduan.bootstrap.build``), warms up (the
calendar, a connection), prints ``ready`` and, with ``--wait-for-go``, waits for a line on
stdin so that several sweepers start at the same moment. Then it runs one
``timekeeping.sweep(deps, now, batch_size, worker)`` and prints its counts as one JSON line.

``--pause-after-claim SECONDS`` makes it a sweeper to kill: in its first batch that claims any
alarm, after ``--rings N`` of them have rung (their outbox rows and case changes written but not
committed), it prints ``{"claimed": [ids], "rung": N}`` and sleeps inside the transaction,
holding the row locks of the whole batch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aduan.adapters.sql.alarms import SqlAlarmRepository
from aduan.bootstrap import build, configure_logging
from aduan.config import Settings
from aduan.ports import DueAlarm
from aduan.service import Deps, timekeeping


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db_url")
    parser.add_argument("now", type=datetime.fromisoformat)
    parser.add_argument("worker")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--wait-for-go", action="store_true")
    parser.add_argument("--pause-after-claim", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--rings", type=int, default=0, metavar="N")
    return parser.parse_args(argv)


def _pause_in_first_batch(seconds: float, rings: int) -> None:
    """Stall inside the first non-empty batch's transaction, after ``rings`` alarms rang."""
    claim_due, ring = SqlAlarmRepository.claim_due, timekeeping._ring
    batch: list[int] = []
    state = {"rung": 0, "paused": False}

    def pause() -> None:
        state["paused"] = True
        print(json.dumps({"claimed": batch, "rung": state["rung"]}), flush=True)
        time.sleep(seconds)

    def claiming(self: SqlAlarmRepository, now: datetime, limit: int) -> list[DueAlarm]:
        due = claim_due(self, now, limit)
        if due and not batch:
            batch.extend(a.id for a in due)
            if rings == 0:
                pause()
        return due

    def ringing(deps: Deps, uow: Any, alarm: DueAlarm, now: datetime) -> str:
        outcome = ring(deps, uow, alarm, now)
        if alarm.id in batch and not state["paused"]:
            state["rung"] += 1
            if state["rung"] >= rings:
                pause()
        return outcome

    SqlAlarmRepository.claim_due = claiming  # type: ignore[method-assign]
    timekeeping._ring = ringing


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    settings = Settings(database_url=args.db_url, log_level="warning")
    configure_logging(settings)  # to stderr: stdout carries this script's answers
    deps = build(settings)
    if args.pause_after_claim:
        _pause_in_first_batch(args.pause_after_claim, args.rings)
    timekeeping.calendar(deps)  # builds the working-day calendar and opens a connection
    print("ready", flush=True)
    if args.wait_for_go:
        sys.stdin.readline()
    started = time.perf_counter()
    report = timekeeping.sweep(deps, args.now, batch_size=args.batch_size, worker=args.worker)
    result = {
        "worker": args.worker,
        "now": report.now.isoformat(),
        "handled": report.handled,
        "batches": report.batches,
        "counts": dict(report.counts),
        "seconds": round(time.perf_counter() - started, 3),
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
