"""Scheduled office-wide jobs of the reports: the quarterly survey and the yearly evaluation.

Each tick (hourly) checks whether the period just ended has had its run, and runs it once
across all instances (``service.singleton``): the survey of the previous quarter is sent in
the first days of the next, the evaluation of the previous year is announced in January.
"""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from aduan.config import load_settings
from aduan.jobs.periodic import every
from aduan.service import Deps
from aduan.service.evaluation import EVALUATION_JOB, evaluation_tick
from aduan.service.reports import compact_rollup, fold_rollup
from aduan.service.survey import SURVEY_JOB, survey_tick

ROLLUP_JOB = "statistics_rollup_compaction"  # safe on every instance at once: not a singleton
# The statistics rollup folded from the audit trail: exactly once across instances by itself
# (``adapters.sql.rollup.fold``), at start (caught up) and then every minute; reports are exact
# meanwhile, the fold only keeps the part they read from the events small.
FOLD_JOB = "statistics_rollup_fold"
FOLD_SECONDS = 60.0


def configure(
    scheduler: BaseScheduler,
    deps: Deps,
    interval_seconds: float = 3600.0,
    fold_seconds: float = FOLD_SECONDS,
) -> None:
    """Add the jobs (survey, evaluation, rollup compaction): at once, then every interval.

    The rollup's fold runs at once and then every ``fold_seconds``.
    """
    base_url = load_settings().public_url
    every(scheduler, fold_seconds, FOLD_JOB, fold_rollup, deps)
    for job_id, fn, args in (
        (SURVEY_JOB, survey_tick, (deps, base_url)),
        (EVALUATION_JOB, evaluation_tick, (deps,)),
        (ROLLUP_JOB, compact_rollup, (deps,)),
    ):
        every(scheduler, interval_seconds, job_id, fn, *args)
