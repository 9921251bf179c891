"""A merge undone (issue 14 item 4), on SQLite and PostgreSQL.

A duplicate merged by mistake goes back to the status it was merged from, its answer deadline
the one the complainant was owed from the office's receipt as the calendar in force counts it,
its stage target afresh; both timelines say so, its complainant is told why, and the statistics
count it again as a complaint of its own. A complaint received on Tuesday 2026-08-11, 10:00 WIB,
is due at the end of Wednesday 2 September (17 and 25 August are holidays).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from aduan import service
from aduan.escalation.calendar import Override
from aduan.ports import FixedClock
from aduan.reports import period
from aduan.schemas.views import CaseDetail
from aduan.service import Deps, timekeeping
from aduan.service.reports import compute_statistics
from aduan.workflow.errors import InputError, NotFoundError, PermissionDeniedError
from aduan.workflow.states import Action
from tests.integration.builders import act, agency_case, reviewed_case, today
from tests.integration.test_answer_clock import RECEIVED, end_of, pending_alarms, wib
from tests.integration.test_duplicates import OTHER, REASON, merge, notices_to, staff_intake
from tests.reports.test_rollup_fold import fold_everything

A = Action
WHY = "Bukan pengaduan yang sama: izin dan lokasinya berbeda"


def merged_classified(deps: Deps, clock: FixedClock) -> tuple[CaseDetail, CaseDetail]:
    """Siti's reviewed complaint, and another complainant's, classified, merged into it."""
    clock.current = RECEIVED
    main = reviewed_case(deps)
    duplicate = staff_intake(deps, complainant=OTHER, subject="Loket perizinan tutup")
    act(deps, duplicate, A.CLASSIFY, "budi")
    clock.current = wib(8, 13)
    merge(deps, duplicate, main.tracking_code)
    return main, duplicate


def undo(deps: Deps, case: CaseDetail, user: str = "sari", reason: str = WHY) -> CaseDetail:
    return act(deps, case, A.UNDO_MERGE, user, reason=reason)


def test_an_undone_merge_restores_the_status_the_clock_and_both_timelines(
    deps: Deps, clock: FixedClock
) -> None:
    main, duplicate = merged_classified(deps, clock)
    clock.current = wib(8, 20)  # Thursday

    back = undo(deps, duplicate)

    assert (back.status, back.merged_into, back.closed_at) == ("classified", None, None)
    assert A.MARK_DUPLICATE.value in back.allowed_actions  # it may be merged again, rightly
    # The answer owed from the receipt; the stage's three working days afresh from today
    # (Friday 21, Monday 24, Wednesday 26: the 25th is a holiday).
    assert back.response_due_at == end_of(9, 2)
    assert {(d.kind, d.due_at) for d in back.deadlines} == {
        ("response", end_of(9, 2)),
        ("stage", end_of(8, 26)),
    }
    assert ("response", "breach", end_of(9, 2)) in pending_alarms(deps, back.id)
    assert ("stage", "breach", end_of(8, 26)) in pending_alarms(deps, back.id)
    last = back.timeline[-1]
    assert (last.action, last.actor, last.from_status, last.to_status) == (
        "undo_merge",
        "sari",
        "merged",
        "classified",
    )
    assert last.data["reason"] == WHY
    # The main case: its timeline names the duplicate merged and taken out, and why.
    seen = service.get_case(deps, main.tracking_code, "budi")
    notes = [(e.action, e.actor, e.data) for e in seen.timeline if e.action.startswith("dup")]
    assert notes == [
        (
            "duplicate_merged",
            "budi",
            {"duplicate": duplicate.tracking_code, "reason": REASON},
        ),
        ("duplicate_unmerged", "sari", {"duplicate": duplicate.tracking_code, "reason": WHY}),
    ]
    assert seen.status == main.status and seen.version == main.version  # nothing else changed
    assert (seen.duplicates, seen.complainants) == ([], 1)
    # The complainant hears it, with the reason and the answer deadline; the tracking page
    # shows the case handled again.
    told = [n for n in notices_to(deps, OTHER["email"]) if n[0] == "unmerged"]
    assert len(told) == 1
    _, context, case_id = told[0]
    assert case_id == duplicate.id and context["reason"] == WHY
    assert context["response_due_at"] == end_of(9, 2).isoformat()
    assert main.tracking_code not in str(context)
    tracked = service.track_case(deps, duplicate.tracking_code)
    assert (tracked.status, tracked.response_due_at) == ("classified", end_of(9, 2))
    assert tracked.history[-1][1] == "Diklasifikasi"


def test_the_answer_deadline_is_counted_with_the_calendar_in_force_and_rings_when_missed(
    deps: Deps, clock: FixedClock
) -> None:
    _, duplicate = merged_classified(deps, clock)
    # While it was merged the office declared a regional holiday: an open case's deadline
    # moves at once; the merged one's when it is handled again.
    regional = Override(date(2026, 8, 20), "holiday", "Hari Jadi Kabupaten", "admin")
    timekeeping.set_override(deps, regional, by="admin")
    clock.current = wib(9, 7)  # past the answer deadline

    back = undo(deps, duplicate, "budi")

    assert back.response_due_at == end_of(9, 3)
    assert back.overdue
    report = timekeeping.sweep(deps)
    assert report.counts["breached"] + report.counts["escalated"] >= 1
    breached = service.get_case(deps, duplicate.tracking_code, "budi")
    assert [e.data.get("deadline") for e in breached.timeline if e.action == "breach"] == [
        "response"
    ]


def test_undoing_a_merge_needs_a_reason_and_office_staff(deps: Deps, clock: FixedClock) -> None:
    _, duplicate = merged_classified(deps, clock)

    with pytest.raises(InputError) as no_reason:
        undo(deps, duplicate, reason="  ")
    with pytest.raises(PermissionDeniedError):
        undo(deps, duplicate, "dewi")  # the Head does not merge, nor undo a merge
    with pytest.raises(NotFoundError):
        undo(deps, duplicate, "tono")  # an agency officer does not even see it

    assert no_reason.value.field == "reason"
    after = service.get_case(deps, duplicate.tracking_code, "budi")
    assert after.status == "merged" and after.timeline[-1].action == "mark_duplicate"
    assert "undo_merge" in after.allowed_actions
    by_head = service.get_case(deps, duplicate.tracking_code, "dewi")
    assert "undo_merge" not in by_head.allowed_actions
    assert not [n for n in notices_to(deps, OTHER["email"]) if n[0] == "unmerged"]


def test_the_statistics_count_an_unmerged_complaint_again_on_its_own(
    deps: Deps, clock: FixedClock
) -> None:
    main, duplicate = merged_classified(deps, clock)
    merge(deps, staff_intake(deps, complainant=OTHER), main.tracking_code)
    month = period.month(today(deps).strftime("%Y-%m"))
    fold_everything(deps)
    merged = compute_statistics(deps, month, "dewi")
    assert (merged.total, merged.complaints, merged.complainants) == (1, 1, 3)

    undo(deps, duplicate)

    for rollup in (False, True):
        stats = compute_statistics(deps, month, "dewi", rollup=rollup)
        assert (stats.total, stats.complaints, stats.complainants) == (2, 2, 3)
    fold_everything(deps)
    folded = compute_statistics(deps, month, "dewi")
    assert (folded.total, folded.complaints, folded.complainants) == (2, 2, 3)
    assert folded.by_status.get("classified") == 1


def test_the_main_cases_timeline_names_a_duplicate_only_to_who_may_see_it(
    deps: Deps, clock: FixedClock
) -> None:
    clock.current = RECEIVED
    main = agency_case(deps)  # the agency's staff see it; not the office's other cases
    duplicate = staff_intake(deps, complainant=OTHER, subject="Loket perizinan tutup")
    merge(deps, duplicate, main.tracking_code)
    undo(deps, duplicate, "budi")

    by_office = service.get_case(deps, main.tracking_code, "budi").timeline
    by_agency = service.get_case(deps, main.tracking_code, "tono").timeline

    notes = ("duplicate_merged", "duplicate_unmerged")
    assert [e.data["duplicate"] for e in by_office if e.action in notes] == [
        duplicate.tracking_code
    ] * 2
    assert [(e.action, e.data) for e in by_agency if e.action in notes] == [
        ("duplicate_merged", {}),
        ("duplicate_unmerged", {}),
    ]


@pytest.mark.parametrize(
    ("undone_at", "still_waiting"),
    [
        pytest.param(wib(8, 20), True, id="within-the-wait"),
        pytest.param(wib(9, 7), False, id="after-the-wait"),
    ],
)
def test_a_clock_paused_before_the_merge_waits_on_or_ran_out_meanwhile(
    deps: Deps, clock: FixedClock, undone_at: datetime, still_waiting: bool
) -> None:
    clock.current = RECEIVED
    main = reviewed_case(deps)
    duplicate = staff_intake(deps, complainant=OTHER, subject="Loket perizinan tutup")
    act(deps, duplicate, A.REQUEST_INFO, "budi", question="Nomor NIB Anda?")  # Tuesday 11
    clock.current = wib(8, 13)
    merge(deps, duplicate, main.tracking_code)
    clock.current = undone_at

    back = undo(deps, duplicate, "budi")

    kinds = {kind for kind, _, _ in pending_alarms(deps, back.id)}
    # The wait: ten working days after 11 August, to the end of Thursday 27 August.
    if still_waiting:
        assert back.answer_clock.waiting_until == end_of(8, 27)
        assert ("info_wait", "breach", end_of(8, 27)) in pending_alarms(deps, back.id)
        assert "response" not in kinds and all(d.paused for d in back.deadlines)
    else:  # it ran out while merged: ten working days stood still, the clock runs again
        assert back.answer_clock.waiting_since is None and back.answer_clock.paused_days == 10
        assert back.response_due_at == end_of(9, 16)
        assert "response" in kinds
        assert timekeeping.sweep(deps).counts["resumed"] == 0  # nothing left to resume
