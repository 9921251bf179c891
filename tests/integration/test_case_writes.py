"""Saving a case writes only what changed, and reads back exactly as if it had written it all.

Runs on every repository implementation (memory, SQLite, PostgreSQL), like the contract suite.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.ports import UnitOfWorkFactory
from aduan.workflow.case import PlanStep, TierLevel, Worksheet
from aduan.workflow.errors import ConflictError
from aduan.workflow.states import Status, StepKind, Track
from tests.integration.test_repository_contract import AT, a_case, reloaded, stored

CHAIN = [
    TierLevel("staf_pengaduan", "Staf Pengaduan", "dpmptsp", "budi"),
    TierLevel("kasi_pengaduan", "Kepala Seksi Pengaduan", "dpmptsp", "sari"),
]


def test_a_save_that_sets_clears_and_rewrites_fields_reads_back_whole(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (case,) = stored(
        uow_factory,
        a_case(
            assignee="budi",
            track=Track.INTERNAL,
            chain=CHAIN,
            worksheet=Worksheet("Izin terlambat", plan=[PlanStep(StepKind.CLARIFICATION, "FO")]),
            stage_due_at=AT + timedelta(days=3),
        ),
    )

    with uow_factory() as uow:
        loaded = uow.cases.get(case.tracking_code)
        loaded.status = Status.CLOSED
        loaded.assignee = None  # cleared
        loaded.stage_due_at = None
        loaded.closed_at = AT + timedelta(days=1)  # set
        loaded.tier = 1
        loaded.chain = [*CHAIN, TierLevel("kadis", "Kepala Dinas", "dpmptsp")]
        assert loaded.worksheet is not None
        loaded.worksheet.plan[0].done_at = AT + timedelta(hours=5)  # nested JSON changed
        loaded.corrective_actions.append("Pengingat jatuh tempo")
        uow.cases.save(loaded, expected_version=1)
        uow.commit()

    assert reloaded(uow_factory, case.tracking_code) == loaded


def test_two_saves_in_one_unit_of_work_keep_both_changes(uow_factory: UnitOfWorkFactory) -> None:
    (case,) = stored(uow_factory, a_case())

    with uow_factory() as uow:
        loaded = uow.cases.get(case.tracking_code)
        loaded.status = Status.CLASSIFIED
        uow.cases.save(loaded, expected_version=1)
        loaded.subject = "Subjek baru"
        loaded.status = Status.RECORDED  # back to what was read: must still be written
        uow.cases.save(loaded, expected_version=2)
        uow.commit()

    again = reloaded(uow_factory, case.tracking_code)
    assert again == loaded
    assert (again.version, again.status, again.subject) == (3, Status.RECORDED, "Subjek baru")


@pytest.mark.parametrize("read_again", [False, True])
def test_a_stale_save_conflicts_even_when_it_changes_nothing(
    uow_factory: UnitOfWorkFactory, read_again: bool
) -> None:
    (case,) = stored(uow_factory, a_case())
    with uow_factory() as uow:
        stale = uow.cases.get(case.tracking_code)
    with uow_factory() as uow:
        fresh = uow.cases.get(case.tracking_code)
        fresh.subject = "lebih dulu"
        uow.cases.save(fresh, expected_version=1)
        uow.commit()

    with uow_factory() as uow:
        if read_again:  # this unit of work has read the current row (version 2)
            uow.cases.get(case.tracking_code)
        with pytest.raises(ConflictError) as caught:
            uow.cases.save(stale, expected_version=1)

    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    assert reloaded(uow_factory, case.tracking_code) == fresh
