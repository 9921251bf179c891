"""The sweep never waits for a case while it holds the case's alarms (PostgreSQL).

A staff action saves the case (its row locked by the UPDATE) and then replans the case's
alarms. The sweep used to lock the due alarms first and then wait to save the case: with both
at once each waited for the other, PostgreSQL broke the deadlock by failing one of them (under
load: staff 500s and a failed sweep). Now the sweep skips a case someone is saving, and its
alarms ring at the next sweep. Here the staff transaction runs on its own connection and is
held open between its two steps while the sweep runs in another thread.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from aduan.adapters.sql.tables import alarms
from aduan.ports import FixedClock
from aduan.service import Deps, timekeeping
from tests.integration.builders import engine_of, submit

RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday, 10:00 WIB
STAGE_BREACH = datetime(2026, 8, 12, 17, 0, tzinfo=UTC)  # a recorded case classified in a day


@pytest.mark.postgres
def test_a_sweep_during_a_staff_save_neither_deadlocks_nor_rings_twice(
    pg_deps: Deps, clock: FixedClock
) -> None:
    clock.current = RECEIVED
    case = submit(pg_deps)
    clock.current = STAGE_BREACH + timedelta(minutes=1)
    engine = engine_of(pg_deps)
    with engine.connect() as staff:
        staff.execute(text("SET lock_timeout = '20s'"))
        # Step 1 of a staff action: the case is saved, its row locked until commit.
        staff.execute(text("UPDATE cases SET version = version WHERE id = :id"), {"id": case.id})

        swept: list[timekeeping.SweepReport | BaseException] = []

        def sweep() -> None:
            try:
                swept.append(timekeeping.sweep(pg_deps))
            except BaseException as exc:  # noqa: BLE001 - the test reports it
                swept.append(exc)

        sweeper = threading.Thread(target=sweep)
        sweeper.start()
        sweeper.join(timeout=5)
        # The sweep did not wait for the case: it left it for the next sweep.
        assert not sweeper.is_alive()
        (report,) = swept
        assert isinstance(report, timekeeping.SweepReport), report
        assert report.handled == 0

        # Step 2 of the staff action: replan the case's alarms. Nothing holds them (the old
        # sweep held the breach alarm here, waiting for the case: a deadlock).
        dropped = staff.execute(
            text("DELETE FROM alarms WHERE case_id = :id AND fired_at IS NULL"), {"id": case.id}
        )
        assert dropped.rowcount >= 1
        staff.rollback()  # (the action is abandoned: the alarms stay as they were)

    again = timekeeping.sweep(pg_deps)
    assert again.handled >= 1
    with engine.connect() as conn:
        rung = conn.execute(
            select(alarms.c.kind, alarms.c.point, func.count())
            .where(alarms.c.case_id == case.id, alarms.c.fired_at.is_not(None))
            .group_by(alarms.c.kind, alarms.c.point)
        ).all()
    assert rung and all(n == 1 for *_, n in rung)
    assert timekeeping.sweep(pg_deps).handled == 0
