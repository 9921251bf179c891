"""The alarm clock: APScheduler 3 runs the deadline sweep every minute, in process.

The database owns the deadlines (DESIGN §4): this only decides *when* to look. Missed runs
while the process was down need no misfire handling; the next sweep handles everything that
came due meanwhile, oldest first. Several instances may run at once: the sweep's claims keep
every alarm to exactly one of them.
"""

from __future__ import annotations

import contextlib
import signal
from datetime import UTC, datetime

import structlog
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aduan import timekeeping
from aduan.service import Deps

log = structlog.get_logger()


def _tick(deps: Deps) -> None:
    try:
        report = timekeeping.sweep(deps)
    except Exception:
        log.exception("sweep_failed")
        return
    if report.handled:
        log.info("sweep_done", handled=report.handled, **report.counts)


def configure(scheduler: BaseScheduler, deps: Deps, interval_seconds: float = 60.0) -> None:
    """Add the sweep job: every ``interval_seconds``, first run at once, never two at a time."""
    scheduler.add_job(
        _tick,
        IntervalTrigger(seconds=interval_seconds),
        args=[deps],
        id="deadline_sweep",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        replace_existing=True,
    )


def run_forever(deps: Deps, interval_seconds: float = 60.0) -> None:
    """Block, sweeping every ``interval_seconds`` until interrupted."""
    scheduler = BlockingScheduler(timezone="UTC")
    configure(scheduler, deps, interval_seconds)
    # A service manager stops us with SIGTERM: finish the running sweep's transaction, then go.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler_started", interval_seconds=interval_seconds)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    log.info("scheduler_stopped")
