"""A breach escalation is a system notice; the tier that missed its deadline files its report.

Issue 13 item 3 on SQLite and PostgreSQL. The DESIGN §3 example: a complaint received on
Tuesday 2026-08-11, 10:00 WIB, answer due at the end of Wednesday 2026-09-02, on the internal
track held by the complaint officer (budi, tier 1) under the section head (sari, tier 2).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from aduan import service
from aduan.adapters.sql.tables import written_reports
from aduan.escalation.deadlines import DeadlinePolicy
from aduan.ports import FixedClock
from aduan.service import Deps, timekeeping
from aduan.workflow.errors import InputError, RuleViolationError
from aduan.workflow.states import Action
from tests.integration.builders import act, engine_of, internal_case

RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday, 10:00 WIB
BREACH = datetime(2026, 9, 2, 17, 0, tzinfo=UTC)  # the second after the answer's deadline


def escalated_by_the_sweep(deps: Deps, clock: FixedClock) -> tuple[Deps, str]:
    """An internal case the sweep moved from budi (tier 1) to sari (tier 2) at its breach."""
    clock.current = RECEIVED
    deps = dataclasses.replace(deps, deadlines=DeadlinePolicy(stage_days={}))
    code = internal_case(deps).tracking_code
    clock.current = BREACH
    report = timekeeping.sweep(deps)  # the reminders missed ring too, once
    assert report.counts["escalated"] == 1
    clock.current = BREACH + timedelta(hours=20)
    return deps, code


def report_rows(deps: Deps) -> list[tuple[str, str, str, str]]:
    stmt = select(written_reports).order_by(written_reports.c.id)
    with engine_of(deps).connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [(r["kind"], r["author"], r["addressee"], r["text"]) for r in rows]


def test_the_breach_escalation_files_no_written_report_and_leaves_a_task(
    deps: Deps, clock: FixedClock
) -> None:
    deps, code = escalated_by_the_sweep(deps, clock)

    seen = service.get_case(deps, code, "sari")
    assert (seen.tier, seen.assignee) == (1, "sari")
    assert seen.reports == [] and report_rows(deps) == []  # nothing to print as a report
    escalation = seen.timeline[-1]
    assert (escalation.action, escalation.role) == ("escalate", "system")
    assert escalation.data["report"] == (
        "Pemberitahuan sistem: tenggat tingkat 1 (Pejabat Pengelola Pengaduan) terlewati (tenggat "
        "tanggapan 14 hari kerja, 2026-09-02 23:59 WIB); kasus dinaikkan otomatis ke tingkat 2 "
        "(Kepala Seksi Pengaduan). Laporan tertulis tingkat 1 belum dibuat."
    )
    [owed] = seen.overdue_reports
    assert (owed.tier, owed.title, owed.holder) == (1, "Pejabat Pengelola Pengaduan", "budi")
    assert (owed.to_tier, owed.to_title, owed.to_holder) == (2, "Kepala Seksi Pengaduan", "sari")
    assert owed.missed_at == BREACH
    # The task is budi's: on his case page and in his queue, and nobody else's.
    assert "file_overdue_report" in service.get_case(deps, code, "budi").allowed_actions
    assert "file_overdue_report" not in seen.allowed_actions
    [item] = [i for i in service.work_queue(deps, "budi") if i.case.tracking_code == code]
    assert item.reason is not None and item.reason.code == "overdue_report"
    assert [i.case.tracking_code for i in service.supervisor_queue(deps, "budi").owed_reports] == [
        code
    ]
    assert service.supervisor_queue(deps, "sari").owed_reports == []


def test_the_tier_that_missed_its_deadline_files_its_report_to_the_new_holder(
    deps: Deps, clock: FixedClock
) -> None:
    deps, code = escalated_by_the_sweep(deps, clock)

    filed = act(
        deps, code, Action.FILE_OVERDUE_REPORT, "budi", report="Berkas tertahan di verifikasi"
    )

    assert filed.overdue_reports == []
    [report] = filed.reports
    assert (report.kind, report.author, report.addressee, report.text) == (
        "tier",
        "budi",
        "sari",
        "Berkas tertahan di verifikasi",
    )
    assert (report.from_position, report.to_position) == (
        "pelaksana-pengaduan",
        "kasi-pengaduan",
    )
    assert report.document is not None  # a written report, frozen and printable
    assert (filed.status, filed.tier, filed.assignee) == ("internal_handling", 1, "sari")
    assert [r.tracking_code for r in service.supervisor_queue(deps, "sari").reports] == [code]
    assert all(i.case.tracking_code != code for i in service.work_queue(deps, "budi"))
    assert "file_overdue_report" not in filed.allowed_actions
    with pytest.raises(RuleViolationError) as twice:
        act(deps, code, Action.FILE_OVERDUE_REPORT, "budi", report="Sekali lagi")
    assert twice.value.rule == "owes_overdue_report"


@pytest.mark.parametrize("user", ["sari", "dewi"])
def test_nobody_else_files_the_overdue_report(deps: Deps, clock: FixedClock, user: str) -> None:
    deps, code = escalated_by_the_sweep(deps, clock)

    with pytest.raises(RuleViolationError) as refused:
        act(deps, code, Action.FILE_OVERDUE_REPORT, user, report="Bukan laporan saya")

    assert refused.value.rule == "owes_overdue_report"
    assert len(service.get_case(deps, code, "sari").overdue_reports) == 1
    assert report_rows(deps) == []


def test_the_report_is_required(deps: Deps, clock: FixedClock) -> None:
    deps, code = escalated_by_the_sweep(deps, clock)

    with pytest.raises(InputError) as empty:
        act(deps, code, Action.FILE_OVERDUE_REPORT, "budi", report="   ")

    assert empty.value.field == "report"
    assert len(service.get_case(deps, code, "budi").overdue_reports) == 1
