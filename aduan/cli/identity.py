"""``aduan reveal`` and ``aduan identity-report``: identity on record (DESIGN §6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer

from aduan.cli import common
from aduan.service import identity

REPORT_DAYS = 30


@common.commands.command("reveal")
def reveal_cmd(
    case: Annotated[str, typer.Argument(help="Kode pelacakan atau nomor kasus.")],
    reason: Annotated[str, typer.Option("--reason", help="Alasan tertulis / written reason.")] = "",
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
) -> None:
    """Buka identitas pelapor dengan alasan (tercatat) / reveal the complainant, on record."""
    shown = common.run(lambda: identity.reveal_identity(common.deps(), case, as_user, reason))
    if as_json:
        common.print_json(shown)
        return
    for label, value in (
        ("Nama / name", shown.name),
        ("Email", shown.email),
        ("Telepon / phone", shown.phone),
        ("Media sosial / social", shown.social),
        ("Alamat / address", shown.address),
    ):
        typer.echo(f"{label}: {value or '-'}")


@common.commands.command("identity-report")
def identity_report_cmd(
    days: Annotated[int, typer.Option(help="Hari terakhir / last days.", min=1)] = REPORT_DAYS,
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
) -> None:
    """Laporan akses identitas pelapor (Kepala Kantor) / identity-access report (Head)."""
    deps = common.deps()
    end = deps.clock.now() + timedelta(seconds=1)  # up to and including now
    start: datetime = end - timedelta(days=days)
    entries = common.run(lambda: identity.identity_report(deps, as_user, start, end))
    if as_json:
        common.print_json(entries)
        return
    for e in entries:
        typer.echo(f"{e.at.isoformat()}  {e.username} ({e.role})  {e.tracking_code}  {e.reason}")
