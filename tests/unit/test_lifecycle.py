"""The lifecycle engine on in-memory cases: tracks, tiers, APIP, closure, reopening, guards."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from aduan.workflow.case import (
    Actor,
    Case,
    Complainant,
    Outcomes,
    PlanStep,
    TierLevel,
    Worksheet,
)
from aduan.workflow.context import Policy
from aduan.workflow.errors import InputError, PermissionDeniedError, RuleViolationError
from aduan.workflow.lifecycle import perform
from aduan.workflow.states import (
    Action,
    Channel,
    Kind,
    Outcome,
    ProblemType,
    Role,
    ScreeningReason,
    Status,
    StepKind,
    Track,
)

S, A = Status, Action
NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)

# --- builders -----------------------------------------------------------------------------


def chain() -> list[TierLevel]:
    """The office's internal chain: executing officer → section → division → Head of Office."""
    return [
        TierLevel("pelaksana", "Pelaksana Pengaduan", "dpmptsp", "ani"),
        TierLevel("kasi_pengaduan", "Kepala Seksi Pengaduan", "dpmptsp", "budi"),
        TierLevel("kabid_pelayanan", "Kepala Bidang Pelayanan", "dpmptsp", "citra"),
        TierLevel("kepala_dinas", "Kepala DPMPTSP", "dpmptsp", "dewi"),
    ]


def agency_chain() -> list[TierLevel]:
    """A regional agency's chain (item 7b): its officer → the agency head."""
    return [
        TierLevel("pupr_staf", "Staf Teknis PUPR", "pupr", "eko"),
        TierLevel("pupr_kadis", "Kepala Dinas PUPR", "pupr", "fajar"),
    ]


def officer() -> Actor:
    return Actor("ani", Role.OFFICER, "pelaksana", "dpmptsp")


def section_head() -> Actor:
    return Actor("budi", Role.SUPERVISOR, "kasi_pengaduan", "dpmptsp")


def division_head() -> Actor:
    return Actor("citra", Role.SUPERVISOR, "kabid_pelayanan", "dpmptsp")


def head() -> Actor:
    return Actor("dewi", Role.HEAD, "kepala_dinas", "dpmptsp")


def agency_officer(unit: str = "pupr") -> Actor:
    return Actor("eko", Role.AGENCY_OFFICER, "pupr_staf" if unit == "pupr" else "staf", unit)


def agency_head(position: str = "pupr_kadis", unit: str = "pupr") -> Actor:
    return Actor("fajar", Role.AGENCY_HEAD, position, unit)


def inspector() -> Actor:
    return Actor("gita", Role.APIP, "irban_2", "inspektorat")


def complainant() -> Actor:
    return Actor("ADN-7HK2M-Q9XRT", Role.COMPLAINANT)


def system() -> Actor:
    return Actor("system", Role.SYSTEM)


def worksheet(steps: int = 1) -> Worksheet:
    plan = [PlanStep(StepKind.CLARIFICATION, "Seksi Perizinan") for _ in range(steps)]
    return Worksheet("Izin terlambat terbit", plan=plan)


def a_case(status: Status = S.RECORDED, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "tracking_code": "ADN-7HK2M-Q9XRT",
        "kind": Kind.COMPLAINT,
        "status": status,
        "channel": Channel.WHATSAPP,
        "complainant": Complainant("Sari Wulandari", phone="+6281234567890"),
        "subject": "Izin usaha belum terbit",
        "description": "Sudah 20 hari kerja, izin belum terbit",
        "service_received_on": date(2026, 8, 20),
        "complained_at": NOW - timedelta(days=1),
        "received_at": NOW - timedelta(days=1),
        "intake_days": 11,
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW - timedelta(days=1),
    }
    if status not in (S.RECORDED, S.SUGGESTION):
        fields.update(service_code="15121", problem_types=[ProblemType.COMPLETION_TIME])
    if status not in (S.RECORDED, S.CLASSIFIED, S.SUGGESTION):
        fields["worksheet"] = worksheet()
    fields.update(overrides)
    return Case(**fields)


def on_internal_track(tier: int = 0, status: Status = S.INTERNAL, **overrides: Any) -> Case:
    levels = chain()
    return a_case(
        status,
        track=Track.INTERNAL,
        chain=levels,
        tier=tier,
        assignee=levels[tier].holder,
        **overrides,
    )


def on_agency_track(tier: int = 0, status: Status = S.AGENCY, **overrides: Any) -> Case:
    levels = agency_chain()
    return a_case(
        status,
        track=Track.AGENCY,
        agency_unit="pupr",
        chain=levels,
        tier=tier,
        assignee=levels[tier].holder,
        **overrides,
    )


def awaiting_apip(origin: Status) -> Case:
    builders: dict[Status, Callable[..., Case]] = {
        S.INTERNAL: on_internal_track,
        S.AGENCY: on_agency_track,
        S.REVIEWED: a_case,
    }
    return builders[origin](status=S.APIP_PENDING, apip_origin=origin)


def resolved(status: Status = S.RESOLVED, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "outcome": Outcome.SUBSTANTIATED,
        "result_summary": "Izin diterbitkan",
        "corrective_actions": ["Tambah verifikator"],
    }
    fields.update(overrides)
    return on_internal_track(tier=2, status=status, **fields)


def do(
    case: Case,
    action: Action,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    now: datetime = NOW,
    policy: Policy | None = None,
) -> Outcomes:
    return perform(case, action, actor, payload or {}, now, policy)


def violated(
    case: Case, action: Action, actor: Actor, payload: dict[str, Any] | None = None
) -> str:
    with pytest.raises(RuleViolationError) as error:
        do(case, action, actor, payload)
    return error.value.rule


CLASSIFY = {"service_code": "15121", "problem_types": ["completion_time", "fees", "fees"]}
REVIEW = {
    "core_problem": "Izin terlambat terbit",
    "plan": [
        {"kind": "clarification", "party": "Seksi Perizinan"},
        {"kind": "examination", "party": "Tim Teknis"},
    ],
}
RESULT = {"outcome": "substantiated", "summary": "Izin diterbitkan", "corrective_actions": ["a"]}
ANSWER = {"channel": "whatsapp", "text": "Izin Anda sudah terbit"}
REPORT_UP = {"text": "Pengaduan selesai ditindaklanjuti", "addressee": "Kepala DPMPTSP"}


# --- the whole internal track (item 7a, then item 8) --------------------------------------


def test_internal_track_runs_from_record_to_close_with_written_reports_up_the_chain() -> None:
    case = a_case()

    classified = do(case, A.CLASSIFY, officer(), {**CLASSIFY, "note": "via WA"})
    assert case.status is S.CLASSIFIED
    assert case.problem_types == [ProblemType.COMPLETION_TIME, ProblemType.FEES]
    assert classified.event.note == "via WA"
    assert classified.event.data == {
        "service_code": "15121",
        "problem_types": ["completion_time", "fees", "fees"],
    }

    do(case, A.REVIEW, officer(), REVIEW)
    assert case.status is S.REVIEWED
    assert case.worksheet is not None
    assert [step.party for step in case.worksheet.plan] == ["Seksi Perizinan", "Tim Teknis"]

    routed = do(case, A.ROUTE_INTERNAL, officer(), {"chain_context": chain()})
    assert (case.status, case.track, case.tier, case.assignee) == (
        S.INTERNAL,
        Track.INTERNAL,
        0,
        "ani",
    )
    assert routed.event.data == {}  # the chart is context, not what the officer typed
    assert routed.reports == ()

    first = do(case, A.ESCALATE, officer(), {"report": "Perlu keputusan Kasi"})
    assert (case.status, case.tier, case.assignee) == (S.INTERNAL, 1, "budi")
    assert len(first.reports) == 1
    report = first.reports[0]
    assert (report.kind, report.author, report.addressee) == ("tier", "ani", "budi")
    assert (report.from_position, report.to_position) == ("pelaksana", "kasi_pengaduan")
    assert (report.text, report.at) == ("Perlu keputusan Kasi", NOW)

    later = NOW + timedelta(hours=4)
    second = do(case, A.ESCALATE, section_head(), {"report": "Perlu keputusan Kabid"}, later)
    assert (case.tier, case.assignee) == (2, "citra")
    report = second.reports[0]
    assert (report.author, report.addressee) == ("budi", "citra")
    assert (report.from_position, report.to_position) == ("kasi_pengaduan", "kabid_pelayanan")
    assert second.event.from_status is second.event.to_status is S.INTERNAL
    assert case.updated_at == later

    do(case, A.RECORD_RESULT, division_head(), RESULT)
    assert case.status is S.RESOLVED
    assert (case.outcome, case.result_summary) == (Outcome.SUBSTANTIATED, "Izin diterbitkan")

    do(case, A.INFORM_COMPLAINANT, officer(), ANSWER)
    assert case.informed_at == NOW
    assert case.answered_at == NOW

    filed = do(case, A.REPORT_TO_SUPERIOR, officer(), REPORT_UP)
    assert case.reported_at == NOW
    report = filed.reports[0]
    assert (report.kind, report.author, report.addressee) == ("superior", "ani", "Kepala DPMPTSP")
    assert report.from_position == "pelaksana"

    closed = do(case, A.CLOSE, head(), {"note": "selesai"})
    assert case.status is S.CLOSED
    assert case.closed_at == NOW
    event = closed.event
    assert (event.action, event.actor, event.role) == ("close", "dewi", Role.HEAD)
    assert (event.from_status, event.to_status) == (S.RESOLVED, S.CLOSED)
    assert (event.at, event.note, event.data) == (NOW, "selesai", {})


def test_report_to_superior_without_addressee_goes_to_the_direct_superior() -> None:
    outcomes = do(resolved(), A.REPORT_TO_SUPERIOR, officer(), {"text": "Laporan"})
    assert outcomes.reports[0].addressee == "atasan langsung"


# --- the agency track (item 7b) -----------------------------------------------------------


def test_agency_track_escalates_to_the_agency_head_who_records_the_result() -> None:
    case = a_case(S.REVIEWED)

    do(case, A.ROUTE_AGENCY, officer(), {"agency": "pupr", "chain_context": agency_chain()})
    assert (case.status, case.track, case.agency_unit) == (S.AGENCY, Track.AGENCY, "pupr")
    assert (case.tier, case.assignee) == (0, "eko")

    do(case, A.RECORD_STEP, agency_officer(), {"step": 1, "outcome": "Sudah diklarifikasi"})
    outcomes = do(case, A.ESCALATE, agency_officer(), {"report": "Mohon arahan Kadis"})
    assert (case.tier, case.assignee) == (1, "fajar")
    report = outcomes.reports[0]
    assert (report.author, report.addressee) == ("eko", "fajar")
    assert (report.from_position, report.to_position) == ("pupr_staf", "pupr_kadis")

    do(case, A.RECORD_RESULT, agency_head(), RESULT)
    assert case.status is S.RESOLVED


# --- APIP (item 7c) -----------------------------------------------------------------------


def test_apip_acts_after_the_head_of_office_approves_the_request() -> None:
    case = on_internal_track(tier=3)

    do(case, A.REQUEST_APIP, head(), {"reason": "Tidak terselesaikan internal"})
    assert (case.status, case.apip_origin) == (S.APIP_PENDING, S.INTERNAL)

    approved = do(case, A.APPROVE_APIP, head())
    assert (case.status, case.track, case.assignee) == (S.APIP, Track.APIP, None)
    assert approved.event.to_status is S.APIP

    do(case, A.RECORD_STEP, inspector(), {"step": 1, "outcome": "Diperiksa"})
    assert case.worksheet is not None
    assert case.worksheet.plan[0].outcome == "Diperiksa"
    do(case, A.RECORD_RESULT, inspector(), RESULT)
    assert case.status is S.RESOLVED


@pytest.mark.parametrize("action", [A.RECORD_RESULT, A.RECORD_STEP])
def test_apip_cannot_act_before_approval(action: Action) -> None:
    payload = RESULT if action is A.RECORD_RESULT else {"step": 1, "outcome": "x"}
    assert violated(awaiting_apip(S.INTERNAL), action, inspector(), payload) == (
        "apip_requires_approval"
    )


@pytest.mark.parametrize(
    ("origin", "decider"),
    [(S.INTERNAL, head), (S.AGENCY, agency_head), (S.REVIEWED, head)],
)
def test_refused_apip_request_returns_the_case_to_where_it_came_from(
    origin: Status, decider: Callable[[], Actor]
) -> None:
    case = awaiting_apip(origin)
    track_before = case.track

    refused = do(case, A.REFUSE_APIP, decider(), {"reason": "Selesaikan dulu di tingkat ini"})

    assert case.status is origin
    assert case.apip_origin is None
    assert case.track is track_before
    assert (refused.event.from_status, refused.event.to_status) == (S.APIP_PENDING, origin)


@pytest.mark.parametrize(
    ("origin", "requester"),
    [(S.INTERNAL, officer), (S.AGENCY, agency_officer), (S.REVIEWED, section_head)],
)
def test_request_apip_remembers_its_origin(origin: Status, requester: Callable[[], Actor]) -> None:
    builders: dict[Status, Callable[[], Case]] = {
        S.INTERNAL: on_internal_track,
        S.AGENCY: on_agency_track,
        S.REVIEWED: lambda: a_case(S.REVIEWED),
    }
    case = builders[origin]()
    do(case, A.REQUEST_APIP, requester(), {"reason": "Perlu pemeriksaan"})
    assert (case.status, case.apip_origin) == (S.APIP_PENDING, origin)


@pytest.mark.parametrize("action", [A.APPROVE_APIP, A.REFUSE_APIP])
def test_agency_head_decides_apip_on_its_own_agency_track(action: Action) -> None:
    case = awaiting_apip(S.AGENCY)
    do(case, action, agency_head(), {"reason": "ok"} if action is A.REFUSE_APIP else {})
    assert case.status is (S.APIP if action is A.APPROVE_APIP else S.AGENCY)


@pytest.mark.parametrize(
    ("origin", "position", "unit"),
    [
        (S.AGENCY, "dinkes_kadis", "dinkes"),  # the head of another agency
        (S.INTERNAL, "pupr_kadis", "pupr"),
        (S.REVIEWED, "pupr_kadis", "pupr"),
    ],
    ids=["other-agency", "internal-track", "reviewed"],
)
@pytest.mark.parametrize("action", [A.APPROVE_APIP, A.REFUSE_APIP])
def test_agency_head_may_not_decide_apip_outside_its_agency_track(
    origin: Status, position: str, unit: str, action: Action
) -> None:
    case = awaiting_apip(origin)
    payload = {"reason": "x"} if action is A.REFUSE_APIP else {}
    assert violated(case, action, agency_head(position, unit), payload) == (
        "apip_approval_authority"
    )
    assert case.status is S.APIP_PENDING


# --- escalation up the chain --------------------------------------------------------------


def test_escalating_at_the_top_of_the_chain_points_to_apip() -> None:
    with pytest.raises(RuleViolationError) as error:
        do(on_internal_track(tier=3), A.ESCALATE, system(), {"report": "naik"})
    assert error.value.rule == "top_of_chain"
    assert "Kepala DPMPTSP" in error.value.message_en
    assert "APIP" in error.value.message_en


def test_agency_track_ends_at_the_agency_head() -> None:
    rule = violated(on_agency_track(tier=1), A.ESCALATE, agency_officer(), {"report": "naik"})
    assert rule == "top_of_chain"


@pytest.mark.parametrize("actor", [officer, section_head], ids=["officer", "section-head"])
def test_only_the_current_tier_holder_or_above_may_escalate(actor: Callable[[], Actor]) -> None:
    case = on_internal_track(tier=2)  # held by the division head
    with pytest.raises(RuleViolationError) as error:
        do(case, A.ESCALATE, actor(), {"report": "naik"})
    assert error.value.rule == "tier_holder_only"
    assert "Kepala Bidang Pelayanan" in error.value.message_en


def test_a_level_above_the_holder_may_not_skip_the_tier_between() -> None:
    # Items 7a/7b, one tier at a time: the division head once took a tier-1 case straight to
    # the Head with one report and the section (tier 2) never heard of it.
    case = on_internal_track(tier=1)
    before = copy.deepcopy(case)
    with pytest.raises(RuleViolationError) as error:
        do(case, A.ESCALATE, division_head(), {"report": "Perlu keputusan Kepala Dinas"})
    assert error.value.rule == "tier_holder_only"
    assert "Kepala Seksi" in error.value.message_en  # who holds the case now
    assert case == before


def test_escalation_moves_exactly_one_tier_with_the_report_to_that_tiers_holder() -> None:
    case = on_internal_track(tier=1)  # held by the section head
    outcomes = do(case, A.ESCALATE, section_head(), {"report": "Perlu keputusan Kabid"})
    assert case.tier == 2
    (report,) = outcomes.reports
    assert (report.from_position, report.to_position) == ("kasi_pengaduan", "kabid_pelayanan")
    assert report.addressee == case.chain[2].holder


def test_the_head_of_office_cannot_escalate_a_case_held_below() -> None:
    case = on_internal_track(tier=1)
    head = Actor("dewi", Role.SUPERVISOR, "kepala_dinas")
    with pytest.raises(RuleViolationError) as err:
        do(case, A.ESCALATE, head, {"report": "x"})
    assert err.value.rule == "tier_holder_only"


def test_reopened_case_returns_to_the_office_unassigned_from_the_agency() -> None:
    case = a_case(
        status=S.CLOSED,
        track=Track.AGENCY,
        agency_unit="dispertan",
        chain=agency_chain(),
        assignee=agency_chain()[-1].holder,
        closed_at=NOW - timedelta(days=2),
    )
    do(case, A.REOPEN, Actor("pelapor", Role.COMPLAINANT), {"reason": "Belum selesai"})
    assert (case.status, case.track, case.agency_unit, case.assignee) == (
        S.REVIEWED,
        None,
        None,
        None,
    )


def test_system_escalates_a_breached_case_without_holding_the_tier() -> None:
    case = on_internal_track(tier=0)
    notice = "Pemberitahuan sistem: tenggat tingkat 1 terlewati"
    outcomes = do(case, A.ESCALATE, system(), {"report": notice})
    assert (case.tier, case.assignee) == (1, "budi")
    assert outcomes.event.role is Role.SYSTEM
    # Issue 13 item 3: a system notice on the timeline, not a written report; the tier that
    # missed its deadline still owes its own report to the tier above.
    assert outcomes.reports == ()
    assert outcomes.event.data["report"] == notice
    [owed] = case.overdue_reports
    assert (owed.tier, owed.holder, owed.to_holder) == (0, case.chain[0].holder, "budi")


# --- closing (item 8) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "missing", "not_missing"),
    [
        ({}, ["informed", "report to the direct superior"], []),
        ({"informed_at": NOW}, ["report to the direct superior"], ["informed"]),
        ({"reported_at": NOW}, ["informed"], ["report to the direct superior"]),
    ],
    ids=["neither", "informed-only", "reported-only"],
)
def test_close_needs_both_the_answer_and_the_report_and_says_what_is_missing(
    done: dict[str, Any], missing: list[str], not_missing: list[str]
) -> None:
    case = resolved(**done)
    with pytest.raises(RuleViolationError) as error:
        do(case, A.CLOSE, head())
    assert error.value.rule == "close_requires_answer_and_report"
    assert all(text in error.value.message_en for text in missing)
    assert not any(text in error.value.message_en for text in not_missing)
    assert case.status is S.RESOLVED


def test_close_before_a_result_is_refused_by_name() -> None:
    assert violated(on_internal_track(), A.CLOSE, head()) == "close_requires_result"


# --- reopening ----------------------------------------------------------------------------


def closed(days_ago: float) -> Case:
    at = NOW - timedelta(days=days_ago)
    return resolved(status=S.CLOSED, informed_at=at, reported_at=at, closed_at=at)


@pytest.mark.parametrize("days_ago", [0, 13, 14])
def test_complainant_reopens_within_the_window_and_the_case_is_reviewed_again(
    days_ago: int,
) -> None:
    case = closed(days_ago)
    do(case, A.REOPEN, complainant(), {"reason": "Izin masih salah"})
    assert case.status is S.REVIEWED
    assert (case.outcome, case.result_summary, case.corrective_actions) == (None, None, [])
    assert (case.informed_at, case.reported_at, case.closed_at) == (None, None, None)
    assert (case.track, case.chain, case.tier, case.apip_origin) == (None, [], 0, None)
    assert case.reopen_count == 1
    assert case.worksheet is not None  # the earlier review is the starting point


def test_reopen_after_the_window_is_refused() -> None:
    case = closed(days_ago=14 + 1 / 86_400)
    assert violated(case, A.REOPEN, complainant(), {"reason": "x"}) == "reopen_window"
    assert case.status is S.CLOSED


def test_reopen_window_follows_the_policy() -> None:
    case = closed(days_ago=20)
    do(case, A.REOPEN, officer(), {"reason": "x"}, policy=Policy(reopen_window_days=30))
    assert case.status is S.REVIEWED


# --- late submissions (item 3) ------------------------------------------------------------


def test_supervisor_accepts_a_late_submission_as_a_complaint_with_a_reason() -> None:
    case = a_case(S.SUGGESTION, kind=Kind.SUGGESTION, screening_reason=ScreeningReason.LATE)
    do(case, A.ACCEPT_LATE, section_head(), {"reason": "Pemohon sakit"})
    assert (case.status, case.kind) == (S.RECORDED, Kind.COMPLAINT)
    assert case.late_acceptance_reason == "Pemohon sakit"


@pytest.mark.parametrize("reason", [ScreeningReason.NO_IDENTITY, ScreeningReason.NO_SUBJECT])
def test_only_late_submissions_can_be_accepted_as_complaints(reason: ScreeningReason) -> None:
    case = a_case(S.SUGGESTION, kind=Kind.SUGGESTION, screening_reason=reason)
    rule = violated(case, A.ACCEPT_LATE, head(), {"reason": "x"})
    assert rule == "accept_late_only"
    assert case.kind is Kind.SUGGESTION


# --- the report of the result and closing (item 8) ---------------------------------------


def decided_by(actor: Actor, tier: int) -> Case:
    """A case on the internal track at ``tier`` whose result ``actor`` recorded, informed and
    reported."""
    case = on_internal_track(tier=tier)
    do(case, A.RECORD_RESULT, actor, RESULT)
    do(case, A.INFORM_COMPLAINANT, officer(), ANSWER)
    do(case, A.REPORT_TO_SUPERIOR, officer(), REPORT_UP)
    return case


def test_the_section_head_who_decided_may_not_close_her_own_case() -> None:
    case = decided_by(section_head(), tier=1)
    assert case.result_position == "kasi_pengaduan"
    rule = violated(case, A.CLOSE, section_head())
    assert rule == "closed_by_superior"
    assert violated(case, A.CLOSE, officer()) == "closed_by_superior"  # below the decider


@pytest.mark.parametrize("closer", [division_head, head], ids=["direct-superior", "above"])
def test_the_superior_of_the_deciding_tier_or_above_closes(closer: Callable[[], Actor]) -> None:
    case = decided_by(section_head(), tier=1)
    do(case, A.CLOSE, closer())
    assert case.status is S.CLOSED


def test_the_head_of_office_closes_what_she_decided_herself() -> None:
    case = decided_by(head(), tier=3)
    do(case, A.CLOSE, head())
    assert case.status is S.CLOSED


# --- answers (item 4) ---------------------------------------------------------------------


def test_first_answer_stops_the_clock_and_later_answers_do_not_move_it() -> None:
    case = on_internal_track()
    first_sent = NOW - timedelta(hours=2)
    do(case, A.RESPOND, officer(), {**ANSWER, "sent_at": first_sent.isoformat()})
    assert case.answered_at == first_sent

    do(case, A.RESPOND, officer(), ANSWER, now=NOW + timedelta(days=3))
    assert case.answered_at == first_sent
    assert case.status is S.INTERNAL


def test_an_interim_notice_does_not_stop_the_clock_and_the_answer_after_it_does() -> None:
    case = on_internal_track()
    do(case, A.RESPOND, officer(), {**ANSWER, "answer_kind": "interim"})
    assert case.answered_at is None  # "sedang diproses" is not the answer (item 4)

    later = NOW + timedelta(days=2)
    do(case, A.RESPOND, officer(), {**ANSWER, "answer_kind": "answer"}, now=later)
    assert case.answered_at == later


@pytest.mark.parametrize(
    ("sent_at", "accepted"),
    [
        ("received", True),  # the very moment of receipt
        ("received-1s", False),  # before the complaint reached the office
        ("now+5min", True),  # a clock running a little fast
        ("now+5min+1s", False),
        ("2030-01-01T08:00:00+07:00", False),  # in the future
    ],
)
def test_a_stated_sending_time_lies_between_receipt_and_now(sent_at: str, accepted: bool) -> None:
    case = on_internal_track()
    moments = {
        "received": case.received_at,
        "received-1s": case.received_at - timedelta(seconds=1),
        "now+5min": NOW + timedelta(minutes=5),
        "now+5min+1s": NOW + timedelta(minutes=5, seconds=1),
    }
    stated = moments[sent_at].isoformat() if sent_at in moments else sent_at
    if accepted:
        do(case, A.RESPOND, officer(), {**ANSWER, "sent_at": stated})
        assert case.answered_at == datetime.fromisoformat(stated)
        return
    before = copy.deepcopy(case)
    with pytest.raises(InputError) as error:
        do(case, A.RESPOND, officer(), {**ANSWER, "sent_at": stated})
    assert (error.value.field, error.value.rule) == ("sent_at", "between_receipt_and_now")
    assert case == before  # nothing changed


def test_informing_the_result_counts_as_the_first_answer_only_if_none_was_given() -> None:
    earlier = NOW - timedelta(days=5)
    case = resolved(answered_at=earlier)
    do(case, A.INFORM_COMPLAINANT, officer(), ANSWER)
    assert (case.answered_at, case.informed_at) == (earlier, NOW)


# --- the handling plan (item 6d) ----------------------------------------------------------


def test_recording_a_planned_step_keeps_its_outcome_and_time() -> None:
    case = a_case(S.REVIEWED, worksheet=worksheet(steps=2))
    do(case, A.RECORD_STEP, officer(), {"step": 2, "outcome": "Dokumen lengkap"})
    assert case.worksheet is not None
    step = case.worksheet.plan[1]
    assert (step.outcome, step.done_at) == ("Dokumen lengkap", NOW)
    assert case.status is S.REVIEWED


def test_recording_a_step_that_is_not_in_the_plan_is_refused() -> None:
    case = a_case(S.REVIEWED, worksheet=worksheet(steps=2))
    with pytest.raises(RuleViolationError) as error:
        do(case, A.RECORD_STEP, officer(), {"step": 3, "outcome": "x"})
    assert error.value.rule == "plan_step_exists"
    assert "2 steps" in error.value.message_en


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_status", "action", "payload", "field"),
    [
        (S.INTERNAL, A.ESCALATE, {"report": "   "}, "report"),
        (S.INTERNAL, A.ESCALATE, {}, "report"),
        (S.RECORDED, A.CLASSIFY, {"service_code": "15121"}, "problem_types"),
        (S.RECORDED, A.CLASSIFY, {"service_code": "15121", "problem_types": []}, "problem_types"),
        (
            S.RECORDED,
            A.CLASSIFY,
            {"service_code": "1", "problem_types": ["parking"]},
            "problem_types.0",
        ),
        (S.INTERNAL, A.RESPOND, {"channel": "fax", "text": "Jawaban"}, "channel"),
        (S.INTERNAL, A.RESPOND, {**ANSWER, "sent_at": "2026-09-01T10:00:00"}, "sent_at"),
        (S.INTERNAL, A.RECORD_RESULT, {**RESULT, "outcome": "maybe"}, "outcome"),
        (S.RESOLVED, A.REPORT_TO_SUPERIOR, {"text": ""}, "text"),
        (S.REVIEWED, A.RECORD_STEP, {"step": 0, "outcome": "x"}, "step"),
        (S.INTERNAL, A.ESCALATE, {"report": "naik", "tier": 3}, "tier"),
    ],
    ids=[
        "blank-report",
        "no-report",
        "no-problem-types",
        "empty-problem-types",
        "unknown-problem-type",
        "unknown-channel",
        "naive-sent-at",
        "unknown-outcome",
        "empty-superior-report",
        "step-zero",
        "unexpected-field",
    ],
)
def test_bad_payload_is_refused_naming_the_field(
    case_status: Status, action: Action, payload: dict[str, Any], field: str
) -> None:
    case = resolved() if case_status is S.RESOLVED else on_internal_track(status=case_status)
    before = copy.deepcopy(case)
    with pytest.raises(InputError) as error:
        do(case, action, division_head() if action is A.ESCALATE else officer(), payload)
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")
    assert case == before


# --- a refusal changes nothing ------------------------------------------------------------

REFUSALS: list[tuple[str, Callable[[], Case], Action, Callable[[], Actor], dict[str, Any]]] = [
    ("top_of_chain", lambda: on_internal_track(tier=3), A.ESCALATE, system, {"report": "x"}),
    ("tier_holder_only", lambda: on_internal_track(tier=2), A.ESCALATE, officer, {"report": "x"}),
    ("close_requires_answer_and_report", lambda: resolved(informed_at=NOW), A.CLOSE, head, {}),
    (
        "plan_step_exists",
        lambda: a_case(S.REVIEWED),
        A.RECORD_STEP,
        officer,
        {"step": 5, "outcome": "x"},
    ),
    (
        "apip_approval_authority",
        lambda: awaiting_apip(S.INTERNAL),
        A.REFUSE_APIP,
        agency_head,
        {"reason": "x"},
    ),
    ("reopen_window", lambda: closed(days_ago=30), A.REOPEN, complainant, {"reason": "x"}),
    (
        "accept_late_only",
        lambda: a_case(S.SUGGESTION, screening_reason=ScreeningReason.NO_SUBJECT),
        A.ACCEPT_LATE,
        head,
        {"reason": "x"},
    ),
]


@pytest.mark.parametrize(
    ("rule", "build", "action", "actor", "payload"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_a_failed_guard_leaves_the_case_exactly_as_it_was(
    rule: str,
    build: Callable[[], Case],
    action: Action,
    actor: Callable[[], Actor],
    payload: dict[str, Any],
) -> None:
    case = build()
    before = copy.deepcopy(case)
    with pytest.raises(RuleViolationError) as error:
        do(case, action, actor(), payload)
    assert error.value.rule == rule
    assert (case.status, case.version, case.updated_at) == (
        before.status,
        before.version,
        before.updated_at,
    )
    assert case == before


def test_a_role_outside_the_matrix_is_refused_before_anything_changes() -> None:
    case = resolved(informed_at=NOW, reported_at=NOW)
    before = copy.deepcopy(case)
    with pytest.raises(PermissionDeniedError):
        do(case, A.CLOSE, agency_officer())
    assert case == before
