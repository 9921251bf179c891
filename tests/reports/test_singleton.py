"""Office-wide jobs run exactly once per period, even with two instances at the same moment."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text

from aduan.ports import UnitOfWork
from aduan.service import Deps
from aduan.service.evaluation import evaluation_tick
from aduan.service.singleton import run_once, runs
from aduan.service.survey import survey_tick
from tests.integration import builders as b


def test_two_concurrent_instances_run_the_job_once(deps: Deps) -> None:
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}
    worked: list[str] = []

    def work(name: str) -> Any:
        def body(uow: UnitOfWork) -> dict[str, Any]:
            worked.append(name)
            time.sleep(0.3)  # hold the claim while the other instance tries
            return {"by": name}

        return body

    def instance(name: str) -> None:
        barrier.wait()
        results[name] = run_once(deps, "test_job", "2026Q1", work(name), instance=name)

    threads = [threading.Thread(target=instance, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(worked) == 1
    winner = worked[0]
    assert results[winner] == {"by": winner}
    assert [r for n, r in results.items() if n != winner] == [None]
    assert [(p, i) for p, _, i in runs(deps, "test_job")] == [("2026Q1", winner)]


def test_a_failed_run_leaves_no_claim_and_runs_again(deps: Deps) -> None:
    def boom(uow: UnitOfWork) -> dict[str, Any]:
        raise RuntimeError("gateway down")

    with pytest.raises(RuntimeError):
        run_once(deps, "test_job", "2026Q2", boom)
    assert run_once(deps, "test_job", "2026Q2", lambda uow: {"ok": True}) == {"ok": True}
    assert run_once(deps, "test_job", "2026Q2", lambda uow: {"ok": True}) is None


def test_the_quarterly_survey_tick_dispatches_the_previous_quarter_once(deps: Deps) -> None:
    first = survey_tick(deps, "https://aduan.example.go.id")
    second = survey_tick(deps, "https://aduan.example.go.id")

    assert first is not None and first["period"] == "2025Q4"  # the clock is in 2026Q1
    assert second is None


def test_the_evaluation_reminder_reaches_every_active_staff_member_in_january(
    deps: Deps, clock: Any
) -> None:
    assert evaluation_tick(deps) is None  # the clock says March: not the month for it
    clock.current = clock.current.replace(month=1, day=12)

    done = evaluation_tick(deps)

    assert done == {"announced": 13, "staff": 13}
    assert evaluation_tick(deps) is None
    with b.engine_of(deps).connect() as conn:
        rows = conn.execute(
            text("SELECT count(*) FROM outbox WHERE channel = 'in_app' AND event = :e"),
            {"e": "evaluation_published"},
        ).scalar_one()
    assert rows == 13
