"""Exports of a period's cases: CSV and XLSX, only the cases in sight, identity as allowed."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from aduan.reports import period
from aduan.service import Deps
from aduan.service.reports import export_cases
from aduan.workflow.errors import InputError
from aduan.workflow.states import Action
from tests.integration import builders as b


def exported_csv(deps: Deps, user: str) -> list[dict[str, str]]:
    out = io.BytesIO()
    export_cases(deps, period.month("2026-03"), user, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode())))


def test_the_head_sees_the_complainant_and_apip_only_its_referral_masked(deps: Deps) -> None:
    unrouted = b.submit(deps).tracking_code
    referred = b.apip_pending_case(deps).tracking_code
    b.act(deps, referred, Action.APPROVE_APIP, "dewi")

    head, apip = exported_csv(deps, "dewi"), exported_csv(deps, "irfan")

    assert [r["Kode pelacakan"] for r in head] == [unrouted, referred]
    assert head[0]["Email pelapor"] == "siti.aminah@contoh.id"
    # APIP sees the case referred to it (DESIGN §6), never the one it was not given.
    assert [r["Kode pelacakan"] for r in apip] == [referred]
    assert apip[0]["Nama pelapor"] == "(dirahasiakan)"
    assert apip[0]["Email pelapor"] == "" and apip[0]["Telepon pelapor"] == ""


def test_xlsx_has_a_header_and_one_row_per_case(deps: Deps) -> None:
    b.submit(deps)
    b.submit(deps)
    out = io.BytesIO()

    count = export_cases(deps, period.month("2026-03"), "dewi", "xlsx", out)

    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert count == 2 and len(rows) == 3 and rows[0][0] == "Kode pelacakan"


def test_unknown_format_is_refused(deps: Deps) -> None:
    with pytest.raises(InputError, match="csv atau xlsx"):
        export_cases(deps, period.month("2026-03"), "budi", "pdf", io.BytesIO())


HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)")


def hostile_cases(deps: Deps) -> None:
    for text in HOSTILE:
        complainant = {**b.COMPLAINANT, "name": text, "address": text}
        b.submit(deps, subject=text, description=text, complainant=complainant)


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote(deps: Deps) -> None:
    hostile_cases(deps)

    rows = exported_csv(deps, "dewi")

    for row, text in zip(rows, HOSTILE, strict=True):
        for column in ("Pokok pengaduan", "Nama pelapor", "Alamat pelapor"):
            assert row[column] == "'" + text


def test_xlsx_stores_text_that_looks_like_a_formula_as_text(deps: Deps) -> None:
    hostile_cases(deps)
    out = io.BytesIO()

    export_cases(deps, period.month("2026-03"), "dewi", "xlsx", out)

    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    cells = list(sheet.iter_rows(min_row=2))
    assert all(cell.data_type != "f" for row in cells for cell in row)
    for row, text in zip(cells, HOSTILE, strict=True):
        for column in ("Pokok pengaduan", "Nama pelapor", "Alamat pelapor"):
            cell = row[header.index(column)]
            assert cell.value == text and cell.data_type == "s"
