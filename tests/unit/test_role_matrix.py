"""Every cell of status × action × role, against a hand-written statement of who may do what.

``EXPECTED`` is written from the service standard (seed §6) and DESIGN §1–2, not read from
``table.py``: when the two disagree, one of them is wrong and a person has to decide which.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aduan.workflow.case import (
    Actor,
    Case,
    Complainant,
    PlanStep,
    TierLevel,
    Withdrawal,
    Worksheet,
)
from aduan.workflow.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    RuleViolationError,
)
from aduan.workflow.lifecycle import check_permission, perform, permitted_actions
from aduan.workflow.states import (
    Action,
    Channel,
    Kind,
    Role,
    ScreeningReason,
    Status,
    StepKind,
    Track,
)
from aduan.workflow.table import allowed_actions

S, A, R = Status, Action, Role

OFFICER, SUPERVISOR, HEAD = R.OFFICER, R.SUPERVISOR, R.HEAD
AGENCY_OFFICER, AGENCY_HEAD = R.AGENCY_OFFICER, R.AGENCY_HEAD
APIP, SYSTEM, COMPLAINANT = R.APIP, R.SYSTEM, R.COMPLAINANT

OFFICE = {OFFICER, SUPERVISOR}  # complaint officers and their section/division heads
CHAIN = {OFFICER, SUPERVISOR, HEAD}  # the internal chain up to the Head of Office
AGENCY = {AGENCY_OFFICER, AGENCY_HEAD}
APPROVERS = {HEAD, AGENCY_HEAD}  # item 7c: Head of Office or the agency head
ON_BEHALF = {COMPLAINANT, OFFICER}  # the complainant, or an officer taking their call

# Item 4: an answer may be given at any point before the result is known.
_ANSWER_BEFORE_RESULT = {
    (status, A.RESPOND): CHAIN
    for status in (
        S.RECORDED,
        S.CLASSIFIED,
        S.REVIEWED,
        S.INTERNAL,
        S.AGENCY,
        S.APIP_PENDING,
        S.APIP,
    )
}
# The complainant may withdraw while the case is open (not closed, referred or a suggestion).
_WITHDRAW_WHILE_OPEN = {
    (status, A.WITHDRAW): ON_BEHALF
    for status in (
        S.RECORDED,
        S.CLASSIFIED,
        S.REVIEWED,
        S.INTERNAL,
        S.AGENCY,
        S.APIP_PENDING,
        S.APIP,
        S.RESOLVED,
    )
}
# Issue 12 item 4: a withdrawal may be undone, by the complainant or an officer (in a window).
_UNDO_WITHDRAWAL = {(S.WITHDRAWN, A.UNDO_WITHDRAW): ON_BEHALF}
# Not this office's authority: referred before a track is chosen.
# Issue 13 item 3: a tier the deadline sweep passed over files the written report it owes, on
# the internal, agency or APIP track, while APIP's approval is pending, or once resolved.
_OWED_REPORT = {
    (status, A.FILE_OVERDUE_REPORT): CHAIN | AGENCY
    for status in (S.INTERNAL, S.AGENCY, S.APIP_PENDING, S.APIP, S.RESOLVED)
}
# Item 7c "atau sesuai dengan peraturan perundang-undangan": APIP takes a case up on a legal
# basis, from where an APIP request could be made (reviewed, or on the internal/agency track).
_APIP_BY_LAW = {(status, A.OPEN_APIP): {APIP} for status in (S.REVIEWED, S.INTERNAL, S.AGENCY)}
# Issue 14 item 5: while a complaint awaits its answer, the complaint staff may ask the
# complainant for missing information (the answer clock stops); the complainant replies (by
# the tracking page) or staff record the reply; the sweep ends a wait that ran out; a supervisor
# or the Head extends the answer deadline. Once resolved the answer is the result: no pause.
_AWAITING_ANSWER = (
    S.RECORDED,
    S.CLASSIFIED,
    S.REVIEWED,
    S.INTERNAL,
    S.AGENCY,
    S.APIP_PENDING,
    S.APIP,
)
_ANSWER_CLOCK = {
    **{(status, A.REQUEST_INFO): OFFICE for status in _AWAITING_ANSWER},
    **{(status, A.RECORD_INFO_REPLY): OFFICE | {COMPLAINANT} for status in _AWAITING_ANSWER},
    **{(status, A.END_INFO_WAIT): {SYSTEM} for status in _AWAITING_ANSWER},
    **{(status, A.EXTEND_DEADLINE): {SUPERVISOR, HEAD} for status in _AWAITING_ANSWER},
}
_CLOCK_ACTIONS = {A.REQUEST_INFO, A.RECORD_INFO_REPLY, A.END_INFO_WAIT, A.EXTEND_DEADLINE}
_REFER_BEFORE_TRACK = {
    (status, A.REFER): OFFICE for status in (S.RECORDED, S.CLASSIFIED, S.REVIEWED)
}
# Issue 14 item 4: the office's complaint staff merge a duplicate into its main case, while
# the duplicate is still before its result (not once resolved, nor on the APIP track).
_MERGE_DUPLICATE = {
    (status, A.MARK_DUPLICATE): OFFICE
    for status in (S.RECORDED, S.CLASSIFIED, S.REVIEWED, S.INTERNAL, S.AGENCY)
}
# A merge found mistaken is undone by those who may merge: the office's complaint staff.
_UNDO_MERGE = {(S.MERGED, A.UNDO_MERGE): OFFICE}

# Issue 14 item 7: the question and answer of a closed case are published (and taken down) by
# those who speak for the office in public, the complaints manager and the Head; the
# complainant, or an officer they told, withdraws the consent at any point of the case.
_PUBLIC_QA = {
    (S.CLOSED, A.PUBLISH_QA): {SUPERVISOR, HEAD},
    (S.CLOSED, A.UNPUBLISH_QA): {SUPERVISOR, HEAD},
    **{(status, A.WITHDRAW_QA_CONSENT): ON_BEHALF for status in Status},
}

_QA_ACTIONS = {A.PUBLISH_QA, A.UNPUBLISH_QA, A.WITHDRAW_QA_CONSENT}

EXPECTED: dict[tuple[Status, Action], set[Role]] = {
    **_ANSWER_BEFORE_RESULT,
    **_PUBLIC_QA,
    **_WITHDRAW_WHILE_OPEN,
    **_UNDO_WITHDRAWAL,
    **_REFER_BEFORE_TRACK,
    **_OWED_REPORT,
    **_APIP_BY_LAW,
    **_MERGE_DUPLICATE,
    **_UNDO_MERGE,
    **_ANSWER_CLOCK,
    # Item 5c: classify, and correct the classification until the review.
    (S.RECORDED, A.CLASSIFY): OFFICE,
    (S.CLASSIFIED, A.CLASSIFY): OFFICE,
    # Item 6: the review worksheet, revisable until routed; steps of the plan recorded.
    (S.CLASSIFIED, A.REVIEW): OFFICE,
    (S.REVIEWED, A.REVIEW): OFFICE,
    (S.REVIEWED, A.RECORD_STEP): OFFICE,
    # Item 7: the three tracks.
    (S.REVIEWED, A.ROUTE_INTERNAL): OFFICE,
    (S.REVIEWED, A.ROUTE_AGENCY): OFFICE,
    (S.REVIEWED, A.REQUEST_APIP): OFFICE,
    # 7a: internal, step by step up to the Head of Office (who is the top: no escalation).
    (S.INTERNAL, A.RECORD_STEP): CHAIN,
    (S.INTERNAL, A.ESCALATE): {OFFICER, SUPERVISOR, SYSTEM},
    (S.INTERNAL, A.REQUEST_APIP): CHAIN,
    (S.INTERNAL, A.RECORD_RESULT): CHAIN,
    # 7b: a regional agency, up to its head; the office's officer keeps recording steps.
    (S.AGENCY, A.RECORD_STEP): {AGENCY_OFFICER, AGENCY_HEAD, OFFICER},
    (S.AGENCY, A.ESCALATE): {AGENCY_OFFICER, SYSTEM},
    (S.AGENCY, A.REQUEST_APIP): AGENCY,
    (S.AGENCY, A.RECORD_RESULT): AGENCY,
    # 7c: APIP only after the approval of the Head of Office or the agency head.
    (S.APIP_PENDING, A.APPROVE_APIP): APPROVERS,
    (S.APIP_PENDING, A.REFUSE_APIP): APPROVERS,
    (S.APIP, A.RECORD_STEP): {APIP},
    (S.APIP, A.RECORD_RESULT): {APIP},
    # Item 8: told to the complainant and reported to the direct superior, then closed.
    (S.RESOLVED, A.INFORM_COMPLAINANT): OFFICE,
    (S.RESOLVED, A.REPORT_TO_SUPERIOR): OFFICE,
    (S.RESOLVED, A.CLOSE): CHAIN,
    (S.CLOSED, A.REOPEN): ON_BEHALF,
    # Item 3: a supervisor may accept a late submission as a complaint.
    (S.SUGGESTION, A.ACCEPT_LATE): {SUPERVISOR, HEAD},
    (S.SUGGESTION_ACKNOWLEDGED, A.ACCEPT_LATE): {SUPERVISOR, HEAD},
    # Items 3, 5b and 5c: a suggestion is the complaint staff's work. They take it up, classify
    # it by service and standard component and forward it to the yearly evaluation; only a
    # supervisor (or the Head above) makes one screened by mistake a complaint.
    (S.SUGGESTION, A.ACKNOWLEDGE_SUGGESTION): OFFICE,
    (S.SUGGESTION, A.CLASSIFY): OFFICE,
    (S.SUGGESTION_ACKNOWLEDGED, A.CLASSIFY): OFFICE,
    (S.SUGGESTION, A.FORWARD_SUGGESTION): OFFICE,
    (S.SUGGESTION_ACKNOWLEDGED, A.FORWARD_SUGGESTION): OFFICE,
    (S.SUGGESTION, A.CONVERT_SUGGESTION): {SUPERVISOR, HEAD},
    (S.SUGGESTION_ACKNOWLEDGED, A.CONVERT_SUGGESTION): {SUPERVISOR, HEAD},
    # Forwarded to the evaluation, a suggestion is done: nobody acts on it any more.
}

# Impossible pairs that answer with the rule people need to hear instead of "invalid".
EXPECTED_BLOCKED: dict[tuple[Status, Action], str] = {
    (S.APIP_PENDING, A.RECORD_RESULT): "apip_requires_approval",
    (S.APIP_PENDING, A.RECORD_STEP): "apip_requires_approval",
    **{
        (status, A.CLOSE): "close_requires_result"
        for status in (
            S.RECORDED,
            S.CLASSIFIED,
            S.REVIEWED,
            S.INTERNAL,
            S.AGENCY,
            S.APIP_PENDING,
            S.APIP,
        )
    },
    # Only a closed case's question and answer are published, never one still being handled.
    **{(status, A.PUBLISH_QA): "qa_case_closed" for status in Status if status is not S.CLOSED},
}

NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


def a_case(status: Status) -> Case:
    case = _a_case(status)
    if status is S.WITHDRAWN:  # withdrawn from where it stood, a moment ago
        case.withdrawal = Withdrawal(S.RECORDED, NOW, "user-officer", R.OFFICER, "Duplikat")
    if status is S.MERGED:  # merged from where it stood into its main case
        case.merged_into, case.merged_from = 1, S.CLASSIFIED
    if case.kind is Kind.SUGGESTION:  # late: the one screening reason every suggestion row takes
        case.screening_reason = ScreeningReason.LATE
    return case


def _a_case(status: Status) -> Case:
    return Case(
        tracking_code="ADN-MATRX-CELL2",
        kind=Kind.SUGGESTION if status.value.startswith("suggestion") else Kind.COMPLAINT,
        status=status,
        channel=Channel.EMAIL,
        complainant=Complainant("Sari", email="sari@example.id"),
        subject="Izin belum terbit",
        description="Izin usaha belum terbit setelah 20 hari kerja",
        service_received_on=date(2026, 8, 20),
        complained_at=NOW,
        received_at=NOW,
        intake_days=12,
        created_at=NOW,
        updated_at=NOW,
    )


def an_actor(role: Role) -> Actor:
    return Actor(f"user-{role.value}", role, position=f"pos-{role.value}")


CELLS = [(s, a, r) for s in Status for a in Action for r in Role]


def test_no_pair_is_both_allowed_and_blocked() -> None:
    assert not set(EXPECTED) & set(EXPECTED_BLOCKED)
    assert all(roles for roles in EXPECTED.values())


@pytest.mark.parametrize(("status", "action", "role"), CELLS)
def test_role_matrix_cell(status: Status, action: Action, role: Role) -> None:
    case = a_case(status)
    allowed_roles = EXPECTED.get((status, action), set())
    actor = an_actor(role)

    if role in allowed_roles:
        check_permission(case, action, actor)
    elif allowed_roles:
        with pytest.raises(PermissionDeniedError) as denied:
            check_permission(case, action, actor)
        assert denied.value.role == role.value
    elif (status, action) in EXPECTED_BLOCKED:
        with pytest.raises(RuleViolationError) as blocked:
            check_permission(case, action, actor)
        assert blocked.value.rule == EXPECTED_BLOCKED[(status, action)]
    else:
        with pytest.raises(InvalidTransitionError) as invalid:
            check_permission(case, action, actor)
        assert (invalid.value.status, invalid.value.action) == (status.value, action.value)

    assert (action in allowed_actions(status, role)) == (role in allowed_roles)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", list(Role))
def test_allowed_actions_lists_exactly_the_permitted_actions(status: Status, role: Role) -> None:
    expected = {a for (s, a), roles in EXPECTED.items() if s is status and role in roles}
    offered = allowed_actions(status, role)
    assert set(offered) == expected
    assert len(offered) == len(set(offered))


@pytest.mark.parametrize("role", [R.ADMIN, R.SYSTEM, R.COMPLAINANT])
def test_roles_outside_the_procedure_can_do_almost_nothing(role: Role) -> None:
    can = {(s, a) for s in Status for a in allowed_actions(s, role)}
    expected = {
        R.ADMIN: set(),
        R.SYSTEM: {(S.INTERNAL, A.ESCALATE), (S.AGENCY, A.ESCALATE)}
        | {(s, A.END_INFO_WAIT) for s in _AWAITING_ANSWER},
        R.COMPLAINANT: {(s, A.WITHDRAW) for s, _ in _WITHDRAW_WHILE_OPEN}
        | {(S.CLOSED, A.REOPEN), (S.WITHDRAWN, A.UNDO_WITHDRAW)}
        | {(s, A.RECORD_INFO_REPLY) for s in _AWAITING_ANSWER}
        | {(s, A.WITHDRAW_QA_CONSENT) for s in Status},
    }[role]
    assert can == expected


# --- authority: beyond the role, the agency and the tier (seed §6 item 7, DESIGN §6) -------

# For each cell, the rules that also bind a person whose role the matrix allows: the agency
# (``own_agency_only``: agency staff act only on their own agency's track), the tier
# (``tier_holder_only``: the current holder or a level above in the chain) and the approver
# (``apip_approval_authority``: the head at the top of the track the request came from).
AUTHORITY: dict[tuple[Status, Action], dict[Role, set[str]]] = {
    (S.INTERNAL, A.RECORD_STEP): {r: {"tier_holder_only"} for r in CHAIN},
    (S.INTERNAL, A.RECORD_RESULT): {r: {"tier_holder_only"} for r in CHAIN},
    (S.INTERNAL, A.ESCALATE): {r: {"tier_holder_only"} for r in OFFICE},
    (S.AGENCY, A.RECORD_STEP): {r: {"own_agency_only", "tier_holder_only"} for r in AGENCY},
    (S.AGENCY, A.RECORD_RESULT): {r: {"own_agency_only", "tier_holder_only"} for r in AGENCY},
    (S.AGENCY, A.ESCALATE): {AGENCY_OFFICER: {"own_agency_only", "tier_holder_only"}},
    (S.AGENCY, A.REQUEST_APIP): {r: {"own_agency_only"} for r in AGENCY},
    (S.APIP_PENDING, A.APPROVE_APIP): {r: {"apip_approval_authority"} for r in APPROVERS},
    (S.APIP_PENDING, A.REFUSE_APIP): {r: {"apip_approval_authority"} for r in APPROVERS},
    # Only the holder of the tier that missed its deadline files the report it owes.
    **{cell: {r: {"owes_overdue_report"} for r in CHAIN | AGENCY} for cell in _OWED_REPORT},
}
_AUTHORITY_PAYLOADS: dict[Action, dict[str, object]] = {
    A.RECORD_STEP: {"step": 1, "outcome": "x"},
    A.RECORD_RESULT: {"outcome": "substantiated", "summary": "x", "corrective_actions": []},
    A.ESCALATE: {"report": "x"},
    A.REQUEST_APIP: {"reason": "x"},
    A.APPROVE_APIP: {},
    A.REFUSE_APIP: {"reason": "x"},
    A.FILE_OVERDUE_REPORT: {"report": "x"},
}


_TRACKED = frozenset({S.INTERNAL, S.AGENCY, S.APIP_PENDING})


def a_case_on_a_track(status: Status) -> Case:
    """A case held in the middle of a three-level chain of unit ``unit-a``."""
    case = a_case(status)
    case.worksheet = Worksheet("x", plan=[PlanStep(StepKind.CLARIFICATION, "x")])
    case.chain = [TierLevel(p, p.title(), "unit-a") for p in ("low", "mid", "top")]
    case.tier = 1  # held by "mid": "low" is below it
    case.track = Track.AGENCY if status is S.AGENCY else Track.INTERNAL
    case.agency_unit = "unit-a" if status is S.AGENCY else None
    if status is S.APIP_PENDING:
        case.agency_unit, case.apip_origin = "unit-a", S.AGENCY
    return case


def an_outsider(role: Role) -> Actor:
    """Someone of ``role`` in another unit, below the holder: every authority rule refuses."""
    return Actor(f"user-{role.value}", role, position="low", unit="unit-b")


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [(s, a, r) for (s, a), roles in AUTHORITY.items() for r in roles],
)
def test_authority_binds_the_roles_the_matrix_allows(
    status: Status, action: Action, role: Role
) -> None:
    assert role in EXPECTED[(status, action)]
    case = a_case_on_a_track(status)
    actor = an_outsider(role)
    with pytest.raises(RuleViolationError) as refused:
        perform(case, action, actor, _AUTHORITY_PAYLOADS[action], NOW)
    assert refused.value.rule in AUTHORITY[(status, action)][role]
    assert action not in permitted_actions(case, actor, NOW)
    assert case.status is status


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", list(Role))
def test_no_other_cell_is_narrowed_by_authority(status: Status, role: Role) -> None:
    case = a_case_on_a_track(status) if status in _TRACKED else a_case(status)
    offered = set(permitted_actions(case, an_outsider(role), NOW))
    narrowed = {a for (s, a), roles in AUTHORITY.items() if s is status and role in roles}
    # These cases have no answer clock running nor paused: its actions wait for one
    # (tests/unit/test_answer_clock.py offers them by the clock's state); nor the
    # complainant's consent to a public Q&A (tests/unit/test_publication.py).
    expected = set(allowed_actions(status, role)) - narrowed - _CLOCK_ACTIONS - _QA_ACTIONS
    assert offered == expected


@pytest.mark.parametrize("reason", [ScreeningReason.NO_IDENTITY, ScreeningReason.NO_SUBJECT])
@pytest.mark.parametrize("role", [R.SUPERVISOR, R.HEAD])
def test_accepting_late_is_not_offered_for_a_suggestion_that_was_not_late(
    reason: ScreeningReason, role: Role
) -> None:
    case = a_case(S.SUGGESTION)
    case.screening_reason = reason
    actor = Actor(f"user-{role.value}", role)
    assert A.ACCEPT_LATE not in permitted_actions(case, actor, NOW)
    assert A.CONVERT_SUGGESTION in permitted_actions(case, actor, NOW)


# --- a breach escalation leaves the tier that missed its deadline a report to file ---------


def _escalated_by_the_sweep() -> Case:
    case = a_case_on_a_track(S.INTERNAL)
    case.chain = [
        TierLevel("kasi", "Kepala Seksi Pengaduan", "office", "sari"),
        TierLevel("kabid", "Kepala Bidang Pengaduan", "office", "budi"),
        TierLevel("kadis", "Kepala DPMPTSP", "office", "rina"),
    ]
    case.tier, case.assignee = 0, "sari"
    sweep = Actor("system", R.SYSTEM)
    outcomes = perform(case, A.ESCALATE, sweep, {"report": "Pemberitahuan sistem: ..."}, NOW)
    assert outcomes.reports == ()  # a system notice, not a written report
    return case


def test_the_sweeps_escalation_is_no_written_report_and_leaves_a_task() -> None:
    case = _escalated_by_the_sweep()
    assert (case.tier, case.assignee) == (1, "budi")
    [owed] = case.overdue_reports
    assert (owed.position, owed.holder, owed.to_position, owed.to_holder) == (
        "kasi",
        "sari",
        "kabid",
        "budi",
    )


@pytest.mark.parametrize(
    ("username", "position", "allowed"),
    [
        ("sari", "kasi", True),  # the holder of the tier that missed its deadline
        ("plt-kasi", "kasi", True),  # whoever holds that post now
        ("budi", "kabid", False),  # the new holder receives it, does not write it
        ("rina", "kadis", False),
    ],
)
def test_only_the_tier_that_missed_its_deadline_files_its_report(
    username: str, position: str, allowed: bool
) -> None:
    case = _escalated_by_the_sweep()
    actor = Actor(username, R.SUPERVISOR, position=position, unit="office")
    assert (A.FILE_OVERDUE_REPORT in permitted_actions(case, actor, NOW)) is allowed
    if not allowed:
        with pytest.raises(RuleViolationError) as refused:
            perform(case, A.FILE_OVERDUE_REPORT, actor, {"report": "Laporan"}, NOW)
        assert refused.value.rule == "owes_overdue_report"
        assert len(case.overdue_reports) == 1
        return
    outcomes = perform(case, A.FILE_OVERDUE_REPORT, actor, {"report": "Laporan tingkat 1"}, NOW)
    [report] = outcomes.reports
    assert (report.kind, report.author, report.addressee, report.text) == (
        "tier",
        username,
        "budi",
        "Laporan tingkat 1",
    )
    assert (report.from_position, report.to_position) == ("kasi", "kabid")
    assert case.overdue_reports == []
    assert (case.tier, case.assignee, case.status) == (1, "budi", S.INTERNAL)
    assert A.FILE_OVERDUE_REPORT not in permitted_actions(case, actor, NOW)
