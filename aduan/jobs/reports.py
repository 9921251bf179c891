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
from aduan.service.reports import compact_rollup
from aduan.service.survey import SURVEY_JOB, survey_tick

ROLLUP_JOB = "statistics_rollup_compaction"  # safe on every instance at once: not a singleton


def configure(scheduler: BaseScheduler, deps: Deps, interval_seconds: float = 3600.0) -> None:
    """Add the jobs (survey, evaluation, rollup compaction): at once, then every interval."""
    base_url = load_settings().public_url
    for job_id, fn, args in (
        (SURVEY_JOB, survey_tick, (deps, base_url)),
        (EVALUATION_JOB, evaluation_tick, (deps,)),
        (ROLLUP_JOB, compact_rollup, (deps,)),
    ):
        every(scheduler, interval_seconds, job_id, fn, *args)
