"""The one definition of "on time" (issue 13 item 5), at its boundaries, by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aduan.escalation.answer import answer_standing, falls_due_in, on_time_rate

# Friday 6 February 2026, 23:59:59 WIB: the last instant that is still on time.
DUE = datetime(2026, 2, 6, 16, 59, 59, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("answered_at", "is_open", "now", "expected"),
    [
        (DUE, True, DUE + timedelta(days=30), "on_time"),  # answered at the very deadline
        (DUE - timedelta(days=10), False, DUE, "on_time"),  # answered early, since closed
        (DUE + SECOND, True, DUE + SECOND, "late"),  # one second after
        (DUE + timedelta(days=20), False, DUE + timedelta(days=40), "late"),
        (None, True, DUE, "pending"),  # unanswered, the deadline not yet passed
        (None, True, DUE + SECOND, "overdue_open"),  # unanswered a second after: late
        (None, False, DUE + timedelta(days=5), "ended_unanswered"),  # withdrawn unanswered
        (None, False, DUE - timedelta(days=5), "ended_unanswered"),
    ],
)
def test_a_complaint_is_judged_by_its_answer_against_the_deadline(
    answered_at: datetime | None, is_open: bool, now: datetime, expected: str
) -> None:
    assert answer_standing(DUE, answered_at, is_open, now) == expected


@pytest.mark.parametrize(
    ("paused_at", "expected"),
    [
        (DUE - timedelta(days=2), "pending"),  # waiting since before: the deadline moves on
        (DUE, "pending"),  # asked at the very deadline: still in time
        (DUE + SECOND, "overdue_open"),  # asked once it had passed: stays late
        (None, "overdue_open"),
    ],
)
def test_a_complaint_waiting_for_the_complainant_is_late_only_if_it_was_when_asked(
    paused_at: datetime | None, expected: str
) -> None:
    later = DUE + timedelta(days=30)
    assert answer_standing(DUE, None, True, later, paused_at) == expected
    # Answered or ended, the pause is over: judged as any other.
    assert answer_standing(DUE, later, True, later, None) == "late"
    assert answer_standing(DUE, None, False, later, paused_at) == "ended_unanswered"


def test_a_suggestion_has_no_deadline_to_judge() -> None:
    assert answer_standing(None, None, True, DUE) == "not_applicable"
    assert answer_standing(None, DUE, False, DUE) == "not_applicable"


def test_the_rate_is_on_time_among_those_judged() -> None:
    assert on_time_rate(2, 1) == 0.6667
    assert on_time_rate(2, 3) == 0.4
    assert on_time_rate(0, 4) == 0.0
    assert on_time_rate(0, 0) is None  # nothing judged yet: no rate, not 0 %


def test_a_complaint_belongs_to_the_period_its_deadline_falls_in() -> None:
    february = (datetime(2026, 1, 31, 17, tzinfo=UTC), datetime(2026, 2, 28, 17, tzinfo=UTC))
    assert falls_due_in(DUE, *february)
    assert falls_due_in(february[0], *february)  # 00:00 WIB on 1 February
    assert not falls_due_in(february[1], *february)  # 00:00 WIB on 1 March
    assert not falls_due_in(february[0] - SECOND, *february)
    assert not falls_due_in(None, *february)
