"""The one path that saves a changed case, and the reactions to what happened to it.

Submit, every action, the sweep's breach escalation and a calendar change all end here: the
version check (a stale write is a ``ConflictError``, nothing is written), the audit entries and
written reports appended, the alarms replanned, and the reactions to the domain events the case
recorded — the notices planned and queued in the same unit of work, so they exist exactly when
the change does. What need not be atomic (the log lines) runs after commit (``announce``).

The statistics rollup needs nothing here either: every change appends an audit event, and the
scheduler folds those into the rollup later (``adapters/sql/rollup.py``, issue 15).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from aduan.catalog.orgchart import OrgChart
from aduan.escalation.deadlines import AlarmPoint, Replan
from aduan.notifications import planner
from aduan.notifications.outbox import enqueue
from aduan.ports import TrackingCodeTakenError, UnitOfWork
from aduan.reports import documents
from aduan.service import public_answers
from aduan.service.deps import Deps
from aduan.service.duplicates import DUPLICATE_MERGED, DUPLICATE_UNMERGED
from aduan.workflow import intake, search
from aduan.workflow.case import Case, CaseEvent, Outcomes
from aduan.workflow.events import (
    ActionTaken,
    ApipApproved,
    CaseClosed,
    CaseMarkedDuplicate,
    ComplaintSubmitted,
    DeadlineBreached,
    DeadlineReminderDue,
    DomainEvent,
    MergeUndone,
    RoutedToAgency,
)
from aduan.workflow.states import Role

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class CaseChange:
    """A changed case and what to store with it.

    ``loaded_version`` is the version the change was made on (``None`` for a new case, whose
    first record is its submission); ``records`` are the audit entries and written reports to
    append, oldest first; ``replans`` the alarms to replace.
    """

    case: Case
    loaded_version: int | None
    records: Sequence[Outcomes]
    replans: Sequence[Replan] = ()


def save_case(deps: Deps, uow: UnitOfWork, change: CaseChange, now: datetime) -> list[DomainEvent]:
    """Store ``change`` and react to the events its case recorded; return those events."""
    case, records = change.case, list(change.records)
    # What the search adds to the case's log (issue 14 item 2): the notes and written reports.
    logged = [t for o in records for t in search.logged_texts(o.event.note, o.event.data)]
    logged += [r.text for o in records for r in o.reports]
    if change.loaded_version is None:
        _add_with_fresh_code(uow, case, records.pop(0).event)
    else:
        uow.cases.save(case, change.loaded_version)
    assert case.id is not None
    filed: int | None = None  # written reports the case had, read once if any is filed now
    for outcomes in records:
        if outcomes.reports:
            filed = uow.cases.report_count(case.id) if filed is None else filed
            outcomes = _frozen(deps, uow, case, outcomes, filed)
            filed += len(outcomes.reports)
        uow.cases.append(case.id, outcomes)
    # One write of the case's searchable text (no trigger: the save path stays cheap).
    uow.search.index(case, logged, new=change.loaded_version is None)
    for replan in _merged(change.replans):
        schedule(uow, case.id, replan, now)
    events = case.take_events()
    record_units(deps, uow, case.id, events)
    note_on_main(uow, case, events)
    public_answers.keep(uow, case, events)  # issue 14 item 7: the public Q&A page's copy
    publish(deps, uow, case, events, now)
    return events


def note_on_main(uow: UnitOfWork, case: Case, events: Sequence[DomainEvent]) -> None:
    """Issue 14 item 4: a merge, and its undoing, are on the main case's timeline too.

    An entry of the main case's audit trail that changes nothing on it (its status stays):
    who, when, which duplicate and why, in the same unit of work as the duplicate's change.
    """
    for event in events:
        if isinstance(event, CaseMarkedDuplicate):
            action, field = DUPLICATE_MERGED, "main_context"
        elif isinstance(event, MergeUndone):
            action, field = DUPLICATE_UNMERGED, "merged_into_context"
        else:
            continue
        main_id = getattr(event.payload, field, None)
        if main_id is None:
            continue
        status = uow.cases.get(str(main_id)).status
        entry = CaseEvent(
            action=action,
            actor=event.actor,
            role=Role(event.role),
            from_status=status,
            to_status=status,
            at=event.at,
            data={"duplicate": case.tracking_code, "reason": getattr(event.payload, "reason", "")},
        )
        uow.cases.append(main_id, Outcomes(entry))


def _frozen(deps: Deps, uow: UnitOfWork, case: Case, outcomes: Outcomes, filed: int) -> Outcomes:
    """The written reports with their documents as filed (issue 13 item 4).

    Numbered after the ``filed`` reports the case has, with the facts of this moment: never
    re-rendered from what happens later.
    """
    chart = deps.reference.orgchart(uow)
    service = deps.reference.service(uow, case.service_code) if case.service_code else None
    facts = documents.facts_of(case)
    title = service.title if service else None
    reports = tuple(
        replace(r, document=documents.freeze(facts, r, chart, filed + i + 1, title))
        for i, r in enumerate(outcomes.reports)
    )
    return replace(outcomes, reports=reports)


def record_units(deps: Deps, uow: UnitOfWork, case_id: int, events: Sequence[DomainEvent]) -> None:
    """Record the units the case is now with (DESIGN §6: who may see it from then on).

    Only routing to an agency and the approval of APIP involvement bring a unit to a case, so
    every other save writes nothing here.
    """
    for event in events:
        if isinstance(event, RoutedToAgency):
            uow.cases.add_unit(case_id, event.payload.agency, event.at)
        elif isinstance(event, ApipApproved):
            apip = apip_unit(deps.reference.orgchart(uow))
            if apip is not None:
                uow.cases.add_unit(case_id, apip, event.at)


def apip_unit(chart: OrgChart) -> str | None:
    """The inspectorate's unit in the org chart (the unit of kind ``apip``), if any."""
    return min((u.code for u in chart.units.values() if u.kind == "apip"), default=None)


def _merged(replans: Sequence[Replan]) -> Sequence[Replan]:
    """Replans of different deadline kinds as one (one INSERT of alarms at submission)."""
    kinds = [k for r in replans for k in r.replaced]
    if len(replans) < 2 or len(kinds) != len(set(kinds)):
        return replans
    alarms = tuple(a for r in replans for a in r.alarms)
    return [Replan(frozenset(kinds), alarms)]


def schedule(uow: UnitOfWork, case_id: int, replan: Replan, now: datetime) -> None:
    """Store a case's new alarms; reminders already in the past are not worth ringing."""
    keep = [a for a in replan.alarms if a.point is AlarmPoint.BREACH or a.fire_at > now]
    if replan.replaced or keep:
        uow.alarms.replace(case_id, replan.replaced, keep)


def publish(
    deps: Deps, uow: UnitOfWork, case: Case, events: Sequence[DomainEvent], now: datetime
) -> None:
    """The reactions inside the unit of work: queue the notices each event gives rise to.

    A notice's idempotency key starts with what caused it: the case version for a submission or
    an action, the alarm for a reminder or a breach.
    """
    if not deps.notify.enabled or not events:
        return
    assert case.id is not None
    situation = planner.Situation(
        deps.reference.orgchart(uow),
        deps.policy.reopen_window_days,
        deps.policy.withdraw_undo_hours,
        deps.notify.reply_by_email,
    )
    for event in events:
        notices = planner.notices_for(event, case, situation)
        if notices:
            source = _source(event, case)
            enqueue(uow.outbox, source, notices, deps.notify.language, now, case.id)
    if any(isinstance(e, CaseClosed) for e in events):
        _merged_results(deps, uow, case, now)


def _merged_results(deps: Deps, uow: UnitOfWork, main: Case, now: datetime) -> None:
    """A closed case's result to the complainant of each duplicate merged into it (issue 14).

    Each notice is on the duplicate's own record (its deliveries), not the main case's.
    """
    assert main.id is not None
    for duplicate in uow.cases.duplicates_of(main.id):
        notices = planner.merged_result(main, duplicate)
        source = f"case:{main.id}:v{main.version}:merged:{duplicate.id}"
        enqueue(uow.outbox, source, notices, deps.notify.language, now, duplicate.id)


def announce(case: Case, events: Sequence[DomainEvent]) -> None:
    """The reactions after commit: one log line per event.

    IDs only: never personal data, and never a tracking code (issue 16 item 5: a code is a key
    to the case's status, and logs travel further than the database).
    """
    for event in events:
        if isinstance(event, ComplaintSubmitted):
            log.info(
                "complaint_submitted",
                case_id=case.id,
                kind=case.kind.value,
                screening_reason=case.screening_reason and case.screening_reason.value,
                channel=case.channel.value,
            )
        elif isinstance(event, ActionTaken) and not event.by_system:
            log.info(
                "case_transitioned",
                case_id=case.id,
                action=event.action.value,
                from_status=event.from_status.value,
                to_status=event.to_status.value,
                actor=event.actor,
                role=event.role,
            )


def _source(event: DomainEvent, case: Case) -> str:
    if isinstance(event, DeadlineBreached | DeadlineReminderDue):
        return f"alarm:{event.alarm_id}"
    return f"case:{case.id}:v{case.version}"


def _add_with_fresh_code(uow: UnitOfWork, case: Case, event: CaseEvent) -> None:
    # 49 random bits make a collision rare; draw again rather than fail the complainant.
    for _ in range(5):
        try:
            uow.cases.add(case, event)
            return
        except TrackingCodeTakenError:
            case.tracking_code = intake.new_tracking_code()
    uow.cases.add(case, event)
