"""Effects: what each action changes on the case once its guards have passed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aduan.workflow.case import PlanStep, StandardLink, Worksheet, WrittenReport
from aduan.workflow.context import ActionContext
from aduan.workflow.payloads import (
    AnswerPayload,
    ClassifyPayload,
    EscalatePayload,
    Payload,
    ReasonPayload,
    RecordStepPayload,
    ReferPayload,
    ResultPayload,
    ReviewPayload,
    RouteAgencyPayload,
    RoutePayload,
    SuperiorReportPayload,
    sent_time,
)
from aduan.workflow.states import Action, Kind, Role, Track

Effect = Callable[[ActionContext], None]
P = TypeVar("P", bound=Payload)


def _payload(ctx: ActionContext, cls: type[P]) -> P:
    if not isinstance(ctx.payload, cls):  # the lifecycle validated it against PAYLOADS
        raise TypeError(f"{cls.__name__} expected, got {type(ctx.payload).__name__}")
    return ctx.payload


def _classify(ctx: ActionContext) -> None:
    p = _payload(ctx, ClassifyPayload)
    ctx.case.service_code = p.service_code
    ctx.case.problem_types = list(dict.fromkeys(p.problem_types))


def _review(ctx: ActionContext) -> None:
    p = _payload(ctx, ReviewPayload)
    extra = [StandardLink("other", f"extra-{i}", t) for i, t in enumerate(p.extra_links, 1)]
    ctx.case.worksheet = Worksheet(
        core_problem=p.core_problem,
        links=[*p.links_context, *extra],
        related=list(p.related_context),
        plan=[PlanStep(s.kind, s.party, s.description, s.outcome) for s in p.plan],
    )


def _record_step(ctx: ActionContext) -> None:
    p = _payload(ctx, RecordStepPayload)
    assert ctx.case.worksheet is not None  # guarded by plan_step_exists
    step = ctx.case.worksheet.plan[p.step - 1]
    step.outcome = p.outcome
    step.done_at = ctx.now


def _enter_track(ctx: ActionContext, track: Track, payload: RoutePayload) -> None:
    case = ctx.case
    case.track = track
    case.chain = list(payload.chain_context)
    case.tier = 0
    case.assignee = case.chain[0].holder if case.chain else None


def _route_internal(ctx: ActionContext) -> None:
    _enter_track(ctx, Track.INTERNAL, _payload(ctx, RoutePayload))


def _route_agency(ctx: ActionContext) -> None:
    p = _payload(ctx, RouteAgencyPayload)
    ctx.case.agency_unit = p.agency
    _enter_track(ctx, Track.AGENCY, p)


def _escalate(ctx: ActionContext) -> None:
    p = _payload(ctx, EscalatePayload)
    case = ctx.case
    level = case.escalation_level(ctx.actor)
    below, above = case.chain[level], case.chain[level + 1]
    ctx.reports.append(
        WrittenReport(
            kind="tier",
            author=ctx.actor.username,
            addressee=above.holder or above.title,
            text=p.report,
            at=ctx.now,
            from_position=below.position,
            to_position=above.position,
        )
    )
    case.tier = level + 1
    case.assignee = above.holder


def _request_apip(ctx: ActionContext) -> None:
    ctx.case.apip_origin = ctx.case.status


def _approve_apip(ctx: ActionContext) -> None:
    ctx.case.track = Track.APIP
    ctx.case.assignee = None


def _refuse_apip(ctx: ActionContext) -> None:
    ctx.case.apip_origin = None


def _respond(ctx: ActionContext) -> None:
    p = _payload(ctx, AnswerPayload)
    ctx.case.answered_at = ctx.case.answered_at or sent_time(p, ctx.now)


def _record_result(ctx: ActionContext) -> None:
    p = _payload(ctx, ResultPayload)
    ctx.case.outcome = p.outcome
    ctx.case.result_summary = p.summary
    ctx.case.corrective_actions = list(p.corrective_actions)


def _inform_complainant(ctx: ActionContext) -> None:
    p = _payload(ctx, AnswerPayload)
    at = sent_time(p, ctx.now)
    ctx.case.informed_at = at
    ctx.case.answered_at = ctx.case.answered_at or at


def _report_to_superior(ctx: ActionContext) -> None:
    p = _payload(ctx, SuperiorReportPayload)
    ctx.case.reported_at = ctx.now
    ctx.reports.append(
        WrittenReport(
            kind="superior",
            author=ctx.actor.username,
            addressee=p.addressee or "atasan langsung",
            text=p.text,
            at=ctx.now,
            from_position=ctx.actor.position,
        )
    )


def _close(ctx: ActionContext) -> None:
    ctx.case.closed_at = ctx.now


def _reopen(ctx: ActionContext) -> None:
    # The disputed case goes back to the office's review: the track is chosen again.
    case = ctx.case
    first_office_holder = case.chain[0].holder if case.track is Track.INTERNAL else None
    case.assignee = ctx.actor.username if ctx.actor.role is Role.OFFICER else first_office_holder
    case.agency_unit = None
    case.reopen_count += 1
    case.outcome = None
    case.result_summary = None
    case.corrective_actions = []
    case.informed_at = None
    case.reported_at = None
    case.closed_at = None
    case.track = None
    case.chain = []
    case.tier = 0
    case.apip_origin = None


def _end_case(ctx: ActionContext) -> None:
    ctx.case.closed_at = ctx.now


def _refer(ctx: ActionContext) -> None:
    ctx.case.referred_to = _payload(ctx, ReferPayload).addressee
    _end_case(ctx)


def _accept_late(ctx: ActionContext) -> None:
    ctx.case.kind = Kind.COMPLAINT
    ctx.case.late_acceptance_reason = _payload(ctx, ReasonPayload).reason


EFFECTS: dict[Action, Effect] = {
    Action.CLASSIFY: _classify,
    Action.REVIEW: _review,
    Action.RECORD_STEP: _record_step,
    Action.ROUTE_INTERNAL: _route_internal,
    Action.ROUTE_AGENCY: _route_agency,
    Action.ESCALATE: _escalate,
    Action.REQUEST_APIP: _request_apip,
    Action.APPROVE_APIP: _approve_apip,
    Action.REFUSE_APIP: _refuse_apip,
    Action.RESPOND: _respond,
    Action.RECORD_RESULT: _record_result,
    Action.INFORM_COMPLAINANT: _inform_complainant,
    Action.REPORT_TO_SUPERIOR: _report_to_superior,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
    Action.WITHDRAW: _end_case,
    Action.REFER: _refer,
    Action.ACCEPT_LATE: _accept_late,
}
