"""Written tier reports (laporan tertulis, seed §6 item 7a-b and 8) as printable documents.

A document is assembled from the case record (the report as filed, the case's review and
result) and the organisation chart (who signs: name, position, NIP), then rendered to HTML
(``reports.html``) or PDF (``reports.pdf``). Only staff may print one (the use case,
``aduan.service.reports.written_report``, reads the case as the user may see it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aduan.catalog.orgchart import OrgChart, StaffUser
from aduan.config import Office
from aduan.reports.period import MONTHS_ID
from aduan.schemas import codec
from aduan.schemas.views import CaseDetail, ReportView
from aduan.workflow.case import Case, WrittenReport
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
STEP_KINDS = {
    "clarification": "Klarifikasi",
    "confirmation": "Konfirmasi",
    "examination": "Penelitian/pemeriksaan",
    "investigation": "Investigasi",
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
    sha256: str | None = None  # of the content frozen when the report was filed


def day_id(moment: datetime) -> str:
    """A date in Bahasa Indonesia, WIB: ``2 Maret 2026``."""
    d = moment.astimezone(WIB).date()
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


class CaseFacts(Protocol):
    """What a written report prints of its case: a ``CaseDetail``, or ``facts_of`` a case."""

    @property
    def tracking_code(self) -> str: ...  # noqa: D102
    @property
    def received_at(self) -> datetime: ...  # noqa: D102
    @property
    def subject(self) -> str: ...  # noqa: D102
    @property
    def service_code(self) -> str | None: ...  # noqa: D102
    @property
    def service_text(self) -> str | None: ...  # noqa: D102
    @property
    def problem_types(self) -> list[str]: ...  # noqa: D102
    @property
    def track(self) -> str | None: ...  # noqa: D102
    @property
    def chain(self) -> list[dict[str, Any]]: ...  # noqa: D102
    @property
    def tier(self) -> int: ...  # noqa: D102
    @property
    def worksheet(self) -> dict[str, Any] | None: ...  # noqa: D102
    @property
    def outcome(self) -> str | None: ...  # noqa: D102
    @property
    def result_summary(self) -> str | None: ...  # noqa: D102
    @property
    def corrective_actions(self) -> list[str]: ...  # noqa: D102


@dataclass(frozen=True, slots=True)
class FactsView:
    """A case's printed facts, as plain values (``facts_of``)."""

    tracking_code: str
    received_at: datetime
    subject: str
    service_code: str | None
    service_text: str | None
    problem_types: list[str]
    track: str | None
    chain: list[dict[str, Any]]
    tier: int
    worksheet: dict[str, Any] | None
    outcome: str | None
    result_summary: str | None
    corrective_actions: list[str]


def facts_of(case: Case) -> FactsView:
    """The facts of a case as a written report prints them, at this moment."""
    return FactsView(
        tracking_code=case.tracking_code,
        received_at=case.received_at,
        subject=case.subject,
        service_code=case.service_code,
        service_text=case.service_text,
        problem_types=[p.value for p in case.problem_types],
        track=case.track.value if case.track else None,
        chain=codec.chain_to_json(case.chain),
        tier=case.tier,
        worksheet=codec.worksheet_to_json(case.worksheet),
        outcome=case.outcome.value if case.outcome else None,
        result_summary=case.result_summary,
        corrective_actions=list(case.corrective_actions),
    )


def freeze(
    case: CaseFacts,
    report: WrittenReport | ReportView,
    chart: OrgChart,
    number: int,
    service_title: str | None = None,
) -> dict[str, Any]:
    """The document of a written report as it is filed, and the SHA-256 of that content.

    Everything the PDF prints but the letterhead is taken now and stored with the report
    (issue 13 item 4): a report filed at the first escalation never shows what came after it.
    """
    author = chart.users.get(report.author)
    position = chart.positions.get(
        report.from_position or (author.position if author else "") or ""
    )
    to_position = chart.positions.get(report.to_position or "")
    content: dict[str, Any] = {
        "number": f"{number:03d}/{case.tracking_code}/{report.at.astimezone(WIB).year}",
        "title": TITLES.get(report.kind, TITLES["tier"]),
        "date": day_id(report.at),
        "addressee": _person(chart.users, report.addressee),
        "addressee_position": to_position.title if to_position else None,
        "subject": f"Laporan penanganan pengaduan {case.tracking_code}: {case.subject}",
        "facts": [list(f) for f in _facts(case, report, service_title)],
        "findings": report.text,
        "steps": [list(s) for s in _steps(case)],
        "result": [list(r) for r in _result(case)] if report.kind == "superior" else [],
        "signatory": {
            "name": author.full_name if author else report.author,
            "position": position.title if position else "-",
            "nip": author.nip if author else None,
        },
    }
    return {**content, "sha256": digest(content)}


def digest(content: Mapping[str, Any]) -> str:
    """SHA-256 of a document's content (canonical JSON), printed on it to show it is unchanged."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def assemble_written_report(
    case: CaseDetail, chart: OrgChart, number: int, office: Office
) -> ReportDocument:
    """The ``number``-th (1-based) written report of ``case``: as filed, when it was frozen."""
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
    # Filed before documents were kept: made from the case now, as it used to be.
    doc = report.document or freeze(case, report, chart, number, case.service_title)
    signer = doc["signatory"]
    return ReportDocument(
        office=office,
        number=doc["number"],
        title=doc["title"],
        place_date=f"{office.city}, {doc['date']}",
        addressee=doc["addressee"],
        addressee_position=doc["addressee_position"],
        subject=doc["subject"],
        facts=[(str(k), str(v)) for k, v in doc["facts"]],
        findings=doc["findings"],
        steps=[(str(a), str(b), str(c)) for a, b, c in doc["steps"]],
        result=[(str(k), str(v)) for k, v in doc["result"]],
        signatory=Signatory(signer["name"], signer["position"], signer["nip"]),
        sha256=doc["sha256"] if report.document else None,
    )


def _person(users: Mapping[str, StaffUser], name: str) -> str:
    """A tier holder is stored by username; print the person's name."""
    user = users.get(name)
    return user.full_name if user else name


def _facts(
    case: CaseFacts, report: WrittenReport | ReportView, service_title: str | None = None
) -> list[tuple[str, str]]:
    problems = ", ".join(PROBLEM_TYPE_LABELS[ProblemType(p)] for p in case.problem_types)
    facts = [
        ("Nomor pengaduan", case.tracking_code),
        ("Diterima", day_id(case.received_at)),
        ("Perihal", case.subject),
        ("Layanan", _service(case, service_title)),
        ("Jenis masalah", problems or "-"),
        ("Jalur penyelesaian", TRACKS.get(case.track or "", "-")),
    ]
    if case.chain:
        facts.append(("Tingkat", f"{case.tier + 1} dari {len(case.chain)}"))
    if case.worksheet:
        facts.append(("Inti masalah", str(case.worksheet.get("core_problem", "-"))))
    facts.append(("Tanggal laporan", day_id(report.at)))
    return facts


def _service(case: CaseFacts, title: str | None) -> str:
    if case.service_code:
        return f"{case.service_code} — {title}" if title else case.service_code
    return case.service_text or "-"


def _steps(case: CaseFacts) -> list[tuple[str, str, str]]:
    if not case.worksheet:
        return []
    return [
        (
            STEP_KINDS.get(str(s["kind"]), str(s["kind"])),
            str(s["party"]),
            str(s.get("outcome") or "belum ada hasil"),
        )
        for s in case.worksheet.get("plan", [])
    ]


def _result(case: CaseFacts) -> list[tuple[str, str]]:
    if not case.outcome:
        return []
    rows = [
        ("Hasil", OUTCOMES.get(case.outcome, case.outcome)),
        ("Ringkasan", case.result_summary or "-"),
    ]
    rows += [(f"Tindakan perbaikan {i}", a) for i, a in enumerate(case.corrective_actions, 1)]
    return rows
