"""Concurrent writers on one case: optimistic locking lets exactly one of them win."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from aduan import service
from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.ports import UnitOfWorkFactory
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.workflow.case import Actor
from aduan.workflow.errors import ConflictError
from aduan.workflow.lifecycle import perform
from aduan.workflow.states import Action, Role
from tests.integration.builders import PAYLOADS, act, submit

T = TypeVar("T")
BUDI = Actor("budi", Role.OFFICER, "pelaksana-pengaduan")
BARRIER_TIMEOUT_S = 30


def race(writers: int, attempt: Callable[[int, threading.Barrier], T]) -> list[T | BaseException]:
    """Run ``attempt(i, barrier)`` in ``writers`` threads; return each result or error."""
    barrier = threading.Barrier(writers, timeout=BARRIER_TIMEOUT_S)

    def run(i: int) -> T | BaseException:
        try:
            return attempt(i, barrier)
        except Exception as exc:  # noqa: BLE001 - collected and checked by the test
            return exc

    with ThreadPoolExecutor(max_workers=writers) as pool:
        return list(pool.map(run, range(writers)))


def split(outcomes: list[T | BaseException]) -> tuple[list[T], list[BaseException]]:
    wins = [o for o in outcomes if not isinstance(o, BaseException)]
    losses = [o for o in outcomes if isinstance(o, BaseException)]
    return wins, losses


@pytest.mark.parametrize("writers", [2, 8])
def test_concurrent_officers_on_one_case_exactly_one_wins(deps: Deps, writers: int) -> None:
    case = submit(deps)

    def classify(i: int, barrier: threading.Barrier) -> CaseDetail:
        seen = service.get_case(deps, case.tracking_code, "budi")  # every writer reads version 1
        barrier.wait()
        return act(deps, case, Action.CLASSIFY, "budi", expected_version=seen.version,
                   note=f"writer {i}")  # fmt: skip

    wins, losses = split(race(writers, classify))

    assert len(wins) == 1
    assert len(losses) == writers - 1
    assert all(isinstance(e, ConflictError) for e in losses), losses
    conflicts = {
        (e.expected_version, e.actual_version) for e in losses if isinstance(e, ConflictError)
    }
    assert conflicts == {(1, 2)}
    final = service.get_case(deps, case.tracking_code, "budi")
    assert final.version == 2
    assert [e.action for e in final.timeline] == ["submit", "classify"]
    assert final.timeline[-1].note == wins[0].timeline[-1].note


def _get_perform_save(uows: UnitOfWorkFactory, ref: str, barrier: threading.Barrier) -> int:
    """One writer's transaction: read, wait until every writer has read, then act and save."""
    with uows() as uow:
        case = uow.cases.get(ref)
        read_version = case.version
        barrier.wait()
        outcomes = perform(case, Action.CLASSIFY, BUDI, PAYLOADS[Action.CLASSIFY], case.updated_at)
        assert case.id is not None
        uow.cases.save(case, read_version)
        uow.cases.append(case.id, outcomes)
        uow.commit()
        return case.version


@pytest.mark.parametrize("engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("writers", [2, 8])
def test_overlapping_transactions_exactly_one_saves(deps: Deps, writers: int) -> None:
    """PostgreSQL lets the transactions overlap: the losers' UPDATE waits for the winner's row
    lock, then finds the version changed. (SQLite and the memory store take the write lock at
    BEGIN, so their writers never overlap; the service-level race above covers them.)"""
    case = submit(deps)

    outcomes = race(
        writers, lambda _, barrier: _get_perform_save(deps.uow, case.tracking_code, barrier)
    )

    wins, losses = split(outcomes)
    assert wins == [2]
    assert len(losses) == writers - 1
    assert all(isinstance(e, ConflictError) for e in losses), losses
    final = service.get_case(deps, case.tracking_code, "budi")
    assert (final.version, len(final.timeline)) == (2, 2)


def test_memory_writers_take_turns() -> None:
    """The memory store serialises writers like SQLite: a writer waits for the one before."""
    uows = InMemoryUnitOfWorkFactory()
    entered = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with uows():
            order.append("first in")
            entered.set()
            release.wait(BARRIER_TIMEOUT_S)
            order.append("first out")

    def second() -> None:
        entered.wait(BARRIER_TIMEOUT_S)
        with uows():
            order.append("second in")

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [pool.submit(first), pool.submit(second)]
        entered.wait(BARRIER_TIMEOUT_S)
        with uows(readonly=True):  # a reader does not wait for the writer
            order.append("reader")
        release.set()
        for future in done:
            future.result()

    assert order == ["first in", "reader", "first out", "second in"]
