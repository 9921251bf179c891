"""The copies on ``case_units`` (migrations 0020 and 0036) follow their case on every write.

A unit's deadline queue is read from ``case_units.due_at`` in index order (issue 16), so each row
must hold its case's soonest open deadline after every kind of write: routing, answering (the
answer deadline stops, the stage's target takes over), escalation (a new stage target), the
approval of APIP (a second unit), the result and closing (no deadline at all). The expected value
is worked out here by hand from the case's own columns, on SQLite and PostgreSQL.

An agency's list page is read from its rows of ``case_units`` alone (migration 0036: the listed
columns and ``sealed`` are copied there), so after every action the agency officer's list and
deadline queue must show the case exactly as the office's do: status, holder, version, deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from aduan import service
from aduan.ports import CaseQuery, FixedClock
from aduan.schemas.views import CaseSummary
from aduan.service import Deps
from aduan.service.concerns import name_concerned
from aduan.workflow.states import Action as A
from aduan.workflow.visibility import Reach, Sight
from tests.integration.builders import act, agency_case, engine_of

OPEN = {
    "recorded", "classified", "reviewed", "internal_handling", "agency_handling",
    "apip_pending", "apip_handling", "resolved",
}  # fmt: skip


def soonest(case: dict[str, Any]) -> datetime | None:
    """An open case's answer deadline until answered, or its stage's target if sooner."""
    if case["status"] not in OPEN:
        return None
    answer = case["response_due_at"] if case["answered_at"] is None else None
    due = [d for d in (answer, case["stage_due_at"]) if d is not None]
    return min(due, default=None)


def copies(deps: Deps, ref: str) -> tuple[dict[str, Any], dict[str, datetime | None]]:
    """The case's deadline columns and each of its units' copy of the deadline."""
    with engine_of(deps).connect() as conn:
        case = dict(
            conn.execute(
                text(
                    "SELECT id, status, response_due_at, answered_at, stage_due_at FROM cases "
                    "WHERE tracking_code = :ref"
                ),
                {"ref": ref},
            )
            .mappings()
            .one()
        )
        rows = conn.execute(
            text("SELECT unit, due_at FROM case_units WHERE case_id = :id"), {"id": case["id"]}
        )
        units = {row.unit: row.due_at for row in rows}
    if engine_of(deps).dialect.name == "sqlite":  # raw text: the adapter's type reads it as UTC
        case = {k: _utc(v) if k.endswith("_at") else v for k, v in case.items()}
        units = {unit: _utc(due) for unit, due in units.items()}
    return case, units


def _utc(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(f"{value}+00:00")


def queue_of(deps: Deps, unit: str) -> list[int]:
    """The unit's deadline queue, as its staff's lists read it (ids)."""
    query = CaseQuery(
        open_only=True,
        due_before=deps.clock.now() + timedelta(days=400),
        sight=Sight(Reach.UNIT, unit),
    )
    with deps.uow(readonly=True) as uow:
        return [row["id"] for row in uow.cases.summary_fields(query)]


def test_every_write_of_a_case_keeps_its_units_copy_of_the_deadline(
    deps: Deps, clock: FixedClock
) -> None:
    case = agency_case(deps)
    ref = case.tracking_code
    seen: list[tuple[str, dict[str, datetime | None]]] = []

    def check(step: str) -> None:
        row, units = copies(deps, ref)
        assert units, step
        assert units == dict.fromkeys(units, soonest(row)), step
        for unit in units:  # in the unit's queue exactly while the case has a deadline
            assert (row["id"] in queue_of(deps, unit)) is (soonest(row) is not None), step
        seen.append((step, units))

    check("route_agency")
    clock.current += timedelta(hours=3)
    act(deps, ref, A.RESPOND, "budi")
    check("respond")
    clock.current += timedelta(days=1)
    act(deps, ref, A.ESCALATE, "tono")
    check("escalate")
    act(deps, ref, A.REQUEST_APIP, "yuni", reason="Dugaan pungutan liar")
    check("request_apip")
    act(deps, ref, A.APPROVE_APIP, "rina")
    check("approve_apip")
    act(deps, ref, A.RECORD_RESULT, "irfan", outcome="not_substantiated")
    check("record_result")
    act(deps, ref, A.INFORM_COMPLAINANT, "budi")
    act(deps, ref, A.REPORT_TO_SUPERIOR, "budi")
    check("report_to_superior")
    act(deps, ref, A.CLOSE, "dewi")
    check("close")

    steps = dict(seen)
    assert set(steps["approve_apip"]) == {"dispertan", "inspektorat"}
    # The copy moved with the case: the answer deadline first, then the stage targets.
    first = steps["route_agency"]["dispertan"]
    assert first is not None and first != steps["escalate"]["dispertan"]
    assert steps["close"] == {"dispertan": None, "inspektorat": None}


def listed(deps: Deps, username: str, *, queue: bool = False) -> dict[str, CaseSummary]:
    """``username``'s case list (newest first) or deadline queue, by tracking code."""
    query = CaseQuery(newest_first=True, limit=50)
    if queue:
        query = CaseQuery(open_only=True, due_before=deps.clock.now() + timedelta(days=400))
    return {row.tracking_code: row for row in service.list_cases(deps, query, username)}


def test_an_agency_list_shows_the_case_as_the_office_list_does_after_every_action(
    deps: Deps, clock: FixedClock
) -> None:
    case = agency_case(deps)
    ref = case.tracking_code
    shown: list[CaseSummary] = []

    def check(step: str) -> None:
        office, agency = listed(deps, "budi")[ref], listed(deps, "tono")[ref]
        assert agency == office, step
        queued = listed(deps, "tono", queue=True)
        assert queued.get(ref) == (office if office.due_at is not None else None), step
        shown.append(agency)

    check("route_agency")
    clock.current += timedelta(hours=2)
    act(deps, ref, A.RECORD_STEP, "tono")
    check("record_step")
    clock.current += timedelta(hours=1)
    act(deps, ref, A.RESPOND, "budi")
    check("respond")
    clock.current += timedelta(days=1)
    act(deps, ref, A.ESCALATE, "tono")
    check("escalate")
    act(deps, ref, A.RECORD_RESULT, "yuni", outcome="substantiated")
    check("record_result")
    # What the list shows moved with the case (the copies were not frozen at routing).
    assert len({row.version for row in shown}) == len(shown)
    assert len({row.status for row in shown}) > 1
    assert len({row.due_at for row in shown}) > 1

    # Sealed to the Head of Office and APIP: off the agency's list and queue at once.
    name_concerned(deps, ref, "dewi", [], "Menyangkut pejabat kantor sendiri", seal=True)
    assert ref not in listed(deps, "tono")
    assert ref not in listed(deps, "tono", queue=True)
    assert ref in listed(deps, "dewi")
