"""The deadline policy (DESIGN §3): alarm points, stage targets, replanning, how late a case is.

Pure: no I/O, no clock. Expected moments of the worked example were counted by hand on the 2026
calendar (17 Aug Independence Day and 25 Aug the Prophet's Birthday are holidays).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan.escalation.calendar import WorkingCalendar
from aduan.escalation.deadlines import (
    OFFICE_OPENS,
    Alarm,
    AlarmPoint,
    DeadlineKind,
    DeadlinePolicy,
    after_change,
    alarms,
    describe,
    enter_stage,
    start_response,
    statuses,
)
from aduan.workflow.case import Case, Complainant, TierLevel
from aduan.workflow.intake import WIB, wib_date
from aduan.workflow.states import Channel, Kind, Status

P, K, S = AlarmPoint, DeadlineKind, Status
CAL = WorkingCalendar.for_indonesia()  # built once: hypothesis cannot take function fixtures
POLICY = DeadlinePolicy()
RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday, 10:00 WIB (DESIGN §3)
DUE = datetime(2026, 9, 2, 16, 59, 59, tzinfo=UTC)  # end of Wednesday 2026-09-02 WIB
AUG_14 = date(2026, 8, 14)


def wib(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time in Jakarta, as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def end_of(on: date) -> datetime:
    return datetime.combine(on, time(23, 59, 59), WIB).astimezone(UTC)


def points(ringing: list[Alarm] | tuple[Alarm, ...]) -> list[tuple[AlarmPoint, datetime]]:
    return [(a.point, a.fire_at) for a in ringing]


def chain() -> list[TierLevel]:
    return [
        TierLevel("pelaksana-pengaduan", "Pejabat Pengelola Pengaduan", "dpmptsp", "budi"),
        TierLevel("kasi-pengaduan", "Kepala Seksi Pengaduan", "dpmptsp", "sari"),
        TierLevel("kabid-pengaduan", "Kepala Bidang Pengaduan", "dpmptsp", "agus"),
        TierLevel("kepala-dpmptsp", "Kepala DPMPTSP", "dpmptsp", "dewi"),
    ]


def new_case(
    received_at: datetime = RECEIVED, status: Status = S.RECORDED, kind: Kind = Kind.COMPLAINT
) -> Case:
    """A case as intake leaves it: the answer clock and the first stage target started."""
    case = Case(
        tracking_code="ADU-TEST-0001",
        kind=kind,
        status=status,
        channel=Channel.WEB_DPMPTSP,
        complainant=Complainant("Siti Aminah", email="siti@contoh.id"),
        subject="Sertifikat standar belum terbit",
        description="Sudah lewat 7 hari kerja",
        service_received_on=wib_date(received_at) - timedelta(days=7),
        complained_at=received_at,
        received_at=received_at,
        intake_days=7,
        created_at=received_at,
        updated_at=received_at,
    )
    start_response(case, received_at, CAL, POLICY)
    enter_stage(case, received_at, CAL, POLICY)
    return case


def internal(case: Case, at: datetime, tier: int = 0) -> Case:
    """Move ``case`` onto the internal track at ``tier`` with its stage target started."""
    case.status, case.chain, case.tier = S.INTERNAL, chain(), tier
    case.assignee = case.chain[tier].holder
    enter_stage(case, at, CAL, POLICY)
    return case


# --- alarm points ---------------------------------------------------------------------------


def test_design_example_reminds_at_half_three_and_one_days_before_then_breaches() -> None:
    due = CAL.response_due_at(RECEIVED, POLICY.response_days)

    ringing = alarms(K.RESPONSE, RECEIVED, due, CAL, POLICY)

    assert due == DUE
    assert points(ringing) == [
        (P.HALF, datetime(2026, 8, 21, 7, 30, tzinfo=WIB)),  # 7th of 14 working days
        (P.BEFORE_3, datetime(2026, 8, 28, 7, 30, tzinfo=WIB)),  # Fri; 31 Aug and 1 Sep follow
        (P.BEFORE_1, datetime(2026, 9, 1, 7, 30, tzinfo=WIB)),
        (P.BREACH, datetime(2026, 9, 2, 17, 0, 0, tzinfo=UTC)),  # 00:00 WIB on Thursday
    ]
    assert {(a.kind, a.due_at) for a in ringing} == {(K.RESPONSE, DUE)}
    assert ringing[0].fire_at == datetime(2026, 8, 21, 0, 30, tzinfo=UTC)


def test_receipt_just_after_midnight_wib_counts_from_the_wib_date() -> None:
    received = datetime(2026, 8, 10, 17, 5, tzinfo=UTC)  # 00:05 WIB on Tuesday the 11th
    due = CAL.response_due_at(received)

    assert due == DUE
    assert points(alarms(K.RESPONSE, received, due, CAL, POLICY)) == points(
        alarms(K.RESPONSE, RECEIVED, DUE, CAL, POLICY)
    )


def test_one_working_day_target_has_only_the_breach() -> None:
    due = CAL.response_due_at(RECEIVED, 1)

    ringing = alarms(K.STAGE, RECEIVED, due, CAL, POLICY)

    assert due == end_of(date(2026, 8, 12))
    assert points(ringing) == [(P.BREACH, due + timedelta(seconds=1))]


def test_one_working_day_target_over_a_holiday_weekend_still_has_only_the_breach() -> None:
    friday = wib(2026, 8, 14, 15)  # Monday 17 Aug is Independence Day
    due = CAL.response_due_at(friday, 1)

    assert due == end_of(date(2026, 8, 18))
    assert points(alarms(K.STAGE, friday, due, CAL, POLICY)) == [
        (P.BREACH, due + timedelta(seconds=1))
    ]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        # Two days: half and one-before fall on the same morning; it rings once, as before_1.
        (2, [(P.BEFORE_1, date(2026, 8, 12))]),
        (3, [(P.HALF, date(2026, 8, 12)), (P.BEFORE_1, date(2026, 8, 13))]),
        (4, [(P.BEFORE_3, date(2026, 8, 12)), (P.HALF, date(2026, 8, 13)), (P.BEFORE_1, AUG_14)]),
        # Five days: half (2nd day) and three-before (2nd day) share the 13th.
        (5, [(P.BEFORE_3, date(2026, 8, 13)), (P.BEFORE_1, date(2026, 8, 18))]),
    ],
)
def test_short_targets_ring_at_most_once_a_morning(
    days: int, expected: list[tuple[AlarmPoint, date]]
) -> None:
    due = CAL.response_due_at(RECEIVED, days)

    ringing = alarms(K.STAGE, RECEIVED, due, CAL, POLICY)

    assert points(ringing[:-1]) == [
        (point, datetime.combine(on, OFFICE_OPENS, WIB)) for point, on in expected
    ]
    assert ringing[-1].point is P.BREACH


def test_reminders_never_ring_before_the_start() -> None:
    late_evening = wib(2026, 8, 11, 23, 50)
    due = CAL.response_due_at(late_evening)

    ringing = alarms(K.RESPONSE, late_evening, due, CAL, POLICY)

    assert all(a.fire_at > late_evening for a in ringing)
    assert ringing[0].fire_at.date() > date(2026, 8, 11)


def test_a_reminder_that_would_fall_on_the_start_day_is_not_offered() -> None:
    # Three days before a three-day target is the entry day itself: too early to be useful.
    start = wib(2026, 8, 12, 9)
    due = CAL.response_due_at(start, 3)
    policy = DeadlinePolicy(reminders_before=(3, 1))

    ringing = alarms(K.STAGE, start, due, CAL, policy)

    assert min(a.fire_at for a in ringing) > start
    assert P.BEFORE_3 not in {a.point for a in ringing}


def test_reminder_points_are_configurable() -> None:
    only_breach = DeadlinePolicy(reminders_before=(), remind_at_half=False)
    one_before = DeadlinePolicy(reminders_before=(1,), remind_at_half=False)

    assert points(alarms(K.RESPONSE, RECEIVED, DUE, CAL, only_breach)) == [
        (P.BREACH, DUE + timedelta(seconds=1))
    ]
    assert [a.point for a in alarms(K.RESPONSE, RECEIVED, DUE, CAL, one_before)] == [
        P.BEFORE_1,
        P.BREACH,
    ]


# --- stage targets and replanning ------------------------------------------------------------


def test_intake_starts_the_answer_clock_and_the_classification_target() -> None:
    case = new_case()

    assert (case.response_started_at, case.response_due_at) == (RECEIVED, DUE)
    assert case.stage_started_at == RECEIVED
    assert case.stage_due_at == end_of(date(2026, 8, 12))  # classify within 1 working day


def test_status_change_starts_a_new_stage_target() -> None:
    case = new_case()
    now = wib(2026, 8, 12, 9)
    before = (case.status, case.tier, case.kind)
    case.status = S.CLASSIFIED

    replan = after_change(case, before, now, CAL, POLICY)

    assert replan.replaced == {K.STAGE}
    assert case.stage_started_at == now
    assert case.stage_due_at == end_of(date(2026, 8, 18))  # 3 working days: 13, 14, 18
    assert {(a.kind, a.due_at) for a in replan.alarms} == {(K.STAGE, case.stage_due_at)}
    assert replan.alarms[-1].point is P.BREACH
    assert case.response_due_at == DUE  # the answer clock runs on


def test_tier_change_starts_a_new_stage_target() -> None:
    case = internal(new_case(), wib(2026, 8, 13), tier=0)
    breached = wib(2026, 8, 19, 1)
    case.stage_breached_at = breached
    now = wib(2026, 8, 19, 9)
    before = (case.status, case.tier, case.kind)
    case.tier, case.assignee = 1, "sari"

    replan = after_change(case, before, now, CAL, POLICY)

    assert replan.replaced == {K.STAGE}
    assert case.stage_due_at == end_of(date(2026, 8, 24))  # 20, 21, 24
    assert case.stage_breached_at is None  # a new target, not yet missed
    assert [a.point for a in replan.alarms] == [P.HALF, P.BEFORE_1, P.BREACH]


@pytest.mark.parametrize("status", [S.RECORDED, S.REVIEWED, S.INTERNAL, S.AGENCY, S.APIP])
def test_same_status_and_tier_keeps_every_target(status: Status) -> None:
    case = new_case(status=status)
    if status is S.INTERNAL:
        internal(case, RECEIVED)
    stage_due, breached = case.stage_due_at, wib(2026, 8, 20)
    case.stage_breached_at = breached
    before = (case.status, case.tier, case.kind)

    replan = after_change(case, before, wib(2026, 8, 14), CAL, POLICY)  # e.g. a plan step

    assert (replan.replaced, replan.alarms) == (frozenset(), ())
    assert (case.stage_due_at, case.stage_breached_at) == (stage_due, breached)
    assert case.response_due_at == DUE


def test_answer_stops_the_response_reminders_only() -> None:
    case = new_case()
    stage_due = case.stage_due_at
    before = (case.status, case.tier, case.kind)
    case.answered_at = wib(2026, 8, 12)

    replan = after_change(case, before, wib(2026, 8, 12), CAL, POLICY)

    assert replan.replaced == {K.RESPONSE}
    assert replan.alarms == ()
    assert case.stage_due_at == stage_due
    assert [d.kind for d in statuses(case, wib(2026, 8, 12), CAL)] == [K.STAGE]


@pytest.mark.parametrize("end", [S.WITHDRAWN, S.REFERRED])
def test_end_of_case_stops_every_reminder(end: Status) -> None:
    case = new_case()
    before = (case.status, case.tier, case.kind)
    case.status = end

    replan = after_change(case, before, wib(2026, 8, 12), CAL, POLICY)

    assert replan.replaced == {K.RESPONSE, K.STAGE}
    assert replan.alarms == ()
    assert case.stage_due_at is None
    assert statuses(case, wib(2026, 8, 12), CAL) == []


def test_closing_an_answered_case_stops_the_resolved_target() -> None:
    case = new_case(status=S.RESOLVED)
    case.answered_at = wib(2026, 8, 20)
    before = (case.status, case.tier, case.kind)
    case.status = S.CLOSED

    replan = after_change(case, before, wib(2026, 8, 21), CAL, POLICY)

    assert K.STAGE in replan.replaced
    assert replan.alarms == ()
    assert case.stage_due_at is None


def test_accepting_a_late_suggestion_starts_the_response_clock() -> None:
    suggestion = new_case(status=S.SUGGESTION, kind=Kind.SUGGESTION)
    assert (suggestion.response_due_at, suggestion.stage_due_at) == (None, None)
    accepted = wib(2026, 8, 13, 14)
    before = (suggestion.status, suggestion.tier, suggestion.kind)
    suggestion.kind, suggestion.status = Kind.COMPLAINT, S.RECORDED

    replan = after_change(suggestion, before, accepted, CAL, POLICY)

    assert replan.replaced == {K.RESPONSE, K.STAGE}
    assert suggestion.response_started_at == accepted
    # 14 working days after the 13th: 14, 18-21, 24, 26-28, 31 Aug, 1-4 Sep
    assert suggestion.response_due_at == end_of(date(2026, 9, 4))
    assert suggestion.stage_due_at == end_of(date(2026, 8, 14))
    by_kind = {k: [a for a in replan.alarms if a.kind is k] for k in K}
    assert [a.point for a in by_kind[K.RESPONSE]] == [P.HALF, P.BEFORE_3, P.BEFORE_1, P.BREACH]
    assert [a.point for a in by_kind[K.STAGE]] == [P.BREACH]
    assert all(a.fire_at > accepted for a in replan.alarms)


def test_a_suggestion_that_stays_one_has_no_clock() -> None:
    suggestion = new_case(status=S.SUGGESTION, kind=Kind.SUGGESTION)
    before = (suggestion.status, suggestion.tier, suggestion.kind)

    replan = after_change(suggestion, before, wib(2026, 8, 13), CAL, POLICY)

    assert (replan.replaced, replan.alarms) == (frozenset(), ())
    assert suggestion.response_due_at is None


# --- how late ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (wib(2026, 8, 24), 6),  # Mon: 26, 27, 28, 31 Aug, 1, 2 Sep (25 Aug is a holiday)
        (wib(2026, 8, 25), 6),  # on the holiday itself
        (wib(2026, 8, 28), 3),  # Fri: the weekend does not count
        (wib(2026, 8, 29), 3),  # Sat
        (wib(2026, 8, 30, 23, 59), 3),  # Sun night
        (wib(2026, 9, 1, 7, 30), 1),
        (wib(2026, 9, 2, 8), 0),  # the due day
        (DUE, 0),  # its last second
    ],
)
def test_working_days_left_skip_weekends_and_holidays(now: datetime, left: int) -> None:
    status = describe(K.RESPONSE, DUE, now, CAL)

    assert (status.working_days_left, status.overdue, status.overdue_working_days) == (
        left,
        False,
        0,
    )


@pytest.mark.parametrize(
    ("now", "late"),
    [
        (DUE + timedelta(seconds=1), 1),  # 00:00 WIB Thursday: Thursday is the first day late
        (wib(2026, 9, 3, 16), 1),
        (wib(2026, 9, 4), 2),
        (wib(2026, 9, 5), 2),  # Saturday adds nothing
        (wib(2026, 9, 7), 3),
    ],
)
def test_overdue_working_days_skip_weekends(now: datetime, late: int) -> None:
    status = describe(K.RESPONSE, DUE, now, CAL)

    assert (status.working_days_left, status.overdue, status.overdue_working_days) == (
        0,
        True,
        late,
    )


def test_overdue_over_a_holiday_weekend() -> None:
    due = end_of(date(2026, 8, 14))  # Friday; Monday 17 Aug is Independence Day

    on_holiday = describe(K.STAGE, due, wib(2026, 8, 17), CAL)
    tuesday = describe(K.STAGE, due, wib(2026, 8, 18), CAL)
    wednesday = describe(K.STAGE, due, wib(2026, 8, 19), CAL)

    assert (on_holiday.overdue, on_holiday.overdue_working_days) == (True, 1)  # at least one
    assert tuesday.overdue_working_days == 1
    assert wednesday.overdue_working_days == 2


def test_days_left_before_a_holiday() -> None:
    due = end_of(date(2026, 8, 21))

    assert describe(K.STAGE, due, wib(2026, 8, 14), CAL).working_days_left == 4  # 18..21


# --- properties ---------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2034, 12, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
policies = st.builds(
    DeadlinePolicy,
    response_days=st.just(14),
    reminders_before=st.lists(st.sampled_from([1, 2, 3, 5]), max_size=3).map(tuple),
    remind_at_half=st.booleans(),
)


@given(start=starts, days=st.integers(1, 40), policy=policies)
def test_alarms_are_ordered_and_the_breach_is_last(
    start: datetime, days: int, policy: DeadlinePolicy
) -> None:
    due = CAL.response_due_at(start, days)

    ringing = alarms(K.STAGE, start, due, CAL, policy)

    fire_times = [a.fire_at for a in ringing]
    assert fire_times == sorted(fire_times)
    assert [a.point for a in ringing].count(P.BREACH) == 1
    assert ringing[-1].point is P.BREACH
    assert ringing[-1].fire_at == due + timedelta(seconds=1)
    assert {(a.kind, a.due_at) for a in ringing} == {(K.STAGE, due)}


@given(start=starts, days=st.integers(1, 40), policy=policies)
def test_reminders_ring_at_opening_time_on_working_days_before_the_due_day(
    start: datetime, days: int, policy: DeadlinePolicy
) -> None:
    due = CAL.response_due_at(start, days)
    start_day, due_day = wib_date(start), wib_date(due)

    reminders = alarms(K.STAGE, start, due, CAL, policy)[:-1]

    assert len({a.fire_at for a in reminders}) == len(reminders)  # at most one a morning
    for a in reminders:
        local = a.fire_at.astimezone(WIB)
        assert local.time() == OFFICE_OPENS
        assert CAL.is_working_day(local.date())
        assert start_day < local.date() < due_day
        assert a.fire_at > start


@given(start=starts, days=st.integers(1, 40))
def test_default_reminders_fall_on_their_working_day(start: datetime, days: int) -> None:
    due = CAL.response_due_at(start, days)
    start_day = wib_date(start)
    expected_day = {P.HALF: days // 2, P.BEFORE_3: days - 3, P.BEFORE_1: days - 1}

    reminders = alarms(K.RESPONSE, start, due, CAL, POLICY)[:-1]

    for a in reminders:
        assert CAL.working_days_between(start_day, wib_date(a.fire_at)) == expected_day[a.point]
    wanted = {p for p, n in expected_day.items() if n >= 1 and (p is not P.HALF or days >= 2)}
    rung_days = {expected_day[a.point] for a in reminders}
    assert {expected_day[p] for p in wanted} == rung_days  # every wanted morning rings once
