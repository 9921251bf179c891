"""Conflict of interest (issue 16 item 3): the staff a case concerns, on every store."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from aduan import service
from aduan.ports import CaseQuery, FixedClock, UnitOfWorkFactory
from aduan.reports import period
from aduan.service import Deps
from aduan.service.concerns import name_concerned
from aduan.service.queues import supervisor_queue, work_queue
from aduan.service.reports import export_cases
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.states import Action as A
from aduan.workflow.states import Channel
from tests.conftest import wired
from tests.integration.builders import (
    act,
    agency_case,
    engine_of,
    internal_case,
    reviewed_case,
    submission,
)

REASON = "Pelapor menyebut petugas loket meminta imbalan"


@pytest.fixture
def deps(uow_factory: UnitOfWorkFactory, clock: object) -> Deps:
    """The service layer on memory, SQLite and PostgreSQL."""
    return Deps(uow=uow_factory, clock=clock)  # type: ignore[arg-type]


def seen_by(deps: Deps, ref: str, username: str) -> bool:
    """Whether ``username`` finds the case on the case page, the list and the queue."""
    try:
        service.get_case(deps, ref, username)
        page = True
    except NotFoundError:
        page = False
    listed = {c.tracking_code for c in service.list_cases(deps, CaseQuery(), username)}
    queued = {i.case.tracking_code for i in work_queue(deps, username)}
    assert (ref in listed) is page, "the list agrees with the case page"
    assert ref not in queued or page, "nothing out of sight is queued"
    return page


def inbox_of(deps: Deps, who: str) -> list[str]:
    with deps.uow(readonly=True) as uow:
        return [m.event for m in uow.outbox.for_recipient(who)]


def test_naming_the_holder_moves_the_case_up_and_hides_it_from_them(deps: Deps) -> None:
    case = internal_case(deps)  # held by budi at tier 0
    assert seen_by(deps, case.tracking_code, "budi")

    view = name_concerned(deps, case.tracking_code, "sari", ["budi"], REASON)

    assert (view.concerned, view.added, view.assignee) == (["budi"], ["budi"], "sari")
    detail = service.get_case(deps, case.tracking_code, "sari")
    assert detail.assignee == "sari"
    assert [level["holder"] for level in detail.chain] == ["sari", "agus", "dewi"]
    assert detail.version == case.version + 1
    entry = detail.timeline[-1]
    assert (entry.action, entry.actor, entry.note) == ("name_concerned", "sari", REASON)
    assert entry.data["concerned"] == ["budi"]
    assert not seen_by(deps, case.tracking_code, "budi")
    assert seen_by(deps, case.tracking_code, "agus")
    # acting on it answers as a missing case
    with pytest.raises(NotFoundError):
        act(deps, case, A.RECORD_RESULT, "budi")
    # and sari escalates straight past nobody to agus; budi never comes back
    escalated = act(deps, case, A.ESCALATE, "sari")
    assert escalated.assignee == "agus"


def test_a_case_named_before_routing_is_routed_past_the_concerned(deps: Deps) -> None:
    case = reviewed_case(deps)
    name_concerned(deps, case.tracking_code, "budi", ["sari"], REASON)

    routed = act(deps, case, A.ROUTE_INTERNAL, "budi")

    assert [level["holder"] for level in routed.chain] == ["budi", "agus", "dewi"]
    assert routed.assignee == "budi"
    escalated = act(deps, case, A.ESCALATE, "budi")
    assert escalated.assignee == "agus"


def test_the_new_holder_hears_the_case_is_theirs(deps: Deps) -> None:
    case = internal_case(deps)
    before = inbox_of(deps, "sari")

    name_concerned(deps, case.tracking_code, "dewi", ["budi"], REASON)

    assert inbox_of(deps, "sari")[len(before) :] == ["assigned"]


def test_an_agency_head_named_loses_sight_the_agency_officer_keeps_it(deps: Deps) -> None:
    case = agency_case(deps)  # dispertan: tono, yuni, rina
    assert seen_by(deps, case.tracking_code, "rina")

    name_concerned(deps, case.tracking_code, "budi", ["rina"], REASON)

    assert not seen_by(deps, case.tracking_code, "rina")
    assert seen_by(deps, case.tracking_code, "tono")
    detail = service.get_case(deps, case.tracking_code, "tono")
    assert [level["holder"] for level in detail.chain] == ["tono", "yuni"]


def test_sealing_hides_the_case_from_officers_and_supervisors(deps: Deps) -> None:
    case = internal_case(deps)

    view = name_concerned(deps, case.tracking_code, "sari", ["agus"], REASON, seal=True)

    assert view.sealed
    assert not seen_by(deps, case.tracking_code, "budi")
    assert not seen_by(deps, case.tracking_code, "sari")
    assert not seen_by(deps, case.tracking_code, "agus")
    assert seen_by(deps, case.tracking_code, "dewi")
    assert not seen_by(deps, case.tracking_code, "irfan")  # not referred to APIP


def test_the_head_may_seal_without_naming_anyone(deps: Deps) -> None:
    case = internal_case(deps)
    with pytest.raises(InputError) as caught:
        name_concerned(deps, case.tracking_code, "sari", [], REASON, seal=True)
    assert (caught.value.field, caught.value.rule) == ("staff", "required")

    name_concerned(deps, case.tracking_code, "dewi", [], REASON, seal=True)

    assert not seen_by(deps, case.tracking_code, "sari")
    assert seen_by(deps, case.tracking_code, "dewi")


@pytest.mark.parametrize(
    ("staff", "reason", "field", "rule"),
    [
        (["pak-bambang"], REASON, "staff", "known_staff"),
        (["budi", "siapa"], REASON, "staff", "known_staff"),
        (["budi"], "", "reason", "required"),
        (["budi"], "   ", "reason", "required"),
        ([], REASON, "staff", "required"),
    ],
)
def test_bad_input_changes_nothing(
    deps: Deps, staff: list[str], reason: str, field: str, rule: str
) -> None:
    case = internal_case(deps)
    with pytest.raises(InputError) as caught:
        name_concerned(deps, case.tracking_code, "sari", staff, reason)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    after = service.get_case(deps, case.tracking_code, "budi")
    assert (after.version, after.assignee, len(after.timeline)) == (
        case.version,
        "budi",
        len(case.timeline),
    )
    with deps.uow(readonly=True) as uow:
        assert uow.cases.concerns(case.id) == frozenset()


def test_only_office_staff_name_the_concerned(deps: Deps) -> None:
    case = agency_case(deps)
    for who in ("tono", "rina", "irfan"):
        with pytest.raises((AccessDeniedError, NotFoundError)):
            name_concerned(deps, case.tracking_code, who, ["budi"], REASON)
    with deps.uow(readonly=True) as uow:
        assert uow.cases.concerns(case.id) == frozenset()


def test_no_level_above_a_concerned_head_is_refused(deps: Deps) -> None:
    case = internal_case(deps)
    act(deps, case, A.ESCALATE, "budi")
    act(deps, case, A.ESCALATE, "sari")
    held = act(deps, case, A.ESCALATE, "agus")
    assert held.assignee == "dewi"

    with pytest.raises(InputError) as caught:
        name_concerned(deps, case.tracking_code, "sari", ["dewi"], REASON)

    assert caught.value.rule == "level_above"
    assert service.get_case(deps, case.tracking_code, "dewi").version == held.version


@pytest.fixture
def sql_deps(engine_name: str, db_url: str, clock: FixedClock) -> Iterator[Deps]:
    """The service layer on SQLite and PostgreSQL only: the reports read SQL."""
    with wired(db_url, clock, migrate=engine_name == "sqlite") as built:
        yield built


def test_reports_leave_out_a_case_naming_the_reader(sql_deps: Deps) -> None:
    deps = sql_deps
    case = internal_case(deps)
    march = period.month("2026-03")

    def exported(who: str) -> int:
        return export_cases(deps, march, who, "csv", io.BytesIO())

    assert exported("budi") == exported("sari") == 1
    name_concerned(deps, case.tracking_code, "sari", ["budi"], REASON)
    assert (exported("budi"), exported("sari")) == (0, 1)


def test_reports_to_a_concerned_supervisor_leave_their_desk(deps: Deps) -> None:
    case = internal_case(deps)
    act(deps, case, A.ESCALATE, "budi")  # the written report goes to sari, who holds it now
    desk = supervisor_queue(deps, "sari")
    assert [r.tracking_code for r in desk.reports] == [case.tracking_code]

    view = name_concerned(deps, case.tracking_code, "dewi", ["sari"], REASON)

    assert view.assignee == "agus"
    desk = supervisor_queue(deps, "sari")
    assert desk.reports == [] and desk.escalations == []
    assert [r.tracking_code for r in supervisor_queue(deps, "agus").reports] == []


def test_staff_intake_may_name_the_concerned_in_the_same_transaction(deps: Deps) -> None:
    recorded = service.submit_complaint(
        deps,
        submission(deps, channel=Channel.WHATSAPP),
        recorded_by="sari",
        concerned=["budi"],
        concerned_reason=REASON,
    )

    detail = service.get_case(deps, recorded.tracking_code, "sari")
    assert [e.action for e in detail.timeline] == ["submit", "name_concerned"]
    assert detail.timeline[1].data["concerned"] == ["budi"]
    # The answer to the submission (its trail not read back) shows what a read shows.
    assert recorded.timeline == detail.timeline and recorded.reports == detail.reports == []
    assert not seen_by(deps, recorded.tracking_code, "budi")
    routed = act(deps, act(deps, recorded, A.CLASSIFY, "sari"), A.REVIEW, "sari")
    routed = act(deps, routed, A.ROUTE_INTERNAL, "sari")
    assert [level["holder"] for level in routed.chain] == ["sari", "agus", "dewi"]


def test_a_recording_officer_who_names_themselves_does_not_hold_it(deps: Deps) -> None:
    recorded = service.submit_complaint(
        deps,
        submission(deps, channel=Channel.WHATSAPP),
        recorded_by="budi",
        concerned=["budi"],
        concerned_reason=REASON,
    )
    assert service.get_case(deps, recorded.tracking_code, "sari").assignee is None


@pytest.mark.parametrize(
    ("recorded_by", "staff", "reason", "error"),
    [
        ("sari", ["pak-bambang"], REASON, InputError),
        ("sari", ["budi"], "", InputError),
        (None, ["budi"], REASON, AccessDeniedError),  # the public names nobody
    ],
)
def test_bad_naming_at_intake_records_no_case(
    deps: Deps, recorded_by: str | None, staff: list[str], reason: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        service.submit_complaint(
            deps,
            submission(deps, channel=Channel.WHATSAPP),
            recorded_by=recorded_by,
            concerned=staff,
            concerned_reason=reason,
        )
    assert service.list_cases(deps, CaseQuery(), "dewi") == []


def named_rows(deps: Deps) -> list[tuple[str, str]]:
    with engine_of(deps).connect() as conn:
        rows = conn.execute(text("SELECT username, reason FROM case_concerns ORDER BY username"))
        return [(row.username, row.reason) for row in rows]


@pytest.mark.parametrize(
    "statement", ["UPDATE case_concerns SET reason = 'diubah'", "DELETE FROM case_concerns"]
)
def test_the_named_staff_are_kept_like_the_audit_trail(sql_deps: Deps, statement: str) -> None:
    deps = sql_deps
    case = internal_case(deps)
    name_concerned(deps, case.tracking_code, "sari", ["budi"], REASON)

    with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine_of(deps).begin() as conn:
        conn.execute(text(statement))

    assert named_rows(deps) == [("budi", REASON)]
    assert not seen_by(deps, case.tracking_code, "budi")


def test_the_named_staff_cannot_be_truncated_on_postgresql(pg_deps: Deps) -> None:
    case = internal_case(pg_deps)
    name_concerned(pg_deps, case.tracking_code, "sari", ["budi"], REASON)

    with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine_of(pg_deps).begin() as conn:
        conn.execute(text("TRUNCATE case_concerns CASCADE"))

    assert named_rows(pg_deps) == [("budi", REASON)]
