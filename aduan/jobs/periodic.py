"""Periodic jobs on APScheduler: first run at once, then every interval, never two at a time.

A job that fails is logged (``<job>_failed``) and runs again at its next time; what it returns,
when not None, is logged as ``<job>_done``. Used by the scheduler and the reports' jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aduan.workflow.errors import StorageRefusedError

log = structlog.get_logger()
Job = Callable[..., Mapping[str, Any] | None]


def _run(name: str, fn: Job, *args: Any) -> None:
    try:
        result = fn(*args)
    except StorageRefusedError as exc:  # a read-only or full disk: one line, not a traceback
        log.warning(f"{name}_refused", reason=exc.reason)
        return
    except Exception:
        log.exception(f"{name}_failed")
        return
    if result is not None:
        log.info(f"{name}_done", **result)


def every(scheduler: BaseScheduler, seconds: float, name: str, fn: Job, *args: Any) -> None:
    """Run ``fn(*args)`` now and every ``seconds``; a missed or overlapping run is skipped."""
    scheduler.add_job(
        _run,
        IntervalTrigger(seconds=seconds),
        args=[name, fn, *args],
        id=name,
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        replace_existing=True,
    )


MAX_SLEEP_S = 30.0  # the scheduler looks at the wall clock at least this often
STEP_SLACK = timedelta(seconds=5)


class StepTolerant:
    """A scheduler that a wall clock stepping back does not put to sleep (issue 17).

    APScheduler 3 keeps each job's next run as a wall-clock time and sleeps (on the monotonic
    clock) until it: after a one-hour step back, every job's next run lay an hour ahead, and the
    sweep and the dispatcher froze for that hour, even once the clock was put right. Here the
    scheduler never sleeps longer than ``MAX_SLEEP_S``, and an interval job whose next run is
    further ahead than its interval (impossible unless the clock stepped back) runs now.
    """

    def _process_jobs(self) -> float | None:
        now = datetime.now(UTC)
        for job in self.get_jobs():  # type: ignore[attr-defined]
            trigger, next_run = job.trigger, job.next_run_time
            if not isinstance(trigger, IntervalTrigger) or next_run is None:
                continue
            if next_run - now > trigger.interval + STEP_SLACK:
                log.warning(
                    "clock_stepped_back", job=job.id, ahead_s=int((next_run - now).total_seconds())
                )
                job.modify(next_run_time=now)
        wait: float | None = super()._process_jobs()  # type: ignore[misc]
        return MAX_SLEEP_S if wait is None else min(wait, MAX_SLEEP_S)


class SteadyBackgroundScheduler(StepTolerant, BackgroundScheduler):  # type: ignore[misc]
    """``BackgroundScheduler`` that survives a wall clock stepping back."""


class SteadyBlockingScheduler(StepTolerant, BlockingScheduler):  # type: ignore[misc]
    """``BlockingScheduler`` that survives a wall clock stepping back."""
