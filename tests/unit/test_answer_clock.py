"""The answer clock paused for missing information and extended (issue 14 item 5), pure.

Counted by hand on the 2026 calendar: 17 August (Independence Day, a Monday) and 25 August
(the Prophet's Birthday, a Tuesday) are holidays. The complaint arrives on Tuesday 11 August;
its 14 working days end on Wednesday 2 September (``tests/unit/test_deadlines.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from aduan.escalation import deadlines, pause
from aduan.escalation.calendar import WorkingCalendar
from aduan.escalation.deadlines import (
    AlarmPoint,
    DeadlineKind,
    DeadlinePolicy,
    Replan,
    after_change,
    start_response,
    statuses,
)
from aduan.workflow.case import Actor, Case, Complainant
from aduan.workflow.errors import InputError, RuleViolationError
from aduan.workflow.intake import WIB
from aduan.workflow.lifecycle import perform, permitted_actions
from aduan.workflow.states import Action, Channel, Kind, Role, Status

A, K = Action, DeadlineKind
CAL = WorkingCalendar.for_indonesia()
POLICY = DeadlinePolicy()
OFFICER = Actor("budi", Role.OFFICER)
SUPERVISOR = Actor("sari", Role.SUPERVISOR)
COMPLAINANT = Actor("complainant", Role.COMPLAINANT)
SYSTEM = Actor("system", Role.SYSTEM)


def wib(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=WIB).astimezone(UTC)


def end_of(month: int, day: int) -> datetime:
    return datetime.combine(date(2026, month, day), time(23, 59, 59), WIB).astimezone(UTC)


RECEIVED = wib(8, 11)
DUE = end_of(9, 2)


def a_complaint() -> Case:
    case = Case(
        tracking_code="ADN-JEDA0-WAKTU",
        kind=Kind.COMPLAINT,
        status=Status.REVIEWED,
        channel=Channel.EMAIL,
        complainant=Complainant("Siti Aminah", email="siti@contoh.id"),
        subject="Sertifikat standar belum terbit",
        description="Sudah lewat 7 hari kerja",
        service_received_on=date(2026, 8, 4),
        complained_at=RECEIVED,
        received_at=RECEIVED,
        intake_days=7,
        created_at=RECEIVED,
        updated_at=RECEIVED,
    )
    start_response(case, RECEIVED, CAL, POLICY)
    return case


def act(case: Case, action: Action, actor: Actor, at: datetime, **payload: Any) -> list[Replan]:
    """An action as the service takes it: the lifecycle, then the deadline policy."""
    before = (case.status, case.tier, case.kind)
    perform(case, action, actor, payload, at)
    clock = pause.react(case, at, CAL, POLICY)
    replans = [after_change(case, before, at, CAL, POLICY), *([clock] if clock else [])]
    case.take_events()
    return replans


def ask(case: Case, at: datetime) -> list[Replan]:
    return act(case, A.REQUEST_INFO, OFFICER, at, question="Mohon kirim nomor NIB Anda.")


def reply(case: Case, at: datetime, actor: Actor = COMPLAINANT) -> list[Replan]:
    return act(case, A.RECORD_INFO_REPLY, actor, at, reply="NIB 1234567890123")


def test_the_complaint_starts_with_its_fourteen_working_days() -> None:
    case = a_complaint()
    assert (case.response_due_at, case.response_original_due_at) == (DUE, DUE)


def test_a_pause_over_a_weekend_costs_the_monday_only() -> None:
    case = a_complaint()
    ask(case, wib(8, 21))  # Friday
    reply(case, wib(8, 24, 9))  # Monday morning

    assert case.response_paused_days == 1
    assert case.response_due_at == end_of(9, 3)  # one working day later: Thursday
    assert case.response_original_due_at == end_of(9, 3)  # a pause is not an extension
    assert case.info_requested_at is None


def test_a_pause_over_a_holiday_does_not_count_the_holiday() -> None:
    case = a_complaint()
    ask(case, wib(8, 14))  # Friday; Monday 17 August is Independence Day
    reply(case, wib(8, 18), actor=OFFICER)  # Tuesday, recorded by staff

    assert case.response_paused_days == 1
    assert case.response_due_at == end_of(9, 3)


def test_a_pause_within_one_day_moves_nothing() -> None:
    case = a_complaint()
    ask(case, wib(8, 20, 9))
    reply(case, wib(8, 20, 15))

    assert case.response_paused_days == 0
    assert case.response_due_at == DUE


def test_the_days_left_when_the_clock_stopped_are_left_when_it_runs_again() -> None:
    case = a_complaint()
    ask(case, wib(8, 31))  # Monday: Tuesday 1 and Wednesday 2 September are left
    (left_then,) = [d for d in statuses(case, wib(9, 7), CAL) if d.kind is K.RESPONSE]
    reply(case, wib(9, 7))  # the Monday after: 1, 2, 3, 4 and 7 September stood still

    assert left_then.paused and left_then.working_days_left == 2 and not left_then.overdue
    assert case.response_paused_days == 5
    assert case.response_due_at == end_of(9, 9)
    (now,) = [d for d in statuses(case, wib(9, 7), CAL) if d.kind is K.RESPONSE]
    assert (now.paused, now.working_days_left) == (False, 2)


def test_a_paused_clock_rings_no_reminder_but_the_end_of_the_wait() -> None:
    case = a_complaint()
    (_, stop) = ask(case, wib(8, 20))

    assert stop.replaced == {K.RESPONSE, K.STAGE, K.INFO_WAIT}
    assert [(a.kind, a.point) for a in stop.alarms] == [(K.INFO_WAIT, AlarmPoint.BREACH)]
    # Ten working days after Thursday 20 August, without the 25 August holiday: 4 September.
    assert stop.alarms[0].due_at == end_of(9, 4)


def test_the_reply_replans_the_answers_reminders_and_breach_at_the_moved_deadline() -> None:
    case = a_complaint()
    ask(case, wib(8, 21))
    (_, resumed) = reply(case, wib(8, 24, 9))

    assert resumed.replaced == {K.RESPONSE, K.STAGE, K.INFO_WAIT}
    breach = [a for a in resumed.alarms if a.point is AlarmPoint.BREACH]
    assert [a.due_at for a in breach] == [end_of(9, 3)]
    assert all(a.kind is K.RESPONSE for a in resumed.alarms)  # a_complaint has no stage target


def in_stage(case: Case, status: Status, at: datetime) -> None:
    """Put ``case`` in ``status`` from ``at``, with that stage's target (as the table would)."""
    case.status = status
    after_change(case, (Status.RECORDED, 0, Kind.COMPLAINT), at, CAL, POLICY)


def test_the_stage_target_stands_still_with_the_answer_and_moves_later_by_as_much() -> None:
    case = a_complaint()
    in_stage(case, Status.INTERNAL, wib(8, 19))  # three working days: due Monday 24 August
    assert case.stage_due_at == end_of(8, 24)
    ask(case, wib(8, 20))  # Thursday, with Friday 21 and Monday 24 still to go

    (stage,) = [d for d in statuses(case, wib(9, 1), CAL) if d.kind is K.STAGE]
    assert stage.paused and not stage.overdue and stage.working_days_left == 2
    (_, resumed) = reply(case, wib(8, 27))  # 21, 24, 26, 27 August stood still (25th: holiday)

    # Four working days later (26, 27, 28, 31 August): two are left after the reply's day, as
    # when it stopped; its reminders and breach ring again.
    assert case.stage_due_at == end_of(8, 31)
    assert (K.STAGE, AlarmPoint.BREACH, end_of(8, 31)) in [
        (a.kind, a.point, a.due_at) for a in resumed.alarms
    ]
    (stage,) = [d for d in statuses(case, wib(8, 27), CAL) if d.kind is K.STAGE]
    assert (stage.paused, stage.working_days_left) == (False, 2)
    # Counted again (a calendar change), the target keeps the pause: it counts from a later start.
    deadlines.enter_stage(case, case.stage_started_at or RECEIVED, CAL, POLICY)
    assert case.stage_due_at == end_of(8, 31)


def test_a_stage_entered_while_paused_rings_nothing_and_counts_from_its_start() -> None:
    case = a_complaint()
    ask(case, wib(8, 18))
    in_stage(case, Status.INTERNAL, wib(8, 20))  # routed while waiting: due 26 August

    (stage,) = [d for d in statuses(case, wib(9, 1), CAL) if d.kind is K.STAGE]
    assert stage.paused and stage.working_days_left == 3  # as on the day it began
    reply(case, wib(8, 21))  # one working day stood still since it began

    assert case.stage_due_at == end_of(8, 27)


def test_a_stage_target_missed_before_the_pause_stays_missed() -> None:
    case = a_complaint()
    in_stage(case, Status.INTERNAL, wib(8, 12))  # due Tuesday 18 August (17th: a holiday)
    missed = case.stage_due_at
    assert missed is not None and missed < wib(8, 20)
    ask(case, wib(8, 20))

    (stage,) = [d for d in statuses(case, wib(9, 1), CAL) if d.kind is K.STAGE]
    assert stage.paused and stage.overdue
    reply(case, wib(8, 27))
    assert case.stage_due_at == missed


def test_the_end_of_the_wait_resumes_the_clock_as_a_reply_would() -> None:
    case = a_complaint()
    ask(case, wib(8, 20))
    act(case, A.END_INFO_WAIT, SYSTEM, end_of(9, 4))

    # 21, 24, 26, 27, 28, 31 August and 1, 2, 3, 4 September: ten working days stood still.
    assert case.response_paused_days == 10
    assert case.response_due_at == CAL.response_due_at(RECEIVED, 24)
    assert case.info_requested_at is None


def test_an_answer_sent_while_waiting_ends_the_pause() -> None:
    case = a_complaint()
    ask(case, wib(8, 31))
    act(case, A.RESPOND, OFFICER, wib(9, 4), channel="email", text="Izin Anda telah terbit.")

    assert case.info_requested_at is None
    assert case.response_paused_days == 4  # 1, 2, 3 and 4 September
    assert case.answered_at is not None and case.answered_at <= case.response_due_at  # on time


def test_an_extension_by_working_days_moves_the_deadline_not_the_original() -> None:
    case = a_complaint()
    act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 28), working_days=3, reason="Menunggu dinas")

    assert case.response_due_at == end_of(9, 7)  # Thu 3, Fri 4, Mon 7 September
    assert case.response_original_due_at == DUE
    assert case.response_extended_days == 3


def test_an_extension_to_a_date_counts_its_working_days() -> None:
    case = a_complaint()
    act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 28), until="2026-09-09", reason="Survei")

    assert case.response_extended_days == 5
    assert case.response_due_at == end_of(9, 9)


def test_a_pause_then_an_extension_add_up() -> None:
    case = a_complaint()
    ask(case, wib(8, 21))
    reply(case, wib(8, 24, 9))
    act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 28), working_days=2, reason="Survei")

    assert case.response_original_due_at == end_of(9, 3)
    assert case.response_due_at == end_of(9, 7)


# --- bad input: a clear error naming the field or rule; nothing changed --------------------


def unchanged(case: Case) -> tuple[object, ...]:
    return (
        case.info_requested_at,
        case.response_due_at,
        case.response_original_due_at,
        case.response_paused_days,
        case.response_extended_days,
        case.version,
    )


def test_a_second_request_while_waiting_is_refused_by_its_rule() -> None:
    case = a_complaint()
    ask(case, wib(8, 20))
    before = unchanged(case)

    with pytest.raises(RuleViolationError) as refused:
        ask(case, wib(8, 21))

    assert refused.value.rule == "info_already_requested"
    assert unchanged(case) == before


@pytest.mark.parametrize("actor", [COMPLAINANT, OFFICER])
def test_a_reply_when_nothing_was_asked_is_refused_by_its_rule(actor: Actor) -> None:
    case = a_complaint()
    before = unchanged(case)

    with pytest.raises(RuleViolationError) as refused:
        reply(case, wib(8, 20), actor=actor)

    assert refused.value.rule == "not_waiting_for_info"
    assert unchanged(case) == before


@pytest.mark.parametrize(
    ("payload", "field", "rule"),
    [
        ({"working_days": 3}, "reason", "missing"),
        ({"working_days": 3, "reason": "  "}, "reason", "string_too_short"),
        ({"reason": "Survei"}, "until", "until_or_working_days"),
        (
            {"until": "2026-09-09", "working_days": 2, "reason": "x"},
            "until",
            "until_or_working_days",
        ),
        ({"until": "2026-09-02", "reason": "Survei"}, "until", "after_current_deadline"),
        ({"until": "2026-08-31", "reason": "Survei"}, "until", "after_current_deadline"),
        ({"working_days": 15, "reason": "Survei"}, "working_days", "at_most_cap"),
        ({"until": "2026-12-31", "reason": "Survei"}, "until", "at_most_cap"),
    ],
)
def test_a_bad_extension_names_the_field_and_rule_and_changes_nothing(
    payload: dict[str, Any], field: str, rule: str
) -> None:
    case = a_complaint()
    before = unchanged(case)

    with pytest.raises(InputError) as bad:
        act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 28), **payload)

    assert (bad.value.field, bad.value.rule) == (field, rule)
    assert unchanged(case) == before


def test_extensions_are_capped_in_all() -> None:
    case = a_complaint()
    act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 28), working_days=10, reason="Survei")

    with pytest.raises(InputError) as bad:
        act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 31), working_days=5, reason="Lagi")

    assert bad.value.rule == "at_most_cap"
    assert case.response_extended_days == 10


def test_no_extension_while_the_clock_stands_still() -> None:
    case = a_complaint()
    ask(case, wib(8, 20))

    with pytest.raises(RuleViolationError) as refused:
        act(case, A.EXTEND_DEADLINE, SUPERVISOR, wib(8, 21), working_days=2, reason="Survei")

    assert refused.value.rule == "info_already_requested"


def test_an_answered_complaint_has_no_clock_to_pause() -> None:
    case = a_complaint()
    act(case, A.RESPOND, OFFICER, wib(8, 20), channel="email", text="Sudah terbit.")

    with pytest.raises(RuleViolationError) as refused:
        ask(case, wib(8, 21))

    assert refused.value.rule == "answer_clock_stopped"


def test_the_forms_offered_follow_the_clock() -> None:
    case = a_complaint()
    running = set(permitted_actions(case, OFFICER, wib(8, 20)))
    ask(case, wib(8, 20))
    waiting = set(permitted_actions(case, OFFICER, wib(8, 21)))
    supervisor_waiting = set(permitted_actions(case, SUPERVISOR, wib(8, 21)))

    assert A.REQUEST_INFO in running and A.RECORD_INFO_REPLY not in running
    assert A.RECORD_INFO_REPLY in waiting and A.REQUEST_INFO not in waiting
    assert A.EXTEND_DEADLINE not in supervisor_waiting
    assert A.EXTEND_DEADLINE in permitted_actions(a_complaint(), SUPERVISOR, wib(8, 20))
