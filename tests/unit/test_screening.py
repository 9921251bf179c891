"""Intake screening (seed §6 items 2, 3, 5a–b), impossible dates, and tracking codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from aduan.workflow.case import Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.intake import (
    FUTURE_TOLERANCE,
    check_times,
    new_tracking_code,
    normalise_tracking_code,
    screen,
)
from aduan.workflow.states import Kind, ScreeningReason, Status

SERVICE_ON = date(2026, 8, 1)
WIB_OFFSET = timedelta(hours=7)  # Asia/Jakarta has been UTC+7, without DST, since 1964
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE = re.compile(rf"^ADN-[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}$")


def identified() -> Complainant:
    return Complainant("Sari Wulandari", phone="+6281234567890")


def wib(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0
) -> datetime:
    """An instant given as a wall-clock time in WIB, stored as aware UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC) - WIB_OFFSET


# --- the 30-day window (items 2–3) ---------------------------------------------------------


def test_complaint_on_day_30_is_on_time() -> None:
    result = screen(identified(), "Izin belum terbit", SERVICE_ON, wib(2026, 8, 31))
    assert (result.kind, result.status, result.reason) == (Kind.COMPLAINT, Status.RECORDED, None)
    assert result.intake_days == 30


def test_late_complaint_becomes_suggestion() -> None:
    result = screen(identified(), "Izin belum terbit", SERVICE_ON, wib(2026, 9, 1))
    assert result.kind is Kind.SUGGESTION
    assert result.status is Status.SUGGESTION
    assert result.reason is ScreeningReason.LATE
    assert result.intake_days == 31


def test_last_second_of_day_30_in_wib_is_on_time() -> None:
    received_at = datetime(2026, 8, 31, 16, 59, 59, tzinfo=UTC)  # 23:59:59 WIB, 31 August
    result = screen(identified(), "Izin belum terbit", SERVICE_ON, received_at)
    assert (result.intake_days, result.kind) == (30, Kind.COMPLAINT)


def test_midnight_wib_starts_day_31_although_utc_is_still_on_day_30() -> None:
    received_at = datetime(2026, 8, 31, 17, 0, 0, tzinfo=UTC)  # 00:00 WIB, 1 September
    result = screen(identified(), "Izin belum terbit", SERVICE_ON, received_at)
    assert (result.intake_days, result.kind, result.reason) == (
        31,
        Kind.SUGGESTION,
        ScreeningReason.LATE,
    )


def test_a_longer_configured_window_keeps_day_31_on_time() -> None:
    result = screen(identified(), "x", SERVICE_ON, wib(2026, 9, 1), window_days=45)
    assert result.kind is Kind.COMPLAINT


# --- identity and subject (item 5a–b) ------------------------------------------------------


@pytest.mark.parametrize(
    "complainant",
    [
        Complainant(None, email="anon@example.id"),
        Complainant("", phone="0812"),
        Complainant("Sari Wulandari"),
        Complainant("Sari Wulandari", address="Jl. Merdeka 1"),
    ],
    ids=["no-name", "empty-name", "name-no-contact", "name-and-address-only"],
)
def test_complaint_without_identity_becomes_suggestion(complainant: Complainant) -> None:
    result = screen(complainant, "Izin belum terbit", SERVICE_ON, wib(2026, 8, 10))
    assert (result.kind, result.reason) == (Kind.SUGGESTION, ScreeningReason.NO_IDENTITY)


@pytest.mark.parametrize(
    "complainant",
    [
        Complainant("Sari", email="sari@example.id"),
        Complainant("Sari", phone="0812"),
        Complainant("Sari", social="@sari"),
    ],
    ids=["email", "phone", "social"],
)
def test_a_name_and_any_one_contact_is_an_identity(complainant: Complainant) -> None:
    assert screen(complainant, "x", SERVICE_ON, wib(2026, 8, 10)).kind is Kind.COMPLAINT


@pytest.mark.parametrize("description", ["", "   ", "\n\t "])
def test_complaint_without_subject_becomes_suggestion(description: str) -> None:
    result = screen(identified(), description, SERVICE_ON, wib(2026, 8, 10))
    assert (result.kind, result.reason) == (Kind.SUGGESTION, ScreeningReason.NO_SUBJECT)


def test_missing_identity_is_the_reason_given_even_when_also_late_and_blank() -> None:
    result = screen(Complainant(None), " ", SERVICE_ON, wib(2026, 12, 1))
    assert result.reason is ScreeningReason.NO_IDENTITY
    assert result.intake_days == 122


def test_missing_subject_is_the_reason_given_even_when_also_late() -> None:
    result = screen(identified(), "", SERVICE_ON, wib(2026, 12, 1))
    assert result.reason is ScreeningReason.NO_SUBJECT


# --- impossible dates: rejected, nothing written ------------------------------------------

NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


def test_receipt_up_to_five_minutes_ahead_of_the_clock_is_accepted() -> None:
    check_times(SERVICE_ON, NOW, NOW + FUTURE_TOLERANCE, NOW)


def test_receipt_more_than_five_minutes_in_the_future_is_rejected() -> None:
    ahead = NOW + timedelta(minutes=5, seconds=1)
    with pytest.raises(InputError) as error:
        check_times(SERVICE_ON, NOW, ahead, NOW)
    assert (error.value.field, error.value.rule) == ("received_at", "not_in_future")
    assert "received_at" in str(error.value)


def test_complaint_made_after_the_office_received_it_is_rejected() -> None:
    with pytest.raises(InputError) as error:
        check_times(SERVICE_ON, NOW, NOW - timedelta(seconds=1), NOW)
    assert error.value.field == "complained_at"


def test_complaint_made_and_received_at_the_same_instant_is_accepted() -> None:
    check_times(SERVICE_ON, NOW, NOW, NOW)


def test_service_received_after_the_complaint_is_rejected() -> None:
    complained_at = wib(2026, 8, 20, 23, 59, 59)
    with pytest.raises(InputError) as error:
        check_times(date(2026, 8, 21), complained_at, complained_at, NOW)
    assert error.value.field == "service_received_on"


def test_service_received_on_the_wib_date_of_the_complaint_is_accepted() -> None:
    complained_at = datetime(2026, 8, 20, 17, 30, tzinfo=UTC)  # 00:30 WIB on 21 August
    check_times(date(2026, 8, 21), complained_at, complained_at, NOW)


# --- properties ---------------------------------------------------------------------------


@given(
    service_on=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    offset=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120)),
)
def test_late_exactly_when_more_than_30_wib_calendar_days_pass(
    service_on: date, offset: timedelta
) -> None:
    # Any instant from 00:00 WIB on the service date onwards.
    received_at = datetime.combine(service_on, datetime.min.time(), UTC) - WIB_OFFSET + offset
    expected_days = ((received_at + WIB_OFFSET).date() - service_on).days

    result = screen(identified(), "Izin belum terbit", service_on, received_at)

    assert result.intake_days == expected_days
    assert (result.kind is Kind.SUGGESTION) == (expected_days > 30)
    assert (result.reason is ScreeningReason.LATE) == (expected_days > 30)


# --- tracking codes -----------------------------------------------------------------------


def test_tracking_code_has_the_published_format() -> None:
    assert CODE.match(new_tracking_code())


def test_tracking_codes_avoid_characters_misread_aloud_and_do_not_repeat() -> None:
    codes = [new_tracking_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    assert all(CODE.match(code) for code in codes)
    used = set("".join(code.removeprefix("ADN-") for code in codes)) - {"-"}
    assert not used & set("0O1ILU")


@pytest.mark.parametrize(
    "typed",
    ["adn-7hk2m-q9xrt", "ADN7HK2MQ9XRT", "adn 7hk2m q9xrt", " ADN-7HK2M-Q9XRT ", "7hk2m-q9xrt"],
)
def test_tracking_code_is_found_however_it_is_typed(typed: str) -> None:
    assert normalise_tracking_code(typed) == "ADN-7HK2M-Q9XRT"


def test_code_whose_body_begins_with_adn_is_found_without_the_prefix() -> None:
    assert normalise_tracking_code("adn23-45678") == "ADN-ADN23-45678"
    assert normalise_tracking_code("adn-adn23-45678") == "ADN-ADN23-45678"


@given(body=st.text(alphabet=ALPHABET, min_size=10, max_size=10), prefix=st.booleans())
@example(body="ADN2345678", prefix=False)
def test_any_code_typed_in_lower_case_without_dashes_normalises_back(
    body: str, prefix: bool
) -> None:
    code = f"ADN-{body[:5]}-{body[5:]}"
    typed = ("adn" if prefix else "") + body.lower()
    assert normalise_tracking_code(typed) == code
