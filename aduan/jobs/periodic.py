"""Periodic jobs on APScheduler: first run at once, then every interval, never two at a time.

A job that fails is logged (``<job>_failed``) and runs again at its next time; what it returns,
when not None, is logged as ``<job>_done``. Used by the scheduler and the reports' jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.schedulers.base import BaseScheduler
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
