"""Deadline policy: which limits a case is under, when to remind, and how late it is (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from aduan.escalation.calendar import WorkingCalendar
from aduan.workflow.case import Case
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB, wib_date
from aduan.workflow.states import N_, OPEN_STATUSES, Kind, Status

# Reminders reach people when the office opens, not at midnight.
OFFICE_OPENS = time(7, 30)


class DeadlineKind(StrEnum):
    """The limits a case is held to."""

    RESPONSE = "response"  # seed §6 item 4: answer within 14 working days of receipt
    STAGE = "stage"  # the office's own target for the current status
    INFO_WAIT = "info_wait"  # issue 14 item 5: how long the paused clock waits for a reply


class AlarmPoint(StrEnum):
    """When an alarm rings for a deadline."""

    HALF = "half"  # half of the working days are gone
    BEFORE_5 = "before_5"  # N working days before the due day
    BEFORE_4 = "before_4"
    BEFORE_3 = "before_3"
    BEFORE_2 = "before_2"
    BEFORE_1 = "before_1"
    BREACH = "breach"  # the deadline has passed


_BEFORE = {
    int(p.value.removeprefix("before_")): p for p in AlarmPoint if p.name.startswith("BEFORE")
}

DEFAULT_STAGE_DAYS: Mapping[Status, int] = MappingProxyType(
    {
        Status.RECORDED: 1,  # classify (item 5c)
        Status.CLASSIFIED: 3,  # review (item 6)
        Status.REVIEWED: 2,  # choose the track (item 7)
        Status.INTERNAL: 3,  # each tier of the office
        Status.AGENCY: 5,  # each tier of the agency
        Status.APIP_PENDING: 2,  # the head decides on APIP
        Status.APIP: 10,  # the inspectorate's examination
        Status.RESOLVED: 2,  # inform the complainant and report (item 8)
    }
)


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Configurable limits; the response limit is the seed's, the stage targets are defaults."""

    response_days: int = 14
    stage_days: Mapping[Status, int] = field(default_factory=lambda: DEFAULT_STAGE_DAYS)
    reminders_before: tuple[int, ...] = (3, 1)
    remind_at_half: bool = True
    # Issue 14 item 5 (``aduan.escalation.pause``): working days a paused answer clock waits
    # for the complainant's reply, and the most working days extensions may add in all.
    info_wait_days: int = 10
    extension_max_days: int = 14

    def __post_init__(self) -> None:
        """Refuse reminder points the alarm table cannot name (1 to 5 working days before)."""
        unknown = sorted(set(self.reminders_before) - set(_BEFORE))
        if unknown:
            raise InputError(
                "reminders_before",
                "one_to_five",
                N_("pengingat hanya 1–5 hari kerja sebelum tenggat, bukan %(unknown)s"),
                unknown=unknown,
            )


@dataclass(frozen=True, slots=True)
class Alarm:
    """One moment at which a deadline rings: a reminder, or the breach."""

    kind: DeadlineKind
    point: AlarmPoint
    due_at: datetime
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """A deadline as people see it: when, how many working days are left or how late it is."""

    kind: DeadlineKind
    due_at: datetime
    working_days_left: int
    overdue: bool
    overdue_working_days: int
    paused: bool = False  # the answer clock stands still (waiting for the complainant)


def response_due_at(
    case: Case, started_at: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> datetime | None:
    """The answer deadline of an open complaint not yet answered; None when none applies."""
    if case.kind is not Kind.COMPLAINT or case.status not in OPEN_STATUSES:
        return None
    if case.answered_at is not None:
        return None
    shift = case.response_paused_days + case.response_extended_days  # issue 14 item 5
    return calendar.response_due_at(started_at, policy.response_days + shift)


def stage_due_at(
    status: Status, entered_at: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> datetime | None:
    """The target for leaving ``status``, counted from when the case entered it."""
    days = policy.stage_days.get(status)
    if days is None:
        return None
    return calendar.response_due_at(entered_at, days)


def alarms(
    kind: DeadlineKind,
    started_at: datetime,
    due_at: datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
) -> list[Alarm]:
    """Reminder points and the breach for one deadline, in firing order, none before the start.

    Reminders ring at 07:30 WIB of their working day; the breach one second after the deadline.
    """
    due_day = wib_date(due_at)
    start_day = wib_date(started_at)
    total = calendar.working_days_between(start_day, due_day)
    points: dict[datetime, AlarmPoint] = {}
    if policy.remind_at_half and total >= 2:
        half_day = calendar.add_working_days(start_day, total // 2)
        points.setdefault(_opens(half_day), AlarmPoint.HALF)
    for k in sorted(policy.reminders_before, reverse=True):
        if k < total and k in _BEFORE:
            points[_opens(calendar.working_day_before(due_day, k))] = _BEFORE[k]
    ringing = [
        Alarm(kind, point, due_at, fire_at)
        for fire_at, point in sorted(points.items())
        if fire_at > started_at
    ]
    ringing.append(Alarm(kind, AlarmPoint.BREACH, due_at, due_at + timedelta(seconds=1)))
    return ringing


def _opens(day: date) -> datetime:
    return datetime.combine(day, OFFICE_OPENS, WIB)


def describe(
    kind: DeadlineKind, due_at: datetime, now: datetime, calendar: WorkingCalendar
) -> DeadlineStatus:
    """Working days left (0 on the due day) or, once past, how many working days overdue."""
    today, due_day = wib_date(now), wib_date(due_at)
    if now <= due_at:
        return DeadlineStatus(kind, due_at, calendar.working_days_between(today, due_day), False, 0)
    late = max(1, calendar.working_days_between(due_day, today))
    return DeadlineStatus(kind, due_at, 0, True, late)


@dataclass(frozen=True, slots=True)
class Replan:
    """What a change did to a case's deadlines: kinds whose pending alarms go, and new alarms."""

    replaced: frozenset[DeadlineKind]
    alarms: tuple[Alarm, ...]


def start_response(
    case: Case, started_at: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> Replan:
    """Start the 14-working-day clock (at intake, or when a late complaint is accepted).

    Counted again after a calendar change, the working days a pause or an extension added stay
    added (``aduan.escalation.pause``); a clock that stands still rings nothing.
    """
    due = response_due_at(case, started_at, calendar, policy)
    case.response_started_at = started_at if due else None
    case.response_due_at = due
    case.response_original_due_at = (
        calendar.response_due_at(started_at, policy.response_days + case.response_paused_days)
        if due
        else None
    )
    case.response_breached_at = None
    ringing = []
    if due is not None and case.info_requested_at is None:
        ringing = alarms(DeadlineKind.RESPONSE, started_at, due, calendar, policy)
    return Replan(frozenset({DeadlineKind.RESPONSE}), tuple(ringing))


def enter_stage(
    case: Case, entered_at: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> Replan:
    """Start the target of the case's current status (or tier), replacing the previous one.

    While the clock stands still for the complainant's information it rings nothing: the pause
    moves it later when it ends (``aduan.escalation.pause``).
    """
    due = stage_due_at(case.status, entered_at, calendar, policy)
    if case.status not in OPEN_STATUSES or case.kind is not Kind.COMPLAINT:
        due = None
    case.stage_started_at = entered_at if due else None
    case.stage_due_at = due
    case.stage_breached_at = None
    ringing = []
    if due is not None and case.info_requested_at is None:
        ringing = alarms(DeadlineKind.STAGE, entered_at, due, calendar, policy)
    return Replan(frozenset({DeadlineKind.STAGE}), tuple(ringing))


def after_change(
    case: Case,
    before: tuple[Status, int, Kind],
    now: datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
) -> Replan:
    """Deadlines after an action.

    A new stage target when the status or tier moved; the answer clock starts for an accepted
    late complaint or a suggestion converted after a screening mistake, where their effects set
    ``response_started_at`` (the office's receipt), and its reminders stop once the complaint
    is answered or the case ends.
    """
    status, tier, kind = before
    if status is Status.WITHDRAWN and case.status in OPEN_STATUSES:
        return resume(case, now, calendar, policy)
    replaced: set[DeadlineKind] = set()
    ringing: list[Alarm] = []
    if kind is Kind.SUGGESTION and case.kind is Kind.COMPLAINT:
        started = start_response(case, case.response_started_at or now, calendar, policy)
        replaced |= started.replaced
        # Counted from an earlier receipt, reminders whose moment has passed are not rung late;
        # the breach is (a deadline already missed is missed).
        ringing += [a for a in started.alarms if a.fire_at > now or a.point is AlarmPoint.BREACH]
    elif case.response_due_at is not None and (
        case.answered_at is not None or case.status not in OPEN_STATUSES
    ):
        replaced.add(DeadlineKind.RESPONSE)  # answered or ended: no more reminders
    if (case.status, case.tier) != (status, tier):
        stage = enter_stage(case, now, calendar, policy)
        replaced |= stage.replaced
        ringing += stage.alarms
    return Replan(frozenset(replaced), tuple(ringing))


def resume(case: Case, now: datetime, calendar: WorkingCalendar, policy: DeadlinePolicy) -> Replan:
    """The alarms of an undone withdrawal: the answer deadline and stage target it had.

    The deadlines themselves were never moved (the undo restored the stage target); the alarms
    a withdrawal removed come back, less those whose moment passed meanwhile — except the answer
    deadline's breach, which still rings at the next sweep unless it already rang.
    """
    ringing: list[Alarm] = []
    for kind, started, due in (
        (DeadlineKind.RESPONSE, case.response_started_at, case.response_due_at),
        (DeadlineKind.STAGE, case.stage_started_at, case.stage_due_at),
    ):
        if started is None or due is None or case.kind is not Kind.COMPLAINT:
            continue
        if case.info_requested_at is not None:
            continue  # paused: the end of the wait rings, then these (``pause.resume``)
        if kind is DeadlineKind.RESPONSE and case.answered_at is not None:
            continue
        unrung = kind is DeadlineKind.RESPONSE and case.response_breached_at is None
        ringing += [
            a
            for a in alarms(kind, started, due, calendar, policy)
            if a.fire_at > now or (a.point is AlarmPoint.BREACH and unrung)
        ]
    return Replan(frozenset({DeadlineKind.RESPONSE, DeadlineKind.STAGE}), tuple(ringing))


class Deadlined(Protocol):
    """What ``statuses`` reads: a whole case, or a list row of one (``models.ports``)."""

    @property
    def status(self) -> Status: ...  # noqa: D102
    @property
    def answered_at(self) -> datetime | None: ...  # noqa: D102
    @property
    def response_due_at(self) -> datetime | None: ...  # noqa: D102
    @property
    def stage_due_at(self) -> datetime | None: ...  # noqa: D102
    @property
    def stage_started_at(self) -> datetime | None: ...  # noqa: D102
    @property
    def info_requested_at(self) -> datetime | None: ...  # noqa: D102


def statuses(case: Deadlined, now: datetime, calendar: WorkingCalendar) -> list[DeadlineStatus]:
    """The deadlines an open case is under now, for the case page and the lists.

    While the clock stands still for the complainant's information (issue 14 item 5), both
    deadlines say so, with the working days they had left when it stopped (or when the case
    entered its stage, if later): a paused case is not overdue for waiting, only if it already
    was when the clock stopped.
    """
    found = []
    paused_at = case.info_requested_at
    if case.response_due_at and case.answered_at is None and case.status in OPEN_STATUSES:
        at = paused_at or now
        found.append(describe(DeadlineKind.RESPONSE, case.response_due_at, at, calendar))
    if case.stage_due_at and case.status in OPEN_STATUSES:
        at = max(paused_at, case.stage_started_at or paused_at) if paused_at else now
        found.append(describe(DeadlineKind.STAGE, case.stage_due_at, at, calendar))
    return [replace(d, paused=True) for d in found] if paused_at else found
