"""Effects: what each action changes on the case once its guards have passed.

Each action names its effect in its declaration (``aduan.workflow.actions``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aduan.workflow.case import (
    Case,
    OverdueReport,
    PlanStep,
    StandardLink,
    Withdrawal,
    Worksheet,
    WrittenReport,
)
from aduan.workflow.context import ActionContext
from aduan.workflow.errors import InputError
from aduan.workflow.payloads import (
    AnswerPayload,
    ApipApprovalPayload,
    ApipByLawPayload,
    ClassifyPayload,
    DuplicatePayload,
    EscalatePayload,
    OverdueReportPayload,
    Payload,
    ReasonPayload,
    RecordStepPayload,
    ReferPayload,
    RespondPayload,
    ResultPayload,
    ReviewPayload,
    RouteAgencyPayload,
    RoutePayload,
    SuperiorReportPayload,
    UndoMergePayload,
    sent_time,
)
from aduan.workflow.states import N_, AnswerKind, Kind, Role, Track

Effect = Callable[[ActionContext], None]
P = TypeVar("P", bound=Payload)


def _payload(ctx: ActionContext, cls: type[P]) -> P:
    if not isinstance(ctx.payload, cls):  # the lifecycle validated it against the declaration
        raise TypeError(f"{cls.__name__} expected, got {type(ctx.payload).__name__}")
    return ctx.payload


def classify(ctx: ActionContext) -> None:
    """Set the service and the problem types."""
    p = _payload(ctx, ClassifyPayload)
    ctx.case.service_code = p.service_code
    ctx.case.problem_types = list(dict.fromkeys(p.problem_types))


def review(ctx: ActionContext) -> None:
    """File the review worksheet with its links, related records and plan."""
    p = _payload(ctx, ReviewPayload)
    extra = [StandardLink("other", f"extra-{i}", t) for i, t in enumerate(p.extra_links, 1)]
    ctx.case.worksheet = Worksheet(
        core_problem=p.core_problem,
        links=[*p.links_context, *extra],
        related=list(p.related_context),
        plan=[PlanStep(s.kind, s.party, s.description, s.outcome) for s in p.plan],
    )


def record_step(ctx: ActionContext) -> None:
    """Record the outcome of one planned handling step."""
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


def route_internal(ctx: ActionContext) -> None:
    """Put the case on the internal track, held by the entry level of the office's chain."""
    _enter_track(ctx, Track.INTERNAL, _payload(ctx, RoutePayload))


def route_agency(ctx: ActionContext) -> None:
    """Put the case on an agency's track, held by the entry level of its chain."""
    p = _payload(ctx, RouteAgencyPayload)
    ctx.case.agency_unit = p.agency
    _enter_track(ctx, Track.AGENCY, p)


def escalate(ctx: ActionContext) -> None:
    """Move the case exactly one tier up, with the written report to that tier's holder.

    The deadline sweep (the system) writes no report: its text is a system notice on the
    timeline, and the tier that missed its deadline is left the task of filing its own written
    report (``case.overdue_reports``, issue 13 item 3).
    """
    p = _payload(ctx, EscalatePayload)
    case = ctx.case
    level = case.tier
    below, above = case.chain[level], case.chain[level + 1]
    if ctx.actor.role is Role.SYSTEM:
        case.overdue_reports.append(
            OverdueReport(
                tier=level,
                position=below.position,
                title=below.title,
                holder=below.holder,
                to_position=above.position,
                to_title=above.title,
                to_holder=above.holder,
                missed_at=ctx.now,
            )
        )
        case.tier = level + 1
        case.assignee = above.holder
        return
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


def owed_report(ctx: ActionContext) -> OverdueReport | None:
    """The overdue written report the actor owes on this case: for their post, or by name."""
    actor = ctx.actor
    for owed in ctx.case.overdue_reports:
        if (actor.position is not None and owed.position == actor.position) or (
            owed.holder == actor.username
        ):
            return owed
    return None


def file_overdue_report(ctx: ActionContext) -> None:
    """File the written report a tier owes, addressed to the tier the sweep moved the case to."""
    p = _payload(ctx, OverdueReportPayload)
    owed = owed_report(ctx)
    assert owed is not None  # guarded by owes_overdue_report
    ctx.case.overdue_reports.remove(owed)
    ctx.reports.append(
        WrittenReport(
            kind="tier",
            author=ctx.actor.username,
            addressee=owed.to_holder or owed.to_title,
            text=p.report,
            at=ctx.now,
            from_position=owed.position,
            to_position=owed.to_position,
        )
    )


def skip_concerned(case: Case, concerned: frozenset[str] | set[str]) -> None:
    """Leave the levels held by ``concerned`` staff out of the case's chain (issue 16 item 3).

    The chain keeps only the levels whose holder the case does not concern, so the holder, an
    escalation (always to the next level of the chain) and the written reports skip them. A
    case held by a concerned person moves to the next level above not concerned; with none
    above, an ``InputError`` (nothing changed). A concerned assignee of a case on no track is
    unassigned: the case goes back to the office's queue.
    """
    if not case.chain:
        if case.assignee in concerned:
            case.assignee = None
        return
    kept = [level for level in case.chain if level.holder not in concerned]
    holder = case.chain[case.tier]
    moved = holder.holder in concerned
    if moved:
        above = [level for level in case.chain[case.tier + 1 :] if level.holder not in concerned]
        if not above:
            raise InputError(
                "staff",
                "level_above",
                N_("tidak ada tingkat di atas %(title)s yang tidak terkait dengan pengaduan"),
                title=holder.title,
            )
        holder = above[0]
    case.chain = kept
    case.tier = kept.index(holder)
    if moved or case.assignee in concerned:
        case.assignee = holder.holder


def request_apip(ctx: ActionContext) -> None:
    """Remember the track to return to if the head refuses."""
    ctx.case.apip_origin = ctx.case.status


def approve_apip(ctx: ActionContext) -> None:
    """Put the case on the APIP track, held by the inspectorate's entry post (it is told)."""
    _enter_track(ctx, Track.APIP, _payload(ctx, ApipApprovalPayload))


def open_apip(ctx: ActionContext) -> None:
    """APIP takes the case up on a legal basis: the APIP track, held by its entry post."""
    ctx.case.apip_origin = None
    _enter_track(ctx, Track.APIP, _payload(ctx, ApipByLawPayload))


def refuse_apip(ctx: ActionContext) -> None:
    """Forget the pending APIP request (the table sends the case back)."""
    ctx.case.apip_origin = None


def respond(ctx: ActionContext) -> None:
    """Stop the answer clock at the time the answer was sent; an interim notice does not."""
    p = _payload(ctx, RespondPayload)
    at = sent_time(p, ctx.now, ctx.case.received_at)
    if p.answer_kind is AnswerKind.ANSWER:
        ctx.case.answered_at = ctx.case.answered_at or at


def record_result(ctx: ActionContext) -> None:
    """Record the outcome, its summary and the corrective actions."""
    p = _payload(ctx, ResultPayload)
    ctx.case.outcome = p.outcome
    ctx.case.result_summary = p.summary
    ctx.case.result_position = ctx.actor.position
    ctx.case.corrective_actions = list(p.corrective_actions)


def inform_complainant(ctx: ActionContext) -> None:
    """Record when the result reached the complainant (an answer too)."""
    p = _payload(ctx, AnswerPayload)
    at = sent_time(p, ctx.now, ctx.case.received_at)
    ctx.case.informed_at = at
    ctx.case.answered_at = ctx.case.answered_at or at


def report_to_superior(ctx: ActionContext) -> None:
    """File the report of the result to the direct superior."""
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


def close(ctx: ActionContext) -> None:
    """Close the case."""
    ctx.case.closed_at = ctx.now


def reopen(ctx: ActionContext) -> None:
    """Open a disputed case again for a new review; the track is chosen again."""
    # The disputed case goes back to the office's review: the track is chosen again.
    case = ctx.case
    first_office_holder = case.chain[0].holder if case.track is Track.INTERNAL else None
    case.assignee = ctx.actor.username if ctx.actor.role is Role.OFFICER else first_office_holder
    case.agency_unit = None
    case.reopen_count += 1
    case.public_qa = None  # issue 14 item 7: a disputed answer is not the office's final word
    case.outcome = None
    case.result_summary = None
    case.result_position = None
    case.corrective_actions = []
    case.informed_at = None
    case.reported_at = None
    case.closed_at = None
    case.track = None
    case.chain = []
    case.tier = 0
    case.apip_origin = None


def end_case(ctx: ActionContext) -> None:
    """End the case."""
    ctx.case.closed_at = ctx.now


def withdraw(ctx: ActionContext) -> None:
    """End the case as withdrawn, recording who, why, and what an undo restores."""
    case = ctx.case
    case.withdrawal = Withdrawal(
        from_status=case.status,  # the effect runs before the table moves the status
        at=ctx.now,
        actor=ctx.actor.username,
        role=ctx.actor.role,
        reason=_payload(ctx, ReasonPayload).reason,
        stage_started_at=case.stage_started_at,
        stage_due_at=case.stage_due_at,
    )
    end_case(ctx)


def undo_withdraw(ctx: ActionContext) -> None:
    """Open the case again as it was: the table restores the status, this the stage target."""
    case = ctx.case
    assert case.withdrawal is not None  # the table's selector chose the row by it
    case.stage_started_at = case.withdrawal.stage_started_at
    case.stage_due_at = case.withdrawal.stage_due_at
    case.closed_at = None
    case.withdrawal = None


def refer(ctx: ActionContext) -> None:
    """End the case by referring it to the body with authority over it, reported upwards.

    Item 8: the complainant hears where it went (the planner), and the referral is reported in
    writing to the referring officer's direct superior.
    """
    p = _payload(ctx, ReferPayload)
    ctx.case.referred_to = p.addressee
    ctx.reports.append(
        WrittenReport(
            kind="superior",
            author=ctx.actor.username,
            addressee=p.superior_context or "atasan langsung",
            text=p.reason,
            at=ctx.now,
            from_position=ctx.actor.position,
        )
    )
    end_case(ctx)


def mark_duplicate(ctx: ActionContext) -> None:
    """End the case as a duplicate of its main case, which answers for it (issue 14 item 4)."""
    p = _payload(ctx, DuplicatePayload)
    assert p.main_context is not None  # the service found the main case in sight
    ctx.case.merged_into = p.main_context
    ctx.case.merged_from = ctx.case.status  # the effect runs before the table moves the status
    end_case(ctx)


def undo_merge(ctx: ActionContext) -> None:
    """Handle a merged duplicate on its own again: the table restores the status it had.

    It leaves its main case (whose result no longer reaches it, and whose complainants the
    statistics no longer count it among); the deadline policy counts its answer deadline
    again (``aduan.escalation.deadlines.rejoin``).
    """
    _payload(ctx, UndoMergePayload)
    ctx.case.merged_into = None
    ctx.case.merged_from = None
    ctx.case.closed_at = None


def accept_late(ctx: ActionContext) -> None:
    """Accept a late submission as a complaint, with the supervisor's reason.

    Its 14 working days run from the office's receipt (item 4), not from the acceptance: a
    supervisor who accepts it late does not buy the office more time.
    """
    ctx.case.kind = Kind.COMPLAINT
    ctx.case.late_acceptance_reason = _payload(ctx, ReasonPayload).reason
    ctx.case.response_started_at = ctx.case.received_at


def acknowledge_suggestion(ctx: ActionContext) -> None:
    """The complaint staff member who takes a suggestion up holds it until it is forwarded."""
    ctx.case.assignee = ctx.actor.username


def forward_suggestion(ctx: ActionContext) -> None:
    """Hand a classified suggestion to the yearly evaluation; nobody holds it any more."""
    ctx.case.assignee = None


def convert_suggestion(ctx: ActionContext) -> None:
    """Make a suggestion screened by mistake the complaint it should have been.

    It becomes an ordinary registered complaint: its 14-working-day answer runs from the
    office's receipt, not from the conversion (item 4; ``deadlines.after_change`` starts the
    clock at ``response_started_at``). The supervisor's reason is on the timeline.
    """
    ctx.case.kind = Kind.COMPLAINT
    ctx.case.response_started_at = ctx.case.received_at


def request_info(ctx: ActionContext) -> None:
    """Stop the answer clock from now (issue 14 item 5); the question goes to the complainant.

    The deadline policy (``aduan.escalation.pause``) drops the answer's alarms and sets the
    alarm of the end of the wait.
    """
    ctx.case.info_requested_at = ctx.now


def resume_clock(ctx: ActionContext) -> None:
    """Nothing changes here: the deadline policy ends the pause and moves the deadline later.

    A reply (``record_info_reply``) and the end of the wait (``end_info_wait``) resume the
    clock; ``aduan.escalation.pause.resume`` counts the working days it stood still.
    """


def extend_deadline(ctx: ActionContext) -> None:
    """Nothing changes here: ``aduan.escalation.pause.extend`` checks the limits and moves it.

    The new deadline depends on the working-day calendar, which only the deadline policy has.
    """
