"""PDF building blocks with reportlab: letterhead, tables, signature block, bar charts.

Documents are A4 flowables (platypus); charts are reportlab graphics drawings, so the PDF
needs no browser and no external fonts (the standard Times/Helvetica fonts).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from aduan.config import Office
from aduan.reports.charts import percent
from aduan.reports.documents import ReportDocument, Signatory

CLOSING = "Demikian laporan ini kami sampaikan untuk menjadi bahan pertimbangan dan tindak lanjut."
_styles = getSampleStyleSheet()
BODY = ParagraphStyle(
    "body", parent=_styles["Normal"], fontName="Times-Roman", fontSize=11, leading=14
)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=11)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
TITLE = ParagraphStyle("title", parent=CENTER, fontName="Times-Bold", fontSize=13, leading=16)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Times-Bold", spaceBefore=8)
KOP_PARENT = ParagraphStyle("kop1", parent=CENTER, fontName="Times-Bold", fontSize=13, leading=15)
KOP_NAME = ParagraphStyle("kop2", parent=CENTER, fontName="Times-Bold", fontSize=14, leading=17)
KOP_ADDR = ParagraphStyle("kop3", parent=CENTER, fontSize=9, leading=11)


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped; newlines kept)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def letterhead(office: Office) -> list[Flowable]:
    """The kop surat: government, office, address, contacts, a double rule."""
    return [
        para(office.parent, KOP_PARENT),
        para(office.name, KOP_NAME),
        para(office.address, KOP_ADDR),
        para(f"Telp. {office.phone} - {office.email} - {office.website}", KOP_ADDR),
        HRFlowable(width="100%", thickness=2, spaceBefore=4, spaceAfter=1, color=colors.black),
        HRFlowable(width="100%", thickness=0.5, spaceAfter=10, color=colors.black),
    ]


def facts_table(rows: Sequence[tuple[str, str]]) -> Table:
    """Label : value rows without borders."""
    data = [[para(k), ":", para(v)] for k, v in rows]
    table = Table(data, colWidths=[4.2 * cm, 0.5 * cm, 11.3 * cm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def grid_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]
) -> Table:
    """A bordered table with a shaded header row (repeated on each page)."""
    data = [[para(h, SMALL) for h in header]] + [[para(str(c), SMALL) for c in r] for r in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def signature(place_date: str, signatory: Signatory, lead: Sequence[Flowable] = ()) -> KeepTogether:
    """The signature block, right half of the page: place and date, position, name, NIP.

    ``lead`` (the closing sentence) is kept on the same page as the block.
    """
    block = Table(
        [
            [para(place_date)],
            [para(signatory.position)],
            [Spacer(1, 1.8 * cm)],
            [Paragraph(f"<u><b>{escape(signatory.name)}</b></u>", BODY)],
            [para(f"NIP. {signatory.nip or '-'}")],
        ],
        colWidths=[8 * cm],
    )
    outer = Table([["", block]], colWidths=[8 * cm, 8 * cm])
    return KeepTogether([Spacer(1, 0.3 * cm), *lead, Spacer(1, 0.3 * cm), outer])


def bar_drawing(
    title: str, counts: Mapping[str, int], labels: Mapping[str, str] | None = None
) -> Drawing:
    """A horizontal bar chart of ``counts`` (reportlab graphics, vector in the PDF)."""
    labels = labels or {}
    items = list(counts.items())[:12]
    height = 40 + 18 * max(len(items), 1)
    drawing = Drawing(16 * cm, height)
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=10))
    if not items:
        drawing.add(
            String(0, height - 30, "Tidak ada data / no data", fontName="Helvetica", fontSize=9)
        )
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 6.2 * cm, 8
    chart.width, chart.height = 8.8 * cm, height - 30
    chart.data = [[n for _, n in reversed(items)]]
    chart.categoryAxis.categoryNames = [_short(labels.get(k, k)) for k, _ in reversed(items)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, -(-max(n for _, n in items) // 5))  # whole cases
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1f6f8b")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def share_drawing(
    title: str,
    parts: Mapping[str, int],
    labels: Mapping[str, str],
    fills: Mapping[str, str],
    counted: Sequence[str],
    note: str = "",
) -> Drawing:
    """One 100 % bar of the ``counted`` parts and a legend in words (as ``charts.share_bar``)."""
    total = sum(parts.get(k, 0) for k in counted)
    width = 16 * cm
    height = 44 + 14 * len(parts)
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=10))
    x = 0.0
    for key in counted:
        w = width * parts.get(key, 0) / total if total else 0
        if w:
            drawing.add(Rect(x, height - 34, w, 14, fillColor=colors.HexColor(fills[key]),
                             strokeColor=None))  # fmt: skip
        x += w
    if not total:
        drawing.add(Rect(0, height - 34, width, 14, fillColor=colors.lightgrey, strokeColor=None))
    for i, (key, n) in enumerate(parts.items()):
        y = height - 50 - 14 * i
        share = (percent(n / total) if total else "-") if key in counted else note
        drawing.add(Rect(0, y - 1, 8, 8, fillColor=colors.HexColor(fills[key]), strokeColor=None))
        drawing.add(
            String(12, y, f"{labels.get(key, key)}: {n} ({share})", fontName="Helvetica",
                   fontSize=9)
        )  # fmt: skip
    return drawing


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def build(story: list[Flowable], title: str, invariant: bool = False) -> bytes:
    """Lay the story out on A4 pages, numbered at the foot; return the PDF.

    ``invariant``: no creation time and no random document id, so the same story always gives
    the same bytes (a frozen letter rendered again from its snapshot is identical).
    """
    out = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"{title} - halaman {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
        bottomMargin=2 * cm, title=title, author="Aduan", invariant=1 if invariant else None,
    )  # fmt: skip
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def written_report_pdf(doc: ReportDocument) -> bytes:
    """The written report as a one- or two-page letter."""
    story: list[Flowable] = [*letterhead(doc.office), para(doc.title, TITLE)]
    story += [para(f"Nomor: {doc.number}", CENTER), Spacer(1, 0.4 * cm)]
    to = [doc.addressee, *([doc.addressee_position] if doc.addressee_position else [])]
    story += [para("Kepada Yth.\n" + "\n".join(to) + "\ndi tempat"), Spacer(1, 0.3 * cm)]
    story += [para(f"Perihal: {doc.subject}"), para("A. Data pengaduan", HEADING)]
    story.append(facts_table(doc.facts))
    section = "B"
    if doc.steps:
        story += [para("B. Langkah penanganan", HEADING)]
        story.append(
            grid_table(["Langkah", "Pihak", "Hasil"], doc.steps, [3.5 * cm, 5 * cm, 7.5 * cm])
        )
        section = "C"
    story += [para(f"{section}. Temuan dan laporan", HEADING), para(doc.findings)]
    if doc.result:
        story += [Spacer(1, 0.2 * cm), facts_table(doc.result)]
    # The closing sentence stays with the signature: never a signature alone on a page.
    story.append(signature(doc.place_date, doc.signatory, lead=[para(CLOSING)]))
    if doc.sha256:
        story += [
            Spacer(1, 0.4 * cm),
            para(f"Sidik dokumen (SHA-256): {doc.sha256}", SMALL),
            para("Isi laporan ini disimpan saat laporan dibuat dan tidak berubah.", SMALL),
        ]
    return build(story, f"{doc.title} {doc.number}")
