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
from aduan.notifications import inbox
from aduan.notifications.dispatcher import Dispatcher
from aduan.reports import jobs as reports_jobs
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


def _deliver(dispatcher: Dispatcher) -> None:
    try:
        report = dispatcher.dispatch()
    except Exception:
        log.exception("dispatch_failed")
        return
    if report.handled:
        log.info("dispatch_done", rounds=report.rounds, **report.counts)


def _purge(deps: Deps, retention_days: int) -> None:
    try:
        purged = inbox.purge(deps.uow, deps.clock, retention_days)
    except Exception:
        log.exception("outbox_purge_failed")
        return
    if purged:
        log.info("outbox_purged", rows=purged, retention_days=retention_days)


def configure(
    scheduler: BaseScheduler,
    deps: Deps,
    interval_seconds: float = 60.0,
    *,
    dispatcher: Dispatcher | None = None,
    dispatch_seconds: float = 10.0,
    retention_days: int = 90,
) -> None:
    """Add the sweep job: every ``interval_seconds``, first run at once, never two at a time.

    With a ``dispatcher``, also deliver the outbox every ``dispatch_seconds`` and purge delivered
    payloads older than ``retention_days`` once a day.
    """
    if dispatcher is not None:
        scheduler.add_job(
            _deliver,
            IntervalTrigger(seconds=dispatch_seconds),
            args=[dispatcher],
            id="outbox_dispatch",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            replace_existing=True,
        )
        scheduler.add_job(
            _purge,
            IntervalTrigger(days=1),
            args=[deps, retention_days],
            id="outbox_purge",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            replace_existing=True,
        )
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
    # Office-wide singletons: the quarterly SKM survey and the yearly evaluation (issue 6).
    reports_jobs.configure(scheduler, deps)


def run_forever(
    deps: Deps,
    interval_seconds: float = 60.0,
    *,
    dispatcher: Dispatcher | None = None,
    dispatch_seconds: float = 10.0,
    retention_days: int = 90,
) -> None:
    """Block, sweeping every ``interval_seconds`` (and delivering) until interrupted."""
    scheduler = BlockingScheduler(timezone="UTC")
    configure(
        scheduler,
        deps,
        interval_seconds,
        dispatcher=dispatcher,
        dispatch_seconds=dispatch_seconds,
        retention_days=retention_days,
    )
    # A service manager stops us with SIGTERM: finish the running sweep's transaction, then go.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler_started", interval_seconds=interval_seconds)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    log.info("scheduler_stopped")
