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
from aduan.workflow.intake import wib_date
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
    return None


def pause(case: Case, calendar: WorkingCalendar, policy: DeadlinePolicy) -> Replan:
    """Silence the answer's reminders and breach; ring the end of the wait instead."""
    assert case.info_requested_at is not None  # set by the effect of ``request_info``
    ends = wait_ends_at(calendar, case.info_requested_at, policy)
    wait = Alarm(DeadlineKind.INFO_WAIT, AlarmPoint.BREACH, ends, ends + timedelta(seconds=1))
    return Replan(frozenset({DeadlineKind.RESPONSE, DeadlineKind.INFO_WAIT}), (wait,))


def resume(case: Case, now: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy) -> Replan:
    """End the pause: the deadline moves later by the paused working days; alarms replanned."""
    assert case.info_requested_at is not None  # guarded by ``waiting_for_info``
    case.response_paused_days += paused_working_days(calendar, case.info_requested_at, now)
    case.info_requested_at = None
    ringing = _move(case, now, calendar, policy)
    return Replan(frozenset({DeadlineKind.RESPONSE, DeadlineKind.INFO_WAIT}), ringing)


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
