"""Intake screening (seed §6 items 2, 3, 5a–b), impossible dates, and tracking codes.

Every expected day and outcome below is counted by hand on a calendar, never by Aduan.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from aduan.escalation.calendar import WorkingCalendar
from aduan.workflow.case import ChannelFacts, Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.intake import (
    FUTURE_TOLERANCE,
    check_channel_facts,
    made_at,
    new_tracking_code,
    normalise_tracking_code,
    screen,
    window_start,
    with_channel_contact,
)
from aduan.workflow.states import Channel, Kind, ScreeningReason, Status

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
        Complainant(None, address="Jl. Veteran No. 139, Nagrikaler, Purwakarta 41115"),
        Complainant("   ", address="Jl. Veteran No. 139"),
    ],
    ids=["no-name", "empty-name", "name-no-contact", "address-no-name", "blank-name-address"],
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
        Complainant("Sari", address="Jl. Veteran No. 139, Nagrikaler, Purwakarta 41115"),
    ],
    ids=["email", "phone", "social", "postal-address"],
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
NO_FACTS = ChannelFacts()


def test_receipt_up_to_five_minutes_ahead_of_the_clock_is_accepted() -> None:
    assert made_at(NO_FACTS, NOW, NOW + FUTURE_TOLERANCE, NOW) == NOW


def test_receipt_more_than_five_minutes_in_the_future_is_rejected() -> None:
    ahead = NOW + timedelta(minutes=5, seconds=1)
    with pytest.raises(InputError) as error:
        made_at(NO_FACTS, NOW, ahead, NOW)
    assert (error.value.field, error.value.rule) == ("received_at", "not_in_future")
    assert "received_at" in str(error.value)


def test_complaint_made_after_the_office_received_it_is_rejected() -> None:
    with pytest.raises(InputError) as error:
        made_at(NO_FACTS, NOW, NOW - timedelta(seconds=1), NOW)
    assert (error.value.field, error.value.rule) == ("complained_at", "not_after_received")


def test_complaint_made_in_the_future_is_rejected_as_such() -> None:
    with pytest.raises(InputError) as error:
        made_at(NO_FACTS, NOW + timedelta(hours=1), NOW, NOW)
    assert (error.value.field, error.value.rule) == ("complained_at", "not_in_future")


def test_complaint_made_and_received_at_the_same_instant_is_accepted() -> None:
    assert made_at(NO_FACTS, NOW, NOW, NOW) == NOW


def test_without_a_stated_time_a_complaint_is_made_when_it_arrives() -> None:
    assert made_at(NO_FACTS, None, NOW - timedelta(hours=2), NOW) == NOW - timedelta(hours=2)


def test_service_received_after_the_complaint_is_rejected() -> None:
    complained_at = wib(2026, 8, 20, 23, 59, 59)
    with pytest.raises(InputError) as error:
        window_start(date(2026, 8, 21), False, None, None, complained_at, TODAY, CAL)
    assert (error.value.field, error.value.rule) == ("service_received_on", "not_after_complaint")


def test_service_received_on_the_wib_date_of_the_complaint_is_accepted() -> None:
    complained_at = datetime(2026, 8, 20, 17, 30, tzinfo=UTC)  # 00:30 WIB on 21 August
    assert window_start(date(2026, 8, 21), False, None, None, complained_at, TODAY, CAL) == date(
        2026, 8, 21
    )


def test_a_delivered_service_needs_its_date() -> None:
    with pytest.raises(InputError) as error:
        window_start(None, False, None, None, NOW, TODAY, CAL)
    assert (error.value.field, error.value.rule) == ("service_received_on", "required")


# --- the window runs from when the complaint was made (items 2–3, issue 12) ----------------

TODAY = date(2026, 9, 30)
CAL = WorkingCalendar.for_indonesia().add_working_days


def test_a_phone_complaint_made_on_day_30_and_logged_on_day_34_is_on_time() -> None:
    made = made_at(NO_FACTS, wib(2026, 8, 31, 16), wib(2026, 9, 4, 10), wib(2026, 9, 4, 10))
    result = screen(identified(), "Izin belum terbit", SERVICE_ON, made)
    assert (result.kind, result.intake_days) == (Kind.COMPLAINT, 30)


def test_box_letter_dropped_on_day_30_and_collected_on_day_34_is_a_complaint() -> None:
    facts = ChannelFacts(dropped_on=date(2026, 8, 31))
    check_channel_facts(Channel.BOX, facts)
    made = made_at(facts, None, wib(2026, 9, 4, 8), wib(2026, 9, 4, 9))
    assert made == wib(2026, 8, 31, 0)  # 00:00 WIB on the drop date
    result = screen(identified(), "Petugas meminta biaya", SERVICE_ON, made)
    assert (result.kind, result.status, result.intake_days) == (
        Kind.COMPLAINT,
        Status.RECORDED,
        30,
    )


def test_box_letter_dropped_on_day_31_is_late() -> None:
    facts = ChannelFacts(dropped_on=date(2026, 9, 1))
    made = made_at(facts, None, wib(2026, 9, 4, 8), wib(2026, 9, 4, 9))
    result = screen(identified(), "Petugas meminta biaya", SERVICE_ON, made)
    assert (result.kind, result.reason, result.intake_days) == (
        Kind.SUGGESTION,
        ScreeningReason.LATE,
        31,
    )


def test_box_letter_dropped_the_day_the_box_is_opened_is_accepted() -> None:
    facts = ChannelFacts(dropped_on=date(2026, 9, 4))
    assert made_at(facts, None, wib(2026, 9, 4, 8), wib(2026, 9, 4, 9)) == wib(2026, 9, 4, 0)


def test_box_letter_dropped_after_the_box_was_opened_is_rejected() -> None:
    facts = ChannelFacts(dropped_on=date(2026, 9, 5))
    with pytest.raises(InputError) as error:
        made_at(facts, None, wib(2026, 9, 4, 8), wib(2026, 9, 4, 9))
    assert (error.value.field, error.value.rule) == (
        "channel_facts.dropped_on",
        "not_after_received",
    )


def test_a_letter_counts_from_its_postmark_before_its_date() -> None:
    facts = ChannelFacts(letter_date=date(2026, 8, 28), postmarked_on=date(2026, 8, 31))
    made = made_at(facts, None, wib(2026, 9, 7, 10), wib(2026, 9, 7, 11))
    assert made == wib(2026, 8, 31, 0)
    assert screen(identified(), "x", SERVICE_ON, made).intake_days == 30


def test_a_letter_without_postmark_counts_from_its_date() -> None:
    facts = ChannelFacts(letter_number="12/RT03/VIII/2026", letter_date=date(2026, 9, 1))
    made = made_at(facts, None, wib(2026, 9, 7, 10), wib(2026, 9, 7, 11))
    assert screen(identified(), "x", SERVICE_ON, made).reason is ScreeningReason.LATE


def test_a_lapor_complaint_counts_from_the_day_lapor_received_it() -> None:
    facts = ChannelFacts(lapor_id="LAP-4417002", lapor_received_on=date(2026, 8, 31))
    check_channel_facts(Channel.LAPOR, facts)
    made = made_at(facts, None, wib(2026, 9, 10, 10), wib(2026, 9, 10, 11))
    result = screen(identified(), "x", SERVICE_ON, made)
    assert (result.kind, result.intake_days) == (Kind.COMPLAINT, 30)


def test_a_stated_time_where_the_channel_records_the_day_is_refused() -> None:
    facts = ChannelFacts(dropped_on=date(2026, 8, 31))
    with pytest.raises(InputError) as error:
        made_at(facts, wib(2026, 8, 30), wib(2026, 9, 4, 8), wib(2026, 9, 4, 9))
    assert (error.value.field, error.value.rule) == ("complained_at", "set_by_channel")


# --- the channel's facts (item 2, a–m) -----------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "facts", "field"),
    [
        (Channel.BOX, ChannelFacts(), "channel_facts.dropped_on"),
        (Channel.LETTER, ChannelFacts(letter_number="7/2026"), "channel_facts.letter_date"),
        (Channel.TWITTER, ChannelFacts(), "channel_facts.social_handle"),
        (Channel.INSTAGRAM, ChannelFacts(), "channel_facts.social_handle"),
        (Channel.LAPOR, ChannelFacts(lapor_received_on=date(2026, 8, 3)), "channel_facts.lapor_id"),
        (Channel.LAPOR, ChannelFacts(lapor_id="LAP-1"), "channel_facts.lapor_received_on"),
    ],
    ids=["box", "letter", "twitter", "instagram", "lapor-id", "lapor-date"],
)
def test_a_missing_channel_fact_is_refused(
    channel: Channel, facts: ChannelFacts, field: str
) -> None:
    with pytest.raises(InputError) as error:
        check_channel_facts(channel, facts)
    assert (error.value.field, error.value.rule) == (field, "required_for_channel")


@pytest.mark.parametrize(
    ("channel", "facts", "field"),
    [
        (Channel.PHONE, ChannelFacts(lapor_id="LAP-1"), "channel_facts.lapor_id"),
        (Channel.WEB_MPP, ChannelFacts(dropped_on=date(2026, 8, 3)), "channel_facts.dropped_on"),
        (
            Channel.BOX,
            ChannelFacts(dropped_on=date(2026, 8, 3), social_handle="@sari"),
            "channel_facts.social_handle",
        ),
    ],
    ids=["phone-lapor-id", "web-drop-date", "box-handle"],
)
def test_a_fact_of_another_channel_is_refused(
    channel: Channel, facts: ChannelFacts, field: str
) -> None:
    with pytest.raises(InputError) as error:
        check_channel_facts(channel, facts)
    assert (error.value.field, error.value.rule) == (field, "not_for_channel")


def test_the_account_a_tweet_came_from_reaches_its_sender() -> None:
    facts = ChannelFacts(social_handle="@sari_w")
    check_channel_facts(Channel.TWITTER, facts)
    person = with_channel_contact(Complainant("Sari Wulandari"), facts)
    assert person.social == "@sari_w"
    assert screen(person, "x", SERVICE_ON, wib(2026, 8, 10)).kind is Kind.COMPLAINT


def test_a_stated_social_account_is_kept_over_the_channel_handle() -> None:
    person = Complainant("Sari", social="ig:sari.w")
    assert with_channel_contact(person, ChannelFacts(social_handle="@x")).social == "ig:sari.w"


# --- a service not yet delivered: application date + completion time (items 2–3) ----------

# 3 August 2026 is a Monday; 7 working days after it (the day itself does not count):
# 4, 5, 6, 7, 10, 11, 12 August -> due on Wednesday 12 August. Day 30 is 11 September.
APPLIED = date(2026, 8, 3)
DUE = date(2026, 8, 12)


def test_a_pending_service_counts_from_its_application_plus_working_days() -> None:
    start = window_start(None, True, APPLIED, 7, wib(2026, 9, 11, 15), TODAY, CAL)
    assert start == DUE


def test_a_pending_service_complaint_on_day_30_after_due_is_on_time() -> None:
    made = wib(2026, 9, 11, 23, 59, 59)
    start = window_start(None, True, APPLIED, 7, made, TODAY, CAL)
    result = screen(identified(), "Izin belum terbit", start, made)
    assert (result.kind, result.intake_days) == (Kind.COMPLAINT, 30)


def test_a_pending_service_complaint_on_day_31_after_due_is_late() -> None:
    made = wib(2026, 9, 12, 0, 0, 0)
    start = window_start(None, True, APPLIED, 7, made, TODAY, CAL)
    result = screen(identified(), "Izin belum terbit", start, made)
    assert (result.kind, result.reason, result.intake_days) == (
        Kind.SUGGESTION,
        ScreeningReason.LATE,
        31,
    )


def test_working_days_skip_weekends_and_independence_day() -> None:
    # Wed 12 Aug + 7 working days: 13, 14, (15-16 weekend, 17 Hari Kemerdekaan), 18, 19, 20,
    # 21, 24 -> Monday 24 August.
    made = wib(2026, 9, 1)
    assert window_start(None, True, date(2026, 8, 12), 7, made, TODAY, CAL) == date(2026, 8, 24)


def test_a_pending_service_complaint_before_it_was_due_is_a_complaint() -> None:
    made = wib(2026, 8, 5)
    start = window_start(None, True, APPLIED, 7, made, TODAY, CAL)
    result = screen(identified(), "Berkas belum diproses", start, made)
    assert (result.kind, result.intake_days) == (Kind.COMPLAINT, -7)


@pytest.mark.parametrize(
    ("received_on", "applied_on", "completion", "field", "rule"),
    [
        (None, None, 7, "applied_on", "required_when_pending"),
        (date(2026, 8, 20), APPLIED, 7, "service_received_on", "empty_when_pending"),
        (None, APPLIED, None, "service_code", "required_when_pending"),
        (None, date(2026, 10, 1), 7, "applied_on", "not_in_future"),
        (None, date(2026, 9, 2), 7, "applied_on", "not_after_complaint"),
    ],
    ids=["no-application-date", "with-service-date", "no-catalog-service", "future", "after"],
)
def test_a_pending_service_without_what_it_needs_is_refused(
    received_on: date | None,
    applied_on: date | None,
    completion: int | None,
    field: str,
    rule: str,
) -> None:
    with pytest.raises(InputError) as error:
        window_start(received_on, True, applied_on, completion, wib(2026, 9, 1), TODAY, CAL)
    assert (error.value.field, error.value.rule) == (field, rule)


def test_an_application_date_for_a_delivered_service_is_refused() -> None:
    with pytest.raises(InputError) as error:
        window_start(SERVICE_ON, False, APPLIED, 7, wib(2026, 9, 1), TODAY, CAL)
    assert (error.value.field, error.value.rule) == ("applied_on", "only_when_pending")


def test_an_application_date_outside_the_working_calendar_names_the_field() -> None:
    with pytest.raises(InputError) as error:
        window_start(None, True, date(2019, 12, 30), 7, wib(2026, 9, 1), TODAY, CAL)
    assert (error.value.field, error.value.rule) == ("applied_on", "in_calendar_range")


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
