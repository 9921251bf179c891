"""Written tier reports (laporan tertulis, seed §6 item 7a-b and 8) as printable documents.

A document is assembled from the case record (the report as filed, the case's review and
result) and the organisation chart (who signs: name, position, NIP), then rendered to HTML
(``reports.html``) or PDF (``reports.pdf``). Only staff may print one (the use case,
``aduan.service.reports.written_report``, reads the case as the user may see it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aduan.catalog.orgchart import OrgChart, StaffUser
from aduan.config import Office
from aduan.reports.period import MONTHS_ID
from aduan.schemas.views import CaseDetail, ReportView
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, PROBLEM_TYPE_LABELS, ProblemType

TITLES = {
    "tier": "LAPORAN TERTULIS PENANGANAN PENGADUAN",
    "superior": "LAPORAN HASIL PENANGANAN PENGADUAN KEPADA ATASAN LANGSUNG",
}
OUTCOMES = {
    "substantiated": "Terbukti",
    "partly_substantiated": "Terbukti sebagian",
    "not_substantiated": "Tidak terbukti",
}
TRACKS = {
    "internal": "Internal DPMPTSP",
    "agency": "Tim Teknis / Perangkat Daerah",
    "apip": "APIP (Inspektorat)",
}


@dataclass(frozen=True, slots=True)
class Signatory:
    """The signature block: name, position, NIP (Nomor Induk Pegawai)."""

    name: str
    position: str
    nip: str | None


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """Everything printed on one written report."""

    office: Office
    number: str
    title: str
    place_date: str
    addressee: str
    addressee_position: str | None
    subject: str
    facts: list[tuple[str, str]]
    findings: str
    steps: list[tuple[str, str, str]] = field(default_factory=list)  # kind, party, outcome
    result: list[tuple[str, str]] = field(default_factory=list)
    signatory: Signatory = field(default_factory=lambda: Signatory("-", "-", None))


def day_id(moment: datetime) -> str:
    """A date in Bahasa Indonesia, WIB: ``2 Maret 2026``."""
    d = moment.astimezone(WIB).date()
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def assemble_written_report(
    case: CaseDetail, chart: OrgChart, number: int, office: Office
) -> ReportDocument:
    """The ``number``-th (1-based) written report of ``case``, signed as the chart says."""
    if not 1 <= number <= len(case.reports):
        raise InputError(
            "report",
            "existing_report",
            N_("kasus %(case)s punya %(reports)s laporan tertulis, bukan nomor %(number)s"),
            case=case.tracking_code,
            reports=len(case.reports),
            number=number,
        )
    report = case.reports[number - 1]
    author = chart.users.get(report.author)
    position = chart.positions.get(
        report.from_position or (author.position if author else "") or ""
    )
    to_position = chart.positions.get(report.to_position or "")
    signatory = Signatory(
        author.full_name if author else report.author,
        position.title if position else "-",
        author.nip if author else None,
    )
    year = report.at.astimezone(WIB).year
    return ReportDocument(
        office=office,
        number=f"{number:03d}/{case.tracking_code}/{year}",
        title=TITLES.get(report.kind, TITLES["tier"]),
        place_date=f"{office.city}, {day_id(report.at)}",
        addressee=_person(chart.users, report.addressee),
        addressee_position=to_position.title if to_position else None,
        subject=f"Laporan penanganan pengaduan {case.tracking_code}: {case.subject}",
        facts=_facts(case, report),
        findings=report.text,
        steps=_steps(case),
        result=_result(case),
        signatory=signatory,
    )


def _person(users: Mapping[str, StaffUser], name: str) -> str:
    """A tier holder is stored by username; print the person's name."""
    user = users.get(name)
    return user.full_name if user else name


def _facts(case: CaseDetail, report: ReportView) -> list[tuple[str, str]]:
    problems = ", ".join(PROBLEM_TYPE_LABELS[ProblemType(p)] for p in case.problem_types)
    facts = [
        ("Nomor pengaduan", case.tracking_code),
        ("Diterima", day_id(case.received_at)),
        ("Perihal", case.subject),
        ("Layanan", case.service_code or case.service_text or "-"),
        ("Jenis masalah", problems or "-"),
        ("Jalur penyelesaian", TRACKS.get(case.track or "", "-")),
    ]
    if case.chain:
        facts.append(("Tingkat", f"{case.tier + 1} dari {len(case.chain)}"))
    if case.worksheet:
        facts.append(("Inti masalah", str(case.worksheet.get("core_problem", "-"))))
    facts.append(("Tanggal laporan", day_id(report.at)))
    return facts


def _steps(case: CaseDetail) -> list[tuple[str, str, str]]:
    if not case.worksheet:
        return []
    return [
        (str(s["kind"]), str(s["party"]), str(s.get("outcome") or "belum ada hasil"))
        for s in case.worksheet.get("plan", [])
    ]


def _result(case: CaseDetail) -> list[tuple[str, str]]:
    if not case.outcome:
        return []
    rows = [
        ("Hasil", OUTCOMES.get(case.outcome, case.outcome)),
        ("Ringkasan", case.result_summary or "-"),
    ]
    rows += [(f"Tindakan perbaikan {i}", a) for i, a in enumerate(case.corrective_actions, 1)]
    return rows
