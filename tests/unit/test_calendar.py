"""The working-day calendar (DESIGN §3): weekends, holidays, cuti bersama, overrides, deadlines.

Expected deadlines were counted by hand from the 2026 SKB (17 national holidays, 8 days of cuti
bersama), which the ``holidays`` package 0.109 reproduces.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan.escalation.calendar import (
    CalendarRangeError,
    NonWorkingDay,
    Override,
    OverrideKind,
    WorkingCalendar,
)
from aduan.workflow.errors import InputError

WIB_OFFSET = timedelta(hours=7)  # Asia/Jakarta has been UTC+7, without DST, since 1964
FIRST, LAST = date(2020, 1, 1), date(2035, 12, 31)


# Built once: hypothesis property tests cannot take function-scoped fixtures.
CAL = WorkingCalendar.for_indonesia()


@pytest.fixture
def cal() -> WorkingCalendar:
    return CAL


def wib(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0
) -> datetime:
    """An instant given as a wall-clock time in WIB, stored as aware UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC) - WIB_OFFSET


def end_of_wib_day(on: date) -> datetime:
    return datetime(on.year, on.month, on.day, 23, 59, 59, tzinfo=UTC) - WIB_OFFSET


def override(on: date, kind: OverrideKind, reason: str = "Hari Jadi Kabupaten") -> Override:
    return Override(on, kind, reason, entered_by="admin")


# --- the worked example and ordinary weeks ------------------------------------------------


def test_design_example_skips_independence_day_and_prophets_birthday(cal: WorkingCalendar) -> None:
    due = cal.response_due_at(wib(2026, 8, 11, 10))

    assert due == datetime(2026, 9, 2, 16, 59, 59, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0)
    assert cal.add_working_days(date(2026, 8, 11), 1) == date(2026, 8, 12)


def test_friday_receipt_counts_from_monday(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 8, 7), 1) == date(2026, 8, 10)
    assert cal.response_due_at(wib(2026, 8, 7, 15)) == end_of_wib_day(date(2026, 8, 31))


@pytest.mark.parametrize(
    "received_on",
    [date(2026, 8, 14), date(2026, 8, 15), date(2026, 8, 16), date(2026, 8, 17)],
    ids=["friday", "saturday", "sunday", "independence_day"],
)
def test_receipt_on_a_day_off_counts_from_the_next_working_day(
    cal: WorkingCalendar, received_on: date
) -> None:
    assert cal.add_working_days(received_on, 1) == date(2026, 8, 18)
    assert cal.add_working_days(received_on, 14) == date(2026, 9, 7)


def test_cuti_bersama_around_idul_fitri_2026_is_skipped(cal: WorkingCalendar) -> None:
    # 18 Mar cuti Nyepi, 19 Nyepi, 20 cuti, 21–22 Idul Fitri (weekend), 23–24 cuti; 3 Apr Good Fri.
    assert cal.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
    assert cal.response_due_at(wib(2026, 3, 17, 14)) == end_of_wib_day(date(2026, 4, 14))
    idul_fitri_week = [date(2026, 3, 18) + timedelta(days=i) for i in range(7)]
    assert not any(cal.is_working_day(d) for d in idul_fitri_week)


def test_christmas_and_new_year_2026_27_are_skipped(cal: WorkingCalendar) -> None:
    # 24 Dec cuti Natal, 25 Christmas, 1 Jan New Year, 5 Jan 2027 Isra Mikraj.
    assert cal.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert cal.add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    assert cal.response_due_at(wib(2026, 12, 23)) == end_of_wib_day(date(2027, 1, 18))


def test_both_package_categories_are_non_working_with_indonesian_names(
    cal: WorkingCalendar,
) -> None:
    days = {d.on: d for d in cal.non_working_days(2026)}

    assert len(days) == 25  # SKB 2026: 17 national holidays + 8 days of cuti bersama
    assert days[date(2026, 3, 20)] == NonWorkingDay(
        date(2026, 3, 20),
        "Cuti Bersama Hari Raya Idul Fitri",
        "Eid al-Fitr Joint Holiday",
        "cuti_bersama",
    )
    assert days[date(2026, 8, 17)].name_id == "Hari Kemerdekaan Republik Indonesia"
    assert days[date(2026, 8, 17)].source == "national"
    assert sum(d.source == "cuti_bersama" for d in days.values()) == 8


def test_weekends_are_listed_only_when_asked(cal: WorkingCalendar) -> None:
    with_weekends = cal.non_working_days(2026, weekends=True)
    saturday = next(d for d in with_weekends if d.on == date(2026, 1, 3))

    assert (saturday.name_id, saturday.source) == ("Sabtu", "weekend")
    assert all(d.source != "weekend" for d in cal.non_working_days(2026))
    # 21 Mar is a Saturday and Idul Fitri: it is listed once, as the holiday.
    assert [d.source for d in with_weekends if d.on == date(2026, 3, 21)] == ["national"]


def test_estimated_dates_are_flagged(cal: WorkingCalendar) -> None:
    eid_2028 = next(d for d in cal.non_working_days(2028) if d.on == date(2028, 2, 28))

    assert eid_2028.estimated
    assert not any(d.estimated for d in cal.non_working_days(2026))


def test_working_days_between_counts_left_and_overdue(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2026, 8, 11), date(2026, 9, 2)) == 14
    assert cal.working_days_between(date(2026, 9, 2), date(2026, 8, 11)) == -14
    assert cal.working_days_between(date(2026, 8, 15), date(2026, 8, 17)) == 0


# --- overrides ----------------------------------------------------------------------------


def test_holiday_override_pushes_the_deadline_back_a_day(cal: WorkingCalendar) -> None:
    regional = cal.with_overrides([override(date(2026, 8, 12), "holiday")])

    assert regional.response_due_at(wib(2026, 8, 11)) == end_of_wib_day(date(2026, 9, 3))
    assert not regional.is_working_day(date(2026, 8, 12))
    listed = next(d for d in regional.non_working_days(2026) if d.on == date(2026, 8, 12))
    assert (listed.name_id, listed.source) == ("Hari Jadi Kabupaten", "override")
    # The original calendar is untouched.
    assert cal.response_due_at(wib(2026, 8, 11)) == end_of_wib_day(date(2026, 9, 2))


def test_working_override_gives_back_a_listed_holiday(cal: WorkingCalendar) -> None:
    corrected = cal.with_overrides([override(date(2026, 8, 25), "working", "Maulid moved")])

    assert corrected.is_working_day(date(2026, 8, 25))
    assert corrected.response_due_at(wib(2026, 8, 11)) == end_of_wib_day(date(2026, 9, 1))
    assert date(2026, 8, 25) not in {d.on for d in corrected.non_working_days(2026)}
    assert corrected.overrides == (override(date(2026, 8, 25), "working", "Maulid moved"),)


def test_with_overrides_replaces_the_previous_set(cal: WorkingCalendar) -> None:
    once = cal.with_overrides([override(date(2026, 8, 12), "holiday")])
    again = once.with_overrides([])

    assert again.overrides == ()
    assert again.is_working_day(date(2026, 8, 12))


@pytest.mark.parametrize(
    ("on", "kind", "fragment"),
    [
        (date(2026, 8, 17), "holiday", "Hari Kemerdekaan Republik Indonesia"),
        (date(2026, 8, 15), "holiday", "Sabtu"),
        (date(2026, 8, 12), "working", "sudah hari kerja"),
    ],
    ids=["holiday_on_holiday", "holiday_on_saturday", "working_on_working_day"],
)
def test_override_that_changes_nothing_is_reported(
    cal: WorkingCalendar, on: date, kind: OverrideKind, fragment: str
) -> None:
    message = cal.check_override(override(on, kind))

    assert message is not None
    assert str(on) in message
    assert fragment in message
    assert "changes nothing" in message


@pytest.mark.parametrize(
    ("on", "kind"), [(date(2026, 8, 12), "holiday"), (date(2026, 8, 17), "working")]
)
def test_override_that_changes_a_day_is_not_reported(
    cal: WorkingCalendar, on: date, kind: OverrideKind
) -> None:
    assert cal.check_override(override(on, kind)) is None


def test_two_overrides_on_one_date_are_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(InputError) as caught:
        cal.with_overrides(
            [override(date(2026, 8, 12), "holiday"), override(date(2026, 8, 12), "working")]
        )

    assert (caught.value.field, caught.value.rule) == ("overrides", "one_per_date")


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("on", [date(2019, 12, 31), date(2036, 1, 1)])
def test_date_outside_the_calendar_is_refused_naming_the_range(
    cal: WorkingCalendar, on: date
) -> None:
    with pytest.raises(CalendarRangeError) as caught:
        cal.add_working_days(on, 1)

    assert isinstance(caught.value, InputError)
    assert str(on) in str(caught.value)
    assert "2020-01-01" in str(caught.value)
    assert "2035-12-31" in str(caught.value)


def test_deadline_past_the_end_of_the_calendar_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="14 working days after 2035-12-20"):
        cal.response_due_at(wib(2035, 12, 20))
    with pytest.raises(CalendarRangeError):
        cal.non_working_days(2036)
    with pytest.raises(CalendarRangeError):
        cal.with_overrides([override(date(2036, 1, 2), "holiday")])


def test_year_range_is_configurable() -> None:
    short = WorkingCalendar.for_indonesia(2026, 2026)

    assert (short.first, short.last) == (date(2026, 1, 1), date(2026, 12, 31))
    assert short.add_working_days(date(2026, 8, 11), 14) == date(2026, 9, 2)
    with pytest.raises(CalendarRangeError):
        short.add_working_days(date(2026, 12, 23), 14)


@pytest.mark.parametrize("n", [0, -1])
def test_non_positive_working_days_are_refused(cal: WorkingCalendar, n: int) -> None:
    with pytest.raises(InputError) as caught:
        cal.add_working_days(date(2026, 8, 11), n)

    assert (caught.value.field, caught.value.rule) == ("working_days", "positive")


def test_naive_receipt_time_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(InputError) as caught:
        cal.response_due_at(datetime(2026, 8, 11, 10))  # noqa: DTZ001

    assert caught.value.field == "received_at"


# --- the WIB midnight boundary ------------------------------------------------------------


def test_last_second_before_wib_midnight_is_still_that_day(cal: WorkingCalendar) -> None:
    due = cal.response_due_at(datetime(2026, 8, 11, 16, 59, 59, tzinfo=UTC))

    assert due == datetime(2026, 9, 2, 16, 59, 59, tzinfo=UTC)


def test_wib_midnight_starts_the_next_day(cal: WorkingCalendar) -> None:
    due = cal.response_due_at(datetime(2026, 8, 11, 17, 0, 0, tzinfo=UTC))

    assert due == datetime(2026, 9, 3, 16, 59, 59, tzinfo=UTC)


# --- properties ---------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    # Early enough that 20 days later plus 40 working days stays inside the calendar (2035).
    max_value=datetime(2035, 9, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
)
days = st.dates(min_value=FIRST, max_value=date(2035, 10, 31))
counts = st.integers(min_value=1, max_value=40)


@given(instants, counts)
def test_deadline_falls_at_the_end_of_a_working_day(received_at: datetime, n: int) -> None:
    due = CAL.response_due_at(received_at, n)
    due_on = (due + WIB_OFFSET).date()

    assert CAL.is_working_day(due_on)
    assert due == end_of_wib_day(due_on)
    assert due > received_at


@given(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), counts)
def test_later_receipt_never_gives_earlier_deadline(
    received_at: datetime, later_by: timedelta, n: int
) -> None:
    assert CAL.response_due_at(received_at + later_by, n) >= CAL.response_due_at(received_at, n)


@given(days, counts)
def test_one_more_working_day_is_strictly_later(on: date, n: int) -> None:
    assert CAL.add_working_days(on, n + 1) > CAL.add_working_days(on, n)


@given(days, counts)
def test_counting_back_gives_the_same_number_of_working_days(on: date, n: int) -> None:
    due_on = CAL.add_working_days(on, n)

    assert CAL.working_days_between(on, due_on) == n
    assert CAL.working_days_between(due_on, on) == -n
