"""The answer clock paused for missing information, and extended (issue 14 item 5), pure.

An officer may ask the complainant for information only they have (``request_info``): the
14-working-day answer clock of seed §6 item 4 stands still from the request until the reply
(the tracking page, or recorded by staff: ``record_info_reply``), an answer sent meanwhile, or
the end of the wait (``DeadlinePolicy.info_wait_days`` working days, rung by the deadline
sweep: ``end_info_wait``). A supervisor or the head may extend the deadline
(``extend_deadline``) with a reason the complainant reads.

**Paused days.** A pause costs the working days in (request day, resume day], in WIB: a pause
that starts and ends on the same day costs none, a request on Friday answered on Monday costs
one (Monday), a request on Thursday answered on the Tuesday after a Friday holiday costs two
(Monday, Tuesday). Partial days are not split: the office keeps the rest of the request day
(it was working the case until then) and gets back the whole day of the reply (the clock
restarts that day, and the deadline is always the end of a working day). The deadline moves
later by exactly that many working days of the calendar in force: a case paused with two
working days left has two working days left when it resumes.

**The stage target stands still too.** The office's own target for the case's current stage
(classification, review, each tier) waits with the answer: a case waiting for the complainant
is not late on its stage, and the sweep does not escalate it to the next tier for a target it
could not meet without the reply. It moves later by the working days it stood still (counted
from the request, or from when the case entered its stage if that came later); a target
already missed when the clock stopped stays missed. The lists show such a case as waiting,
until the end of the wait.

**Original and extended deadline.** ``response_original_due_at`` is 14 working days plus the
paused days (the clock the office actually had); ``response_due_at`` adds the extensions. The
statistics judge compliance against both, separately.

**Extensions.** The service standard (seed §6) is silent on extensions; this office's rule is
that extensions may add at most ``DeadlinePolicy.extension_max_days`` working days in all
(default 14: at most twice the standard), in one or several steps, each with a written reason,
each to a working day after the deadline in force, and never while the clock stands still.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aduan.escalation.calendar import WorkingCalendar
from aduan.escalation.deadlines import (
    Alarm,
    AlarmPoint,
    DeadlineKind,
    DeadlinePolicy,
    Replan,
    alarms,
)
from aduan.workflow import events as ev
from aduan.workflow.case import Case
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB, wib_date
from aduan.workflow.payloads import ExtensionPayload
from aduan.workflow.states import N_, OPEN_STATUSES

_RESUMING = (ev.InformationReceived, ev.InformationWaitEnded)
_ANSWERING = (ev.ComplainantAnswered, ev.ComplainantInformed)


def paused_working_days(
    calendar: WorkingCalendar, paused_at: datetime, resumed_at: datetime
) -> int:
    """Working days in (request day, resume day], WIB; 0 for a pause within one day."""
    return max(0, calendar.working_days_between(wib_date(paused_at), wib_date(resumed_at)))


def wait_ends_at(
    calendar: WorkingCalendar, paused_at: datetime, policy: DeadlinePolicy
) -> datetime:
    """End of the last working day the paused clock waits for the reply."""
    return calendar.response_due_at(paused_at, policy.info_wait_days)


def react(
    case: Case, now: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> Replan | None:
    """The answer clock after an action, from the events the case recorded; None: untouched.

    Raises:
        InputError: An extension outside the limits (nothing is changed then).
    """
    for event in case.events:
        if isinstance(event, ev.InformationRequested):
            return pause(case, calendar, policy)
        if isinstance(event, _RESUMING):
            return resume(case, now, calendar, policy)
        if isinstance(event, ev.DeadlineExtended):
            return extend(case, event.payload, now, calendar, policy)
        if isinstance(event, _ANSWERING) and case.info_requested_at and case.answered_at:
            return resume(case, case.answered_at, calendar, policy)  # answered: the pause ends
        if isinstance(event, ev.MergeUndone):
            return rejoin(case, now, calendar, policy)
    return None


def rejoin(case: Case, now: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy) -> Replan:
    """The answer clock of a merged duplicate handled on its own again (issue 14 item 4).

    Its deadline is the one the complainant was owed all along, 14 working days from the
    office's receipt (with the days a pause or an extension added), counted again with the
    calendar in force, which a change while it was merged did not reach: the merge was the
    office's decision, not a wait for the complainant, so it stopped no clock. Its alarms come
    back, less reminders whose moment passed; a breach not yet rung rings at the next sweep. A
    clock paused for the complainant's information stays paused until the reply or the end of
    the wait, which rings again; a wait that ran out meanwhile ended then. (The stage target
    starts afresh from now: ``deadlines.after_change``, as for any new status.)
    """
    paused_at = case.info_requested_at
    if paused_at is not None:
        ends = wait_ends_at(calendar, paused_at, policy)
        if ends > now:
            return Replan(_PAUSED, (_wait(ends),))
        case.response_paused_days += paused_working_days(calendar, paused_at, ends)
        case.info_requested_at = None
        ringing = _move(case, now, calendar, policy)
        return Replan(_PAUSED, ringing + _move_stage(case, paused_at, ends, calendar, policy))
    return Replan(frozenset({DeadlineKind.RESPONSE}), _move(case, now, calendar, policy))


_PAUSED = frozenset({DeadlineKind.RESPONSE, DeadlineKind.STAGE, DeadlineKind.INFO_WAIT})


def pause(case: Case, calendar: WorkingCalendar, policy: DeadlinePolicy) -> Replan:
    """Silence the answer's and the stage's reminders and breach; ring the end of the wait."""
    assert case.info_requested_at is not None  # set by the effect of ``request_info``
    return Replan(_PAUSED, (_wait(wait_ends_at(calendar, case.info_requested_at, policy)),))


def _wait(ends: datetime) -> Alarm:
    """The alarm of the end of the wait: the deadline sweep resumes the clock then."""
    return Alarm(DeadlineKind.INFO_WAIT, AlarmPoint.BREACH, ends, ends + timedelta(seconds=1))


def resume(case: Case, now: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy) -> Replan:
    """End the pause: both deadlines move later by the paused working days; alarms replanned."""
    assert case.info_requested_at is not None  # guarded by ``waiting_for_info``
    paused_at = case.info_requested_at
    case.response_paused_days += paused_working_days(calendar, paused_at, now)
    case.info_requested_at = None
    ringing = _move(case, now, calendar, policy)
    ringing += _move_stage(case, paused_at, now, calendar, policy)
    return Replan(_PAUSED, ringing)


def _move_stage(
    case: Case,
    paused_at: datetime,
    now: datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
) -> tuple[Alarm, ...]:
    """The stage target after a pause: later by the working days it stood still; its alarms.

    It stood still from the request, or from when the case entered its stage if that came
    later. A target already missed when the clock stopped stays missed (its breach rang). The
    start it counts from moves later too, so a calendar change counting it again keeps the pause.
    """
    started, due = case.stage_started_at, case.stage_due_at
    if started is None or due is None or case.status not in OPEN_STATUSES:
        return ()
    shift = 0 if due <= paused_at else paused_working_days(calendar, max(paused_at, started), now)
    if shift:
        moved_on = calendar.add_working_days(wib_date(started), shift)
        started = datetime.combine(moved_on, started.astimezone(WIB).timetz())
        case.stage_started_at = started
        case.stage_due_at = due = calendar.response_due_at(due, shift)
        case.stage_breached_at = None
    ringing = alarms(DeadlineKind.STAGE, started, due, calendar, policy)
    unrung = case.stage_breached_at is None
    return tuple(a for a in ringing if a.fire_at > now or (a.point is AlarmPoint.BREACH and unrung))


def extend(
    case: Case,
    payload: ExtensionPayload,
    now: datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
) -> Replan:
    """Move the answer deadline later within the limits; its alarms replanned."""
    case.response_extended_days += extension_days(case, payload, calendar, policy)
    return Replan(frozenset({DeadlineKind.RESPONSE}), _move(case, now, calendar, policy))


def extension_days(
    case: Case, payload: ExtensionPayload, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> int:
    """The working days an extension adds, checked against the deadline in force and the cap.

    Raises:
        InputError: Neither or both of a date and a number of days; a date not later than the
            current deadline or with no working day between; more than the cap in all.
    """
    if (payload.until is None) == (payload.working_days is None):
        raise InputError(
            "until",
            "until_or_working_days",
            N_("isi salah satu: tanggal tenggat baru atau jumlah hari kerja tambahan"),
        )
    assert case.response_due_at is not None  # guarded by ``answer_clock_open``
    due_day = wib_date(case.response_due_at)
    field, days = "working_days", payload.working_days or 0
    if payload.until is not None:
        field, days = "until", calendar.working_days_between(due_day, payload.until)
        if days < 1:
            raise InputError(
                "until",
                "after_current_deadline",
                N_("tenggat baru harus hari kerja setelah tenggat saat ini (%(due)s)"),
                due=due_day.strftime("%d-%m-%Y"),
            )
    used, cap = case.response_extended_days, policy.extension_max_days
    if used + days > cap:
        raise InputError(
            field,
            "at_most_cap",
            N_(
                "perpanjangan tenggat paling lama %(cap)s hari kerja seluruhnya "
                "(sudah %(used)s, diminta %(days)s)"
            ),
            cap=cap,
            used=used,
            days=days,
        )
    return days


def _move(
    case: Case, now: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> tuple[Alarm, ...]:
    """Count the deadlines again with the shift; the answer's alarms if it still runs."""
    started = case.response_started_at
    if started is None:
        return ()
    days = policy.response_days + case.response_paused_days
    case.response_original_due_at = calendar.response_due_at(started, days)
    due = calendar.response_due_at(started, days + case.response_extended_days)
    if due != case.response_due_at:
        case.response_breached_at = None  # a new deadline has not been missed yet
    case.response_due_at = due
    if case.answered_at is not None or case.status not in OPEN_STATUSES:
        return ()
    ringing = alarms(DeadlineKind.RESPONSE, started, due, calendar, policy)
    return tuple(a for a in ringing if a.fire_at > now or a.point is AlarmPoint.BREACH)
