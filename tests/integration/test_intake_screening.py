"""Intake that loses nothing (issue 12): screening by the made-at day, the channel's facts and
services not yet delivered, through the service layer on SQLite and PostgreSQL.

The clock stands at Monday 2 March 2026, 10:00 WIB. Every expected day is counted by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from aduan import service
from aduan.service import Deps
from aduan.workflow.errors import InputError
from tests.integration import builders as b

OFFICER = "budi"


def record(deps: Deps, **changes: Any) -> Any:
    """Staff intake by the officer, read back as the officer sees the stored case."""
    done = service.submit_complaint(deps, b.submission(deps, **changes), OFFICER)
    return service.get_case(deps, done.tracking_code, OFFICER)


def refused(deps: Deps, **changes: Any) -> InputError:
    """Staff intake that must be refused with nothing written."""
    before = b.row_counts(deps)
    with pytest.raises(InputError) as error:
        service.submit_complaint(deps, b.submission(deps, **changes), OFFICER)
    assert b.row_counts(deps) == before
    return error.value


def test_box_letter_dropped_on_day_30_and_collected_on_day_34_is_a_complaint(deps: Deps) -> None:
    # Service on 27 January; day 30 is 26 February (the drop), day 34 is 2 March (today).
    case = record(
        deps,
        channel="box",
        service_received_on="2026-01-27",
        channel_facts={"dropped_on": "2026-02-26"},
    )
    assert (case.kind, case.status, case.screening_reason, case.intake_days) == (
        "complaint",
        "recorded",
        None,
        30,
    )
    assert case.complained_at == datetime(2026, 2, 25, 17, 0, tzinfo=UTC)  # 00:00 WIB 26 Feb
    assert case.received_at == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert case.channel_facts == {"dropped_on": "2026-02-26"}
    assert (case.service_received_on, case.window_from) == (date(2026, 1, 27), date(2026, 1, 27))
    # Item 4: the answer's 14 working days run from the office's receipt, not the drop date.
    same_day = record(deps, channel="officer", service_received_on="2026-02-20")
    assert case.response_due_at == same_day.response_due_at
    submitted = case.timeline[0].data
    assert (submitted["made_at"], submitted["window_from"], submitted["intake_days"]) == (
        "2026-02-26T00:00:00+07:00",
        "2026-01-27",
        30,
    )


def test_box_letter_dropped_on_day_31_is_a_late_suggestion(deps: Deps) -> None:
    case = record(
        deps,
        channel="box",
        service_received_on="2026-01-26",
        channel_facts={"dropped_on": "2026-02-26"},
    )
    assert (case.kind, case.screening_reason, case.intake_days) == ("suggestion", "late", 31)


def test_a_letter_with_a_name_and_postal_address_is_a_complaint(deps: Deps) -> None:
    case = record(
        deps,
        channel="letter",
        complainant={"name": "Ujang Suryana", "address": "Kp. Cibodas RT 03/02, Wanayasa"},
        channel_facts={"letter_number": "01/US/II/2026", "letter_date": "2026-02-23"},
    )
    assert (case.kind, case.screening_reason) == ("complaint", None)
    assert case.channel_facts == {"letter_number": "01/US/II/2026", "letter_date": "2026-02-23"}
    assert case.complained_at == datetime(2026, 2, 22, 17, 0, tzinfo=UTC)


def test_a_lapor_complaint_keeps_its_ticket_and_counts_from_lapor_receipt(deps: Deps) -> None:
    case = record(
        deps,
        channel="lapor",
        service_received_on="2026-01-27",
        channel_facts={"lapor_id": "LPR-2602-88123", "lapor_received_on": "2026-02-26"},
    )
    assert (case.kind, case.intake_days) == ("complaint", 30)
    assert case.channel_facts == {
        "lapor_id": "LPR-2602-88123",
        "lapor_received_on": "2026-02-26",
    }


def test_a_tweet_records_its_account_as_the_way_to_reach_the_sender(deps: Deps) -> None:
    case = record(
        deps,
        channel="twitter",
        complainant={"name": "Rina"},
        channel_facts={"social_handle": "@rina_pwk"},
    )
    assert (case.kind, case.complainant.social) == ("complaint", "@rina_pwk")


# Service 15121 takes 7 working days. Applied Monday 5 January 2026: 6, 7, 8, 9, 12, 13, 14
# January -> due Wednesday 14 January (Isra Mi'raj is Friday 16 January, after it). Day 30 is
# 13 February, day 31 is 14 February.


def test_a_licence_not_yet_issued_counts_from_application_plus_completion_time(
    deps: Deps,
) -> None:
    case = record(
        deps,
        channel="phone",
        service_received_on=None,
        service_pending=True,
        applied_on="2026-01-05",
        complained_at="2026-02-13T23:59:59+07:00",
    )
    assert (case.kind, case.intake_days) == ("complaint", 30)
    assert (case.service_pending, case.applied_on) == (True, date(2026, 1, 5))
    assert (case.service_received_on, case.window_from) == (None, date(2026, 1, 14))


def test_a_licence_not_yet_issued_complained_of_on_day_31_is_late(deps: Deps) -> None:
    case = record(
        deps,
        channel="phone",
        service_received_on=None,
        service_pending=True,
        applied_on="2026-01-05",
        complained_at="2026-02-14T00:00:00+07:00",
    )
    assert (case.kind, case.screening_reason, case.intake_days) == ("suggestion", "late", 31)
    assert case.window_from == date(2026, 1, 14)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"channel": "box"}, "channel_facts.dropped_on", "required_for_channel"),
        (
            {"channel": "phone", "channel_facts": {"lapor_id": "LPR-1"}},
            "channel_facts.lapor_id",
            "not_for_channel",
        ),
        (
            {"channel": "box", "channel_facts": {"dropped_on": "2026-03-03"}},
            "channel_facts.dropped_on",
            "not_after_received",
        ),
        ({"complained_at": "2026-03-02T12:00:00+07:00"}, "complained_at", "not_in_future"),
        (
            {
                "complained_at": "2026-03-01T09:00:00+07:00",
                "received_at": "2026-02-28T09:00:00+07:00",
            },
            "complained_at",
            "not_after_received",
        ),
        (
            {"service_received_on": None, "service_pending": True, "applied_on": "2026-03-03"},
            "applied_on",
            "not_in_future",
        ),
        (
            {"service_received_on": None, "service_pending": True, "service_code": None},
            "applied_on",
            "required_when_pending",
        ),
        (
            {
                "service_received_on": None,
                "service_pending": True,
                "applied_on": "2026-01-05",
                "service_code": None,
                "service_text": "IMB",
            },
            "service_code",
            "required_when_pending",
        ),
        ({"service_received_on": None}, "service_received_on", "required"),
    ],
    ids=[
        "box-without-drop-date",
        "phone-with-lapor-id",
        "dropped-after-receipt",
        "made-in-future",
        "made-after-received",
        "application-in-future",
        "pending-without-application",
        "pending-without-catalog-service",
        "no-service-date",
    ],
)
def test_bad_intake_names_field_and_rule_and_writes_nothing(
    deps: Deps, changes: dict[str, Any], field: str, rule: str
) -> None:
    error = refused(deps, **changes)
    assert (error.field, error.rule) == (field, rule)
