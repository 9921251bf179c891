"""Office-wide jobs that run exactly once per period, whatever the number of instances.

The claim (a row in ``singleton_runs`` keyed by job and period) is inserted in the same
transaction as the job's work: if the work fails, the claim rolls back with it and the next
tick tries again; if it commits, every other instance finds the row and does nothing. This
works alike on SQLite and PostgreSQL (no advisory locks needed).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

import structlog

from aduan.ports import ReportingUnitOfWork
from aduan.service.deps import Deps
from aduan.service.reporting import reporting_uow

log = structlog.get_logger()
Work = Callable[[ReportingUnitOfWork], dict[str, Any]]


def instance_name() -> str:
    """This process, as recorded on the runs it did."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_once(
    deps: Deps, job: str, period: str, work: Work, instance: str | None = None
) -> dict[str, Any] | None:
    """Do ``work`` for ``period`` unless some instance did; return its result, or None."""
    who = instance or instance_name()
    with reporting_uow(deps) as uow:
        if not uow.singletons.claim(job, period, who, deps.clock.now()):
            return None
        result = work(uow)
        uow.singletons.record_result(job, period, result)
        uow.commit()
    log.info("singleton_ran", job=job, period=period, instance=who)
    return result


def runs(deps: Deps, job: str) -> list[tuple[str, Any, str]]:
    """The periods ``job`` ran for: (period, ran_at, instance)."""
    with reporting_uow(deps, readonly=True) as uow:
        return uow.singletons.runs_of(job)
