"""The reports that exist, over the API: what can be downloaded, for which period, and where.

``GET /api/v1/reports`` lists the report documents of ``aduan.reports`` (statistics, the
dashboard, the recap PDF, the case export, the written tier reports) with links for a month
and a quarter, and the office-wide runs done so far (the quarterly SKM survey, the yearly
evaluation). A user who sees no case (the administrator, DESIGN §6) is refused (403), and the
index lists only what the caller may open (a plain office officer: no office-wide figures). The
documents themselves are served by ``aduan.web.ui.reports``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from aduan.reports import period as periods
from aduan.service import singleton
from aduan.service.accounts import STAFF_ROLES, Staff
from aduan.service.evaluation import EVALUATION_JOB
from aduan.service.reporting import check_report_reader, reads_figures
from aduan.service.survey import SURVEY_JOB
from aduan.web.auth import deps_of, require_roles
from aduan.workflow.intake import wib_date

router = APIRouter()
AnyStaff = Annotated[Staff, Depends(require_roles(STAFF_ROLES, "daftar laporan / reports"))]
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = frozenset({"statistics", "dashboard", "recap"})  # ``figures_viewer``'s reports


class ReportLink(BaseModel):
    """One document of a report: its format, the period it covers and where to get it."""

    format: str
    media_type: str
    period: str | None
    href: str


class ReportKind(BaseModel):
    """A report that exists: what it is, its documents, and the periods it has run for."""

    key: str
    title: str
    title_en: str
    links: list[ReportLink]
    href_template: str | None = None  # for per-case documents: fill in {ref}, {number}
    runs: list[str] | None = None  # office-wide runs done so far (periods), newest first


class ReportIndex(BaseModel):
    """The reports for ``month`` and ``quarter`` (default: the current ones, in WIB)."""

    month: str
    quarter: str
    reports: list[ReportKind]


def _runs(request: Request, job: str) -> list[str]:
    found = singleton.runs(deps_of(request), job)
    return sorted((period for period, _, _ in found), reverse=True)


@router.get("/reports", tags=["reports"], response_model=ReportIndex)
def reports(
    request: Request,
    staff: AnyStaff,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM")] = None,
    quarter: Annotated[str | None, Query(max_length=6, description="YYYYQn")] = None,
) -> ReportIndex:
    """Laporan yang tersedia dan tautannya / the reports that exist, with their links."""
    viewer = check_report_reader(deps_of(request), staff.username)  # no sight of cases: 403
    today = wib_date(deps_of(request).clock.now())
    m = periods.month(month) if month else periods.month(today.strftime("%Y-%m"))
    q = periods.quarter(quarter) if quarter else periods.quarter_of(today)
    by_month, by_quarter = f"month={m.key}", f"quarter={q.key}"
    kinds = [
        ReportKind(
            key="statistics",
            title="Statistik pengaduan",
            title_en="Complaint statistics",
            links=[
                ReportLink(
                    format="json",
                    media_type="application/json",
                    period=p.key,
                    href=f"/laporan/statistik.json?{arg}",
                )
                for p, arg in ((m, by_month), (q, by_quarter))
            ],
        ),
        ReportKind(
            key="dashboard",
            title="Dasbor statistik dengan grafik",
            title_en="Statistics dashboard with charts",
            links=[
                ReportLink(
                    format="html", media_type="text/html", period=p.key, href=f"/laporan?{arg}"
                )
                for p, arg in ((m, by_month), (q, by_quarter))
            ],
        ),
        ReportKind(
            key="recap",
            title="Rekap untuk Kepala Dinas",
            title_en="Recap for the Head of Office",
            links=[
                ReportLink(
                    format="pdf", media_type=PDF, period=p.key, href=f"/laporan/rekap.pdf?{arg}"
                )
                for p, arg in ((m, by_month), (q, by_quarter))
            ],
        ),
        ReportKind(
            key="export",
            title="Ekspor kasus",
            title_en="Case export",
            links=[
                ReportLink(
                    format=fmt,
                    media_type=media,
                    period=m.key,
                    href=f"/laporan/ekspor.{fmt}?{by_month}",
                )
                for fmt, media in (("csv", "text/csv"), ("xlsx", XLSX))
            ],
        ),
        ReportKind(
            key="written",
            title="Laporan tertulis per tingkat",
            title_en="Written tier reports of a case",
            links=[],
            href_template="/laporan/kasus/{ref}/tertulis/{number}.{format}",
        ),
        ReportKind(
            key="skm_survey",
            title="Survei Kepuasan Masyarakat (triwulanan)",
            title_en="Quarterly satisfaction survey (SKM)",
            links=[],
            runs=_runs(request, SURVEY_JOB),
        ),
        ReportKind(
            key="yearly_evaluation",
            title="Evaluasi tahunan standar pelayanan",
            title_en="Yearly evaluation of the service standard",
            links=[
                ReportLink(
                    format=fmt,
                    media_type=media,
                    period=str(today.year - 1),
                    href=f"/laporan/evaluasi.{fmt}?year={today.year - 1}",
                )
                for fmt, media in (("pdf", PDF), ("csv", "text/csv"))
            ],
            runs=_runs(request, EVALUATION_JOB),
        ),
    ]
    # Only what the caller may open: a plain office officer gets no office-wide figures (403).
    figures = reads_figures(viewer)
    shown = [k for k in kinds if figures or k.key not in FIGURES]
    return ReportIndex(month=m.key, quarter=q.key, reports=shown)
