"""The tier chain skips the staff a case concerns (issue 16 item 3), pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aduan.workflow.case import Case, Complainant, TierLevel
from aduan.workflow.effects import skip_concerned
from aduan.workflow.errors import InputError
from aduan.workflow.states import Channel, Kind, Role, Status
from aduan.workflow.visibility import OFFICE_SIGHT, Reach, Sight, sight_of

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
CHAIN = [
    TierLevel("pelaksana-pengaduan", "Pelaksana", "dpmptsp", "budi"),
    TierLevel("kasi-pengaduan", "Kasi", "dpmptsp", "sari"),
    TierLevel("kabid-pengaduan", "Kabid", "dpmptsp", "agus"),
    TierLevel("kepala-dpmptsp", "Kepala", "dpmptsp", "dewi"),
]


def held(tier: int) -> Case:
    case = Case(
        tracking_code="ADU-TEST",
        kind=Kind.COMPLAINT,
        status=Status.INTERNAL,
        channel=Channel.WEB_DPMPTSP,
        complainant=Complainant(None),
        subject="s",
        description="d",
        service_received_on=AT.date(),
        complained_at=AT,
        received_at=AT,
        intake_days=0,
        created_at=AT,
        updated_at=AT,
    )
    case.chain, case.tier, case.assignee = list(CHAIN), tier, CHAIN[tier].holder
    return case


def holders(case: Case) -> list[str | None]:
    return [level.holder for level in case.chain]


def test_a_concerned_holder_is_skipped_to_the_next_level_up() -> None:
    case = held(0)
    skip_concerned(case, {"budi"})
    assert holders(case) == ["sari", "agus", "dewi"]
    assert (case.tier, case.assignee) == (0, "sari")


def test_consecutive_concerned_levels_are_all_skipped() -> None:
    case = held(1)
    skip_concerned(case, {"sari", "agus"})
    assert holders(case) == ["budi", "dewi"]
    assert (case.tier, case.assignee) == (1, "dewi")


def test_a_concerned_level_above_leaves_the_holder_and_shortens_the_way_up() -> None:
    case = held(1)
    skip_concerned(case, {"agus"})
    assert holders(case) == ["budi", "sari", "dewi"]
    assert (case.tier, case.assignee) == (1, "sari")
    # the next escalation goes from sari straight to dewi
    assert case.chain[case.tier + 1].holder == "dewi"


def test_a_level_below_the_holder_keeps_the_holder_on_its_new_tier() -> None:
    case = held(2)
    skip_concerned(case, {"budi"})
    assert (case.tier, case.assignee, case.holder and case.holder.holder) == (1, "agus", "agus")


def test_no_level_above_is_refused_and_nothing_changes() -> None:
    case = held(3)
    with pytest.raises(InputError) as caught:
        skip_concerned(case, {"dewi"})
    assert (caught.value.field, caught.value.rule) == ("staff", "level_above")
    assert holders(case) == ["budi", "sari", "agus", "dewi"] and case.tier == 3


def test_a_case_on_no_track_loses_a_concerned_assignee() -> None:
    case = held(0)
    case.chain, case.tier = [], 0
    skip_concerned(case, {"budi"})
    assert case.assignee is None


def test_the_sight_leaves_out_a_case_naming_the_viewer_and_sealed_cases() -> None:
    budi = sight_of(Role.OFFICER, "dpmptsp", "budi")
    dewi = sight_of(Role.HEAD, "dpmptsp", "dewi")
    irfan = sight_of(Role.APIP, "inspektorat", "irfan")
    tono = sight_of(Role.AGENCY_OFFICER, "dispertan", "tono")
    assert budi.sees(set()) and not budi.sees(set(), {"budi"})
    assert not budi.sees(set(), sealed=True)
    assert dewi.sees(set(), sealed=True) and not dewi.sees(set(), {"dewi"}, sealed=True)
    assert irfan.sees({"inspektorat"}, sealed=True) and not irfan.sees(set(), sealed=True)
    # an agency officer keeps the agency's route when its head is concerned
    assert tono.sees({"dispertan"}, {"rina"}) and not tono.sees({"dispertan"}, sealed=True)
    assert OFFICE_SIGHT.sees(set(), {"budi"}, sealed=True)
    assert Sight(Reach.NONE).sees(set()) is False
