"""The monthly and quarterly recap for the Head of Office (issue 6 item 3): PDF and HTML.

Statistics of the period, its charts, the complaints still overdue and the cases escalated
to APIP, on the office's letterhead. Every value is shown in words (``aduan.reports.labels``),
every share of "on time" is the one rate of ``aduan.escalation.answer``, and the colours mean
what they say: green on time, red late, amber not yet due, always with the words beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Spacer

from aduan.config import Office
from aduan.escalation.answer import AnswerDeadline
from aduan.ports import CaseLine
from aduan.reports import charts, html, labels, pdf
from aduan.reports.charts import percent
from aduan.reports.documents import day_id
from aduan.reports.period import Period
from aduan.reports.statistics import Compliance, Statistics
from aduan.workflow.intake import WIB

RECAP_LIST_LIMIT = 200  # cases listed per table (overdue, APIP)
COMPLIANCE_TITLE = "Kepatuhan jawaban 14 hari kerja (tenggat pada periode ini)"
# The parts of the compliance bar, in order: judged (on time, then late), then not yet judged.
JUDGED = (AnswerDeadline.ON_TIME, AnswerDeadline.LATE, AnswerDeadline.OVERDUE_OPEN)
COMPLIANCE_LABELS = {k: labels.STANDINGS[k] for k in (*JUDGED, AnswerDeadline.PENDING)}
COMPLIANCE_COLOURS = {
    AnswerDeadline.ON_TIME: "#1b6e2a",  # green: on time
    AnswerDeadline.LATE: "#c62828",  # red: late
    AnswerDeadline.OVERDUE_OPEN: "#7f0000",  # dark red: late and still unanswered
    AnswerDeadline.PENDING: "#b26a00",  # amber: not yet due
}
NOT_JUDGED = "belum dinilai"
LIST_HEADER = ["Nomor", "Diterima", "Perihal", "Status", "Tenggat", "Lewat"]


@dataclass(frozen=True, slots=True)
class Recap:
    """What the recap shows.

    ``overdue``: the complaints still unanswered past their deadline as the period closes (or
    now), whenever they arrived; ``late_days``: how many working days late each is (by case
    id); ``service_names``: the catalog's titles by service code, for labels.
    """

    period: Period
    statistics: Statistics
    overdue: list[CaseLine]
    apip: list[CaseLine]
    late_days: dict[int, int] = field(default_factory=dict)
    service_names: dict[str, str] = field(default_factory=dict)


def compliance_parts(c: Compliance) -> dict[str, int]:
    """The compliance bar's parts: on time, answered late, late and unanswered, not yet due."""
    return {
        AnswerDeadline.ON_TIME: c.on_time,
        AnswerDeadline.LATE: c.late_answered,
        AnswerDeadline.OVERDUE_OPEN: c.overdue_open,
        AnswerDeadline.PENDING: c.pending,
    }


def problem_labels() -> dict[str, str]:
    """Problem types in Bahasa Indonesia."""
    return dict(labels.PROBLEM_TYPES)


def summary_rows(s: Statistics) -> list[tuple[str, str]]:
    """The recap's key figures (the dashboard shows the same rows)."""
    c, a = s.compliance, s.answer_days
    judged = c.on_time + c.late
    return [
        ("Jumlah diterima", f"{s.total} (pengaduan {s.complaints}, saran/masukan {s.suggestions})"),
        ("Tenggat jawaban jatuh pada periode ini",
         f"{c.falling_due} pengaduan, termasuk yang diterima sebelum periode ini"),
        ("Dijawab tepat waktu",
         f"{c.on_time} dari {judged} yang sudah dinilai ({percent(c.on_time_rate)})"),
        ("Terlambat", f"{c.late} (dijawab terlambat {c.late_answered}, "
                      f"belum dijawab lewat tenggat {c.overdue_open})"),
        ("Belum jatuh tempo", f"{c.pending} ({NOT_JUDGED})"),
        ("Median / P90 hari kerja sampai jawaban",
         f"{_num(a.median)} / {_num(a.p90)} (n={a.answered}, pengaduan yang diterima)"),
        ("APIP", f"diminta {s.apip.requested}, disetujui {s.apip.approved}, "
                 f"ditolak {s.apip.refused}, menunggu {s.apip.awaiting_approval}"),
    ]  # fmt: skip


def _wib(instant: str) -> str:
    """An ISO instant as Jakarta time: ``2026-03-02 10:00 WIB``."""
    return datetime.fromisoformat(instant).astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}".replace(".", ",")


def line_rows(lines: list[CaseLine], late_days: dict[int, int]) -> list[list[str]]:
    """The rows of a case list: code, received, subject, status in words, deadline, days late."""
    return [
        [
            c.tracking_code,
            day_id(c.received_at),
            c.subject,
            labels.label(labels.STATUSES, c.status),
            day_id(c.response_due_at) if c.response_due_at else "-",
            f"{late_days[c.id]} hari kerja" if c.id in late_days else "-",
        ]
        for c in lines
    ]


def overdue_title(recap: Recap) -> str:
    """The heading of the overdue list: what it holds, as of when."""
    return (
        f"Pengaduan belum dijawab yang lewat tenggat ({len(recap.overdue)}), per "
        f"{_wib(recap.statistics.generated_at)[:10]}, termasuk yang tenggatnya sebelum periode ini"
    )


def recap_pdf(recap: Recap, office: Office) -> bytes:
    """The recap as a PDF for the Head of Office."""
    s = recap.statistics
    story: list[Flowable] = [*pdf.letterhead(office)]
    story += [pdf.para(f"REKAP PENANGANAN PENGADUAN {recap.period.label.upper()}", pdf.TITLE)]
    story += [
        pdf.para(f"{s.first_day} s.d. {s.last_day}; data per {_wib(s.generated_at)}", pdf.CENTER)
    ]
    story += [Spacer(1, 0.3 * cm), pdf.facts_table(summary_rows(s))]
    story += [
        pdf.share_drawing(
            COMPLIANCE_TITLE,
            compliance_parts(s.compliance),
            COMPLIANCE_LABELS,
            COMPLIANCE_COLOURS,
            JUDGED,
            NOT_JUDGED,
        ),
        pdf.bar_drawing("Per layanan", s.by_service, labels.services(recap.service_names)),
        pdf.bar_drawing("Per jenis masalah", s.by_problem_type, problem_labels()),
        pdf.bar_drawing("Per saluran", s.by_channel, labels.CHANNELS),
    ]
    # The code's column fits ADN-WWWWW-WWWWW (its widest letters) on one line: a code that
    # wraps cannot be read back or typed into the tracking page.
    widths = [4.5 * cm, 2.2 * cm, 3.6 * cm, 2.5 * cm, 2.2 * cm, 1.7 * cm]
    story += [pdf.para(overdue_title(recap), pdf.HEADING)]
    story += [pdf.grid_table(LIST_HEADER, line_rows(recap.overdue, recap.late_days), widths)]
    story += [pdf.para(f"Pengaduan yang melibatkan APIP ({len(recap.apip)})", pdf.HEADING)]
    story += [pdf.grid_table(LIST_HEADER, line_rows(recap.apip, recap.late_days), widths)]
    return pdf.build(story, f"Rekap pengaduan {recap.period.key}")


def recap_charts(recap: Recap) -> list[str]:
    """The recap's charts as SVG (the dashboard shows the same)."""
    s = recap.statistics
    return [
        charts.share_bar(
            COMPLIANCE_TITLE,
            compliance_parts(s.compliance),
            COMPLIANCE_LABELS,
            COMPLIANCE_COLOURS,
            JUDGED,
            NOT_JUDGED,
        ),
        charts.bar_chart("Per layanan", s.by_service, labels.services(recap.service_names)),
        charts.bar_chart("Per jenis masalah", s.by_problem_type, problem_labels()),
        charts.bar_chart("Per saluran", s.by_channel, labels.CHANNELS),
        charts.bar_chart("Per jalur", s.by_track, labels.TRACKS),
        charts.bar_chart("Per status", s.by_status, labels.STATUSES),
    ]


def recap_html(recap: Recap, office: Office) -> str:
    """The recap as a printable HTML page with SVG charts."""
    return html.render(
        "recap.html",
        office=office,
        recap=recap,
        summary=summary_rows(recap.statistics),
        charts=recap_charts(recap),
        overdue_title=overdue_title(recap),
        header=LIST_HEADER,
        overdue=line_rows(recap.overdue, recap.late_days),
        apip=line_rows(recap.apip, recap.late_days),
    )
