"""The alarm clock: APScheduler runs the sweep by itself, and the database says what is due."""

from __future__ import annotations

import time
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from aduan import service
from aduan.jobs import scheduler
from aduan.ports import FixedClock
from aduan.service import Deps
from tests.integration.builders import submit, today


def pending(deps: Deps, case_id: int) -> int:
    with deps.uow(readonly=True) as uow:
        return len([a for a in uow.alarms.pending(case_id) if a.fire_at <= deps.clock.now()])


def test_the_scheduler_breaches_an_overdue_complaint_without_being_asked(
    deps: Deps, clock: FixedClock
) -> None:
    received = clock.now() - timedelta(days=30)
    case = submit(
        deps,
        received_at=received,
        complained_at=received,
        service_received_on=today(deps) - timedelta(days=31),
    )
    assert pending(deps, case.id) == 2  # the answer deadline and the classification target

    background = BackgroundScheduler(timezone="UTC")
    scheduler.configure(background, deps, interval_seconds=0.2)
    background.start()
    try:
        deadline = time.monotonic() + 15
        while pending(deps, case.id) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        background.shutdown(wait=True)

    assert pending(deps, case.id) == 0
    timeline = service.get_case(deps, case.tracking_code, "sari").timeline
    assert [e.action for e in timeline].count("breach") == 2
