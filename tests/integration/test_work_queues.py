"""Work queues of the service layer (what the UI's queue pages show), on SQLite and PostgreSQL,
and the repository queries behind them on every unit-of-work implementation.
"""

from __future__ import annotations

from datetime import timedelta

from aduan import service
from aduan.ports import CaseQuery, FixedClock, UnitOfWorkFactory
from aduan.service import Deps
from aduan.workflow.states import Action, ScreeningReason
from tests.conftest import NOW
from tests.integration.builders import (
    act,
    apip_pending_case,
    internal_case,
    submission,
    submit,
    today,
)


def test_officer_queue_holds_own_and_unassigned_open_cases_most_urgent_first(
    deps: Deps, clock: FixedClock
) -> None:
    old = submit(deps, subject="lama")
    clock.current += timedelta(days=30)
    recorded_by_budi = service.submit_complaint(deps, submission(deps), "budi")
    routed_to_sari = act(deps, internal_case(deps), Action.ESCALATE, "budi")
    queue = service.work_queue(deps, "budi")
    codes = [item.case.tracking_code for item in queue]
    assert codes[0] == old.tracking_code
    assert queue[0].deadline is not None and queue[0].deadline.overdue
    assert recorded_by_budi.tracking_code in codes
    assert routed_to_sari.tracking_code not in codes
    assert [i.case.tracking_code for i in service.work_queue(deps, "sari")] == [
        routed_to_sari.tracking_code
    ]


def test_closed_cases_leave_the_queue(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps), "budi")
    act(deps, case, Action.WITHDRAW, "budi")
    assert service.work_queue(deps, "budi") == []


def test_overdue_board_has_only_late_cases(deps: Deps, clock: FixedClock) -> None:
    late = submit(deps)
    clock.current += timedelta(days=30)
    submit(deps)
    board = service.overdue_board(deps, "dewi")
    assert [item.case.tracking_code for item in board] == [late.tracking_code]


def test_supervisor_desk_has_escalations_reports_and_late_complaints(deps: Deps) -> None:
    escalated = act(deps, internal_case(deps), Action.ESCALATE, "budi", report="Mohon arahan")
    late = submit(deps, service_received_on=today(deps) - timedelta(days=40))
    desk = service.supervisor_queue(deps, "sari")
    assert [i.case.tracking_code for i in desk.escalations] == [escalated.tracking_code]
    assert [(r.tracking_code, r.report.text) for r in desk.reports] == [
        (escalated.tracking_code, "Mohon arahan")
    ]
    assert [i.case.tracking_code for i in desk.late_requests] == [late.tracking_code]
    other = service.supervisor_queue(deps, "agus")
    assert other.escalations == other.reports == []
    assert service.supervisor_queue(deps, "budi").late_requests == []  # officers cannot accept


def test_apip_approvals_only_for_who_has_the_authority(deps: Deps) -> None:
    pending = apip_pending_case(deps)
    assert [i.case.tracking_code for i in service.apip_approvals(deps, "dewi")] == [
        pending.tracking_code
    ]
    assert service.apip_approvals(deps, "rina") == []  # an agency head, not on this track
    assert service.apip_approvals(deps, "sari") == []


def test_repositories_filter_work_queues_alike(uow_factory: UnitOfWorkFactory) -> None:
    deps = Deps(uow=uow_factory, clock=FixedClock(NOW))
    first = submit(deps)
    late = submit(deps, service_received_on=today(deps) - timedelta(days=40))
    mine = service.submit_complaint(deps, submission(deps), "budi")
    escalated = act(deps, internal_case(deps), Action.ESCALATE, "budi", report="Naik")
    with uow_factory(readonly=True) as uow:
        unassigned = uow.cases.find(CaseQuery(unassigned=True, open_only=True))
        assert [c.tracking_code for c in unassigned] == [first.tracking_code]
        late_ones = uow.cases.find(CaseQuery(screening_reason=ScreeningReason.LATE))
        assert [c.tracking_code for c in late_ones] == [late.tracking_code]
        newest = uow.cases.find(CaseQuery(newest_first=True, limit=2))
        assert [c.tracking_code for c in newest] == [escalated.tracking_code, mine.tracking_code]
        older = uow.cases.find(CaseQuery(newest_first=True, after_id=newest[-1].id))
        assert [c.tracking_code for c in older] == [late.tracking_code, first.tracking_code]
        by_user = uow.cases.reports_to(["sari"])
        by_position = uow.cases.reports_to(["kasi-pengaduan"])
        assert [r.tracking_code for r in by_user] == [escalated.tracking_code]
        assert by_user == by_position
        assert by_user[0].report.from_position == "pelaksana-pengaduan"
        assert uow.cases.reports_to(["agus"]) == []
