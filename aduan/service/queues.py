"""Work queues: my queue, the overdue board, the supervisor's desk, the APIP approvals."""

from __future__ import annotations

from datetime import datetime

import structlog

from aduan.escalation import deadlines
from aduan.ports import (
    AddressedReport,
    CaseListing,
    CaseQuery,
    UnitOfWork,
)
from aduan.schemas import codec
from aduan.schemas.views import (
    QueueItem,
    ReportItem,
    SupervisorQueue,
    deadline_view,
    report_view,
    summarise_listing,
)
from aduan.service.deps import (
    Deps,
    viewer_of,
)
from aduan.workflow.case import Actor, Case
from aduan.workflow.context import ActionContext, Policy
from aduan.workflow.errors import RuleViolationError
from aduan.workflow.guards import approver_has_authority
from aduan.workflow.payloads import (
    Payload,
)
from aduan.workflow.states import STATUS_NAMES, Action, Role, ScreeningReason, Status
from aduan.workflow.table import roles_for

log = structlog.get_logger()


# --- work queues --------------------------------------------------------------------------


def work_queue(deps: Deps, username: str, limit: int = 200) -> list[QueueItem]:
    """Open cases the user holds, most urgent first; officers also see unassigned ones."""
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        actor, sight = viewer.actor, viewer.sight
        mine = CaseQuery(assignee=actor.username, open_only=True, limit=limit, sight=sight)
        found = uow.cases.summaries(mine)
        if actor.role is Role.OFFICER:  # public submissions wait for an officer to take them
            waiting = CaseQuery(unassigned=True, open_only=True, limit=limit, sight=sight)
            found += uow.cases.summaries(waiting)
        return _queue(deps, uow, found)


def overdue_board(deps: Deps, username: str, limit: int = 200) -> list[QueueItem]:
    """Open cases past a deadline, most overdue first."""
    with deps.uow(readonly=True) as uow:
        sight = viewer_of(deps, uow, username).sight
        due = CaseQuery(due_before=deps.clock.now(), limit=limit, sight=sight)
        found = uow.cases.summaries(due)
        items = _queue(deps, uow, found)
        return [item for item in items if item.deadline and item.deadline.overdue]


def supervisor_queue(deps: Deps, username: str, limit: int = 100) -> SupervisorQueue:
    """Cases escalated to the user, written reports to them, late complaints to accept."""
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        actor, sight = viewer.actor, viewer.sight
        held = uow.cases.summaries(
            CaseQuery(assignee=actor.username, open_only=True, limit=limit, sight=sight)
        )
        recipients = [actor.username, *([actor.position] if actor.position else [])]
        late: list[CaseListing] = []
        if actor.role in roles_for(Status.SUGGESTION, Action.ACCEPT_LATE):
            late = uow.cases.summaries(
                CaseQuery(
                    status=Status.SUGGESTION,
                    screening_reason=ScreeningReason.LATE,
                    newest_first=True,
                    limit=limit,
                    sight=sight,
                )
            )
        return SupervisorQueue(
            escalations=_queue(deps, uow, [c for c in held if c.tier > 0]),
            reports=[_report_item(r) for r in uow.cases.reports_to(recipients, limit)],
            late_requests=_queue(deps, uow, late),
        )


def apip_approvals(deps: Deps, username: str, limit: int = 100) -> list[QueueItem]:
    """Requests to involve APIP that this user has the authority to decide (item 7c)."""
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        actor, now = viewer.actor, deps.clock.now()
        pending = uow.cases.find(
            CaseQuery(status=Status.APIP_PENDING, limit=limit, sight=viewer.sight)
        )
        mine = [c for c in pending if _may_approve_apip(c, actor, now, deps.policy)]
        return _queue(deps, uow, [codec.listing_of(c) for c in mine])


def _may_approve_apip(case: Case, actor: Actor, now: datetime, policy: Policy) -> bool:
    if actor.role not in roles_for(Status.APIP_PENDING, Action.APPROVE_APIP):
        return False
    try:
        approver_has_authority(ActionContext(case, actor, Payload(), now, policy))
    except RuleViolationError:
        return False
    return True


def _queue(deps: Deps, uow: UnitOfWork, found: list[CaseListing]) -> list[QueueItem]:
    now = deps.clock.now()
    calendar = deps.calendars.get(uow)
    items: dict[int, QueueItem] = {}
    for case in found:
        limits = sorted(deadlines.statuses(case, now, calendar), key=lambda d: d.due_at)
        items[case.id] = QueueItem(
            case=summarise_listing(case),
            tier=case.tier,
            holder=case.holder,
            deadline=deadline_view(limits[0]) if limits else None,
        )
    return sorted(items.values(), key=_urgency)


def _urgency(item: QueueItem) -> tuple[bool, datetime, int]:
    d = item.deadline
    return (d is None, d.due_at if d else item.case.received_at, item.case.id)


def _report_item(found: AddressedReport) -> ReportItem:
    return ReportItem(
        case_id=found.case_id,
        tracking_code=found.tracking_code,
        subject=found.subject,
        status=found.status.value,
        status_label=STATUS_NAMES[found.status],
        report=report_view(found.report),
    )
