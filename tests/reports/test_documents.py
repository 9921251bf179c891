"""Printable documents: the written tier report, the recap and the evaluation, read back."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from aduan.config import Office
from aduan.reports import period
from aduan.reports.evaluation import evaluation_csv, evaluation_pdf
from aduan.reports.html import render
from aduan.reports.pdf import written_report_pdf
from aduan.reports.recap import recap_html, recap_pdf
from aduan.service import Deps
from aduan.service.evaluation import build_evaluation
from aduan.service.reports import build_recap, written_report
from aduan.workflow.errors import InputError
from aduan.workflow.states import Action
from tests.integration import builders as b


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def escalated_case(deps: Deps) -> str:
    case = b.internal_case(deps)
    b.act(deps, case, Action.RECORD_STEP, "budi")
    b.act(deps, case, Action.ESCALATE, "budi", report="Berkas tertahan di verifikasi teknis")
    return case.tracking_code


def test_written_report_pdf_carries_letterhead_findings_and_signature(
    deps: Deps, tmp_path: Path
) -> None:
    code = escalated_case(deps)

    doc = written_report(deps, code, "sari", 1, Office())
    data = written_report_pdf(doc)

    pages, text = pdf_text(data)
    assert pages == 1
    for expected in (
        "PEMERINTAH KABUPATEN PURWAKARTA",
        "LAPORAN TERTULIS PENANGANAN PENGADUAN",
        code,
        "Sari Wulandari",  # the addressee: the section head above the officer
        "Berkas tertahan di verifikasi teknis",
        "Budi Santoso",
        "Pejabat Pengelola Pengaduan",
        "NIP. 198703152010011002",
    ):
        assert expected in text, expected
    # Rendered once to an image: the page is really drawn, not just text in a file.
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=1).to_pil()
    image.save(tmp_path / "written.png")
    assert image.size[0] > 500 and image.convert("L").getextrema()[0] < 100

    html = render("written_report.html", doc=doc)
    assert "NIP. 198703152010011002" in html and code in html


def test_written_report_number_must_exist(deps: Deps) -> None:
    code = escalated_case(deps)
    with pytest.raises(InputError, match="1 laporan tertulis"):
        written_report(deps, code, "sari", 2, Office())


def test_monthly_recap_lists_overdue_and_apip_cases(deps: Deps) -> None:
    apip = b.apip_pending_case(deps).tracking_code
    b.submit(deps)

    recap = build_recap(deps, period.month("2026-03"), "dewi")
    pages, text = pdf_text(recap_pdf(recap, Office()))

    assert pages >= 1
    assert "REKAP PENANGANAN PENGADUAN MARET 2026" in text
    assert "Pengaduan yang melibatkan APIP (1)" in text and apip in text
    assert "Kepatuhan jawaban 14 hari kerja" in text
    page_html = recap_html(recap, Office())
    assert page_html.count("<svg") == 6 and apip in page_html


def test_the_widest_tracking_code_stays_on_one_line_in_the_recap(deps: Deps) -> None:
    # A code that wraps inside its cell cannot be read back or typed into the tracking page;
    # W is the widest letter a code can have.
    b.apip_pending_case(deps)
    recap = build_recap(deps, period.month("2026-03"), "dewi")
    widest = "ADN-WWWWW-WWWWW"
    shown = replace(recap, apip=[replace(recap.apip[0], tracking_code=widest)])
    _, text = pdf_text(recap_pdf(shown, Office()))
    assert widest in text


def test_yearly_evaluation_lists_every_suggestion(deps: Deps) -> None:
    b.submit(deps, complainant={"name": None}, subject="Ruang tunggu sempit")
    b.reviewed_case(deps)

    evaluation = build_evaluation(deps, period.year(2026), "dewi")
    _, text = pdf_text(evaluation_pdf(evaluation, Office()))
    table = evaluation_csv(evaluation)

    assert "EVALUASI STANDAR PELAYANAN TAHUN 2026" in text
    assert "Seluruh saran/masukan (1)" in text and "Ruang tunggu sempit" in text
    assert "15121,completion_time,1,0,0,0" in table
    assert "Ruang tunggu sempit" in table


def test_a_written_report_is_frozen_when_filed_and_prints_the_same_later(deps: Deps) -> None:
    # Issue 13 item 4: report 001 once re-rendered with the next tier, the result and the
    # corrective actions that came after it.
    code = escalated_case(deps)  # report 001: tier 1 -> tier 2 (the section head)
    _, filed = pdf_text(written_report_pdf(written_report(deps, code, "sari", 1, Office())))

    b.act(deps, code, Action.ESCALATE, "sari", report="Mohon keputusan Kepala Bidang")
    b.act(
        deps, code, Action.RECORD_RESULT, "agus", outcome="substantiated",
        summary="Sertifikat diterbitkan ulang", corrective_actions=["Verifikator ditambah"],
    )  # fmt: skip
    _, later = pdf_text(written_report_pdf(written_report(deps, code, "agus", 1, Office())))

    assert later == filed
    assert "Tingkat 2 dari 4" in later.replace(":", "").replace("  ", " ") or "2 dari 4" in later
    assert "3 dari 4" not in later  # the later tier is not on the earlier report
    assert "Sertifikat diterbitkan ulang" not in later and "Verifikator ditambah" not in later
    assert "Klarifikasi" in later and "clarification" not in later  # plan steps in Indonesian
    assert "Sidik dokumen (SHA-256):" in later

    _, second = pdf_text(written_report_pdf(written_report(deps, code, "agus", 2, Office())))
    assert "002/" in second and "Mohon keputusan Kepala Bidang" in second
    assert "3 dari 4" in second
