"""Export the cases of a period as CSV or XLSX (issue 6 item 7).

The complainant's identity follows the same rule as the case page (DESIGN §6,
``models.views.complainant_view``): visible to the office's handling chain, masked for
agencies, APIP and administrators when the complainant asked for confidentiality.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import structlog
from openpyxl import Workbook

from aduan import service
from aduan.adapters.sql.listings import EXPORT_COLUMNS, export_rows
from aduan.adapters.sql.stats import sql_connection
from aduan.reports.period import Period
from aduan.schemas.views import complainant_view
from aduan.service import Deps
from aduan.workflow.case import Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import Role

log = structlog.get_logger()
FORMATS = ("csv", "xlsx")
IDENTITY = ("complainant_name", "complainant_email", "complainant_phone", "complainant_address")
HEADER = [c for c in EXPORT_COLUMNS if c != "id"]


def _role(deps: Deps, username: str) -> Role:
    user = service.show_orgchart(deps).users.get(username)
    if user is None or not user.active:
        raise InputError(
            "user",
            "known_active_user",
            f"pengguna '{username}' tidak dikenal atau tidak aktif",
            f"unknown or inactive user '{username}'",
        )
    return user.role


def _line(row: Any, role: Role) -> list[Any]:
    shown = complainant_view(
        Complainant(
            name=row["complainant_name"],
            email=row["complainant_email"],
            phone=row["complainant_phone"],
            address=row["complainant_address"],
            confidential=row["confidential"],
        ),
        role,
    )
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


def _lines(deps: Deps, period: Period, role: Role) -> Iterator[list[Any]]:
    with deps.uow(readonly=True) as uow:
        for row in export_rows(sql_connection(uow), period.start_at, period.end_at):
            yield _line(row, role)


def export_cases(deps: Deps, period: Period, username: str, fmt: str, out: IO[bytes]) -> int:
    """Write the period's cases to ``out`` as ``fmt`` (csv or xlsx); return how many."""
    if fmt not in FORMATS:
        raise InputError(
            "format",
            "csv_or_xlsx",
            f"format ekspor csv atau xlsx, bukan {fmt!r}",
            f"export format csv or xlsx, not {fmt!r}",
        )
    role = _role(deps, username)
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(HEADER)
        for line in _lines(deps, period, role):
            writer.writerow(line)
            count += 1
        text.flush()
        text.detach()
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(f"Kasus {period.key}"[:31])
        sheet.append(HEADER)
        for line in _lines(deps, period, role):
            sheet.append(line)
            count += 1
        book.save(out)
    log.info("cases_exported", period=period.key, rows=count, format=fmt, by=username)
    return count
