"""The alarm clock: APScheduler 3 runs the deadline sweep every minute, in process.

The database owns the deadlines (DESIGN §4): this only decides *when* to look. Missed runs
while the process was down need no misfire handling; the next sweep handles everything that
came due meanwhile, oldest first. Several instances may run at once: the sweep's claims keep
every alarm to exactly one of them.
"""

from __future__ import annotations

import contextlib
import signal

import structlog
from apscheduler.schedulers.base import BaseScheduler

from aduan.config import DEFAULT_RETENTION_YEARS
from aduan.jobs import reports as reports_jobs
from aduan.jobs.periodic import SteadyBlockingScheduler, every
from aduan.ports import MailboxError
from aduan.service import Deps, accounts, inbound, inbox, retention, timekeeping
from aduan.service.clockwatch import ClockWatch
from aduan.service.dispatch import Dispatcher

log = structlog.get_logger()


def _sweep(deps: Deps, watch: ClockWatch) -> dict[str, int] | None:
    report = timekeeping.sweep(deps, now=watch.trusted(deps.clock.now()))
    return {"handled": report.handled, **report.counts} if report.handled else None


def _deliver(dispatcher: Dispatcher) -> dict[str, int] | None:
    report = dispatcher.dispatch()
    return {"rounds": report.rounds, **report.counts} if report.handled else None


def _purge(deps: Deps, retention_days: int) -> dict[str, int] | None:
    purged = inbox.purge(deps.uow, deps.clock, retention_days)
    return {"rows": purged, "retention_days": retention_days} if purged else None


def _purge_sign_ins(deps: Deps, retention_days: int) -> dict[str, int] | None:
    purged = accounts.purge_sign_ins(deps, retention_days)
    return {**purged, "retention_days": retention_days} if any(purged.values()) else None


def _purge_personal_data(deps: Deps, years: int) -> dict[str, int] | None:
    if not retention.available(deps):
        return None  # the in-memory store of tests and demos keeps nothing for years
    report = retention.purge_personal_data(deps, years)
    return {"cases": len(report.cases), "files": report.files} if report.cases else None


def _read_mail(deps: Deps, mail: inbound.Polling) -> dict[str, int] | None:
    try:
        counts = inbound.poll(deps, mail.mailbox, mail.batch_size)
    except MailboxError as exc:  # one line, not a traceback; the messages wait, unseen
        log.warning("inbound_mail_unreachable", reason=str(exc))
        return None
    return dict(counts) if counts else None


def configure(
    scheduler: BaseScheduler,
    deps: Deps,
    interval_seconds: float = 60.0,
    *,
    dispatcher: Dispatcher | None = None,
    dispatch_seconds: float = 10.0,
    retention_days: int = 90,
    auth_retention_days: int = accounts.AUTH_RETENTION_DAYS,
    retention_years: int = DEFAULT_RETENTION_YEARS,
    mail: inbound.Polling | None = None,
) -> None:
    """Add the sweep job: every ``interval_seconds``, first run at once, never two at a time.

    With a ``dispatcher``, also deliver the outbox every ``dispatch_seconds`` and purge delivered
    payloads older than ``retention_days`` once a day. Once a day, sign-in entries of the login
    audit older than ``auth_retention_days`` and spent rate-limit slots are deleted, and the
    personal data of cases that ended more than ``retention_years`` ago is erased (0: never). With
    ``mail``, the office's mailbox is read for replies by email (issue 14 item 5).
    """
    if dispatcher is not None:
        every(scheduler, dispatch_seconds, "outbox_dispatch", _deliver, dispatcher)
        every(scheduler, 86_400, "outbox_purge", _purge, deps, retention_days)
    if mail is not None:
        every(scheduler, mail.interval_seconds, "inbound_mail", _read_mail, deps, mail)
    every(scheduler, 86_400, "auth_purge", _purge_sign_ins, deps, auth_retention_days)
    if retention_years > 0:
        every(scheduler, 86_400, "retention_purge", _purge_personal_data, deps, retention_years)
    every(scheduler, interval_seconds, "deadline_sweep", _sweep, deps, ClockWatch())
    # Office-wide singletons: the quarterly SKM survey and the yearly evaluation (issue 6).
    reports_jobs.configure(scheduler, deps)


def run_forever(
    deps: Deps,
    interval_seconds: float = 60.0,
    *,
    dispatcher: Dispatcher | None = None,
    dispatch_seconds: float = 10.0,
    retention_days: int = 90,
    auth_retention_days: int = accounts.AUTH_RETENTION_DAYS,
    retention_years: int = DEFAULT_RETENTION_YEARS,
    mail: inbound.Polling | None = None,
) -> None:
    """Block, sweeping every ``interval_seconds`` (and delivering) until interrupted."""
    scheduler = SteadyBlockingScheduler(timezone="UTC")
    configure(
        scheduler,
        deps,
        interval_seconds,
        dispatcher=dispatcher,
        dispatch_seconds=dispatch_seconds,
        retention_days=retention_days,
        auth_retention_days=auth_retention_days,
        retention_years=retention_years,
        mail=mail,
    )
    # A service manager stops us with SIGTERM: finish the running sweep's transaction, then go.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler_started", interval_seconds=interval_seconds)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    log.info("scheduler_stopped")
