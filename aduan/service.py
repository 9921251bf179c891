"""The use cases of Aduan: the only code that opens a transaction.

Each function takes the dependencies (``Deps``) and a validated command, does its work in one
unit of work, and returns a read model. Errors are ``AduanError`` subclasses; nothing is written
when one is raised.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from aduan.catalog.orgchart import OrgChart, StaffUser, build_orgchart, load_orgchart
from aduan.catalog.services import Service, load_services, standard_links
from aduan.escalation import deadlines
from aduan.escalation.calendar import WorkingCalendar
from aduan.escalation.deadlines import AlarmPoint, DeadlinePolicy
from aduan.models import codec
from aduan.models.commands import ActionCommand, SubmitCommand
from aduan.models.ports import (
    AddressedReport,
    CaseListing,
    CaseQuery,
    Clock,
    TrackingCodeTakenError,
    UnitOfWork,
    UnitOfWorkFactory,
)
from aduan.models.views import (
    ActionResult,
    CaseDetail,
    CaseSummary,
    QueueItem,
    ReportItem,
    SupervisorQueue,
    TrackingView,
    complainant_view,
    deadline_view,
    event_view,
    report_view,
    summaries_of,
    summarise_listing,
    summary_fields,
)
from aduan.notifications import planner
from aduan.notifications.outbox import enqueue
from aduan.notifications.planner import NotifyPolicy
from aduan.workflow import intake
from aduan.workflow.case import Actor, Case, CaseEvent, Complainant
from aduan.workflow.context import ActionContext, Policy
from aduan.workflow.errors import ConflictError, InputError, RuleViolationError
from aduan.workflow.guards import approver_has_authority
from aduan.workflow.lifecycle import parse_payload, perform
from aduan.workflow.payloads import (
    Payload,
    ReviewPayload,
    RouteAgencyPayload,
    RoutePayload,
    SuperiorReportPayload,
)
from aduan.workflow.states import STATUS_LABELS, Action, Role, ScreeningReason, Status
from aduan.workflow.table import allowed_actions, roles_for

log = structlog.get_logger()


class CalendarCache:
    """The working-day calendar with the administrator's overrides, rebuilt when they change.

    Overrides are read again at most every ``max_age`` seconds (a change made in this process
    takes effect at once), so a calendar change in one instance reaches the others within it.
    """

    def __init__(self, max_age: float = 60.0, first_year: int = 2020, last_year: int = 2035):
        self.max_age = max_age
        self.years = (first_year, last_year)
        self._base: WorkingCalendar | None = None
        self._current: WorkingCalendar | None = None
        self._checked = -math.inf

    def get(self, uow: UnitOfWork) -> WorkingCalendar:
        """The calendar in force, reading the overrides through ``uow`` when due."""
        if self._base is None:
            self._base = WorkingCalendar.for_indonesia(*self.years)
        if self._current is None or time.monotonic() - self._checked > self.max_age:
            overrides = tuple(uow.calendar.overrides())
            if self._current is None or overrides != self._current.overrides:
                self._current = self._base.with_overrides(overrides)
            self._checked = time.monotonic()
        return self._current

    def invalidate(self) -> None:
        """Read the overrides again on next use."""
        self._checked = -math.inf


class ReferenceCache:
    """The catalog and the org chart, kept ``max_age`` seconds (local changes clear it at once).

    Routing, review and intake read them on the hot path; they change a few times a year.
    Who may act is never cached: ``_actor`` reads the user on every action.
    """

    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self._chart: tuple[float, OrgChart] | None = None
        self._services: tuple[float, dict[str, Service]] | None = None
        # Bumped by every local change of users or credentials: caches keyed on who is
        # calling (aduan.web.auth.StaffCache) drop what they hold when it moves.
        self.generation = 0

    def orgchart(self, uow: UnitOfWork) -> OrgChart:
        """The org chart in force."""
        if self._chart is None or time.monotonic() - self._chart[0] > self.max_age:
            self._chart = (time.monotonic(), uow.reference.orgchart())
        return self._chart[1]

    def service(self, uow: UnitOfWork, code: str) -> Service | None:
        """One catalog service, or None."""
        if self._services is None or time.monotonic() - self._services[0] > self.max_age:
            self._services = (time.monotonic(), {s.code: s for s in uow.reference.services()})
        return self._services[1].get(code)

    def invalidate(self) -> None:
        """Read both again on next use (and look every caller up again)."""
        self._chart = self._services = None
        self.generation += 1


@dataclass(frozen=True, slots=True)
class Deps:
    """What every use case needs; ``bootstrap`` builds it with concrete adapters."""

    uow: UnitOfWorkFactory
    clock: Clock
    policy: Policy = field(default_factory=Policy)
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    calendars: CalendarCache = field(default_factory=CalendarCache)
    reference: ReferenceCache = field(default_factory=ReferenceCache)
    notify: NotifyPolicy = field(default_factory=NotifyPolicy)


SYSTEM = Actor("system", Role.SYSTEM)
COMPLAINANT_ACTIONS = frozenset({Action.WITHDRAW, Action.REOPEN})


# --- intake -------------------------------------------------------------------------------


def submit_complaint(deps: Deps, cmd: SubmitCommand, recorded_by: str | None = None) -> CaseDetail:
    """Record a submission, screen it (item 2, 3, 5a–b) and give it a tracking code."""
    now = deps.clock.now()
    received_at = cmd.received_at or now
    complained_at = cmd.complained_at or received_at
    intake.check_times(cmd.service_received_on, complained_at, received_at, now)
    complainant = Complainant(**cmd.complainant.model_dump())
    screening = intake.screen(
        complainant,
        cmd.description,
        cmd.service_received_on,
        received_at,
        deps.policy.intake_window_days,
    )
    with deps.uow() as uow:
        actor = _actor(uow, recorded_by) if recorded_by else Actor("public", Role.COMPLAINANT)
        if cmd.service_code is not None and deps.reference.service(uow, cmd.service_code) is None:
            raise _unknown_service(uow, cmd.service_code)
        case = Case(
            tracking_code=intake.new_tracking_code(),
            kind=screening.kind,
            status=screening.status,
            screening_reason=screening.reason,
            channel=cmd.channel,
            complainant=complainant,
            subject=cmd.subject,
            description=cmd.description,
            service_code=cmd.service_code,
            service_text=cmd.service_text,
            licence_number=cmd.licence_number,
            service_received_on=cmd.service_received_on,
            complained_at=complained_at,
            received_at=received_at,
            intake_days=screening.intake_days,
            created_at=now,
            updated_at=now,
            assignee=actor.username if actor.role is Role.OFFICER else None,
        )
        event = CaseEvent(
            action="submit",
            actor=actor.username,
            role=actor.role,
            from_status=None,
            to_status=case.status,
            at=now,
            data={
                "kind": case.kind.value,
                "screening_reason": screening.reason and screening.reason.value,
                "intake_days": screening.intake_days,
                "channel": cmd.channel.value,
            },
        )
        calendar = deps.calendars.get(uow)
        response = deadlines.start_response(case, received_at, calendar, deps.deadlines)
        stage = deadlines.enter_stage(case, received_at, calendar, deps.deadlines)
        _add_with_fresh_code(uow, case, event)
        assert case.id is not None
        for replan in (response, stage):
            schedule(uow, case.id, replan, now)
        if deps.notify.enabled:
            notices = planner.on_submit(case, deps.reference.orgchart(uow))
            enqueue(uow.outbox, f"case:{case.id}:v1", notices, deps.notify.language, now, case.id)
        detail = _detail(deps, uow, case, actor.role)
        uow.commit()
    log.info(
        "complaint_submitted",
        case_id=case.id,
        tracking_code=case.tracking_code,
        kind=case.kind.value,
        screening_reason=screening.reason and screening.reason.value,
        channel=cmd.channel.value,
    )
    return detail


def schedule(uow: UnitOfWork, case_id: int, replan: deadlines.Replan, now: datetime) -> None:
    """Store a case's new alarms; reminders already in the past are not worth ringing."""
    keep = [a for a in replan.alarms if a.point is AlarmPoint.BREACH or a.fire_at > now]
    if replan.replaced or keep:
        uow.alarms.replace(case_id, replan.replaced, keep)


def _add_with_fresh_code(uow: UnitOfWork, case: Case, event: CaseEvent) -> None:
    # 49 random bits make a collision rare; draw again rather than fail the complainant.
    for _ in range(5):
        try:
            uow.cases.add(case, event)
            return
        except TrackingCodeTakenError:
            case.tracking_code = intake.new_tracking_code()
    uow.cases.add(case, event)


# --- actions ------------------------------------------------------------------------------


def perform_action(deps: Deps, cmd: ActionCommand, username: str) -> ActionResult:
    """Take one action of the transition table on a case, as a staff user."""
    with deps.uow() as uow:
        actor = _actor(uow, username)
        case = uow.cases.get(_ref(cmd.case_ref))
        result = _act(deps, uow, case, actor, cmd.action, cmd.payload, cmd.expected_version)
        uow.commit()
    return result


def act_as_complainant(
    deps: Deps, tracking_code: str, action: Action, payload: dict[str, Any]
) -> TrackingView:
    """Withdraw or dispute (reopen) a case by its tracking code, without an account."""
    if action not in COMPLAINANT_ACTIONS:
        raise InputError(
            "action",
            "complainant_action",
            "pelapor hanya dapat mencabut (withdraw) atau mengajukan keberatan (reopen)",
            "a complainant may only withdraw or reopen",
        )
    code = intake.normalise_tracking_code(tracking_code)
    with deps.uow() as uow:
        case = uow.cases.get(code)
        _act(deps, uow, case, Actor("complainant", Role.COMPLAINANT), action, payload, None)
        view = _tracking(uow, case)
        uow.commit()
    return view


def _act(
    deps: Deps,
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    action: Action,
    raw: dict[str, Any],
    expected_version: int | None,
) -> ActionResult:
    if expected_version is not None and expected_version != case.version:
        raise ConflictError(case.ref, expected_version, case.version)
    loaded_version = case.version
    payload = _with_context(deps, uow, case, actor, action, parse_payload(action, raw))
    before = (case.status, case.tier, case.kind)
    assignee_before = case.assignee
    now = deps.clock.now()
    outcomes = perform(case, action, actor, payload, now, deps.policy)
    replan = deadlines.after_change(case, before, now, deps.calendars.get(uow), deps.deadlines)
    assert case.id is not None
    uow.cases.save(case, loaded_version)
    uow.cases.append(case.id, outcomes)
    schedule(uow, case.id, replan, now)
    if deps.notify.enabled:
        notices = planner.on_action(
            case,
            action,
            actor.username,
            assignee_before,
            outcomes.reports,
            payload,
            deps.reference.orgchart(uow),
            deps.policy.reopen_window_days,
        )
        source = f"case:{case.id}:v{case.version}"
        enqueue(uow.outbox, source, notices, deps.notify.language, now, case.id)
    log.info(
        "case_transitioned",
        case_id=case.id,
        action=action.value,
        from_status=before[0].value,
        to_status=case.status.value,
        actor=actor.username,
        role=actor.role.value,
    )
    return ActionResult(
        id=case.id,
        tracking_code=case.tracking_code,
        version=case.version,
        kind=case.kind.value,
        status=case.status.value,
        status_label=STATUS_LABELS[case.status][0],
        track=case.track and case.track.value,
        tier=case.tier,
        assignee=case.assignee,
        event=event_view(outcomes.event),
        reports=[report_view(r) for r in outcomes.reports],
        allowed_actions=[a.value for a in allowed_actions(case.status, actor.role)],
    )


def _with_context(
    deps: Deps, uow: UnitOfWork, case: Case, actor: Actor, action: Action, payload: Payload
) -> Payload:
    """Fill the fields that come from the catalog, the org chart and earlier records."""
    if action is Action.CLASSIFY:
        code = getattr(payload, "service_code")  # noqa: B009 - ClassifyPayload
        if deps.reference.service(uow, code) is None:
            raise _unknown_service(uow, code)
    if isinstance(payload, ReviewPayload):
        service = deps.reference.service(uow, case.service_code) if case.service_code else None
        return payload.model_copy(
            update={
                "links_context": standard_links(service, case.problem_types),
                "related_context": uow.cases.related(case),
            }
        )
    if isinstance(payload, RoutePayload):
        chart = deps.reference.orgchart(uow)
        if isinstance(payload, RouteAgencyPayload):
            unit = chart.agency(payload.agency).code
        else:
            unit = chart.office().code
        chain = chart.chain(unit)
        if not chain:
            raise InputError(
                "agency",
                "has_chain",
                f"unit '{unit}' belum punya jabatan",
                f"unit '{unit}' has no positions",
            )
        return payload.model_copy(update={"chain_context": chain})
    if isinstance(payload, SuperiorReportPayload) and payload.addressee is None:
        superior = deps.reference.orgchart(uow).superior_of(actor.position)
        return payload.model_copy(
            update={"addressee": superior[0] if superior else "atasan langsung"}
        )
    return payload


# --- reads --------------------------------------------------------------------------------


def get_case(deps: Deps, ref: str, username: str) -> CaseDetail:
    """A case with its timeline and reports, as ``username`` may see it."""
    with deps.uow(readonly=True) as uow:
        actor = _actor(uow, username)
        return _detail(deps, uow, uow.cases.get(_ref(ref)), actor.role)


def track_case(deps: Deps, tracking_code: str) -> TrackingView:
    """The public view of a case by tracking code."""
    with deps.uow(readonly=True) as uow:
        return _tracking(uow, uow.cases.get(intake.normalise_tracking_code(tracking_code)))


def list_cases(deps: Deps, query: CaseQuery) -> list[CaseSummary]:
    """Cases matching the filters."""
    with deps.uow(readonly=True) as uow:
        rows = uow.cases.summary_fields(query)
    return summaries_of(rows)


def _detail(deps: Deps, uow: UnitOfWork, case: Case, role: Role) -> CaseDetail:
    assert case.id is not None
    now = deps.clock.now()
    limits = deadlines.statuses(case, now, deps.calendars.get(uow))
    holder = case.holder
    return CaseDetail(
        **summary_fields(case),
        complainant=complainant_view(case.complainant, role),
        description=case.description,
        service_text=case.service_text,
        licence_number=case.licence_number,
        service_received_on=case.service_received_on,
        complained_at=case.complained_at,
        intake_days=case.intake_days,
        problem_types=[p.value for p in case.problem_types],
        worksheet=codec.worksheet_to_json(case.worksheet),
        agency_unit=case.agency_unit,
        chain=codec.chain_to_json(case.chain),
        tier=case.tier,
        holder=holder.title if holder else None,
        outcome=case.outcome and case.outcome.value,
        result_summary=case.result_summary,
        corrective_actions=case.corrective_actions,
        answered_at=case.answered_at,
        informed_at=case.informed_at,
        reported_at=case.reported_at,
        closed_at=case.closed_at,
        late_acceptance_reason=case.late_acceptance_reason,
        referred_to=case.referred_to,
        reopen_count=case.reopen_count,
        allowed_actions=[a.value for a in allowed_actions(case.status, role)],
        deadlines=[deadline_view(d) for d in limits],
        response_due_at=case.response_due_at,
        overdue=any(d.overdue for d in limits),
        timeline=[event_view(e) for e in uow.cases.events(case.id)],
        reports=[report_view(r) for r in uow.cases.reports(case.id)],
    )


def _tracking(uow: UnitOfWork, case: Case) -> TrackingView:
    assert case.id is not None
    label_id, label_en = STATUS_LABELS[case.status]
    history = [
        (e.at, STATUS_LABELS[e.to_status][0])
        for e in uow.cases.events(case.id)
        if e.from_status != e.to_status
    ]
    return TrackingView(
        tracking_code=case.tracking_code,
        kind=case.kind.value,
        status=case.status.value,
        status_label=label_id,
        status_label_en=label_en,
        screening_reason=case.screening_reason and case.screening_reason.value,
        received_at=case.received_at,
        answered_at=case.answered_at,
        result=case.result_summary if case.informed_at else None,
        closed_at=case.closed_at,
        history=history,
    )


# --- work queues --------------------------------------------------------------------------


def work_queue(deps: Deps, username: str, limit: int = 200) -> list[QueueItem]:
    """Open cases the user holds, most urgent first; officers also see unassigned ones."""
    with deps.uow(readonly=True) as uow:
        actor = _actor(uow, username)
        found = uow.cases.summaries(CaseQuery(assignee=actor.username, open_only=True, limit=limit))
        if actor.role is Role.OFFICER:  # public submissions wait for an officer to take them
            found += uow.cases.summaries(CaseQuery(unassigned=True, open_only=True, limit=limit))
        return _queue(deps, uow, found)


def overdue_board(deps: Deps, username: str, limit: int = 200) -> list[QueueItem]:
    """Open cases past a deadline, most overdue first."""
    with deps.uow(readonly=True) as uow:
        _actor(uow, username)
        found = uow.cases.summaries(CaseQuery(due_before=deps.clock.now(), limit=limit))
        items = _queue(deps, uow, found)
        return [item for item in items if item.deadline and item.deadline.overdue]


def supervisor_queue(deps: Deps, username: str, limit: int = 100) -> SupervisorQueue:
    """Cases escalated to the user, written reports to them, late complaints to accept."""
    with deps.uow(readonly=True) as uow:
        actor = _actor(uow, username)
        held = uow.cases.summaries(CaseQuery(assignee=actor.username, open_only=True, limit=limit))
        recipients = [actor.username, *([actor.position] if actor.position else [])]
        late: list[CaseListing] = []
        if actor.role in roles_for(Status.SUGGESTION, Action.ACCEPT_LATE):
            late = uow.cases.summaries(
                CaseQuery(
                    status=Status.SUGGESTION,
                    screening_reason=ScreeningReason.LATE,
                    newest_first=True,
                    limit=limit,
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
        actor = _actor(uow, username)
        now = deps.clock.now()
        pending = uow.cases.find(CaseQuery(status=Status.APIP_PENDING, limit=limit))
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
        status_label=STATUS_LABELS[found.status][0],
        report=report_view(found.report),
    )


# --- reference data -----------------------------------------------------------------------


def list_services(deps: Deps) -> list[Service]:
    """The service catalog."""
    with deps.uow(readonly=True) as uow:
        return uow.reference.services()


def load_catalog(deps: Deps, path: Path | None = None) -> list[Service]:
    """Add or replace services from a catalog file (default: the shipped seeds)."""
    services = load_services(path)
    with deps.uow() as uow:
        uow.reference.put_services(services, deps.clock.now())
        uow.commit()
    deps.reference.invalidate()
    log.info("catalog_loaded", services=len(services))
    return services


def show_orgchart(deps: Deps) -> OrgChart:
    """The organisation chart."""
    with deps.uow(readonly=True) as uow:
        return uow.reference.orgchart()


def load_org(deps: Deps, path: Path | None = None) -> OrgChart:
    """Replace the organisation chart from a file (default: the shipped sample)."""
    chart = load_orgchart(path)
    with deps.uow() as uow:
        uow.reference.put_orgchart(chart)
        uow.commit()
    deps.reference.invalidate()
    log.info("orgchart_loaded", units=len(chart.units), positions=len(chart.positions))
    return chart


def add_user(deps: Deps, user: StaffUser) -> OrgChart:
    """Add or replace one staff user, checked against the chart."""
    with deps.uow() as uow:
        chart = uow.reference.orgchart()
        users = {**chart.users, user.username: user}
        updated = build_orgchart(
            list(chart.units.values()), list(chart.positions.values()), list(users.values())
        )
        uow.reference.put_orgchart(updated)
        uow.commit()
    deps.reference.invalidate()
    log.info("user_saved", username=user.username, role=user.role.value)
    return updated


def seed_reference_data(deps: Deps) -> tuple[int, int]:
    """Load the shipped catalog and org chart into an empty database; return what was added."""
    with deps.uow() as uow:
        added_services = 0 if uow.reference.services() else len(load_services())
        if added_services:
            uow.reference.put_services(load_services(), deps.clock.now())
        added_units = 0 if uow.reference.orgchart().units else 1
        if added_units:
            uow.reference.put_orgchart(load_orgchart())
        uow.commit()
    deps.reference.invalidate()
    return added_services, added_units


# --- helpers ------------------------------------------------------------------------------


def _actor(uow: UnitOfWork, username: str) -> Actor:
    user = uow.reference.user(username)
    if user is None or not user.active:
        raise InputError(
            "user",
            "known_active_user",
            f"pengguna '{username}' tidak dikenal atau tidak aktif",
            f"unknown or inactive user '{username}'",
        )
    return Actor(user.username, user.role, user.position)


def _ref(ref: str) -> str:
    text = ref.strip()
    return text if (text.isascii() and text.isdigit()) else intake.normalise_tracking_code(text)


def _unknown_service(uow: UnitOfWork, code: str) -> InputError:
    known = ", ".join(s.code for s in uow.reference.services())
    return InputError(
        "service_code",
        "known_service",
        f"layanan '{code}' tidak ada dalam katalog (pilihan: {known})",
        f"service '{code}' is not in the catalog (known: {known})",
    )
