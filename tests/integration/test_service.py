"""The use cases end to end on SQLite and PostgreSQL: lifecycles, refusals, privacy, audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from aduan import service
from aduan.ports import CaseQuery, FixedClock
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.workflow.errors import (
    AduanError,
    ConflictError,
    InputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from aduan.workflow.intake import wib_date
from aduan.workflow.lifecycle import input_error
from aduan.workflow.states import Action
from tests.integration.builders import (
    COMPLAINANT,
    act,
    agency_case,
    apip_pending_case,
    engine_of,
    internal_case,
    resolved_case,
    reviewed_case,
    row_counts,
    submission,
    submit,
    today,
)

A = Action


def later(clock: FixedClock, hours: int = 1) -> None:
    clock.current += timedelta(hours=hours)


def actions_of(detail: CaseDetail) -> list[tuple[str, str, str]]:
    return [(e.action, e.actor, e.to_status) for e in detail.timeline]


# --- whole lifecycles ---------------------------------------------------------------------


def test_internal_case_runs_from_intake_to_closure(deps: Deps, clock: FixedClock) -> None:
    case = submit(deps)
    assert (case.status, case.kind, case.intake_days) == ("recorded", "complaint", 7)

    later(clock)
    act(deps, case, A.CLASSIFY, "budi")
    reviewed = act(deps, case, A.REVIEW, "budi")
    assert reviewed.worksheet is not None and reviewed.worksheet["links"]  # from the catalog
    routed = act(deps, case, A.ROUTE_INTERNAL, "budi")
    assert (routed.track, routed.assignee, routed.holder) == (
        "internal", "budi", "Pejabat Pengelola Pengaduan",
    )  # fmt: skip
    answered_at = clock.now()
    act(deps, case, A.RESPOND, "budi")
    later(clock)
    escalated = act(deps, case, A.ESCALATE, "budi", report="Perlu keputusan Kasi")
    assert (escalated.tier, escalated.assignee) == (1, "sari")
    act(deps, case, A.RECORD_STEP, "sari")
    later(clock)
    act(deps, case, A.RECORD_RESULT, "sari")
    act(deps, case, A.INFORM_COMPLAINANT, "budi")
    act(deps, case, A.REPORT_TO_SUPERIOR, "budi")
    closed = act(deps, case, A.CLOSE, "agus")  # the superior of the deciding tier (item 8)

    assert closed.status == "closed"
    assert closed.closed_at == clock.now()
    assert closed.answered_at == answered_at
    assert closed.version == 11
    assert [e.action for e in closed.timeline] == [
        "submit", "classify", "review", "route_internal", "respond", "escalate", "record_step",
        "record_result", "inform_complainant", "report_to_superior", "close",
    ]  # fmt: skip
    assert [(r.kind, r.author, r.addressee, r.text) for r in closed.reports] == [
        ("tier", "budi", "sari", "Perlu keputusan Kasi"),
        # Sari decided at tier 2: the report of the result goes to her superior (item 8).
        ("superior", "budi", "agus", "Pengaduan selesai ditindaklanjuti"),
    ]
    tracked = service.track_case(deps, case.tracking_code)
    # The public sees the result as it was sent to the complainant, not the internal summary.
    assert (tracked.status, tracked.answer) == ("closed", "Sertifikat Anda telah terbit")


def test_agency_case_is_escalated_and_resolved_by_the_agency(deps: Deps) -> None:
    case = agency_case(deps)
    assert (case.status, case.agency_unit, case.assignee) == (
        "agency_handling",
        "dispertan",
        "tono",
    )
    assert [level["holder"] for level in case.chain] == ["tono", "yuni", "rina"]

    escalated = act(deps, case, A.ESCALATE, "tono")
    assert (escalated.tier, escalated.assignee, escalated.holder) == (
        1, "yuni", "Kepala Bidang Peternakan",
    )  # fmt: skip
    resolved = act(deps, case, A.RECORD_RESULT, "rina", summary="Rekomendasi teknis terbit")

    assert (resolved.status, resolved.result_summary) == ("resolved", "Rekomendasi teknis terbit")
    assert actions_of(resolved)[-2:] == [
        ("escalate", "tono", "agency_handling"),
        ("record_result", "rina", "resolved"),
    ]
    assert [(r.from_position, r.to_position, r.addressee) for r in resolved.reports] == [
        ("tim-teknis-dispertan", "kabid-peternakan", "yuni"),
    ]


def test_apip_handles_a_case_after_the_head_approves(deps: Deps) -> None:
    case = apip_pending_case(deps)
    assert case.status == "apip_pending"

    approved = act(deps, case, A.APPROVE_APIP, "dewi")
    assert (approved.status, approved.track) == ("apip_handling", "apip")
    assert approved.assignee == "irfan"  # the inspectorate's entry post holds it
    resolved = act(deps, case, A.RECORD_RESULT, "irfan", outcome="not_substantiated")

    assert (resolved.status, resolved.outcome) == ("resolved", "not_substantiated")
    assert actions_of(resolved)[-3:] == [
        ("request_apip", "budi", "apip_pending"),
        ("approve_apip", "dewi", "apip_handling"),
        ("record_result", "irfan", "resolved"),
    ]


@pytest.mark.parametrize(
    ("build", "requester", "refuser", "back_to"),
    [
        pytest.param(internal_case, "budi", "dewi", "internal_handling", id="internal"),
        pytest.param(agency_case, "tono", "rina", "agency_handling", id="agency"),
    ],
)
def test_refused_apip_request_returns_to_its_track(
    deps: Deps,
    build: Callable[[Deps], CaseDetail],
    requester: str,
    refuser: str,
    back_to: str,
) -> None:
    case = build(deps)
    act(deps, case, A.REQUEST_APIP, requester)

    refused = act(deps, case, A.REFUSE_APIP, refuser)

    assert (refused.status, refused.track, refused.chain) == (back_to, case.track, case.chain)
    assert actions_of(refused)[-1] == ("refuse_apip", refuser, back_to)


def test_late_complaint_becomes_suggestion_until_a_supervisor_accepts_it(deps: Deps) -> None:
    late = submit(deps, service_received_on=today(deps) - timedelta(days=31))
    assert (late.kind, late.status, late.screening_reason) == ("suggestion", "suggestion", "late")
    assert late.intake_days == 31

    accepted = act(deps, late, A.ACCEPT_LATE, "sari", reason="Pemohon dirawat di rumah sakit")

    assert (accepted.kind, accepted.status) == ("complaint", "recorded")
    assert accepted.late_acceptance_reason == "Pemohon dirawat di rumah sakit"
    assert act(deps, late, A.CLASSIFY, "budi").status == "classified"


def test_complaint_on_the_thirtieth_day_is_on_time(deps: Deps) -> None:
    case = submit(deps, service_received_on=today(deps) - timedelta(days=30))

    assert (case.kind, case.status, case.screening_reason) == ("complaint", "recorded", None)


# --- bad input: a clear error and nothing written -----------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"channel": "fax"}, "channel", id="unknown-channel"),
        pytest.param({"subject": "   "}, "subject", id="empty-subject"),
        pytest.param({"complainant": {**COMPLAINANT, "email": "siti@"}}, "complainant.email",
                     id="malformed-email"),
        pytest.param({"complainant": {**COMPLAINANT, "phone": "12-34"}}, "complainant.phone",
                     id="malformed-phone"),
    ],
)  # fmt: skip
def test_malformed_submission_is_refused_naming_the_field(
    deps: Deps, changes: dict[str, Any], field: str
) -> None:
    before = row_counts(deps)

    with pytest.raises(ValidationError) as caught:
        submission(deps, **changes)

    error = input_error(caught.value)  # what the CLI and the API show
    assert isinstance(error, AduanError)
    assert error.field == field
    assert field in str(error)
    assert row_counts(deps) == before


IMPOSSIBLE: dict[str, tuple[str, Callable[[datetime], dict[str, Any]]]] = {
    "unknown-service": ("service_code", lambda now: {"service_code": "99999"}),
    "received-before-the-service": (
        "service_received_on",
        lambda now: {
            "received_at": now - timedelta(days=10),
            "service_received_on": wib_date(now) - timedelta(days=7),
        },
    ),
    "received-in-the-future": ("received_at", lambda now: {"received_at": now + timedelta(days=1)}),
}


@pytest.mark.parametrize(("field", "changes"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_impossible_submission_is_refused_and_nothing_is_written(
    deps: Deps, field: str, changes: Callable[[datetime], dict[str, Any]]
) -> None:
    before = row_counts(deps)

    with pytest.raises(InputError) as caught:
        submit(deps, **changes(deps.clock.now()))

    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert row_counts(deps) == before


def held_by_kabid(deps: Deps) -> CaseDetail:
    """An internal case escalated twice: now held by the head of division (agus)."""
    case = internal_case(deps)
    act(deps, case, A.ESCALATE, "budi")
    return act(deps, case, A.ESCALATE, "sari")


def agency_apip_pending_case(deps: Deps) -> CaseDetail:
    """A case on Dinas Pertanian's track whose team asked for APIP: its head decides (7c)."""
    return act(deps, agency_case(deps), A.REQUEST_APIP, "tono", reason="Dugaan pungli")


@dataclass(frozen=True)
class Refusal:
    """An action the service must refuse, and the error it must refuse it with."""

    stage: Callable[[Deps], CaseDetail]
    action: Action
    user: str
    error: type[AduanError]
    facts: dict[str, Any]
    payload: dict[str, Any] | None = None


REFUSALS = {
    "close-before-a-result": Refusal(
        reviewed_case, A.CLOSE, "sari", RuleViolationError, {"rule": "close_requires_result"}
    ),
    "action-not-allowed-from-status": Refusal(
        submit, A.ROUTE_INTERNAL, "budi", InvalidTransitionError,
        {"status": "recorded", "action": "route_internal"},
    ),
    "role-may-not-take-it": Refusal(
        submit, A.CLASSIFY, "dewi", PermissionDeniedError,
        {"role": "head", "action": "classify"},
    ),
    # Out of sight is not found, exactly like a case that does not exist (issue 16).
    "out-of-an-agency-officers-sight": Refusal(
        submit, A.CLASSIFY, "tono", NotFoundError, {"entity": "kasus/case"},
    ),
    "apip-before-approval-out-of-its-sight": Refusal(
        apip_pending_case, A.RECORD_RESULT, "irfan", NotFoundError, {"entity": "kasus/case"},
    ),
    "apip-without-approval": Refusal(
        apip_pending_case, A.RECORD_RESULT, "budi", RuleViolationError,
        {"rule": "apip_requires_approval"},
    ),
    "close-before-answer-and-report": Refusal(
        resolved_case, A.CLOSE, "sari", RuleViolationError,
        {"rule": "close_requires_answer_and_report"},
    ),
    "agency-head-approves-internal-apip": Refusal(
        apip_pending_case, A.APPROVE_APIP, "rina", NotFoundError, {"entity": "kasus/case"},
    ),
    "head-of-office-approves-agency-apip": Refusal(
        agency_apip_pending_case, A.APPROVE_APIP, "dewi", RuleViolationError,
        {"rule": "apip_approval_authority"},
    ),
    "escalate-by-a-lower-tier": Refusal(
        held_by_kabid, A.ESCALATE, "budi", RuleViolationError, {"rule": "tier_holder_only"}
    ),
    "unknown-agency": Refusal(
        reviewed_case, A.ROUTE_AGENCY, "budi", InputError, {"field": "agency"},
        {"agency": "dinas-rahasia"},
    ),
    "unknown-user": Refusal(submit, A.CLASSIFY, "hantu", InputError, {"field": "user"}),
}  # fmt: skip


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_action_raises_a_clear_error_and_writes_nothing(
    deps: Deps, refusal: Refusal
) -> None:
    case = refusal.stage(deps)
    before = row_counts(deps), service.get_case(deps, case.tracking_code, "budi")

    with pytest.raises(refusal.error) as caught:
        act(deps, case, refusal.action, refusal.user, **(refusal.payload or {}))

    assert {name: getattr(caught.value, name) for name in refusal.facts} == refusal.facts
    assert (row_counts(deps), service.get_case(deps, case.tracking_code, "budi")) == before


def test_escalating_above_the_head_of_office_names_the_top_of_chain(deps: Deps) -> None:
    case = internal_case(deps)
    for user in ("budi", "sari", "agus"):
        act(deps, case, A.ESCALATE, user)
    before = row_counts(deps)

    with pytest.raises(RuleViolationError) as caught:
        act(deps, case, A.ESCALATE, "agus")

    assert caught.value.rule == "top_of_chain"
    assert "Kepala DPMPTSP" in str(caught.value)
    assert row_counts(deps) == before


def test_stale_expected_version_is_a_conflict_and_writes_nothing(deps: Deps) -> None:
    case = submit(deps)
    act(deps, case, A.CLASSIFY, "budi", expected_version=case.version)
    before = row_counts(deps)

    with pytest.raises(ConflictError) as caught:
        act(deps, case, A.RESPOND, "budi", expected_version=case.version)

    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    assert row_counts(deps) == before


# --- the audit trail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_events SET note = 'dihapus'",
        "DELETE FROM case_events",
        "UPDATE written_reports SET text = 'diubah'",
        "DELETE FROM written_reports",
    ],
)
def test_audit_trail_is_append_only_in_the_database(deps: Deps, statement: str) -> None:
    case = act(deps, internal_case(deps), A.ESCALATE, "budi")
    before = row_counts(deps), service.get_case(deps, case.tracking_code, "budi")

    with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine_of(deps).begin() as conn:
        conn.execute(text(statement))

    assert (row_counts(deps), service.get_case(deps, case.tracking_code, "budi")) == before


@pytest.mark.parametrize("table", ["case_events", "written_reports"])
def test_audit_tables_cannot_be_truncated_on_postgresql(pg_deps: Deps, table: str) -> None:
    act(pg_deps, internal_case(pg_deps), A.ESCALATE, "budi")
    before = row_counts(pg_deps)

    with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine_of(pg_deps).begin() as conn:
        conn.execute(text(f"TRUNCATE {table} CASCADE"))

    assert row_counts(pg_deps) == before


# --- privacy ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["tono", "rina", "irfan"])
def test_complainant_identity_is_masked_outside_the_office(deps: Deps, viewer: str) -> None:
    # Each viewer looks at a case in their sight (DESIGN §6): the agency's staff at one routed
    # to their agency, APIP at one whose referral the Head approved.
    if viewer == "irfan":
        case = act(deps, apip_pending_case(deps), Action.APPROVE_APIP, "dewi")
    else:
        case = agency_case(deps)

    seen = service.get_case(deps, case.tracking_code, viewer)

    assert seen.complainant.masked
    assert (seen.complainant.name, seen.complainant.email, seen.complainant.phone) == (
        "(dirahasiakan)", None, None,
    )  # fmt: skip
    for secret in ("Siti", "siti.aminah", "81234567890"):
        assert secret not in seen.model_dump_json()


# DESIGN §6: the complaints manager and the Head; the recording officer is in test_identity.py
# (budi did not record this public submission, so he sees it masked).
@pytest.mark.parametrize("viewer", ["sari", "dewi"])
def test_the_office_sees_the_complainant(deps: Deps, viewer: str) -> None:
    case = agency_case(deps)

    seen = service.get_case(deps, str(case.id), viewer)

    assert not seen.complainant.masked
    assert (seen.complainant.name, seen.complainant.email, seen.complainant.phone) == (
        "Siti Aminah", "siti.aminah@contoh.id", "+6281234567890",
    )  # fmt: skip


def test_public_tracking_shows_progress_but_no_identity(deps: Deps) -> None:
    case = agency_case(deps)

    tracked = service.track_case(deps, case.tracking_code)

    assert tracked.status == "agency_handling"
    assert [label for _, label in tracked.history][-1] == tracked.status_label
    assert tracked.answer is None
    for secret in ("Siti", "siti.aminah", "81234567890", "budi", "tono"):
        assert secret not in tracked.model_dump_json()


def test_complainant_withdraws_by_tracking_code_typed_loosely(deps: Deps) -> None:
    case = submit(deps)
    typed = case.tracking_code.replace("-", "").lower()

    withdrawn = service.act_as_complainant(
        deps, typed, A.WITHDRAW, {"reason": "Sudah terbit"}, case.pin
    )

    assert (withdrawn.tracking_code, withdrawn.status) == (case.tracking_code, "withdrawn")
    assert withdrawn.closed_at == deps.clock.now()
    seen = service.get_case(deps, case.tracking_code, "budi")
    assert seen.timeline[-1].actor == "complainant"
    assert seen.timeline[-1].data == {"reason": "Sudah terbit"}


def test_complainant_may_not_take_staff_actions(deps: Deps) -> None:
    case = submit(deps)
    before = row_counts(deps)

    with pytest.raises(InputError) as caught:
        service.act_as_complainant(deps, case.tracking_code, A.CLASSIFY, {}, case.pin)

    assert caught.value.field == "action"
    assert row_counts(deps) == before


def test_a_taken_tracking_code_is_drawn_again(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    first = submit(deps)
    codes = iter([first.tracking_code, first.tracking_code, "ADN-22222-33333"])
    monkeypatch.setattr("aduan.workflow.intake.new_tracking_code", lambda: next(codes))
    second = submit(deps)
    assert second.tracking_code == "ADN-22222-33333"
    assert [c.tracking_code for c in service.list_cases(deps, CaseQuery())] == [
        first.tracking_code,
        "ADN-22222-33333",
    ]


def test_a_case_number_in_other_scripts_is_not_found_rather_than_a_crash(deps: Deps) -> None:
    submit(deps)
    with pytest.raises(NotFoundError):
        service.get_case(deps, "²", "budi")
