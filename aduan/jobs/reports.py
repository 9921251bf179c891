"""Scheduled office-wide jobs of the reports: the quarterly survey and the yearly evaluation.

Each tick (hourly) checks whether the period just ended has had its run, and runs it once
across all instances (``reports.singleton``): the survey of the previous quarter is sent in
the first days of the next, the evaluation of the previous year is announced in January.
"""

from __future__ import annotations

from typing import Any

import structlog
from apscheduler.schedulers.base import BaseScheduler

from aduan.config import load_settings
from aduan.jobs.periodic import every
from aduan.reports import evaluation, survey
from aduan.reports.period import previous_quarter, year
from aduan.reports.statistics import compact_rollup
from aduan.service import Deps
from aduan.service.singleton import run_once
from aduan.workflow.intake import wib_date

log = structlog.get_logger()
SURVEY_JOB = "skm_survey_dispatch"
EVALUATION_JOB = "yearly_evaluation_reminder"
ROLLUP_JOB = "statistics_rollup_compaction"  # safe on every instance at once: not a singleton


def survey_tick(deps: Deps, base_url: str) -> dict[str, Any] | None:
    """Invite the previous quarter's complainants, once per quarter office-wide."""
    quarter = previous_quarter(wib_date(deps.clock.now()))

    def work(uow: Any) -> dict[str, Any]:
        return survey.dispatch_in(uow, quarter, deps.clock.now(), base_url).as_dict()

    return run_once(deps, SURVEY_JOB, quarter.key, work)


def evaluation_tick(deps: Deps) -> dict[str, Any] | None:
    """In January, remind all staff of last year's evaluation, once per year office-wide."""
    today = wib_date(deps.clock.now())
    if today.month != 1:
        return None
    last = year(today.year - 1)
    return run_once(
        deps, EVALUATION_JOB, last.key, lambda uow: evaluation.announce_in(uow, last, deps)
    )


def configure(scheduler: BaseScheduler, deps: Deps, interval_seconds: float = 3600.0) -> None:
    """Add the jobs (survey, evaluation, rollup compaction): at once, then every interval."""
    base_url = load_settings().public_url
    for job_id, fn, args in (
        (SURVEY_JOB, survey_tick, (deps, base_url)),
        (EVALUATION_JOB, evaluation_tick, (deps,)),
        (ROLLUP_JOB, compact_rollup, (deps,)),
    ):
        every(scheduler, interval_seconds, job_id, fn, *args)
