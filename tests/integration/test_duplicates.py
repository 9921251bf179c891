"""Duplicates and merging (issue 14 item 4), on SQLite and PostgreSQL.

The officer sees the likely duplicates of a case (same contact, licence number, similar text;
recent; in their sight) at intake and on the case page, merges a duplicate into its main case
with a reason, and its complainant is told — and receives the main case's result when it
closes. What is refused changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aduan import service
from aduan.ports import FixedClock
from aduan.reports import period
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.service.reports import compute_statistics
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import Action
from tests.integration.builders import act, engine_of, reviewed_case, submission, today
from tests.reports.test_rollup_fold import fold_everything

OTHER = {"name": "Joko Widodo", "email": "joko@contoh.id", "phone": "0813-1111-2222"}
REASON = "Pokok dan pelapornya sama dengan pengaduan utama"


def staff_intake(
    deps: Deps, user: str = "budi", concerned: tuple[str, ...] = (), **changes: Any
) -> CaseDetail:
    """A complaint recorded by office staff (the staff intake opens the case page)."""
    command = submission(deps, **changes)
    reason = "Petugas loket" if concerned else ""
    return service.submit_complaint(
        deps, command, user, concerned=concerned, concerned_reason=reason
    )


def merge(deps: Deps, case: CaseDetail | str, main: str, user: str = "budi") -> CaseDetail:
    return act(deps, case, Action.MARK_DUPLICATE, user, main_code=main, reason=REASON)


def notices_to(deps: Deps, address: str) -> list[tuple[str, dict[str, Any], int | None]]:
    with deps.uow(readonly=True) as uow:
        return [
            (m.event, m.payload["context"], m.case_id) for m in uow.outbox.for_recipient(address)
        ]


def test_the_likely_duplicates_are_shown_at_intake_with_their_reasons(deps: Deps) -> None:
    main = reviewed_case(deps)  # Siti's complaint, licence SS-2026-000123
    other_licence = staff_intake(
        deps, complainant=OTHER, licence_number="SS-2026-999999", subject="Loket tutup siang"
    )

    # The same complainant again, at the staff intake: the page it opens shows the first.
    again = staff_intake(deps)

    likely = {d.tracking_code: d.reasons for d in again.likely_duplicates}
    assert main.tracking_code in likely
    assert {"same_contact", "same_licence", "similar_text"} <= set(likely[main.tracking_code])
    assert other_licence.tracking_code not in likely  # the same service alone is no reason
    # The case page shows the same, to those who may merge it; an agency officer sees none.
    page = service.get_case(deps, again.tracking_code, "sari")
    assert [d.tracking_code for d in page.likely_duplicates] == list(likely)
    assert page.likely_duplicates[0].reasons[0] in ("same_contact", "same_licence")


def test_a_likely_duplicate_is_recent_and_in_sight(deps: Deps, clock: FixedClock) -> None:
    old = staff_intake(deps)
    clock.current += timedelta(days=61)
    hidden = staff_intake(deps, "sari", ("budi",))

    fresh = staff_intake(deps)

    shown = [d.tracking_code for d in fresh.likely_duplicates]
    assert old.tracking_code not in shown  # more than 60 days ago
    assert hidden.tracking_code not in shown  # names budi: out of his sight
    by_sari = service.get_case(deps, fresh.tracking_code, "sari").likely_duplicates
    assert hidden.tracking_code in [d.tracking_code for d in by_sari]


def test_a_duplicate_is_merged_and_its_complainant_told(deps: Deps) -> None:
    main = reviewed_case(deps)
    duplicate = staff_intake(deps, complainant=OTHER)

    merged = merge(deps, duplicate, main.tracking_code.lower().replace("-", ""))

    assert merged.status == "merged"
    assert merged.merged_into == main.tracking_code
    assert merged.deadlines == [] and merged.allowed_actions == ["undo_merge"]
    with engine_of(deps).connect() as conn:
        alarms = conn.exec_driver_sql(
            "SELECT count(*) FROM alarms WHERE case_id = ?"
            if conn.dialect.name == "sqlite"
            else "SELECT count(*) FROM alarms WHERE case_id = %s",
            (merged.id,),
        ).scalar_one()
    assert alarms == 0  # its deadlines stopped
    last = merged.timeline[-1]
    assert (last.action, last.data["reason"]) == ("mark_duplicate", REASON)
    seen = service.get_case(deps, main.tracking_code, "budi")
    assert [d.tracking_code for d in seen.duplicates] == [duplicate.tracking_code]
    assert seen.complainants == 2
    # Another complainant's case: told it joined another complaint, never its code.
    told = [n for n in notices_to(deps, OTHER["email"]) if n[0] == "merged"]
    assert len(told) == 1
    assert told[0][1]["main_code"] is None and told[0][2] == duplicate.id
    assert main.tracking_code not in str(told[0][1])
    assert told[0][1]["response_due_at"] == seen.response_due_at.isoformat()  # type: ignore[union-attr]
    tracked = service.track_case(deps, duplicate.tracking_code)
    assert (tracked.status, tracked.response_due_at) == ("merged", None)


def test_the_same_complainant_hears_the_main_cases_code(deps: Deps) -> None:
    main = reviewed_case(deps)
    duplicate = staff_intake(deps)

    merge(deps, duplicate, main.tracking_code)

    told = [n for n in notices_to(deps, "siti.aminah@contoh.id") if n[0] == "merged"]
    assert [n[1]["main_code"] for n in told] == [main.tracking_code]


def _closed_main(deps: Deps) -> CaseDetail:
    main = reviewed_case(deps)
    act(deps, main, Action.ROUTE_INTERNAL, "budi")
    act(deps, main, Action.RECORD_RESULT, "sari")
    act(deps, main, Action.INFORM_COMPLAINANT, "budi")
    act(deps, main, Action.REPORT_TO_SUPERIOR, "budi")
    return act(deps, main, Action.CLOSE, "agus")


@pytest.mark.parametrize(
    ("main_of", "rule"),
    [
        pytest.param(lambda deps, dup: dup.tracking_code, "not_itself", id="itself"),
        pytest.param(lambda deps, dup: _closed_main(deps).tracking_code, "main_open", id="closed"),
        pytest.param(lambda deps, dup: "ADN-XXXXX-XXXXX", "case_found", id="missing"),
        pytest.param(lambda deps, dup: "1", "case_found", id="numeric-id"),
        pytest.param(
            lambda deps, dup: staff_intake(deps, complainant={"name": None}).tracking_code,
            "main_is_complaint",
            id="suggestion",
        ),
    ],
)
def test_a_wrong_main_case_is_refused_and_nothing_changes(
    deps: Deps, main_of: Any, rule: str
) -> None:
    duplicate = staff_intake(deps, complainant=OTHER)
    main = main_of(deps, duplicate)

    with pytest.raises(InputError) as refused:
        merge(deps, duplicate, main)

    assert (refused.value.field, refused.value.rule) == ("main_code", rule)
    after = service.get_case(deps, duplicate.tracking_code, "budi")
    assert (after.status, after.version) == ("recorded", duplicate.version)
    assert not [n for n in notices_to(deps, OTHER["email"]) if n[0] == "merged"]


def test_a_main_case_out_of_sight_is_refused_as_a_missing_one(deps: Deps) -> None:
    hidden = staff_intake(deps, "sari", ("budi",))
    duplicate = staff_intake(deps, complainant=OTHER)

    with pytest.raises(InputError) as out_of_sight:
        merge(deps, duplicate, hidden.tracking_code)
    with pytest.raises(InputError) as missing:
        merge(deps, duplicate, "ADN-XXXXX-XXXXX")

    assert out_of_sight.value.rule == missing.value.rule == "case_found"
    assert out_of_sight.value.msgid == missing.value.msgid
    with pytest.raises(NotFoundError):
        service.get_case(deps, hidden.tracking_code, "budi")


def test_a_duplicate_cannot_be_a_main_case_and_the_message_names_its_main(deps: Deps) -> None:
    main = reviewed_case(deps)
    first = staff_intake(deps, complainant=OTHER)
    merge(deps, first, main.tracking_code)
    second = staff_intake(deps, complainant=OTHER)

    with pytest.raises(InputError) as refused:
        merge(deps, second, first.tracking_code)

    assert refused.value.rule == "main_not_duplicate"
    assert main.tracking_code in refused.value.text("id")


def test_the_complainant_of_a_duplicate_receives_the_main_cases_result(deps: Deps) -> None:
    main = reviewed_case(deps)
    duplicate = staff_intake(deps, complainant=OTHER)
    merge(deps, duplicate, main.tracking_code)

    act(deps, main, Action.ROUTE_INTERNAL, "budi")
    act(deps, main, Action.RECORD_RESULT, "sari", summary="Sertifikat diterbitkan")
    act(deps, main, Action.INFORM_COMPLAINANT, "budi", text="Yth. Ibu Siti Aminah, sertifikat")
    act(deps, main, Action.REPORT_TO_SUPERIOR, "budi")
    assert not [n for n in notices_to(deps, OTHER["email"]) if n[0] == "merged_result"]
    act(deps, main, Action.CLOSE, "agus")

    results = [n for n in notices_to(deps, OTHER["email"]) if n[0] == "merged_result"]
    assert len(results) == 1
    _, context, case_id = results[0]
    assert case_id == duplicate.id  # on the duplicate's own record
    assert context["tracking_code"] == duplicate.tracking_code
    assert (context["outcome"], context["summary"]) == ("substantiated", "Sertifikat diterbitkan")
    assert "Siti" not in str(context) and main.tracking_code not in str(context)
    page = service.get_case(deps, duplicate.tracking_code, "budi")
    assert "merged_result" in [d.event for d in page.deliveries]


def test_the_statistics_count_a_merged_complaint_once_with_its_complainants(
    deps: Deps,
) -> None:
    main = reviewed_case(deps)
    for _ in range(2):
        merge(deps, staff_intake(deps, complainant=OTHER), main.tracking_code)
    staff_intake(deps, complainant=OTHER, subject="Loket tutup siang")  # another complaint
    month = period.month(today(deps).strftime("%Y-%m"))

    for rollup in (False, True):
        stats = compute_statistics(deps, month, "dewi", rollup=rollup)
        assert (stats.total, stats.complaints, stats.complainants) == (2, 2, 4)
        assert "merged" not in stats.by_status
        assert stats.compliance.falling_due in (0, 2)  # never the merged ones
    fold_everything(deps)
    folded = compute_statistics(deps, month, "dewi")
    assert (folded.total, folded.complaints, folded.complainants) == (2, 2, 4)
