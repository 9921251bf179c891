"""The repository and unit-of-work contract, run against every implementation.

Memory, SQLite and PostgreSQL must be interchangeable behind ``aduan.ports``: whatever
one of them does here, the others do too.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aduan.ports import CaseQuery, UnitOfWorkFactory
from aduan.workflow.case import (
    Case,
    CaseEvent,
    Complainant,
    Outcomes,
    PlanStep,
    RelatedRecord,
    StandardLink,
    TierLevel,
    Worksheet,
    WrittenReport,
)
from aduan.workflow.errors import ConflictError, NotFoundError
from aduan.workflow.intake import new_tracking_code
from aduan.workflow.states import Channel, Kind, ProblemType, Role, Status, StepKind, Track
from aduan.workflow.visibility import NO_SIGHT, OFFICE_SIGHT, Reach, Sight

AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
WIB = ZoneInfo("Asia/Jakarta")


# --- builders -----------------------------------------------------------------------------


def a_case(**changes: Any) -> Case:
    """A recorded complaint with a fresh tracking code; ``changes`` override any field."""
    case = Case(
        tracking_code=new_tracking_code(),
        kind=Kind.COMPLAINT,
        status=Status.RECORDED,
        channel=Channel.WHATSAPP,
        complainant=Complainant(name="Siti Aminah", email=None, phone=None, social="@siti"),
        subject="Sertifikat standar belum terbit",
        description="Sudah lewat 7 hari kerja",
        service_received_on=date(2026, 2, 23),
        complained_at=AT - timedelta(hours=2),
        received_at=AT - timedelta(hours=1),
        intake_days=7,
        created_at=AT,
        updated_at=AT,
    )
    return dataclasses.replace(case, **changes)


def an_event(action: str = "submit", **changes: Any) -> CaseEvent:
    """An audit entry; ``changes`` override any field."""
    event = CaseEvent(
        action=action,
        actor="budi",
        role=Role.OFFICER,
        from_status=None,
        to_status=Status.RECORDED,
        at=AT,
        data={"channel": "whatsapp"},
    )
    return dataclasses.replace(event, **changes)


def a_report(text: str, **changes: Any) -> WrittenReport:
    """A tier report from the officer to the section head."""
    report = WrittenReport(
        kind="tier",
        author="budi",
        addressee="sari",
        text=text,
        at=AT,
        from_position="pelaksana-pengaduan",
        to_position="kasi-pengaduan",
    )
    return dataclasses.replace(report, **changes)


def stored(uows: UnitOfWorkFactory, *cases: Case) -> list[Case]:
    """Add ``cases`` (each with a submit event) in one committed unit of work."""
    with uows() as uow:
        for case in cases:
            uow.cases.add(case, an_event())
        uow.commit()
    return list(cases)


def reloaded(uows: UnitOfWorkFactory, ref: str) -> Case:
    """The case as a fresh unit of work reads it."""
    with uows(readonly=True) as uow:
        return uow.cases.get(ref)


def found(uows: UnitOfWorkFactory, **query: Any) -> list[str]:
    """Tracking codes of ``find(CaseQuery(**query))``."""
    with uows(readonly=True) as uow:
        return [c.tracking_code for c in uow.cases.find(CaseQuery(**query))]


def contact(email: str | None = None, phone: str | None = None) -> Complainant:
    return Complainant(name="Pelapor", email=email, phone=phone)


# --- adding and reading -------------------------------------------------------------------


def test_added_case_reads_back_whole_by_tracking_code_and_by_id(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (case,) = stored(uow_factory, a_case(licence_number="SS-1", service_code="15121"))

    assert case.id is not None
    assert reloaded(uow_factory, case.tracking_code) == case
    assert reloaded(uow_factory, str(case.id)) == case


def test_the_user_and_the_case_in_a_sight_are_read_together(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (case,) = stored(uow_factory, a_case())
    agency = Sight(Reach.UNIT, "dispertan", "budi")
    with uow_factory(readonly=True) as uow:
        user, by_code = uow.cases.get_as(case.tracking_code, "budi", OFFICE_SIGHT)
        _, by_id = uow.cases.get_as(str(case.id), "budi", OFFICE_SIGHT)
        _, elsewhere = uow.cases.get_as(case.tracking_code, "budi", agency)
        _, admin = uow.cases.get_as(case.tracking_code, "budi", NO_SIGHT)
        _, missing = uow.cases.get_as("ADN-ZZZZZ-ZZZZZ", "budi", OFFICE_SIGHT)
        nobody = uow.cases.get_as(case.tracking_code, "nobody", OFFICE_SIGHT)
    assert user is not None
    assert (user.username, user.role) == ("budi", Role.OFFICER)
    assert by_code == case
    assert by_id == case
    assert (elsewhere, admin, missing, nobody) == (None, None, None, (None, None))


@pytest.mark.parametrize("ref", ["ADN-ZZZZZ-ZZZZZ", "999999"])
def test_unknown_case_is_not_found(uow_factory: UnitOfWorkFactory, ref: str) -> None:
    stored(uow_factory, a_case())

    with pytest.raises(NotFoundError) as caught:
        reloaded(uow_factory, ref)
    assert caught.value.key == ref


def test_changing_a_read_case_without_saving_changes_nothing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (case,) = stored(uow_factory, a_case())

    with uow_factory() as uow:
        loaded = uow.cases.get(case.tracking_code)
        loaded.subject = "diubah"
        loaded.problem_types.append(ProblemType.FEES)
        uow.commit()

    assert reloaded(uow_factory, case.tracking_code) == case


# --- saving with optimistic locking -------------------------------------------------------


def test_save_with_the_current_version_writes_and_bumps_it(uow_factory: UnitOfWorkFactory) -> None:
    (case,) = stored(uow_factory, a_case())

    with uow_factory() as uow:
        loaded = uow.cases.get(case.tracking_code)
        loaded.status = Status.CLASSIFIED
        loaded.problem_types = [ProblemType.COMPLETION_TIME]
        uow.cases.save(loaded, expected_version=1)
        uow.commit()

    assert loaded.version == 2
    assert reloaded(uow_factory, case.tracking_code) == loaded


def test_save_with_a_stale_version_conflicts_and_writes_nothing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (case,) = stored(uow_factory, a_case())
    with uow_factory() as uow:
        first = uow.cases.get(case.tracking_code)
        first.subject = "pertama"
        uow.cases.save(first, expected_version=1)
        uow.commit()

    with uow_factory() as uow:
        late = uow.cases.get(case.tracking_code)
        late.subject = "terlambat"
        with pytest.raises(ConflictError) as caught:
            uow.cases.save(late, expected_version=1)
        uow.commit()

    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    assert caught.value.case_ref == case.tracking_code
    assert reloaded(uow_factory, case.tracking_code) == first


# --- events and reports -------------------------------------------------------------------


def test_events_are_returned_oldest_first_per_case(uow_factory: UnitOfWorkFactory) -> None:
    case, other = stored(uow_factory, a_case(), a_case())
    assert case.id is not None and other.id is not None
    later = [
        an_event("classify", from_status=Status.RECORDED, to_status=Status.CLASSIFIED,
                 at=AT + timedelta(minutes=1), data={"service_code": "15121"}),
        an_event("respond", from_status=Status.CLASSIFIED, to_status=Status.CLASSIFIED,
                 at=AT + timedelta(minutes=2), note="dijawab lewat WA"),
    ]  # fmt: skip
    with uow_factory() as uow:
        for event in later:
            uow.cases.append(case.id, Outcomes(event))
        uow.commit()

    with uow_factory(readonly=True) as uow:
        assert uow.cases.events(case.id) == [an_event(), *later]
        assert uow.cases.events(other.id) == [an_event()]


def test_written_reports_are_kept_in_order(uow_factory: UnitOfWorkFactory) -> None:
    case, other = stored(uow_factory, a_case(), a_case())
    assert case.id is not None and other.id is not None
    first = a_report("naik ke kasi")
    second = a_report("naik ke kabid", addressee="agus", at=AT + timedelta(hours=1),
                      from_position="kasi-pengaduan", to_position="kabid-pengaduan")  # fmt: skip
    with uow_factory() as uow:
        uow.cases.append(case.id, Outcomes(an_event("escalate"), (first,)))
        uow.cases.append(case.id, Outcomes(an_event("escalate"), (second,)))
        uow.commit()

    with uow_factory(readonly=True) as uow:
        assert uow.cases.reports(case.id) == [first, second]
        assert uow.cases.reports(other.id) == []
        assert len(uow.cases.events(case.id)) == 3


# --- finding ------------------------------------------------------------------------------


def test_find_filters_by_status_kind_track_and_assignee(uow_factory: UnitOfWorkFactory) -> None:
    recorded, internal, agency, suggestion = stored(
        uow_factory,
        a_case(),
        a_case(status=Status.INTERNAL, track=Track.INTERNAL, assignee="sari"),
        a_case(status=Status.AGENCY, track=Track.AGENCY, assignee="tono"),
        a_case(status=Status.SUGGESTION, kind=Kind.SUGGESTION),
    )

    assert found(uow_factory) == [c.tracking_code for c in (recorded, internal, agency, suggestion)]
    assert found(uow_factory, status=Status.RECORDED) == [recorded.tracking_code]
    assert found(uow_factory, kind=Kind.SUGGESTION) == [suggestion.tracking_code]
    assert found(uow_factory, track=Track.AGENCY) == [agency.tracking_code]
    assert found(uow_factory, assignee="sari") == [internal.tracking_code]
    assert found(uow_factory, status=Status.AGENCY, assignee="sari") == []


def test_find_pages_through_cases_in_id_order(uow_factory: UnitOfWorkFactory) -> None:
    cases = stored(uow_factory, *(a_case() for _ in range(5)))
    codes = [c.tracking_code for c in cases]

    first_page = found(uow_factory, limit=2)
    assert first_page == codes[:2]
    assert found(uow_factory, limit=2, after_id=cases[1].id) == codes[2:4]
    assert found(uow_factory, limit=2, after_id=cases[3].id) == codes[4:]
    assert found(uow_factory, limit=2, after_id=cases[4].id) == []


# --- the units a case has been with, and the visibility policy (DESIGN §6) ----------------

DISPERTAN = Sight(Reach.UNIT, "dispertan")


def with_units(uows: UnitOfWorkFactory, case: Case, *units: str) -> None:
    """Record that ``case`` has been with ``units`` (each once, then again: a no-op)."""
    assert case.id is not None
    with uows() as uow:
        for unit in (*units, *units):
            uow.cases.add_unit(case.id, unit, AT)
        uow.commit()


def test_units_are_recorded_once_each_and_read_back(uow_factory: UnitOfWorkFactory) -> None:
    case, other = stored(uow_factory, a_case(), a_case())
    assert case.id is not None
    assert other.id is not None

    with_units(uow_factory, case, "dispertan", "inspektorat")

    with uow_factory(readonly=True) as uow:
        assert uow.cases.units(case.id) == {"dispertan", "inspektorat"}
        assert uow.cases.units(other.id) == frozenset()


def test_a_unit_sees_only_the_cases_that_were_with_it(uow_factory: UnitOfWorkFactory) -> None:
    mine, theirs, nobodys = stored(uow_factory, a_case(), a_case(), a_case())
    with_units(uow_factory, mine, "dispertan")
    with_units(uow_factory, theirs, "disperindag")
    every = [c.tracking_code for c in (mine, theirs, nobodys)]

    assert found(uow_factory) == every
    assert found(uow_factory, sight=OFFICE_SIGHT) == every
    assert found(uow_factory, sight=DISPERTAN) == [mine.tracking_code]
    assert found(uow_factory, sight=NO_SIGHT) == []
    with uow_factory(readonly=True) as uow:
        assert [c.id for c in uow.cases.summaries(CaseQuery(sight=DISPERTAN))] == [mine.id]
        fields = uow.cases.summary_fields(CaseQuery(sight=DISPERTAN))
        assert [f["tracking_code"] for f in fields] == [mine.tracking_code]


@pytest.mark.parametrize("by", ["code", "id"])
def test_a_case_out_of_sight_is_not_found_like_a_missing_one(
    uow_factory: UnitOfWorkFactory, by: str
) -> None:
    mine, theirs = stored(uow_factory, a_case(), a_case())
    with_units(uow_factory, mine, "dispertan")
    ref = {"code": lambda c: c.tracking_code, "id": lambda c: str(c.id)}[by]

    with uow_factory(readonly=True) as uow:
        assert uow.cases.get(ref(mine), DISPERTAN) == mine
        assert uow.cases.get(ref(theirs), OFFICE_SIGHT) == theirs
        for sight, case in ((DISPERTAN, theirs), (NO_SIGHT, mine)):
            with pytest.raises(NotFoundError) as caught:
                uow.cases.get(ref(case), sight)
            assert caught.value.key == ref(case)


def test_a_units_lists_follow_its_cases_deadlines_and_ids(uow_factory: UnitOfWorkFactory) -> None:
    """A unit's deadline queue and newest-first list, paged, after its cases' deadlines change.

    SQL reads them from the unit's rows in ``case_units`` alone (their copies of each case's
    deadline and listed columns, migrations 0020 and 0036); memory from the cases themselves:
    both give these very pages.
    """
    day = timedelta(days=1)
    a, b, c, no_due, elsewhere, closed = stored(
        uow_factory,
        a_case(response_due_at=AT + 5 * day),
        a_case(response_due_at=AT + day),
        a_case(response_due_at=AT + 6 * day, stage_due_at=AT + 3 * day),
        a_case(),
        a_case(response_due_at=AT + 2 * day),
        a_case(status=Status.CLOSED, response_due_at=AT),
    )
    for case in (a, b, c, no_due, closed):
        with_units(uow_factory, case, "dispertan")
    with uow_factory() as uow:  # b's answer deadline moves after it came to the unit
        moved = uow.cases.get(b.tracking_code)
        moved.response_due_at = AT + 10 * day
        uow.cases.save(moved, expected_version=1)
        uow.commit()
    assert a.id is not None and c.id is not None

    def page(**query: Any) -> list[tuple[str, datetime | None]]:
        with uow_factory(readonly=True) as uow:
            rows = uow.cases.summary_fields(CaseQuery(sight=DISPERTAN, **query))
        return [(r["tracking_code"], r["due_at"]) for r in rows]

    due = {"due_before": AT + 30 * day, "limit": 2}
    assert page(**due) == [(c.tracking_code, AT + 3 * day), (a.tracking_code, AT + 5 * day)]
    assert page(**due, after_deadline=(AT + 5 * day, a.id)) == [(b.tracking_code, AT + 10 * day)]
    assert page(due_before=AT + 4 * day) == [(c.tracking_code, AT + 3 * day)]
    newest = [x.tracking_code for x in (closed, no_due, c, b, a)]
    assert [code for code, _ in page(newest_first=True, limit=3)] == newest[:3]
    assert [code for code, _ in page(newest_first=True, after_id=c.id)] == newest[3:]
    assert [code for code, _ in page(open_only=True, status=Status.RECORDED)] == [
        x.tracking_code for x in (a, b, c, no_due)
    ]
    assert elsewhere.tracking_code not in {code for code, _ in page(limit=50)}


# --- related records (item 6c) ------------------------------------------------------------


def test_related_records_share_contact_licence_or_service(uow_factory: UnitOfWorkFactory) -> None:
    same_email, same_phone, same_licence, same_service, unrelated, case = stored(
        uow_factory,
        a_case(complainant=contact(email="siti@contoh.id")),
        a_case(complainant=contact(phone="+6281234567890")),
        a_case(licence_number="SS-2026-000123"),
        a_case(service_code="15121"),
        a_case(complainant=contact(email="lain@contoh.id"), service_code="71204"),
        a_case(
            complainant=contact(email="siti@contoh.id", phone="+6281234567890"),
            licence_number="SS-2026-000123",
            service_code="15121",
        ),
    )

    with uow_factory(readonly=True) as uow:
        related = uow.cases.related(case)
        limited = uow.cases.related(case, limit=2)

    expected = [
        (same_service, "same_service"),
        (same_licence, "same_licence"),
        (same_phone, "same_contact"),
        (same_email, "same_contact"),
    ]  # newest first
    assert related == [
        RelatedRecord(c.tracking_code, c.status.value, reason, c.subject) for c, reason in expected
    ]
    assert not {unrelated.tracking_code, case.tracking_code} & {r.tracking_code for r in related}
    assert limited == related[:2]


def test_a_case_without_contact_licence_or_service_has_no_related_records(
    uow_factory: UnitOfWorkFactory,
) -> None:
    _, case = stored(uow_factory, a_case(), a_case(complainant=contact()))

    with uow_factory(readonly=True) as uow:
        assert uow.cases.related(case) == []


# --- the unit of work ---------------------------------------------------------------------


def test_nothing_is_kept_unless_committed(uow_factory: UnitOfWorkFactory) -> None:
    (kept,) = stored(uow_factory, a_case())
    assert kept.id is not None
    dropped = a_case()

    with uow_factory() as uow:
        uow.cases.add(dropped, an_event())
        changed = uow.cases.get(kept.tracking_code)
        changed.status = Status.CLASSIFIED
        uow.cases.save(changed, expected_version=1)
        uow.cases.append(kept.id, Outcomes(an_event("classify"), (a_report("x"),)))

    assert reloaded(uow_factory, kept.tracking_code) == kept
    with pytest.raises(NotFoundError):
        reloaded(uow_factory, dropped.tracking_code)
    with uow_factory(readonly=True) as uow:
        assert uow.cases.events(kept.id) == [an_event()]
        assert uow.cases.reports(kept.id) == []


def _add_then_fail(uows: UnitOfWorkFactory, case: Case) -> None:
    with uows() as uow:
        uow.cases.add(case, an_event())
        raise RuntimeError("boom")


def test_an_error_inside_the_unit_of_work_rolls_it_back(uow_factory: UnitOfWorkFactory) -> None:
    case = a_case()

    with pytest.raises(RuntimeError, match="boom"):
        _add_then_fail(uow_factory, case)

    with pytest.raises(NotFoundError):
        reloaded(uow_factory, case.tracking_code)


def test_work_committed_midway_is_kept_and_the_rest_is_not(uow_factory: UnitOfWorkFactory) -> None:
    first, second = a_case(), a_case()

    with uow_factory() as uow:
        uow.cases.add(first, an_event())
        uow.commit()
        uow.cases.add(second, an_event())

    assert reloaded(uow_factory, first.tracking_code) == first
    with pytest.raises(NotFoundError):
        reloaded(uow_factory, second.tracking_code)


# --- what goes in comes out ---------------------------------------------------------------


def test_aware_datetimes_round_trip_exactly_as_utc(uow_factory: UnitOfWorkFactory) -> None:
    in_jakarta = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=WIB)
    (case,) = stored(
        uow_factory,
        a_case(complained_at=in_jakarta, received_at=in_jakarta, answered_at=in_jakarta),
    )
    assert case.id is not None
    with uow_factory() as uow:
        uow.cases.append(case.id, Outcomes(an_event("escalate", at=in_jakarta),
                                           (a_report("naik", at=in_jakarta),)))  # fmt: skip
        uow.commit()

    loaded = reloaded(uow_factory, case.tracking_code)
    with uow_factory(readonly=True) as uow:
        event_at = uow.cases.events(case.id)[-1].at
        report_at = uow.cases.reports(case.id)[0].at

    for moment in (loaded.complained_at, loaded.received_at, loaded.answered_at,
                   loaded.created_at, event_at, report_at):  # fmt: skip
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)
    assert loaded.received_at.isoformat() == "2026-03-02T02:15:30.123456+00:00"
    assert event_at == report_at == loaded.answered_at == in_jakarta
    assert loaded.created_at == AT
    assert loaded.informed_at is None


def test_worksheet_and_chain_round_trip(uow_factory: UnitOfWorkFactory) -> None:
    worksheet = Worksheet(
        core_problem="Sertifikat tertahan di verifikasi teknis",
        links=[
            StandardLink("component", "completion_time", "Jangka waktu: 7 hari kerja"),
            StandardLink("regulation", "15121-law-1", "UU 11/2020 tentang Cipta Kerja"),
        ],
        related=[RelatedRecord("ADN-AAAAA-BBBBB", "closed", "same_contact", "Izin lama")],
        plan=[
            PlanStep(StepKind.CLARIFICATION, "Bidang Perizinan", "Tanya status berkas",
                     "Berkas lengkap", datetime(2026, 3, 2, 14, 0, tzinfo=WIB)),
            PlanStep(StepKind.EXAMINATION, "Tim Teknis"),
        ],
    )  # fmt: skip
    chain = [
        TierLevel("tim-teknis-dispertan", "Tim Teknis Peternakan", "dispertan", "tono"),
        TierLevel("kabid-peternakan", "Kepala Bidang Peternakan", "dispertan", None),
    ]
    (case,) = stored(
        uow_factory,
        a_case(
            status=Status.AGENCY,
            problem_types=[ProblemType.COMPLETION_TIME, ProblemType.FEES],
            worksheet=worksheet,
            track=Track.AGENCY,
            agency_unit="dispertan",
            chain=chain,
            tier=1,
            corrective_actions=["Percepat verifikasi", "Tegur petugas"],
        ),
    )

    loaded = reloaded(uow_factory, case.tracking_code)

    assert loaded.worksheet == worksheet
    assert loaded.chain == chain
    assert loaded.holder == chain[1]
    assert loaded == case


# --- reference data -----------------------------------------------------------------------


def test_reference_data_holds_the_shipped_catalog_and_org_chart(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory(readonly=True) as uow:
        codes = [s.code for s in uow.reference.services()]
        chart = uow.reference.orgchart()
        budi = uow.reference.user("budi")
        service = uow.reference.service("15121")
        assert uow.reference.service("99999") is None
        assert uow.reference.user("nobody") is None

    assert codes == sorted(codes) and len(codes) == 4
    assert service is not None and service.technical_agency == "disperindag"
    assert budi is not None and (budi.role, budi.position) == (Role.OFFICER, "pelaksana-pengaduan")
    assert [level.holder for level in chart.chain("dispertan")] == ["tono", "yuni", "rina"]
