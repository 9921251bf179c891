"""Work queues: my queue, the overdue board, the supervisor's desk, APIP approvals, suggestions.

A person's own queue says of each case why it is theirs (issue 16 item 6): the tier they hold,
their agency's track, a referral to APIP, or a case still waiting for an officer. Suggestions
wait in a queue of their own for the complaint staff (seed §6 items 3 and 5b).
"""

from __future__ import annotations

from datetime import datetime

import structlog

from aduan.catalog.orgchart import OrgChart
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
    QueueReason,
    ReportItem,
    SupervisorQueue,
    WrittenRequest,
    deadline_view,
    people_of,
    report_view,
    summarise_listing,
)
from aduan.service.answer_clock import waiting_until
from aduan.service.deps import (
    Deps,
    Viewer,
    unknown_service,
    viewer_of,
)
from aduan.workflow.case import Actor, Case
from aduan.workflow.context import ActionContext, Policy
from aduan.workflow.errors import AccessDeniedError, RuleViolationError
from aduan.workflow.guards import approver_has_authority
from aduan.workflow.payloads import (
    Payload,
)
from aduan.workflow.states import (
    N_,
    STATUS_NAMES,
    SUGGESTION_WORK,
    Action,
    Role,
    ScreeningReason,
    Status,
    Track,
)
from aduan.workflow.table import actions_from, roles_for
from aduan.workflow.visibility import Reach, Sight

log = structlog.get_logger()
# Who may take any action on a suggestion still waiting: who sees the suggestion queue.
SUGGESTION_ROLES = frozenset(
    role
    for status in SUGGESTION_WORK
    for a in actions_from(status)
    for role in roles_for(status, a)
)


# --- work queues --------------------------------------------------------------------------


def work_queue(deps: Deps, username: str, limit: int = 200) -> list[QueueItem]:
    """Open cases the user holds, most urgent first, each with why it is theirs.

    Officers also see the unassigned ones (waiting to be taken); APIP the cases referred to
    it, which nobody holds once approved (``approve_apip``) until an auditor takes them.
    """
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        actor, sight = viewer.actor, viewer.sight
        mine = CaseQuery(assignee=actor.username, open_only=True, limit=limit, sight=sight)
        found = uow.cases.summaries(mine)
        if actor.role is Role.OFFICER:  # public submissions wait for an officer to take them
            waiting = CaseQuery(unassigned=True, open_only=True, limit=limit, sight=sight)
            found += uow.cases.summaries(waiting)
        elif actor.role is Role.APIP:  # referred to the inspectorate, not yet taken
            referred = CaseQuery(
                track=Track.APIP, unassigned=True, open_only=True, limit=limit, sight=sight
            )
            found += uow.cases.summaries(referred)
        # Issue 13 item 3: a tier the deadline sweep passed over still owes its written report.
        owing = CaseQuery(owes_report=actor.username, open_only=True, limit=limit, sight=sight)
        owed = {c.id: c for c in uow.cases.summaries(owing)}
        found = [c for c in found if c.id not in owed] + list(owed.values())
        unit = deps.reference.orgchart(uow).units.get(actor.unit) if actor.unit else None
        unit_name = unit.name if unit is not None else None
        reasons = {c.id: queue_reason(c, viewer, unit_name) for c in found}
        reasons.update({c.id: OWED_REPORT for c in owed.values()})
        return [
            item.model_copy(update={"reason": reasons[item.case.id]})
            for item in _queue(deps, uow, found)
        ]


OWED_REPORT = QueueReason(
    code="overdue_report",
    message=N_(
        "Laporan tertulis belum dibuat: tenggat tingkat Anda terlewati dan kasus dinaikkan otomatis"
    ),
)


def queue_reason(case: CaseListing, viewer: Viewer, unit_name: str | None) -> QueueReason:
    """Why ``case`` is in ``viewer``'s own queue, from its holder, track and tier.

    ``unit_name``: the name of the unit of the viewer's post (None: no post). Tiers are
    counted from 1 as people say them (the entry level of a chain is tier 1).
    """
    actor = viewer.actor
    level = {"tier": case.tier + 1, "title": case.holder or ""}
    if case.track is Track.APIP and actor.role in (Role.APIP, Role.OFFICER):
        return QueueReason(code="apip", message=N_("Ditugaskan ke APIP setelah persetujuan"))
    if case.assignee is None:
        return QueueReason(code="waiting", message=N_("Belum ada petugas — menunggu diambil"))
    on_own_agency = (
        case.track is Track.AGENCY
        and viewer.sight.reach is Reach.UNIT
        and actor.role in (Role.AGENCY_OFFICER, Role.AGENCY_HEAD)
        and unit_name is not None
    )
    if on_own_agency and case.tier > 0 and case.holder:
        return QueueReason(
            code="holder",
            message=N_(
                "Diteruskan ke %(unit)s (unit Anda); Anda pemegang tingkat %(tier)s (%(title)s)"
            ),
            facts={"unit": unit_name or "", **level},
        )
    if on_own_agency:
        return QueueReason(
            code="agency",
            message=N_("Diteruskan ke %(unit)s (unit Anda)"),
            facts={"unit": unit_name or ""},
        )
    if case.track is not None and case.holder:
        return QueueReason(
            code="holder",
            message=N_("Anda pemegang tingkat %(tier)s (%(title)s)"),
            facts=level,
        )
    return QueueReason(code="assigned", message=N_("Ditugaskan kepada Anda"))


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
            late = _suggestions(uow, ScreeningReason.LATE, None, limit, sight)
        return SupervisorQueue(
            escalations=_queue(deps, uow, [c for c in held if c.tier > 0]),
            reports=[_report_item(r) for r in uow.cases.reports_to(recipients, limit, sight)],
            late_requests=_queue(deps, uow, late),
            owed_reports=_queue(
                deps,
                uow,
                uow.cases.summaries(
                    CaseQuery(owes_report=actor.username, open_only=True, limit=limit, sight=sight)
                ),
            ),
        )


def suggestion_queue(
    deps: Deps,
    username: str,
    reason: ScreeningReason | None = None,
    service_code: str | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """Suggestions waiting for the complaint staff (items 3 and 5b), oldest first.

    Those recorded and those taken up, not yet forwarded to the evaluation nor made a
    complaint; filtered by screening reason and by service (a code of the catalog, else an
    ``InputError`` naming ``service_code``). Only for those who may act on a suggestion (the
    transition table: the office's complaint staff and the Head); the cases are those in the
    reader's sight, decided in the query.
    """
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        if viewer.actor.role not in SUGGESTION_ROLES:
            raise AccessDeniedError(
                "suggestion_staff",
                N_(
                    "antrean saran/masukan hanya untuk petugas pengaduan, atasan dan Kepala DPMPTSP"
                ),
            )
        if service_code is not None and deps.reference.service(uow, service_code) is None:
            raise unknown_service(uow, service_code)
        found = _suggestions(uow, reason, service_code, limit, viewer.sight)
        return _queue(deps, uow, found)


def _suggestions(
    uow: UnitOfWork,
    reason: ScreeningReason | None,
    service_code: str | None,
    limit: int,
    sight: Sight,
) -> list[CaseListing]:
    """The oldest ``limit`` suggestions still waiting (one indexed query per status)."""
    found = [
        listing
        for status in SUGGESTION_WORK
        for listing in uow.cases.summaries(
            CaseQuery(
                status=status,
                screening_reason=reason,
                service_code=service_code,
                limit=limit,
                sight=sight,
            )
        )
    ]
    return sorted(found, key=lambda c: c.id)[:limit]


def apip_approvals(deps: Deps, username: str, limit: int = 100) -> list[QueueItem]:
    """Requests to involve APIP that this user has the authority to decide (item 7c)."""
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        actor, now = viewer.actor, deps.clock.now()
        pending = uow.cases.find(
            CaseQuery(status=Status.APIP_PENDING, limit=limit, sight=viewer.sight)
        )
        mine = [c for c in pending if _may_approve_apip(c, actor, now, deps.policy)]
        items = _queue(deps, uow, [codec.listing_of(c) for c in mine])
        # The head decides with the officer's reason in view, not blind (issue 13 item 1).
        chart = deps.reference.orgchart(uow)
        return [
            item.model_copy(update={"request": _apip_request(uow, chart, item.case.id)})
            for item in items
        ]


def _apip_request(uow: UnitOfWork, chart: OrgChart, case_id: int) -> WrittenRequest | None:
    asked = [e for e in uow.cases.events(case_id) if e.action == Action.REQUEST_APIP.value]
    if not asked:
        return None
    last = asked[-1]
    person = people_of(chart, [last.actor]).get(last.actor)
    by = f"{person.name}, {person.position}" if person and person.position else last.actor
    return WrittenRequest(text=str(last.data.get("reason", "")), by=by, at=last.at)


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
    users = deps.reference.orgchart(uow).users
    items: dict[int, QueueItem] = {}
    for case in found:
        limits = sorted(deadlines.statuses(case, now, calendar), key=lambda d: d.due_at)
        # The tier holder's post on a track; before routing, the person it is assigned to by
        # name (a page never shows a bare username).
        assignee = users.get(case.assignee) if case.assignee else None
        until = waiting_until(case.info_requested_at, calendar, deps.deadlines)
        items[case.id] = QueueItem(
            case=summarise_listing(case),
            tier=case.tier,
            holder=case.holder or (assignee.full_name if assignee else case.assignee),
            deadline=deadline_view(limits[0], until) if limits else None,
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
