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

from aduan.escalation.answer import AnswerDeadline, answer_standing
from aduan.reports import labels
from aduan.reports.period import Period
from aduan.schemas.views import ComplainantView, document_complainant
from aduan.workflow.case import Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, OPEN_STATUSES, Role, Status

FORMATS = ("csv", "xlsx")
IDENTITY = ("complainant_name", "complainant_email", "complainant_phone", "complainant_address")
# The exported columns and their headings, in Bahasa Indonesia (issue 13 item 5); ``service``
# and ``standing`` are added to the stored columns: the service's title from the catalog, and
# what the answer deadline says (``aduan.escalation.answer``, as the dashboard counts it).
TITLES = {
    "tracking_code": "Kode pelacakan",
    "received_at": "Diterima (WIB)",
    "kind": "Jenis",
    "screening_reason": "Alasan dicatat sebagai saran",
    "channel": "Saluran",
    "service_code": "Kode layanan",
    "service": "Layanan",
    "problem_types": "Jenis masalah",
    "subject": "Pokok pengaduan",
    "status": "Status",
    "track": "Jalur",
    "tier": "Tingkat",
    "outcome": "Hasil",
    "response_due_at": "Tenggat jawaban (WIB)",
    "answered_at": "Dijawab (WIB)",
    "standing": "Ketepatan jawaban",
    "closed_at": "Selesai (WIB)",
    "complainant_name": "Nama pelapor",
    "complainant_email": "Email pelapor",
    "complainant_phone": "Telepon pelapor",
    "complainant_address": "Alamat pelapor",
    "confidential": "Identitas dirahasiakan",
}
COLUMNS = tuple(TITLES)
HEADER = [TITLES[c] for c in COLUMNS]
VALUE_LABELS = {
    "kind": labels.KINDS,
    "screening_reason": labels.SUGGESTION_REASONS,
    "channel": labels.CHANNELS,
    "status": labels.STATUSES,
    "track": labels.TRACKS,
    "outcome": labels.OUTCOMES,
}
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


def export_line(
    row: Mapping[str, Any], role: Role, now: datetime, service_names: Mapping[str, str]
) -> list[Any]:
    """One exported case (``COLUMNS`` order): values in words, its tier counted from 1.

    The complainant is shown as ``role`` may see them; ``standing`` is what the answer
    deadline says as of ``now`` (``answer_standing``; a complaint waiting for the complainant's
    information in time says so); ``service_names``: the catalog's titles.
    """
    shown = export_complainant(row, role)
    values: dict[str, Any] = {
        **row,
        "complainant_name": shown.name,
        "complainant_email": shown.email,
        "complainant_phone": shown.phone,
        "complainant_address": shown.address,
        "service": service_names.get(row["service_code"] or "", ""),
        "tier": labels.tier(row["tier"], row["track"]),
        "standing": _standing(row, now),
        "confidential": "ya" if row["confidential"] else "tidak",
    }
    out: list[Any] = []
    for column in COLUMNS:
        value = values[column]
        if column == "problem_types":
            codes = value if isinstance(value, list) else json.loads(value or "[]")
            value = "; ".join(labels.label(labels.PROBLEM_TYPES, code) for code in codes)
        elif column in VALUE_LABELS:
            value = "" if value is None else labels.label(VALUE_LABELS[column], value)
        elif isinstance(value, datetime):
            value = value.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
        out.append(value)
    return out


def _standing(row: Mapping[str, Any], now: datetime) -> str:
    if row["response_due_at"] is None:
        return ""
    is_open = Status(row["status"]) in OPEN_STATUSES
    paused_at = row["info_requested_at"] if is_open else None
    standing = answer_standing(row["response_due_at"], row["answered_at"], is_open, now, paused_at)
    if standing == AnswerDeadline.PENDING and paused_at is not None:
        return labels.WAITING_FOR_INFO  # not late while it waits (``answer``)
    return labels.STANDINGS[standing]


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
