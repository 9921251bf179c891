"""A deadlock PostgreSQL breaks by failing a staff action is retried, never a 500 (issue 17).

Two connections take the case and its alarms in opposite order: the staff action saves the case
(its row locked) and then replans its alarms; another transaction holds those alarms and then
wants the case. PostgreSQL fails the one whose deadlock check runs first (the staff action,
which waited first; the other's check is set later); the action runs again and succeeds.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from aduan import service
from aduan.ports import FixedClock
from aduan.schemas.commands import ActionCommand
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import PAYLOADS, engine_of, submit

RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday, 10:00 WIB


def deadlocks(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            ).scalar_one()
        )


@pytest.mark.postgres
def test_a_staff_action_failed_to_break_a_deadlock_runs_again_and_succeeds(
    pg_deps: Deps, clock: FixedClock
) -> None:
    clock.current = RECEIVED
    case = submit(pg_deps)
    engine = engine_of(pg_deps)
    before = deadlocks(engine)
    command = ActionCommand(
        case_ref=case.tracking_code,
        action=Action.CLASSIFY,
        payload=PAYLOADS[Action.CLASSIFY],
        expected_version=case.version,
    )
    outcome: list[Any] = []

    def act() -> None:
        try:
            outcome.append(service.perform_action(pg_deps, command, "budi"))
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            outcome.append(exc)

    with engine.connect() as other:
        other.execute(text("SET deadlock_timeout = '10s'"))  # the staff action's check first
        other.execute(text("SELECT id FROM alarms WHERE case_id = :id FOR UPDATE"), {"id": case.id})
        staff = threading.Thread(target=act)
        staff.start()
        time.sleep(0.5)  # the action has saved the case and waits for the alarms
        other.execute(text("UPDATE cases SET version = version WHERE id = :id"), {"id": case.id})
        other.commit()  # reached once PostgreSQL failed the action: the deadlock was broken
        staff.join(timeout=30)

    assert not staff.is_alive()
    (result,) = outcome
    assert not isinstance(result, BaseException), repr(result)
    assert deadlocks(engine) > before  # a real deadlock happened ...
    stored = service.get_case(pg_deps, case.tracking_code, "budi")
    assert stored.status == "classified"  # ... and the action, run again, went through
    assert stored.version == case.version + 1
