"""Suggestions are work, not a dead end (seed §6 items 3, 5b, 5c; issue 12 item 2).

On the service layer, on SQLite and PostgreSQL: the complaint staff take a suggestion up,
classify it by service and standard component and forward it to the yearly evaluation; a
supervisor makes one screened by mistake a complaint, with a written reason, whose answer
deadline runs from the office's receipt. The suggestion queue filters by screening reason and
service, and shows only what the reader may see.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aduan import service
from aduan.reports import period
from aduan.reports.evaluation import evaluation_csv
from aduan.schemas.commands import ActionCommand
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.service.concerns import name_concerned
from aduan.service.evaluation import build_evaluation
from aduan.workflow.errors import (
    AccessDeniedError,
    InputError,
    PermissionDeniedError,
    RuleViolationError,
)
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action, ScreeningReason
from tests.integration import builders as b

OTHER_SERVICE = "71204"  # Jasa Inspeksi Teknik Instalasi, a second service of the catalog
REASON = "Identitas pelapor ada pada lampiran surat, terlewat saat dicatat"


def no_identity(deps: Deps, **changes: object) -> CaseDetail:
    """A suggestion: the officer recorded it without the complainant's name or contact."""
    fields: dict[str, object] = {"complainant": {"name": None}, **changes}
    return service.submit_complaint(deps, b.submission(deps, **fields), "budi")


def late(deps: Deps, **changes: object) -> CaseDetail:
    """A suggestion: made more than 30 days after the service (item 3)."""
    return b.submit(deps, service_received_on=b.today(deps) - timedelta(days=45), **changes)


def codes(items: list[object]) -> list[str]:
    return [item.case.tracking_code for item in items]  # type: ignore[attr-defined]


def test_a_suggestion_is_taken_up_classified_and_forwarded_to_the_evaluation(deps: Deps) -> None:
    case = no_identity(deps)
    assert (case.kind, case.status, case.screening_reason) == (
        "suggestion",
        "suggestion",
        "no_identity",
    )
    assert codes(service.suggestion_queue(deps, "budi")) == [case.tracking_code]

    taken = b.act(deps, case, Action.ACKNOWLEDGE_SUGGESTION, "budi")
    assert (taken.status, taken.assignee) == ("suggestion_acknowledged", "budi")
    assert set(taken.allowed_actions) == {"classify", "forward_suggestion"}

    # Unclassified, it cannot go to the evaluation: nothing is written.
    with pytest.raises(RuleViolationError) as refused:
        b.act(deps, case, Action.FORWARD_SUGGESTION, "budi")
    assert refused.value.rule == "forward_requires_classification"
    assert service.get_case(deps, case.tracking_code, "budi").version == taken.version

    classified = b.act(
        deps, case, Action.CLASSIFY, "budi", service_code="15121", problem_types=["facilities"]
    )
    assert (classified.status, classified.kind) == ("suggestion_acknowledged", "suggestion")
    assert (classified.service_code, classified.problem_types) == ("15121", ["facilities"])

    forwarded = b.act(deps, case, Action.FORWARD_SUGGESTION, "budi")
    assert (forwarded.status, forwarded.assignee, forwarded.allowed_actions) == (
        "suggestion_forwarded",
        None,
        [],
    )
    assert forwarded.deadlines == [] and forwarded.response_due_at is None
    assert [e.action for e in forwarded.timeline] == [
        "submit",
        "acknowledge_suggestion",
        "classify",
        "forward_suggestion",
    ]
    assert service.suggestion_queue(deps, "budi") == []


def test_the_yearly_evaluation_counts_a_forwarded_suggestion_where_it_belongs(
    deps: Deps,
) -> None:
    case = no_identity(deps, subject="Ruang tunggu panas")
    b.act(deps, case, Action.CLASSIFY, "sari", service_code="15121", problem_types=["facilities"])
    b.act(deps, case, Action.FORWARD_SUGGESTION, "sari")
    waiting = late(deps, subject="Formulir sulit dipahami")  # not classified, not forwarded

    evaluation = build_evaluation(deps, period.year(2026), "dewi")
    table = evaluation_csv(evaluation)

    rows = {(r.service, r.component): r for r in evaluation.rows}
    counted = rows[("15121", "facilities")]
    assert (counted.complaints, counted.suggestions, counted.forwarded) == (0, 1, 1)
    assert "15121,facilities,0,1,0,0,1" in table.splitlines()
    listed = {s["tracking_code"]: s for s in evaluation.suggestions}
    assert listed[case.tracking_code]["problem_types"] == ["facilities"]
    assert listed[case.tracking_code]["status"] == "suggestion_forwarded"
    assert listed[waiting.tracking_code]["status"] == "suggestion"
    assert f"{case.tracking_code}," in table and ",facilities,yes" in table


def test_a_supervisor_converts_a_screening_mistake_into_a_registered_complaint(
    deps: Deps,
) -> None:
    # Received on Wednesday 18 February 2026, 09:00 WIB; the fixed clock is 2 March 2026.
    received = datetime(2026, 2, 18, 9, 0, tzinfo=WIB)
    case = no_identity(deps, received_at=received, service_received_on=date(2026, 2, 10))
    b.act(deps, case, Action.ACKNOWLEDGE_SUGGESTION, "budi")

    converted = b.act(deps, case, Action.CONVERT_SUGGESTION, "sari", reason=REASON)

    assert (converted.kind, converted.status) == ("complaint", "recorded")
    assert converted.screening_reason == "no_identity"  # why it had been a suggestion
    # Item 4: 14 working days from the receipt, not from the conversion: after 18 February,
    # Mon 16 and Tue 17 February (Imlek) already behind, the 14th working day is 10 March.
    assert converted.response_due_at == datetime(2026, 3, 10, 16, 59, 59, tzinfo=UTC)
    assert "classify" in converted.allowed_actions
    last = converted.timeline[-1]
    assert (last.action, last.actor, last.from_status, last.to_status) == (
        "convert_suggestion",
        "sari",
        "suggestion_acknowledged",
        "recorded",
    )
    assert last.data["reason"] == REASON
    assert service.suggestion_queue(deps, "sari") == []
    # An ordinary registered complaint now: the officer classifies it as any other.
    classified = b.act(deps, case, Action.CLASSIFY, "budi")
    assert classified.status == "classified"


def test_a_converted_complainant_is_acknowledged_as_a_complainant(deps: Deps) -> None:
    case = late(deps)  # a name and an email: the complainant can be written to
    converted = b.act(deps, case, Action.CONVERT_SUGGESTION, "dewi", reason=REASON)
    assert converted.kind == "complaint"
    to_complainant = [(d.event, d.channel) for d in converted.deliveries if d.channel != "in_app"]
    assert to_complainant == [("suggestion_recorded", "email"), ("acknowledged", "email")]


@pytest.mark.parametrize(
    ("user", "payload", "error", "rule"),
    [
        ("budi", {"reason": REASON}, PermissionDeniedError, None),
        ("sari", {"reason": ""}, InputError, "string_too_short"),
        ("sari", {"reason": "   "}, InputError, "string_too_short"),
        ("sari", {}, InputError, "missing"),
    ],
    ids=["officer", "empty-reason", "blank-reason", "no-reason"],
)
def test_a_conversion_needs_a_supervisor_and_a_reason(
    deps: Deps, user: str, payload: dict[str, str], error: type[Exception], rule: str | None
) -> None:
    case = no_identity(deps)
    before = b.row_counts(deps)
    with pytest.raises(error) as refused:
        service.perform_action(
            deps,
            ActionCommand(
                case_ref=case.tracking_code,
                action=Action.CONVERT_SUGGESTION,
                payload=payload,
                expected_version=case.version,
            ),
            user,
        )
    if rule is not None:
        assert isinstance(refused.value, InputError)
        assert (refused.value.field, refused.value.rule) == ("reason", rule)
    else:
        assert isinstance(refused.value, PermissionDeniedError)
        assert (refused.value.role, refused.value.action) == ("officer", "convert_suggestion")
    after = service.get_case(deps, case.tracking_code, "sari")
    assert (after.kind, after.status, after.version) == ("suggestion", "suggestion", 1)
    assert b.row_counts(deps) == before


def test_a_late_suggestion_taken_up_stays_acceptable_by_a_supervisor(deps: Deps) -> None:
    case = late(deps)
    b.act(deps, case, Action.ACKNOWLEDGE_SUGGESTION, "budi")
    desk = service.supervisor_queue(deps, "sari")
    assert codes(desk.late_requests) == [case.tracking_code]
    accepted = b.act(deps, case, Action.ACCEPT_LATE, "sari")
    assert (accepted.kind, accepted.status) == ("complaint", "recorded")
    assert accepted.late_acceptance_reason == b.PAYLOADS[Action.ACCEPT_LATE]["reason"]


def test_the_queue_filters_by_screening_reason_and_service(deps: Deps) -> None:
    late_a = late(deps, service_code="15121")
    late_b = late(deps, service_code=OTHER_SERVICE)
    anonymous_a = no_identity(deps, service_code="15121")
    classified_b = no_identity(deps, service_code="15121")
    b.act(deps, classified_b, Action.CLASSIFY, "budi", service_code=OTHER_SERVICE)
    forwarded = no_identity(deps)
    b.act(deps, forwarded, Action.CLASSIFY, "budi")
    b.act(deps, forwarded, Action.FORWARD_SUGGESTION, "budi")
    converted = no_identity(deps)
    b.act(deps, converted, Action.CONVERT_SUGGESTION, "sari")
    b.submit(deps)  # a complaint: never in the suggestion queue

    # Oldest first: the order they were received.
    assert codes(service.suggestion_queue(deps, "budi")) == [
        late_a.tracking_code,
        late_b.tracking_code,
        anonymous_a.tracking_code,
        classified_b.tracking_code,
    ]
    assert codes(service.suggestion_queue(deps, "budi", ScreeningReason.LATE)) == [
        late_a.tracking_code,
        late_b.tracking_code,
    ]
    assert codes(service.suggestion_queue(deps, "sari", service_code=OTHER_SERVICE)) == [
        late_b.tracking_code,
        classified_b.tracking_code,
    ]
    assert codes(service.suggestion_queue(deps, "dewi", ScreeningReason.NO_IDENTITY, "15121")) == [
        anonymous_a.tracking_code
    ]
    assert service.suggestion_queue(deps, "budi", ScreeningReason.NO_SUBJECT) == []


def test_an_unknown_service_in_the_filter_is_named(deps: Deps) -> None:
    with pytest.raises(InputError) as bad:
        service.suggestion_queue(deps, "budi", service_code="99999")
    assert (bad.value.field, bad.value.rule) == ("service_code", "known_service")


@pytest.mark.parametrize("user", ["tono", "rina", "irfan", "admin"])
def test_only_the_office_sees_the_suggestion_queue(deps: Deps, user: str) -> None:
    no_identity(deps)
    with pytest.raises(AccessDeniedError) as denied:
        service.suggestion_queue(deps, user)
    assert denied.value.rule == "suggestion_staff"


def test_the_queue_leaves_out_what_the_reader_may_not_see(deps: Deps) -> None:
    about_budi = late(deps, subject="Petugas loket tidak ramah")
    name_concerned(deps, about_budi.tracking_code, "sari", ["budi"], "Menyangkut petugas loket")
    sealed = late(deps, subject="Dugaan pungutan di loket")
    name_concerned(deps, sealed.tracking_code, "sari", ["agus"], "Menyangkut atasan", seal=True)
    plain = late(deps)

    assert codes(service.suggestion_queue(deps, "budi")) == [plain.tracking_code]
    assert codes(service.suggestion_queue(deps, "sari")) == [
        about_budi.tracking_code,
        plain.tracking_code,
    ]
    assert codes(service.suggestion_queue(deps, "dewi")) == [
        about_budi.tracking_code,
        sealed.tracking_code,
        plain.tracking_code,
    ]
