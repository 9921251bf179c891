"""Use cases of time: the deadline sweep, deadlines of a case, and the working-day calendar.

Like the other use cases, each function opens its own transactions; a breach and a calendar
change save the case through the one save path (``saving.save_case``). The sweep rings every
alarm that is due exactly once: the alarm is claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite lets one writer in at a time), acted on and marked fired in one transaction.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import structlog

from aduan.escalation import deadlines, pause
from aduan.escalation.calendar import NonWorkingDay, Override, WorkingCalendar
from aduan.escalation.deadlines import AlarmPoint, DeadlineKind
from aduan.ports import DueAlarm, UnitOfWork
from aduan.service.administrator import require_admin
from aduan.service.deps import SYSTEM, Deps
from aduan.service.saving import CaseChange, publish, save_case
from aduan.workflow.case import Case, CaseEvent, Outcomes
from aduan.workflow.errors import AduanError
from aduan.workflow.events import DeadlineBreached, DeadlineReminderDue, DeadlinesMoved
from aduan.workflow.intake import WIB
from aduan.workflow.lifecycle import perform
from aduan.workflow.states import OPEN_STATUSES, Action, Status

log = structlog.get_logger()
_TRACKS = (Status.INTERNAL, Status.AGENCY)
# How the system notice of a breach escalation names the deadline missed (a record, in Indonesian).
_DEADLINE_NAMES = {
    DeadlineKind.RESPONSE: "tenggat tanggapan 14 hari kerja",
    DeadlineKind.STAGE: "tenggat tahap",
}


@dataclass(slots=True)
class SweepReport:
    """What one sweep did, by outcome (reminded, breached, escalated, resumed, stale, failed)."""

    now: datetime
    counts: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    ringing: int | None = None  # the alarm being rung, named if it fails on its own

    @property
    def handled(self) -> int:
        """Alarms taken off the queue: each has exactly one outcome (an escalation is a breach)."""
        return sum(self.counts.values())


def worker_name() -> str:
    """Who rang an alarm, for the record: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def sweep(
    deps: Deps,
    now: datetime | None = None,
    batch_size: int = 200,
    worker: str | None = None,
) -> SweepReport:
    """Ring every alarm due by ``now`` (the clock's time by default), oldest first, in batches."""
    report = SweepReport(now or deps.clock.now())
    worker = worker or worker_name()
    while True:
        try:
            handled = _sweep_batch(deps, report, batch_size, worker)
        except AduanError as exc:  # a case changed under us: take this batch one by one
            log.warning("sweep_batch_retry", error=type(exc).__name__)
            handled = _sweep_singly(deps, report, batch_size, worker)
        if not handled:
            return report
        report.batches += 1


def _sweep_batch(deps: Deps, report: SweepReport, limit: int, worker: str) -> int:
    with deps.uow() as uow:
        due = uow.alarms.claim_due(report.now, limit)
        # Marked before ringing: a breach replans the case and drops its *pending* alarms,
        # which must not take the claimed ones (SQLite would even reuse their ids for the new
        # alarms, and the mark would then land on those).
        uow.alarms.mark_fired([a.id for a in due], report.now, worker)
        outcomes: Counter[str] = Counter()
        for alarm in due:
            report.ringing = alarm.id
            outcomes[_ring(deps, uow, alarm, report.now)] += 1
        uow.commit()
    report.counts.update(outcomes)
    if due:
        log.info("sweep_batch", alarms=len(due), worker=worker, **outcomes)
    return len(due)


def _sweep_singly(deps: Deps, report: SweepReport, limit: int, worker: str) -> int:
    handled = 0
    for _ in range(limit):
        report.ringing = None
        try:
            if not _sweep_batch(deps, report, 1, worker):
                break
        except AduanError as exc:
            _give_up(deps, report, worker, exc)
        handled += 1
    return handled


def _give_up(deps: Deps, report: SweepReport, worker: str, exc: AduanError) -> None:
    # An alarm that fails on its own would block the queue forever: record it and move on.
    if report.ringing is None:
        raise exc
    with deps.uow() as uow:
        uow.alarms.mark_fired([report.ringing], report.now, f"{worker}!failed")
        uow.commit()
    report.counts["failed"] += 1
    log.error("alarm_failed", alarm_id=report.ringing, error=str(exc))


def _still_due(case: Case, alarm: DueAlarm) -> bool:
    if case.status not in OPEN_STATUSES:
        return False
    if alarm.kind is DeadlineKind.INFO_WAIT:  # a reply came first: the pause already ended
        return case.info_requested_at is not None and case.info_requested_at < alarm.due_at
    if alarm.kind is DeadlineKind.RESPONSE:
        return case.answered_at is None and case.response_due_at == alarm.due_at
    # Issue 14 item 5: a stage target stands still while the complainant is asked.
    return case.info_requested_at is None and case.stage_due_at == alarm.due_at


def _ring(deps: Deps, uow: UnitOfWork, alarm: DueAlarm, now: datetime) -> str:
    case = uow.cases.get(str(alarm.case_id))
    if not _still_due(case, alarm):
        return "stale"
    if alarm.kind is DeadlineKind.INFO_WAIT:
        return _end_wait(deps, uow, case, now)
    holder = _holder(deps, uow, case)
    if alarm.point is not AlarmPoint.BREACH:
        reminder = DeadlineReminderDue(
            at=now,
            alarm_id=alarm.id,
            deadline=alarm.kind.value,
            point=alarm.point.value,
            due_at=alarm.due_at,
            holder=holder,
        )
        publish(deps, uow, case, [reminder], now)
        return "reminded"
    return _breach(deps, uow, case, alarm, holder, now)


def _end_wait(deps: Deps, uow: UnitOfWork, case: Case, now: datetime) -> str:
    """The wait for the complainant's reply ran out: the answer clock runs again (item 5).

    The deadline moves later by the working days it stood still (``aduan.escalation.pause``).
    """
    loaded = case.version
    outcomes = perform(case, Action.END_INFO_WAIT, SYSTEM, {}, now, deps.policy)
    calendar = deps.calendars.get(uow)
    replan = pause.react(case, now, calendar, deps.deadlines)
    save_case(deps, uow, CaseChange(case, loaded, [outcomes], [replan] if replan else []), now)
    return "resumed"


def _breach(
    deps: Deps, uow: UnitOfWork, case: Case, alarm: DueAlarm, holder: str, now: datetime
) -> str:
    """Mark the case overdue and move it up the holder's chain (DESIGN §3, breach action)."""
    loaded, before = case.version, (case.status, case.tier, case.kind)
    if alarm.kind is DeadlineKind.RESPONSE:
        case.response_breached_at = now
    else:
        case.stage_breached_at = now
    due_text = alarm.due_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
    escalation: Outcomes | None = None
    if case.status in _TRACKS and case.tier < len(case.chain) - 1:
        # A system notice, not a written report (issue 13 item 3): the tier that missed its
        # deadline is left the task of filing its own report to the tier above.
        missed, above = case.chain[case.tier], case.chain[case.tier + 1]
        notice = (
            f"Pemberitahuan sistem: tenggat tingkat {case.tier + 1} ({missed.title}) terlewati "
            f"({_DEADLINE_NAMES[alarm.kind]}, {due_text}); kasus dinaikkan otomatis ke tingkat "
            f"{case.tier + 2} ({above.title}). Laporan tertulis tingkat {case.tier + 1} belum "
            "dibuat."
        )
        escalation = perform(case, Action.ESCALATE, SYSTEM, {"report": notice}, now, deps.policy)
        superior = case.assignee or (case.holder.title if case.holder else holder)
    else:
        superior = _superior(deps, uow, holder)
    breach = CaseEvent(
        action="breach",
        actor=SYSTEM.username,
        role=SYSTEM.role,
        from_status=before[0],
        to_status=before[0],
        at=now,
        note=f"batas waktu {alarm.kind.value} terlampaui / {alarm.kind.value} deadline missed",
        data={"deadline": alarm.kind.value, "due_at": alarm.due_at.isoformat(), "to": superior},
    )
    case.record(
        DeadlineBreached(
            at=now,
            alarm_id=alarm.id,
            deadline=alarm.kind.value,
            point=alarm.point.value,
            due_at=alarm.due_at,
            holder=holder,
            superior=superior,
            escalated=escalation is not None,
        )
    )
    replan = deadlines.after_change(case, before, now, deps.calendars.get(uow), deps.deadlines)
    records = [Outcomes(breach), *([escalation] if escalation else [])]
    save_case(deps, uow, CaseChange(case, loaded, records, [replan]), now)
    return "escalated" if escalation else "breached"


def _holder(deps: Deps, uow: UnitOfWork, case: Case) -> str:
    if case.assignee:
        return case.assignee
    if case.holder and case.holder.holder:
        return case.holder.holder
    chart = deps.reference.orgchart(uow)
    entry = chart.office().entry_position
    return (chart.holder(entry) if entry else None) or "kepala-kantor"


def _superior(deps: Deps, uow: UnitOfWork, holder: str) -> str:
    chart = deps.reference.orgchart(uow)
    user = chart.users.get(holder)
    above = chart.superior_of(user.position if user else None)
    if above:
        return above[0]
    top = chart.chain(chart.office().code)
    return (top[-1].holder or top[-1].title) if top else holder


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineMove:
    """A deadline a calendar change moved."""

    tracking_code: str
    kind: DeadlineKind
    before: datetime
    after: datetime


def calendar(deps: Deps) -> WorkingCalendar:
    """The calendar in force."""
    with deps.uow(readonly=True) as uow:
        return deps.calendars.get(uow)


def non_working_days(deps: Deps, year: int) -> list[NonWorkingDay]:
    """Holidays, collective leave and overrides of a year."""
    return calendar(deps).non_working_days(year)


def due_date(deps: Deps, received_on: date, working_days: int = 14) -> datetime:
    """The deadline for a complaint received on ``received_on`` (end of day, WIB)."""
    received_at = datetime.combine(received_on, datetime.min.time(), WIB)
    return calendar(deps).response_due_at(received_at, working_days)


def set_override(
    deps: Deps,
    override: Override | date,
    *,
    remove: bool = False,
    by: str | None = None,
    dry_run: bool = False,
) -> tuple[str | None, list[DeadlineMove]]:
    """Add (or remove) an override and move the deadlines of open cases; say if it was a no-op.

    Only an administrator (``by``) may: an override moves every open deadline. With
    ``dry_run`` nothing is stored: the deadlines it would move are returned, so the
    administrator sees them before saving.
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        require_admin(uow, by)
        current = deps.calendars.get(uow)
        if remove:
            on = override if isinstance(override, date) else override.on
            kept = [o for o in current.overrides if o.on != on]
            message = None if uow.calendar.remove(on) else f"tidak ada pengecualian pada {on}"
        else:
            assert isinstance(override, Override)
            message = current.check_override(override)
            if message:  # already so: nothing to store, nothing moves
                return message, []
            kept = [*(o for o in current.overrides if o.on != override.on), override]
            uow.calendar.put(override, now)
        updated = current.with_overrides(kept)
        moves = _recompute(deps, uow, updated, now)
        if dry_run:
            return message, moves  # the unit of work ends without a commit: nothing stored
        uow.commit()
    deps.calendars.invalidate()
    log.info("calendar_changed", moved=len(moves))
    return message, moves


def _recompute(
    deps: Deps, uow: UnitOfWork, calendar: WorkingCalendar, now: datetime
) -> list[DeadlineMove]:
    moves: list[DeadlineMove] = []
    for case in uow.cases.open_with_deadlines():
        assert case.id is not None
        changed = _moved(case, calendar, deps)
        if not changed:
            continue
        loaded = case.version
        moves += [DeadlineMove(case.tracking_code, k, o, n) for k, (o, n, _) in changed.items()]
        event = CaseEvent(
            action="deadlines_moved",
            actor=SYSTEM.username,
            role=SYSTEM.role,
            from_status=case.status,
            to_status=case.status,
            at=now,
            note="kalender hari kerja diubah / working-day calendar changed",
            data={k.value: [o.isoformat(), n.isoformat()] for k, (o, n, _) in changed.items()},
        )
        case.record(
            DeadlinesMoved(at=now, moved={k.value: (o, n) for k, (o, n, _) in changed.items()})
        )
        replans = [replan for _, _, replan in changed.values()]
        save_case(deps, uow, CaseChange(case, loaded, [Outcomes(event)], replans), now)
    return moves


def _moved(
    case: Case, calendar: WorkingCalendar, deps: Deps
) -> dict[DeadlineKind, tuple[datetime, datetime, deadlines.Replan]]:
    # Recomputing a deadline clears its breach mark; one that did not move keeps it (the case
    # is saved when any of its deadlines moved).
    changed = {}
    old, breached = case.response_due_at, case.response_breached_at
    if old and case.response_started_at and case.answered_at is None:
        replan = deadlines.start_response(case, case.response_started_at, calendar, deps.deadlines)
        if case.response_due_at != old:
            assert case.response_due_at is not None
            changed[DeadlineKind.RESPONSE] = (old, case.response_due_at, replan)
        else:
            case.response_breached_at = breached
    old, breached = case.stage_due_at, case.stage_breached_at
    if old and case.stage_started_at:
        replan = deadlines.enter_stage(case, case.stage_started_at, calendar, deps.deadlines)
        if case.stage_due_at != old:
            assert case.stage_due_at is not None
            changed[DeadlineKind.STAGE] = (old, case.stage_due_at, replan)
        else:
            case.stage_breached_at = breached
    return changed
