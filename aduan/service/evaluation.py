"""Yearly evaluation use cases: gather a year against the one before, announce it to all staff.

The arrangement and the documents (PDF, CSV) are in ``aduan.reports.evaluation``.
"""

from __future__ import annotations

from typing import Any

import structlog

from aduan.ports import ReportingUnitOfWork, UnitOfWork
from aduan.reports.evaluation import Evaluation, announcement, arrange_evaluation
from aduan.reports.period import Period, year
from aduan.service.deps import Deps
from aduan.service.reporting import report_viewer, reporting_uow
from aduan.service.singleton import run_once
from aduan.workflow.intake import wib_date
from aduan.workflow.visibility import Sight

log = structlog.get_logger()
EVALUATION_JOB = "yearly_evaluation_reminder"  # the office-wide run of the January reminder


def build_evaluation(deps: Deps, period: Period, username: str) -> Evaluation:
    """Gather the evaluation of a year as ``username`` sees the cases (DESIGN §6).

    The database groups; ``reports`` only arranges.
    """
    with reporting_uow(deps, readonly=True) as uow:
        sight = report_viewer(deps, uow, username).sight
        return evaluation_in(uow, period, sight)


def evaluation_in(uow: ReportingUnitOfWork, period: Period, sight: Sight) -> Evaluation:
    """The evaluation of a year for ``sight``, read in ``uow`` (the public page: the office's)."""
    before = period.previous()
    listings = uow.listings
    now = listings.service_problem_counts(period.start_at, period.end_at, sight=sight)
    then = listings.service_problem_counts(before.start_at, before.end_at, sight=sight)
    notes = listings.suggestions(period.start_at, period.end_at, sight=sight)
    return arrange_evaluation(period, now, then, notes)


def announce_in(uow: UnitOfWork, period: Period, deps: Deps) -> dict[str, Any]:
    """Tell every active staff member, in the app, that the evaluation is out (component 14.3)."""
    users = [u for u in uow.reference.orgchart().users.values() if u.active]
    now = deps.clock.now()
    sent = sum(uow.outbox.add(announcement(period, user.username, now)) for user in users)
    return {"announced": sent, "staff": len(users)}


def announce_evaluation(deps: Deps, period: Period) -> dict[str, Any]:
    """Announce the evaluation of ``period`` to all staff (repeating sends nothing twice)."""
    with deps.uow() as uow:
        result = announce_in(uow, period, deps)
        uow.commit()
    log.info("evaluation_announced", period=period.key, **result)
    return result


def evaluation_tick(deps: Deps) -> dict[str, Any] | None:
    """In January, remind all staff of last year's evaluation, once per year office-wide."""
    today = wib_date(deps.clock.now())
    if today.month != 1:
        return None
    last = year(today.year - 1)
    return run_once(deps, EVALUATION_JOB, last.key, lambda uow: announce_in(uow, last, deps))
