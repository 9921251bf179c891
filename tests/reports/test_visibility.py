"""Reports follow the visibility policy (DESIGN §6), on SQLite and PostgreSQL.

A hand-built month: one case never routed to an agency (escalated on the internal track, so it
has a written tier report), one routed to Dinas Pertanian (escalated there by its technical
team: a written report too), one routed to Disperindag, and one referred to APIP with the
Head's approval. Each role's statistics, export, recap lists, evaluation and written-report
access are compared with what the policy says, worked out by hand.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest

from aduan.catalog.orgchart import StaffUser
from aduan.config import Office
from aduan.reports import period
from aduan.service import Deps
from aduan.service.concerns import name_concerned
from aduan.service.evaluation import build_evaluation
from aduan.service.identity import identity_report
from aduan.service.queues import supervisor_queue
from aduan.service.reference import add_user
from aduan.service.reports import (
    build_recap,
    compute_statistics,
    export_cases,
    written_report,
)
from aduan.workflow.errors import AccessDeniedError, NotFoundError
from aduan.workflow.states import Action, Role
from tests.integration import builders as b

MARCH = period.month("2026-03")  # the test clock's month
OFFICE_STAFF = ("budi", "sari", "agus", "dewi")
DISPERINDAG = "wati"  # added to the sample chart: the technical team of Disperindag


@dataclass(frozen=True)
class Month:
    """The tracking codes of the hand-built month."""

    internal: str  # never routed to an agency; a written tier report
    dispertan: str  # routed to Dinas Pertanian; a written tier report
    disperindag: str  # routed to Disperindag
    apip: str  # referred to APIP (the Head approved)

    def all(self) -> set[str]:
        return {self.internal, self.dispertan, self.disperindag, self.apip}


def build_month(deps: Deps) -> Month:
    add_user(
        deps,
        StaffUser(
            username=DISPERINDAG,
            full_name="Wati Lestari",
            role=Role.AGENCY_OFFICER,
            position="tim-teknis-disperindag",
        ),
    )
    internal = b.internal_case(deps)
    b.act(deps, internal, Action.ESCALATE, "budi", report="Perlu keputusan Kasi")
    dispertan = b.agency_case(deps)
    b.act(deps, dispertan, Action.ESCALATE, "tono", report="Perlu keputusan Kabid")
    disperindag = b.act(deps, b.reviewed_case(deps), Action.ROUTE_AGENCY, "budi",
                        agency="disperindag")  # fmt: skip
    apip = b.apip_pending_case(deps)
    b.act(deps, apip, Action.APPROVE_APIP, "dewi")
    return Month(
        internal.tracking_code,
        dispertan.tracking_code,
        disperindag.tracking_code,
        apip.tracking_code,
    )


@pytest.fixture
def month(deps: Deps) -> Month:
    return build_month(deps)


def sees(m: Month, username: str) -> set[str]:
    """The cases ``username`` sees, by hand from the policy."""
    if username in OFFICE_STAFF:
        return m.all()
    return {
        "tono": {m.dispertan},  # Dinas Pertanian's technical team
        "rina": {m.dispertan},  # Dinas Pertanian's head
        DISPERINDAG: {m.disperindag},
        "irfan": {m.apip},  # the inspectorate
    }[username]


def exported(deps: Deps, username: str) -> list[dict[str, str]]:
    out = io.BytesIO()
    export_cases(deps, MARCH, username, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode())))


READERS = [*OFFICE_STAFF, "tono", "rina", DISPERINDAG, "irfan"]
# The figures (statistics, recap) are for everyone above but the plain office officer.
FIGURE_READERS = [r for r in READERS if r != "budi"]


@pytest.mark.parametrize("username", FIGURE_READERS)
def test_statistics_count_only_the_cases_in_sight(deps: Deps, month: Month, username: str) -> None:
    expected = sees(month, username)

    stats = compute_statistics(deps, MARCH, username)
    direct = compute_statistics(deps, MARCH, username, rollup=False)

    assert stats.total == stats.complaints == len(expected)
    assert stats.model_dump(exclude={"generated_at"}) == direct.model_dump(exclude={"generated_at"})


@pytest.mark.parametrize("username", READERS)
def test_the_export_has_only_the_cases_in_sight(deps: Deps, month: Month, username: str) -> None:
    expected = sees(month, username)

    rows = exported(deps, username)

    assert {r["Kode pelacakan"] for r in rows} == expected
    assert len(rows) == len(expected)


def test_a_plain_officer_gets_no_office_figures_but_the_export(deps: Deps, month: Month) -> None:
    # Issue 16 item 1: the office-wide dashboard is for the office's supervisors and Head.
    for attempt in (
        lambda: compute_statistics(deps, MARCH, "budi"),
        lambda: build_recap(deps, MARCH, "budi"),
    ):
        with pytest.raises(AccessDeniedError) as refused:
            attempt()
        assert refused.value.rule == "office_figures"
        assert "ekspor" in str(refused.value)
    assert {r["Kode pelacakan"] for r in exported(deps, "budi")} == month.all()


def test_an_unmasked_export_is_on_record_and_a_masked_one_is_not(deps: Deps, month: Month) -> None:
    now = deps.clock.now()

    def exports() -> list[tuple[str, str]]:
        entries = identity_report(deps, "dewi", now - timedelta(days=1), now + timedelta(days=1))
        return sorted((e.username, e.tracking_code) for e in entries if e.reason == "export")

    before = exports()
    masked = exported(deps, "tono")  # Dinas Pertanian: its complainant asked for confidentiality
    assert masked[0]["Nama pelapor"] == "(dirahasiakan)"
    assert exports() == before == []

    shown = exported(deps, "dewi")  # the Head sees every complainant
    assert {r["Nama pelapor"] for r in shown} != {"(dirahasiakan)"}
    assert exports() == sorted(("dewi", code) for code in month.all())


def test_an_agency_sees_its_own_track_and_apip_its_referral(deps: Deps, month: Month) -> None:
    assert compute_statistics(deps, MARCH, "tono").by_track == {"agency": 1}
    assert compute_statistics(deps, MARCH, "irfan").by_track == {"apip": 1}
    office = compute_statistics(deps, MARCH, "dewi").by_track
    assert office == {"internal": 1, "agency": 2, "apip": 1}


def test_the_recap_lists_only_cases_in_sight(deps: Deps, month: Month) -> None:
    assert [c.tracking_code for c in build_recap(deps, MARCH, "dewi").apip] == [month.apip]
    assert [c.tracking_code for c in build_recap(deps, MARCH, "irfan").apip] == [month.apip]
    assert build_recap(deps, MARCH, "tono").apip == []
    assert build_recap(deps, MARCH, DISPERINDAG).statistics.total == 1


def test_the_evaluation_groups_only_cases_in_sight(deps: Deps, month: Month) -> None:
    def complaints(username: str) -> int:
        evaluation = build_evaluation(deps, period.year(2026), username)
        return sum(row.complaints for row in evaluation.rows)

    assert complaints("dewi") == 4
    assert complaints("tono") == complaints(DISPERINDAG) == complaints("irfan") == 1


@pytest.mark.parametrize("username", READERS)
def test_a_written_report_out_of_sight_is_not_found_like_a_missing_case(
    deps: Deps, month: Month, username: str
) -> None:
    expected = sees(month, username)
    for code in (month.internal, month.dispertan):
        if code in expected:
            assert code in written_report(deps, code, username, 1, Office()).number
        else:
            with pytest.raises(NotFoundError) as hidden:
                written_report(deps, code, username, 1, Office())
            with pytest.raises(NotFoundError) as missing:
                written_report(deps, "ADN-AAAAA-AAAAA", username, 1, Office())
            assert hidden.value.entity == missing.value.entity


def test_the_administrator_gets_no_case_figures_at_all(deps: Deps, month: Month) -> None:
    for attempt in (
        lambda: compute_statistics(deps, MARCH, "admin"),
        lambda: build_recap(deps, MARCH, "admin"),
        lambda: exported(deps, "admin"),
        lambda: build_evaluation(deps, period.year(2026), "admin"),
        lambda: written_report(deps, month.internal, "admin", 1, Office()),
    ):
        with pytest.raises(AccessDeniedError) as refused:
            attempt()
        assert refused.value.rule == "case_sight"


def test_a_sealed_case_leaves_the_figures_and_desk_of_who_may_not_see_it(
    deps: Deps, month: Month
) -> None:
    """Sealed to the Head and APIP: gone from the supervisor's desk, counts, recap and export."""

    def desk(username: str) -> list[str]:
        return [r.tracking_code for r in supervisor_queue(deps, username).reports]

    assert desk("sari") == [month.internal]  # budi's tier report of the internal case
    assert compute_statistics(deps, MARCH, "sari").total == 4

    name_concerned(deps, month.internal, "dewi", [], "Menyangkut perilaku petugas", seal=True)

    assert desk("sari") == []
    for rollup in (True, False):
        assert compute_statistics(deps, MARCH, "sari", rollup=rollup).total == 3
        assert compute_statistics(deps, MARCH, "dewi", rollup=rollup).total == 4
    assert build_recap(deps, MARCH, "sari").statistics.total == 3
    assert month.internal not in {row["Kode pelacakan"] for row in exported(deps, "budi")}
    assert {row["Kode pelacakan"] for row in exported(deps, "dewi")} == month.all()
