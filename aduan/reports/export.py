"""Export the cases of a period as CSV or XLSX (issue 6 item 7): the rows and their writers.

The complainant's identity follows the same rule as the case page (DESIGN §6,
``schemas.views.document_complainant``): a complainant who asked for confidentiality is
masked for every role but the complaints manager and the Head (the recording officer is not
known per row here). The use
case (``aduan.service.reports.export_cases``) streams the rows from the database into these.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from aduan.ports import EXPORT_COLUMNS
from aduan.reports.period import Period
from aduan.schemas.views import ComplainantView, document_complainant
from aduan.workflow.case import Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, Role

FORMATS = ("csv", "xlsx")
IDENTITY = ("complainant_name", "complainant_email", "complainant_phone", "complainant_address")
HEADER = [c for c in EXPORT_COLUMNS if c != "id"]
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection, OWASP):
# complainants write subjects, descriptions and names, so those are always written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_format(fmt: str) -> None:
    """An input error unless ``fmt`` is one of ``FORMATS``."""
    if fmt not in FORMATS:
        raise InputError(
            "format",
            "csv_or_xlsx",
            N_("format ekspor csv atau xlsx, bukan %(fmt)r"),
            fmt=fmt,
        )


def export_complainant(row: Mapping[str, Any], role: Role) -> ComplainantView:
    """The complainant of an exported case as ``role`` may see them."""
    return document_complainant(
        Complainant(
            name=row["complainant_name"],
            email=row["complainant_email"],
            phone=row["complainant_phone"],
            address=row["complainant_address"],
            confidential=row["confidential"],
        ),
        role,
    )


def export_line(row: Mapping[str, Any], role: Role) -> list[Any]:
    """One exported case (``HEADER`` order), its complainant shown as ``role`` may see them."""
    shown = export_complainant(row, role)
    identity = {
        "complainant_name": shown.name,
        "complainant_email": shown.email,
        "complainant_phone": shown.phone,
        "complainant_address": shown.address,
    }
    out: list[Any] = []
    for column in HEADER:
        value: Any = identity[column] if column in IDENTITY else row[column]
        if column == "problem_types":
            value = ",".join(value if isinstance(value, list) else json.loads(value or "[]"))
        elif isinstance(value, datetime):
            value = value.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
        out.append(value)
    return out


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` for an XLSX cell: text is stored as a string, never as a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_export(lines: Iterable[list[Any]], period: Period, fmt: str, out: IO[bytes]) -> int:
    """Write ``lines`` under ``HEADER`` to ``out`` as ``fmt`` (csv or xlsx); return how many."""
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(HEADER)
        for line in lines:
            writer.writerow([csv_cell(value) for value in line])
            count += 1
        text.flush()
        text.detach()
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(f"Kasus {period.key}"[:31])
        sheet.append(HEADER)
        for line in lines:
            sheet.append([xlsx_cell(sheet, value) for value in line])
            count += 1
        book.save(out)
    return count
