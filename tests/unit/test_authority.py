"""Who may act, at each rule's boundary: same agency or another, holder, above, below, sideways.

Written from seed §6 item 7 and DESIGN §6, not read from the table: agency staff act only on
their own agency's track; on a track the current tier holder or a level above records steps and
the result and escalates; APIP approval belongs to the head at the top of the track the request
came from. ``permitted_actions`` (what the UI offers) never lists what these rules refuse.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from aduan.workflow.case import Actor, Case, Complainant, PlanStep, TierLevel, Worksheet
from aduan.workflow.errors import RuleViolationError
from aduan.workflow.lifecycle import perform, permitted_actions
from aduan.workflow.states import Action, Channel, Kind, ProblemType, Role, Status, StepKind, Track

S, A, R = Status, Action, Role
NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)

INTERNAL_CHAIN = [
    TierLevel("pelaksana-pengaduan", "Pejabat Pengelola Pengaduan", "dpmptsp", "budi"),
    TierLevel("kasi-pengaduan", "Kepala Seksi Pengaduan", "dpmptsp", "sari"),
    TierLevel("kabid-pengaduan", "Kepala Bidang Pengaduan", "dpmptsp", "agus"),
    TierLevel("kepala-dpmptsp", "Kepala DPMPTSP", "dpmptsp", "dewi"),
]
AGENCY_CHAIN = [
    TierLevel("tim-teknis-disperindag", "Tim Teknis Perindustrian", "disperindag", "wawan"),
    TierLevel("kabid-industri", "Kepala Bidang Industri", "disperindag", "lina"),
    TierLevel("kepala-disperindag", "Kepala Disperindag", "disperindag", "hadi"),
]

# The office.
OFFICER = Actor("budi", R.OFFICER, "pelaksana-pengaduan", "dpmptsp")
SECTION_HEAD = Actor("sari", R.SUPERVISOR, "kasi-pengaduan", "dpmptsp")
DIVISION_HEAD = Actor("agus", R.SUPERVISOR, "kabid-pengaduan", "dpmptsp")
HEAD = Actor("dewi", R.HEAD, "kepala-dpmptsp", "dpmptsp")
SIDEWAYS = Actor("rudi", R.SUPERVISOR, "kasi-perizinan", "dpmptsp")  # same office, off the chain
NO_POST = Actor("nopost", R.SUPERVISOR)
# Disperindag, whose track the agency cases are on.
TEAM = Actor("wawan", R.AGENCY_OFFICER, "tim-teknis-disperindag", "disperindag")
FIELD_HEAD = Actor("lina", R.AGENCY_OFFICER, "kabid-industri", "disperindag")
AGENCY_HEAD = Actor("hadi", R.AGENCY_HEAD, "kepala-disperindag", "disperindag")
# Dinas Pertanian: another agency.
OTHER_TEAM = Actor("tono", R.AGENCY_OFFICER, "tim-teknis-dispertan", "dispertan")
OTHER_FIELD_HEAD = Actor("yuni", R.AGENCY_OFFICER, "kabid-peternakan", "dispertan")
OTHER_HEAD = Actor("rina", R.AGENCY_HEAD, "kepala-dispertan", "dispertan")

RESULT = {"outcome": "substantiated", "summary": "Izin diterbitkan", "corrective_actions": []}
STEP = {"step": 1, "outcome": "Sudah diklarifikasi"}
PAYLOADS: dict[Action, dict[str, Any]] = {
    A.RECORD_RESULT: RESULT,
    A.RECORD_STEP: STEP,
    A.ESCALATE: {"report": "Mohon arahan"},
    A.REQUEST_APIP: {"reason": "Perlu pemeriksaan"},
    A.APPROVE_APIP: {},
    A.REFUSE_APIP: {"reason": "Selesaikan dulu"},
}


def a_case(status: Status, tier: int = 0, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "tracking_code": "ADN-AUTH1-CASE2",
        "kind": Kind.COMPLAINT,
        "status": status,
        "channel": Channel.EMAIL,
        "complainant": Complainant("Ani", email="ani@example.id"),
        "subject": "Izin belum terbit",
        "description": "Izin usaha belum terbit setelah 20 hari kerja",
        "service_received_on": date(2026, 8, 20),
        "complained_at": NOW - timedelta(days=1),
        "received_at": NOW - timedelta(days=1),
        "intake_days": 12,
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW - timedelta(days=1),
        "service_code": "15121",
        "problem_types": [ProblemType.COMPLETION_TIME],
        "worksheet": Worksheet(
            "Izin terlambat", plan=[PlanStep(StepKind.CLARIFICATION, "Seksi Perizinan")]
        ),
        "tier": tier,
    }
    fields.update(overrides)
    return Case(**fields)


def internal(tier: int, status: Status = S.INTERNAL, **overrides: Any) -> Case:
    chain = list(INTERNAL_CHAIN)
    return a_case(
        status, tier, track=Track.INTERNAL, chain=chain, assignee=chain[tier].holder, **overrides
    )


def agency(tier: int, status: Status = S.AGENCY, **overrides: Any) -> Case:
    chain = list(AGENCY_CHAIN)
    return a_case(
        status,
        tier,
        track=Track.AGENCY,
        agency_unit="disperindag",
        chain=chain,
        assignee=chain[tier].holder,
        **overrides,
    )


def refused(case: Case, action: Action, actor: Actor) -> str:
    """The rule that refuses ``action``; the case is left exactly as it was."""
    before = copy.deepcopy(case)
    with pytest.raises(RuleViolationError) as error:
        perform(case, action, actor, PAYLOADS[action], NOW)
    assert case == before
    assert action not in permitted_actions(case, actor, NOW)
    return error.value.rule


def accepted(case: Case, action: Action, actor: Actor) -> None:
    assert action in permitted_actions(case, actor, NOW)
    perform(case, action, actor, PAYLOADS[action], NOW)


# --- the tier: holder, above, below, sideways ---------------------------------------------


@pytest.mark.parametrize("action", [A.RECORD_RESULT, A.RECORD_STEP])
@pytest.mark.parametrize(
    "actor", [SECTION_HEAD, DIVISION_HEAD, HEAD], ids=["holder", "above", "head"]
)
def test_on_the_internal_track_the_holder_or_above_acts(action: Action, actor: Actor) -> None:
    accepted(internal(tier=1), action, actor)


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        (action, actor)
        for action in (A.RECORD_RESULT, A.RECORD_STEP, A.ESCALATE)
        for actor in (OFFICER, SIDEWAYS, NO_POST)
        # escalate is in the role matrix for office staff only
        if action is not A.ESCALATE or actor.role in (R.OFFICER, R.SUPERVISOR)
    ],
    ids=str,
)
def test_on_the_internal_track_below_or_beside_the_holder_is_refused(
    action: Action, actor: Actor
) -> None:
    assert refused(internal(tier=1), action, actor) == "tier_holder_only"


def test_the_officer_records_the_result_while_holding_the_first_tier() -> None:
    accepted(internal(tier=0), A.RECORD_RESULT, OFFICER)


def test_any_officer_cannot_record_the_result_of_a_case_held_by_the_head() -> None:
    case = internal(tier=3)
    for actor in (OFFICER, SECTION_HEAD, DIVISION_HEAD):
        assert refused(case, A.RECORD_RESULT, actor) == "tier_holder_only"
    accepted(case, A.RECORD_RESULT, HEAD)


@pytest.mark.parametrize("action", [A.RECORD_RESULT, A.RECORD_STEP])
@pytest.mark.parametrize("actor", [FIELD_HEAD, AGENCY_HEAD], ids=["holder", "above"])
def test_on_the_agency_track_the_holder_or_above_acts(action: Action, actor: Actor) -> None:
    accepted(agency(tier=1), action, actor)


@pytest.mark.parametrize("action", [A.RECORD_RESULT, A.RECORD_STEP, A.ESCALATE])
def test_on_the_agency_track_below_the_holder_is_refused(action: Action) -> None:
    assert refused(agency(tier=1), action, TEAM) == "tier_holder_only"


def test_the_office_officer_keeps_recording_steps_on_an_agency_case() -> None:
    accepted(agency(tier=1), A.RECORD_STEP, OFFICER)


# --- the agency: same agency or another ---------------------------------------------------


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        (action, actor)
        for action in (A.RECORD_RESULT, A.RECORD_STEP, A.ESCALATE, A.REQUEST_APIP)
        for actor in (OTHER_TEAM, OTHER_FIELD_HEAD, OTHER_HEAD)
        # on the agency track escalate is in the role matrix for agency officers only
        if action is not A.ESCALATE or actor.role is R.AGENCY_OFFICER
    ],
    ids=str,
)
def test_staff_of_another_agency_cannot_act(action: Action, actor: Actor) -> None:
    assert refused(agency(tier=0), action, actor) == "own_agency_only"


def test_staff_of_another_agency_are_offered_nothing() -> None:
    for actor in (OTHER_TEAM, OTHER_FIELD_HEAD, OTHER_HEAD):
        assert permitted_actions(agency(tier=0), actor, NOW) == ()


def test_an_agency_officer_without_a_unit_cannot_act() -> None:
    nobody = Actor("x", R.AGENCY_OFFICER, "tim-teknis-disperindag")
    assert refused(agency(tier=0), A.RECORD_RESULT, nobody) == "own_agency_only"


@pytest.mark.parametrize(
    ("action", "actor"),
    [(A.RECORD_RESULT, TEAM), (A.ESCALATE, TEAM), (A.REQUEST_APIP, TEAM)],
)
def test_staff_of_the_agency_act_on_its_track(action: Action, actor: Actor) -> None:
    accepted(agency(tier=0), action, actor)


# --- APIP approval (item 7c) --------------------------------------------------------------


@pytest.mark.parametrize("action", [A.APPROVE_APIP, A.REFUSE_APIP])
def test_the_agency_head_decides_on_its_own_track_and_nobody_else(action: Action) -> None:
    def pending() -> Case:
        return agency(tier=2, status=S.APIP_PENDING, apip_origin=S.AGENCY)

    assert refused(pending(), action, OTHER_HEAD) == "apip_approval_authority"
    assert refused(pending(), action, HEAD) == "apip_approval_authority"
    accepted(pending(), action, AGENCY_HEAD)


@pytest.mark.parametrize("origin", [S.INTERNAL, S.REVIEWED])
@pytest.mark.parametrize("action", [A.APPROVE_APIP, A.REFUSE_APIP])
def test_the_head_of_office_decides_a_request_from_the_office(
    origin: Status, action: Action
) -> None:
    def pending() -> Case:
        if origin is S.INTERNAL:
            return internal(tier=3, status=S.APIP_PENDING, apip_origin=origin)
        return a_case(S.APIP_PENDING, apip_origin=origin)

    assert refused(pending(), action, AGENCY_HEAD) == "apip_approval_authority"
    accepted(pending(), action, HEAD)


# --- what is offered ----------------------------------------------------------------------


def test_a_section_head_below_the_holder_is_not_offered_the_result() -> None:
    offered = permitted_actions(internal(tier=2), SECTION_HEAD, NOW)
    assert A.RECORD_RESULT not in offered
    assert A.RECORD_STEP not in offered
    assert A.RESPOND in offered  # answering the complainant is not tied to the tier


def test_the_holder_is_offered_what_the_matrix_allows() -> None:
    offered = permitted_actions(internal(tier=1), SECTION_HEAD, NOW)
    assert set(offered) >= {A.RECORD_RESULT, A.RECORD_STEP, A.ESCALATE, A.REQUEST_APIP}


def test_offering_actions_changes_nothing() -> None:
    case = agency(tier=1)
    before = copy.deepcopy(case)
    for actor in (TEAM, FIELD_HEAD, AGENCY_HEAD, OTHER_TEAM, OFFICER, HEAD):
        permitted_actions(case, actor, NOW)
    assert case == before
    assert case.events == []
