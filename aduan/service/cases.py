"""Use cases of one case: submit, act (as staff or as the complainant), read and track."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from aduan.escalation import deadlines, pause
from aduan.locale import translate
from aduan.ports import (
    CaseQuery,
    StoredFile,
    UnitOfWork,
)
from aduan.schemas import codec
from aduan.schemas.commands import ActionCommand, SubmitCommand
from aduan.schemas.views import (
    ActionResult,
    CaseDetail,
    CaseSummary,
    DeliveryView,
    OverdueReportView,
    TrackingView,
    deadline_view,
    event_view,
    people_of,
    report_view,
    summaries_of,
    summary_fields,
)
from aduan.service import answer_clock, attachments, concerns, duplicates, identity, retention
from aduan.service.context import with_context
from aduan.service.deps import (
    COMPLAINANT_ACTIONS,
    Deps,
    acting_on,
    actor_of,
    case_ref,
    sight_for,
    unknown_service,
    viewer_of,
)
from aduan.service.pin import hash_pin, new_pin, new_public_id, pin_matches
from aduan.service.retry import retrying
from aduan.service.saving import CaseChange, announce, save_case
from aduan.workflow import intake
from aduan.workflow.case import Actor, Case, CaseEvent, ChannelFacts, Complainant, Outcomes
from aduan.workflow.errors import ConflictError, InputError, NotFoundError
from aduan.workflow.events import ComplaintSubmitted, DomainEvent
from aduan.workflow.lifecycle import parse_payload, perform, permitted_actions
from aduan.workflow.states import N_, STATUS_NAMES, Action, Kind, Role, Status
from aduan.workflow.table import roles_for
from aduan.workflow.visibility import Reach, Sight

if TYPE_CHECKING:
    from aduan.service.receipts import Claim

log = structlog.get_logger()


# --- intake -------------------------------------------------------------------------------


def submit_complaint(
    deps: Deps,
    cmd: SubmitCommand,
    recorded_by: str | None = None,
    *,
    open311_client: int | None = None,
    concerned: Sequence[str] = (),
    concerned_reason: str = "",
    intake_claim: Claim | None = None,
    files: Sequence[attachments.Prepared] = (),
) -> CaseDetail:
    """Record a submission, screen it (item 2, 3, 5a–b) and give it a tracking code.

    The answer carries the complainant's PIN (``pin``), shown this once and kept only hashed;
    ``open311_client`` is the Open311 client key that filed it, if any. At staff intake the
    office staff may name the staff the complaint concerns (``concerned``, with a reason;
    ``aduan.service.concerns``): in the same transaction, or nothing is written. A public
    submission's idempotency key (``intake_claim``, ``aduan.service.receipts.submit_once``) is
    kept in the same transaction too, and so are the checked evidence ``files``
    (``attachments.prepare``): refused, they leave no file in the store.
    """
    names, reason = concerns.checked(concerned, concerned_reason) if concerned else ([], "")
    now = deps.clock.now()
    received_at = cmd.received_at or now
    facts = ChannelFacts(**cmd.channel_facts.model_dump())
    intake.check_channel_facts(cmd.channel, facts)
    complained_at = intake.made_at(facts, cmd.complained_at, received_at, now)
    complainant = intake.with_channel_contact(Complainant(**cmd.complainant.model_dump()), facts)
    # Issue 16 item 5: the code alone never acts on the case. Hashed before the unit of work,
    # so SQLite's writers do not queue behind the hash (a few ms) for the one write lock.
    pin = new_pin()
    pin_hash = hash_pin(pin)
    with attachments.kept(deps, files) as stored, deps.uow() as uow:
        actor = (
            actor_of(deps, uow, recorded_by) if recorded_by else Actor("public", Role.COMPLAINANT)
        )
        found = deps.reference.service(uow, cmd.service_code) if cmd.service_code else None
        if cmd.service_code is not None and found is None:
            raise unknown_service(uow, cmd.service_code)
        calendar = deps.calendars.get(uow)
        window_from = intake.window_start(
            cmd.service_received_on,
            cmd.service_pending,
            cmd.applied_on,
            found.completion_days if found else None,
            complained_at,
            intake.wib_date(now),
            calendar.add_working_days,
        )
        screening = intake.screen(
            complainant,
            cmd.description,
            window_from,
            complained_at,
            deps.policy.intake_window_days,
        )
        if names:
            concerns.check_namer(actor)
            concerns.check_staff(deps.reference.orgchart(uow), names)
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
            service_pending=cmd.service_pending,
            applied_on=cmd.applied_on,
            service_due_on=window_from if cmd.service_pending else None,
            channel_facts=facts,
            complained_at=complained_at,
            received_at=received_at,
            intake_days=screening.intake_days,
            qa_consent=cmd.qa_consent,
            created_at=now,
            updated_at=now,
            assignee=actor.username
            if actor.role is Role.OFFICER and actor.username not in names
            else None,
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
                # Why: the days counted from ``window_from`` to the made-at day (items 2–3).
                "made_at": complained_at.isoformat(),
                "window_from": window_from.isoformat(),
                "service_pending": cmd.service_pending,
                "channel_facts": {k: str(v) for k, v in facts.given().items()},
                "qa_consent": cmd.qa_consent,
            },
        )
        case.record(ComplaintSubmitted(at=now, recorded_by=actor.username))
        replans = (
            deadlines.start_response(case, received_at, calendar, deps.deadlines),
            deadlines.enter_stage(case, received_at, calendar, deps.deadlines),
        )
        records = [Outcomes(event)]
        if names:
            records.append(Outcomes(concerns.naming_entry(actor, case, names, False, reason, now)))
        events = save_case(deps, uow, CaseChange(case, None, records, replans), now)
        assert case.id is not None
        if names:
            uow.cases.add_concerns(case.id, names, actor.username, now, reason)
        kept = list(zip(files, stored, strict=True))
        attachments.record(uow, deps, case.id, actor.username, attachments.SUBMIT, kept, now)
        uow.identity.set_pin(case.id, pin_hash)
        if intake_claim is not None:
            intake_claim.record(uow, case.id, pin, deps)  # KeyTaken: another filed it first
        if open311_client is not None:
            uow.identity.set_client(case.id, open311_client, new_public_id())
        trail = [o.event for o in records]  # the submission and any naming entry
        detail = _detail(deps, uow, case, actor, new=True, recorded=trail)
        detail = detail.model_copy(update={"pin": pin})
        uow.commit()
    announce(case, events)
    return detail


# --- actions ------------------------------------------------------------------------------


def perform_action(
    deps: Deps,
    cmd: ActionCommand,
    username: str,
    files: Sequence[attachments.Prepared] = (),
) -> ActionResult:
    """Take one action of the transition table on a case, as a staff user.

    The checked evidence ``files`` (``attachments.prepare``) come with the action, in the same
    transaction: a refused action keeps none of them. The transaction runs again if PostgreSQL
    fails it to break a deadlock (``retry.retrying``); the files are stored once.
    """
    with attachments.kept(deps, files) as stored:
        return retrying(lambda: _perform_action(deps, cmd, username, files, stored))


def _perform_action(
    deps: Deps,
    cmd: ActionCommand,
    username: str,
    files: Sequence[attachments.Prepared],
    stored: Sequence[StoredFile],
) -> ActionResult:
    with deps.uow() as uow:
        # A case out of sight cannot be acted on either: 404, as one that does not exist.
        viewer, case = acting_on(deps, uow, username, case_ref(cmd.case_ref))
        result = _act(deps, uow, case, viewer.actor, cmd.action, cmd.payload, cmd.expected_version)
        if files:
            assert case.id is not None
            kept = list(zip(files, stored, strict=True))
            now = deps.clock.now()
            attachments.record(uow, deps, case.id, username, cmd.action.value, kept, now)
        uow.commit()
    announce(case, result.events)
    return result.view


def open_apip_by_code(
    deps: Deps, tracking_code: str, username: str, payload: dict[str, Any]
) -> ActionResult:
    """APIP takes a case up on a legal basis (item 7c), found by its tracking code.

    The inspectorate does not see a case before it is referred to it (DESIGN §6), and it needs
    no list of the office's cases to act on a referral: an Ombudsman or SP4N-LAPOR! referral,
    or its own audit, names the case by its tracking code. So this one action reaches a case
    by the code alone (never by the guessable numeric id), with the office's reach but still
    not a case that names the auditor, and answers exactly as for a code that does not exist
    when the case is not one APIP may take up now. Once taken up, the case is with the
    inspectorate's unit (``record_units``) and in its sight as any referred case.
    """
    code = tracking_code.strip()
    with deps.uow() as uow:
        actor = viewer_of(deps, uow, username).actor
        if actor.role is not Role.APIP or code.isdigit():
            raise NotFoundError("kasus/case", code)
        reach = Sight(Reach.OFFICE, None, actor.username, sealed=True)
        try:
            case = uow.cases.get(intake.normalise_tracking_code(code), reach)
        except NotFoundError:
            raise NotFoundError("kasus/case", code) from None
        if Role.APIP not in roles_for(case.status, Action.OPEN_APIP):
            raise NotFoundError("kasus/case", code)
        result = _act(deps, uow, case, actor, Action.OPEN_APIP, payload, None)
        uow.commit()
    announce(case, result.events)
    return result.view


def act_as_complainant(
    deps: Deps, tracking_code: str, action: Action, payload: dict[str, Any], pin: str | None
) -> TrackingView:
    """Withdraw or dispute (reopen) a case by its tracking code and PIN, without an account.

    The PIN from the receipt is the second factor (issue 16 item 5): a wrong or missing one
    changes nothing; a case from before PINs cannot be acted on by code at all.
    """
    if action not in COMPLAINANT_ACTIONS:
        raise InputError(
            "action",
            "complainant_action",
            N_(
                "pelapor hanya dapat mencabut (withdraw), membatalkan pencabutan "
                "(undo_withdraw) atau mengajukan keberatan (reopen)"
            ),
        )
    code = intake.normalise_tracking_code(tracking_code)
    with deps.uow() as uow:
        case = uow.cases.get(code)
        _check_pin(uow, case, pin)
        acted = _act(deps, uow, case, Actor("complainant", Role.COMPLAINANT), action, payload, None)
        view = _tracking(deps, uow, case)
        uow.commit()
    announce(case, acted.events)
    return view


def confirm_complainant(
    deps: Deps, tracking_code: str, action: Action, payload: dict[str, Any], pin: str | None
) -> TrackingView:
    """Check a complainant's action without taking it: the PIN, the payload and the table.

    The first step of a withdrawal (issue 12 item 4): what would be refused is refused now,
    before the complainant is asked to confirm; nothing is written.
    """
    code = intake.normalise_tracking_code(tracking_code)
    with deps.uow(readonly=True) as uow:
        case = uow.cases.get(code)
        _check_pin(uow, case, pin)
        actor = Actor("complainant", Role.COMPLAINANT)
        perform(case, action, actor, payload, deps.clock.now(), deps.policy)  # a throw-away try
        return _tracking(deps, uow, uow.cases.get(code))


def _check_pin(uow: UnitOfWork, case: Case, pin: str | None) -> None:
    assert case.id is not None
    stored = uow.identity.pin_hash(case.id)
    if stored is None:
        raise InputError(
            "pin",
            "case_has_pin",
            N_(
                "pengaduan ini tidak memiliki PIN; untuk mencabut atau mengajukan keberatan, "
                "hubungi kantor kami"
            ),
        )
    if not pin or not pin_matches(stored, pin):
        raise InputError("pin", "matches_receipt", N_("PIN tidak cocok dengan tanda terima"))


@dataclass(frozen=True, slots=True)
class _Acted:
    view: ActionResult
    events: list[DomainEvent]


def act_in(
    deps: Deps,
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    action: Action,
    raw: dict[str, Any],
    via: str,
) -> list[DomainEvent]:
    """Take ``action`` on a case another use case loaded in ``uow``; its domain events.

    ``via`` names how it reached the office (``email``: a reply by email, issue 14 item 5),
    kept on the timeline entry. The caller commits, then ``announce``s the events.
    """
    return _act(deps, uow, case, actor, action, raw, None, via).events


def _act(
    deps: Deps,
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    action: Action,
    raw: dict[str, Any],
    expected_version: int | None,
    via: str | None = None,
) -> _Acted:
    if expected_version is not None and expected_version != case.version:
        raise ConflictError(case.ref, expected_version, case.version)
    loaded_version = case.version
    payload = with_context(deps, uow, case, actor, parse_payload(action, raw))
    before = (case.status, case.tier, case.kind)
    now = deps.clock.now()
    outcomes = perform(case, action, actor, payload, now, deps.policy)
    if via:
        outcomes.event.data["via"] = via
    calendar = deps.calendars.get(uow)
    clock = pause.react(case, now, calendar, deps.deadlines)  # issue 14 item 5
    replans = [deadlines.after_change(case, before, now, calendar, deps.deadlines)]
    replans += [clock] if clock else []
    events = save_case(deps, uow, CaseChange(case, loaded_version, [outcomes], replans), now)
    assert case.id is not None
    view = ActionResult(
        id=case.id,
        tracking_code=case.tracking_code,
        version=case.version,
        kind=case.kind.value,
        status=case.status.value,
        status_label=STATUS_NAMES[case.status],
        track=case.track and case.track.value,
        tier=case.tier,
        assignee=case.assignee,
        event=event_view(outcomes.event),
        reports=[report_view(r) for r in outcomes.reports],
        allowed_actions=[a.value for a in permitted_actions(case, actor, now, deps.policy)],
    )
    return _Acted(view, events)


# --- reads --------------------------------------------------------------------------------


def get_case(deps: Deps, ref: str, username: str) -> CaseDetail:
    """A case with its timeline, reports and deliveries, as ``username`` may see it."""
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        case = uow.cases.get(case_ref(ref), viewer.sight)
        detail = _detail(deps, uow, case, viewer.actor)
        assert case.id is not None
        masked = detail.complainant.masked
        deliveries = [
            DeliveryView(
                event=e.message.event,
                channel=e.message.channel,
                recipient=None if masked else e.message.recipient,
                status=e.status,
                attempts=e.attempts,
                created_at=e.message.created_at,
                sent_at=e.sent_at,
                next_attempt_at=e.next_attempt_at if e.status == "pending" else None,
                error=e.last_error,
            )
            for e in uow.outbox.for_case(case.id)
        ]
        detail = detail.model_copy(update={"deliveries": deliveries})
    # DESIGN §6: every view of an unmasked identity is on record (a masked one is not).
    identity.record_view(deps, detail.id, viewer.actor, detail.complainant)
    return detail


def track_case(deps: Deps, tracking_code: str) -> TrackingView:
    """The public view of a case by tracking code."""
    with deps.uow(readonly=True) as uow:
        return _tracking(deps, uow, uow.cases.get(intake.normalise_tracking_code(tracking_code)))


def list_cases(deps: Deps, query: CaseQuery, username: str | None = None) -> list[CaseSummary]:
    """Cases matching the filters, as ``username`` may see them (DESIGN §6).

    Without ``username`` the query's own ``sight`` applies (a caller that is not a person).
    """
    with deps.uow(readonly=True) as uow:
        if username is not None:
            query = replace(query, sight=viewer_of(deps, uow, username).sight)
        rows = uow.cases.summary_fields(query)
    return summaries_of(rows)


def _detail(
    deps: Deps,
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    *,
    new: bool = False,
    recorded: Sequence[CaseEvent] | None = None,
) -> CaseDetail:
    """The detail of ``case`` as ``actor`` sees it.

    ``recorded``: the whole audit trail of a case just added, as stored in this unit of work
    (it has no written report yet): not read back.
    """
    assert case.id is not None
    now = deps.clock.now()
    calendar = deps.calendars.get(uow)
    limits = deadlines.statuses(case, now, calendar)
    holder = case.holder
    if recorded is None:
        events = uow.cases.events(case.id)
        reports = [report_view(r) for r in uow.cases.reports(case.id)]
    else:  # as the database gives them back: in UTC
        events = [replace(e, at=e.at.astimezone(UTC)) for e in recorded]
        reports = []
    clock = answer_clock.clock_view(case, events, calendar, deps.deadlines)
    chain = codec.chain_to_json(case.chain)
    permitted = permitted_actions(case, actor, now, deps.policy)
    return CaseDetail(
        **summary_fields(case),
        complainant=identity.shown_to(case, actor, events),
        description=case.description,
        service_text=case.service_text,
        licence_number=case.licence_number,
        service_received_on=case.service_received_on,
        service_pending=case.service_pending,
        applied_on=case.applied_on,
        window_from=case.window_from,
        channel_facts={k: str(v) for k, v in case.channel_facts.given().items()},
        complained_at=case.complained_at,
        intake_days=case.intake_days,
        problem_types=[p.value for p in case.problem_types],
        worksheet=_worksheet_in_sight(uow, case, actor),
        agency_unit=case.agency_unit,
        chain=chain,
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
        allowed_actions=[a.value for a in permitted],
        may_attach=attachments.may_add_files(actor, permitted),
        deadlines=[deadline_view(d, clock.waiting_until) for d in limits],
        response_due_at=case.response_due_at,
        overdue=any(d.overdue for d in limits),
        timeline=[
            event_view(e)
            for e in retention.redacted(case, duplicates.timeline_in_sight(uow, events, actor))
        ],
        answer_clock=clock,
        reports=reports,
        overdue_reports=[
            OverdueReportView(
                tier=o.tier + 1,
                title=o.title,
                holder=o.holder,
                to_tier=o.tier + 2,
                to_title=o.to_title,
                to_holder=o.to_holder,
                missed_at=o.missed_at,
            )
            for o in case.overdue_reports
        ],
        service_title=_service_title(deps, uow, case.service_code),
        people=people_of(
            deps.reference.orgchart(uow),
            [e.actor for e in events]
            + [name for r in reports for name in (r.author, r.addressee)]
            + [str(level.get("holder")) for level in chain if level.get("holder")]
            + [name for o in case.overdue_reports for name in (o.holder, o.to_holder) if name],
        ),
        **duplicates.detail_fields(uow, case, actor, now, new=new),
        personal_data_erased_at=case.personal_data_erased_at,
        qa_consent=case.qa_consent,
        public_qa=codec.public_qa_to_json(case.public_qa),
    )


def _worksheet_in_sight(uow: UnitOfWork, case: Case, actor: Actor) -> dict[str, Any] | None:
    """The worksheet as ``actor`` may read it: its related records only those in their sight.

    The related records were found at review time in the reviewing officer's view; an agency
    officer, the auditor or a supervisor kept from a sealed case must not learn another case's
    code or subject from them (issue 16: a case out of sight is as one that does not exist).
    """
    shown = codec.worksheet_to_json(case.worksheet)
    if shown is None or not shown["related"]:
        return shown
    codes = [r["tracking_code"] for r in shown["related"]]
    visible = uow.cases.codes_in_sight(codes, sight_for(actor))
    shown["related"] = [r for r in shown["related"] if r["tracking_code"] in visible]
    return shown


def public_detail(deps: Deps, uow: UnitOfWork, case: Case, actor: Actor) -> CaseDetail:
    """The detail a receipt is drawn from (``aduan.service.receipts``)."""
    return _detail(deps, uow, case, actor)


def _service_title(deps: Deps, uow: UnitOfWork, code: str | None) -> str | None:
    service = deps.reference.service(uow, code) if code else None
    return service.title if service else None


WITHDRAWN_BY = {
    "complainant": N_("Dicabut oleh pelapor"),
    "officer": N_("Dicabut oleh petugas"),
}
_ANSWERS = frozenset({Action.RESPOND.value, Action.INFORM_COMPLAINANT.value})


def _tracking(deps: Deps, uow: UnitOfWork, case: Case) -> TrackingView:
    assert case.id is not None
    label_id, label_en = STATUS_NAMES[case.status], translate(STATUS_NAMES[case.status], "en")
    events = uow.cases.events(case.id)
    history = [
        (e.at, _history_label(e))
        for e in events
        if e.from_status != e.to_status or e.action in answer_clock.HISTORY
    ]
    sent = [e for e in events if e.action in _ANSWERS and e.data.get("text")]
    last = sent[-1] if sent else None
    answer_kind = None
    if last is not None:
        final = last.action == Action.INFORM_COMPLAINANT.value
        answer_kind = "result" if final else str(last.data.get("answer_kind") or "answer")
    withdrawal = case.withdrawal if case.status is Status.WITHDRAWN else None
    live = case.status not in (Status.WITHDRAWN, Status.REFERRED, Status.MERGED)  # to answer
    reopen_until = None
    if case.status is Status.CLOSED and case.closed_at is not None:
        reopen_until = case.closed_at + timedelta(days=deps.policy.reopen_window_days)
    return TrackingView(
        tracking_code=case.tracking_code,
        kind=case.kind.value,
        status=case.status.value,
        status_label=label_id,
        status_label_en=label_en,
        screening_reason=case.screening_reason and case.screening_reason.value,
        received_at=case.received_at,
        response_due_at=case.response_due_at if case.kind is Kind.COMPLAINT and live else None,
        answered_at=case.answered_at,
        answer=str(last.data["text"]) if last is not None else None,
        answer_kind=answer_kind,
        answer_sent_at=_sent_at(last) if last is not None else None,
        referred_to=case.referred_to if case.status is Status.REFERRED else None,
        closed_at=case.closed_at,
        reopen_until=reopen_until,
        withdrawn_by=_withdrawn_by(withdrawal.role) if withdrawal else None,
        undo_until=withdrawal.at + timedelta(hours=deps.policy.withdraw_undo_hours)
        if withdrawal
        else None,
        history=history,
        answer_clock=answer_clock.clock_view(case, events, deps.calendars.get(uow), deps.deadlines),
        qa_consent=case.qa_consent,
        qa_published=case.public_qa is not None,
    )


def _withdrawn_by(role: Role) -> str:
    return "complainant" if role is Role.COMPLAINANT else "officer"


def _history_label(e: CaseEvent) -> str:
    """A public history entry: the status entered; a withdrawal says by whom (item 4)."""
    if e.action == Action.WITHDRAW.value:
        return WITHDRAWN_BY[_withdrawn_by(e.role)]
    if e.action in answer_clock.HISTORY:
        return answer_clock.HISTORY[e.action]
    return STATUS_NAMES[e.to_status]


def _sent_at(e: CaseEvent) -> datetime:
    stated = e.data.get("sent_at")
    return datetime.fromisoformat(stated) if stated else e.at
