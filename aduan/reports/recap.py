"""The monthly and quarterly recap for the Head of Office (issue 6 item 3): PDF and HTML.

Statistics of the period, its charts, the complaints still overdue and the cases escalated
to APIP, on the office's letterhead.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Spacer

from aduan.config import Office
from aduan.ports import CaseLine
from aduan.reports import charts, html, pdf
from aduan.reports.documents import day_id
from aduan.reports.period import Period
from aduan.reports.statistics import Statistics
from aduan.workflow.states import PROBLEM_TYPE_LABELS, STATUS_NAMES, Status

RECAP_LIST_LIMIT = 200  # cases listed per table (overdue, APIP)
COMPLIANCE_LABELS = {
    "on_time": "Tepat waktu",
    "late_answered": "Dijawab terlambat",
    "overdue_open": "Belum dijawab, lewat tenggat",
    "pending": "Belum jatuh tempo",
}


@dataclass(frozen=True, slots=True)
class Recap:
    """What the recap shows."""

    period: Period
    statistics: Statistics
    overdue: list[CaseLine]
    apip: list[CaseLine]


def _compliance(s: Statistics) -> dict[str, int]:
    c = s.compliance
    return {
        "on_time": c.on_time,
        "late_answered": c.late_answered,
        "overdue_open": c.overdue_open,
        "pending": c.pending,
    }


def problem_labels() -> dict[str, str]:
    """Problem types in Bahasa Indonesia."""
    return {p.value: label for p, label in PROBLEM_TYPE_LABELS.items()}


def summary_rows(s: Statistics) -> list[tuple[str, str]]:
    """The recap's key figures."""
    c, a = s.compliance, s.answer_days
    rate = "-" if c.on_time_rate is None else f"{100 * c.on_time_rate:.1f} %"
    return [
        ("Jumlah diterima", f"{s.total} (pengaduan {s.complaints}, saran/masukan {s.suggestions})"),
        ("Dijawab tepat waktu", f"{c.on_time} ({rate})"),
        ("Terlambat", f"{c.late} (dijawab terlambat {c.late_answered}, "
                      f"belum dijawab lewat tenggat {c.overdue_open})"),
        ("Median / P90 hari kerja", f"{a.median if a.median is not None else '-'} / "
                                    f"{a.p90 if a.p90 is not None else '-'} (n={a.answered})"),
        ("APIP", f"diminta {s.apip.requested}, disetujui {s.apip.approved}, "
                 f"ditolak {s.apip.refused}, menunggu {s.apip.awaiting_approval}"),
    ]  # fmt: skip


def _line_rows(lines: list[CaseLine]) -> list[list[str]]:
    return [
        [
            c.tracking_code,
            day_id(c.received_at),
            c.subject,
            STATUS_NAMES[Status(c.status)],
            day_id(c.response_due_at) if c.response_due_at else "-",
        ]
        for c in lines
    ]


def recap_pdf(recap: Recap, office: Office) -> bytes:
    """The recap as a PDF for the Head of Office."""
    s = recap.statistics
    story: list[Flowable] = [*pdf.letterhead(office)]
    story += [pdf.para(f"REKAP PENANGANAN PENGADUAN {recap.period.label.upper()}", pdf.TITLE)]
    story += [
        pdf.para(f"{s.first_day} s.d. {s.last_day}; data per {s.generated_at[:16]} UTC", pdf.CENTER)
    ]
    story += [Spacer(1, 0.3 * cm), pdf.facts_table(summary_rows(s))]
    story += [
        pdf.bar_drawing("Kepatuhan jawaban 14 hari kerja", _compliance(s), COMPLIANCE_LABELS),
        pdf.bar_drawing("Per layanan", s.by_service),
        pdf.bar_drawing("Per jenis masalah", s.by_problem_type, problem_labels()),
        pdf.bar_drawing("Per saluran", s.by_channel),
    ]
    header = ["Nomor", "Diterima", "Perihal", "Status", "Tenggat"]
    widths = [3.9 * cm, 2.5 * cm, 4.9 * cm, 2.6 * cm, 2.3 * cm]
    story += [pdf.para(f"Pengaduan lewat tenggat ({len(recap.overdue)})", pdf.HEADING)]
    story += [pdf.grid_table(header, _line_rows(recap.overdue), widths)]
    story += [pdf.para(f"Pengaduan yang melibatkan APIP ({len(recap.apip)})", pdf.HEADING)]
    story += [pdf.grid_table(header, _line_rows(recap.apip), widths)]
    return pdf.build(story, f"Rekap pengaduan {recap.period.key}")


def recap_charts(s: Statistics) -> list[str]:
    """The recap's charts as SVG (the dashboard shows the same)."""
    return [
        charts.share_bar("Kepatuhan jawaban 14 hari kerja", _compliance(s), COMPLIANCE_LABELS),
        charts.bar_chart("Per layanan", s.by_service),
        charts.bar_chart("Per jenis masalah", s.by_problem_type, problem_labels()),
        charts.bar_chart("Per saluran", s.by_channel),
        charts.bar_chart("Per jalur", s.by_track),
        charts.bar_chart("Per status", s.by_status),
    ]


def recap_html(recap: Recap, office: Office) -> str:
    """The recap as a printable HTML page with SVG charts."""
    return html.render(
        "recap.html",
        office=office,
        recap=recap,
        summary=summary_rows(recap.statistics),
        charts=recap_charts(recap.statistics),
        overdue=_line_rows(recap.overdue),
        apip=_line_rows(recap.apip),
    )
