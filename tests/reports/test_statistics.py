"""Statistics of a period against numbers worked out by hand, on SQLite and PostgreSQL.

The fixed data set lives in a holiday-free stretch of 2026 (19 January - 13 February): a
complaint received on Monday 19 January 10:00 WIB is due at the end of Friday 6 February,
the 14th working day after (20-23 Jan: 4, 26-30 Jan: 5, 2-6 Feb: 5).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from aduan import service
from aduan.ports import FixedClock
from aduan.reports import period
from aduan.reports.statistics import statistics_csv
from aduan.service import Deps
from aduan.service.reports import compute_statistics
from aduan.workflow.states import Action
from tests.integration import builders as b

MON_19_JAN = datetime(2026, 1, 19, 3, tzinfo=UTC)  # 10:00 WIB
FRI_23_JAN = datetime(2026, 1, 23, 3, tzinfo=UTC)  # 4 working days after
MON_09_FEB = datetime(2026, 2, 9, 3, tzinfo=UTC)  # 15 working days after: late
THU_12_FEB = datetime(2026, 2, 12, 3, tzinfo=UTC)
FRI_20_FEB = datetime(2026, 2, 20, 3, tzinfo=UTC)  # "now" of the report
MON_15_DEC = datetime(2025, 12, 15, 3, tzinfo=UTC)  # outside the period


def respond_at(deps: Deps, case: str, at: datetime) -> None:
    b.act(deps, case, Action.RESPOND, "budi", sent_at=at.isoformat())


def internal_with_pin(deps: Deps) -> tuple[str, str | None]:
    """A complaint on the internal track (tier 1), and the PIN its complainant was given."""
    submitted = b.submit(deps)
    for action in (Action.CLASSIFY, Action.REVIEW, Action.ROUTE_INTERNAL):
        b.act(deps, submitted, action, "budi")
    return submitted.tracking_code, submitted.pin


def fixed_data_set(deps: Deps, clock: FixedClock) -> None:
    clock.current = MON_15_DEC
    b.submit(deps)  # outside the period: never counted
    clock.current = MON_19_JAN
    on_time = b.submit(deps).tracking_code
    same_day = b.submit(deps).tracking_code
    late = b.submit(deps).tracking_code
    overdue_apip = b.apip_pending_case(deps).tracking_code  # open, unanswered
    b.submit(deps, complainant={"name": None})  # a suggestion: no identity
    withdrawn = b.submit(deps)
    service.act_as_complainant(
        deps, withdrawn.tracking_code, Action.WITHDRAW, {"reason": "Sudah terbit"}, withdrawn.pin
    )
    clock.current = FRI_23_JAN  # an answer is recorded when it was sent or later, never before
    respond_at(deps, on_time, FRI_23_JAN)
    respond_at(deps, same_day, MON_19_JAN)
    clock.current = MON_09_FEB
    respond_at(deps, late, MON_09_FEB)
    clock.current = THU_12_FEB
    b.submit(deps)  # open, its deadline still ahead on 20 February
    clock.current = FRI_20_FEB
    assert overdue_apip


def test_statistics_match_the_hand_computed_numbers(deps: Deps, clock: FixedClock) -> None:
    fixed_data_set(deps, clock)

    s = compute_statistics(deps, period.between(date(2026, 1, 1), date(2026, 2, 28)), "dewi")

    assert (s.total, s.complaints, s.suggestions) == (7, 6, 1)
    assert s.suggestion_reasons == {"no_identity": 1}
    # Compliance counts the complaints whose deadline falls in the period, whenever received:
    # the one of 15 December (due early in January, still open) is late here, though received
    # before the period; the one of 12 February (due Friday 6 March) is not judged here.
    c = s.compliance
    assert (c.on_time, c.late_answered, c.overdue_open, c.late) == (2, 1, 2, 3)
    assert (c.pending, c.ended_unanswered, c.on_time_rate, c.falling_due) == (0, 1, 0.4, 6)
    # Answered after 0, 4 and 15 working days: median 4; p90 at rank 1.8 = 4 + 0.8 x 11.
    assert (s.answer_days.answered, s.answer_days.median) == (3, 4.0)
    assert round(s.answer_days.p90 or 0, 6) == 12.8
    assert s.by_service == {"15121": 7}
    assert s.by_problem_type == {"completion_time": 1}
    assert s.by_track == {"-": 6, "internal": 1}
    assert s.by_tier == {"internal": {"1": 1}}
    assert s.by_status["withdrawn"] == 1 and s.by_status["apip_pending"] == 1
    assert (s.apip.requested, s.apip.awaiting_approval, s.apip.approved) == (1, 1, 0)
    assert "compliance,overdue_open,2" in statistics_csv(s)


def test_an_open_complaint_counts_as_late_only_once_its_deadline_has_passed(
    deps: Deps, clock: FixedClock
) -> None:
    clock.current = MON_19_JAN
    b.submit(deps)  # due at the end of Friday 6 February
    january, february = period.month("2026-01"), period.month("2026-02")

    clock.current = datetime(2026, 2, 6, 16, 59, tzinfo=UTC)  # 23:59 WIB on the due day
    before = compute_statistics(deps, february, "dewi").compliance
    clock.current = datetime(2026, 2, 6, 17, 0, 1, tzinfo=UTC)
    after = compute_statistics(deps, february, "dewi").compliance

    assert (before.pending, before.overdue_open, before.late) == (1, 0, 0)
    assert (after.pending, after.overdue_open, after.late) == (0, 1, 1)
    # Judged in February, when its deadline passed, not in January, when it arrived.
    received = compute_statistics(deps, january, "dewi")
    assert received.complaints == 1 and received.compliance.falling_due == 0


def test_tier_reached_is_the_highest_a_case_ever_reached_even_after_a_reopen(
    deps: Deps, clock: FixedClock
) -> None:
    clock.current = MON_19_JAN
    b.internal_case(deps)  # stays at the first tier
    case, pin = internal_with_pin(deps)
    b.act(deps, case, Action.ESCALATE, "budi")  # to the Kasi: tier 2
    b.act(deps, case, Action.ESCALATE, "sari")  # to the Kabid: tier 3
    b.act(deps, case, Action.RECORD_RESULT, "agus")
    b.act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    b.act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    b.act(deps, case, Action.CLOSE, "dewi")
    january = period.month("2026-01")
    assert compute_statistics(deps, january, "dewi").by_tier == {"internal": {"1": 1, "3": 1}}

    service.act_as_complainant(deps, case, Action.REOPEN, {"reason": "Belum saya terima"}, pin)
    reopened = service.get_case(deps, case, "budi")
    assert (reopened.track, reopened.tier) == (None, 0)  # reopening clears the track
    assert compute_statistics(deps, january, "dewi").by_tier == {"internal": {"1": 1, "3": 1}}

    b.act(deps, case, Action.ROUTE_AGENCY, "budi")  # back on a track, at its first tier
    s = compute_statistics(deps, january, "dewi")
    assert s.by_tier == {"agency": {"1": 1}, "internal": {"1": 1, "3": 1}}
    assert s.total == 2
