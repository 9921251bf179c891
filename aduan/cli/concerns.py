"""``aduan concern``: name the staff a case concerns (terlapor; issue 16 item 3)."""

from __future__ import annotations

from typing import Annotated

import typer

from aduan.cli import common
from aduan.service import concerns


@common.commands.command("concern")
def concern_cmd(
    case: Annotated[str, typer.Argument(help="Kode pelacakan atau nomor kasus.")],
    staff: Annotated[
        list[str] | None,
        typer.Option("--staff", help="Nama pengguna staf terlapor (boleh berulang) / staff user."),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Alasan tertulis / written reason.")] = "",
    seal: Annotated[
        bool, typer.Option("--seal", help="Hanya Kepala Kantor dan APIP / Head and APIP only.")
    ] = False,
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
) -> None:
    """Catat staf terlapor pada kasus / name the staff a case concerns."""
    named = common.run(
        lambda: concerns.name_concerned(
            common.deps(), case, as_user, staff or [], reason, seal=seal
        )
    )
    if as_json:
        common.print_json(named)
        return
    typer.echo(f"{named.tracking_code}: terlapor / concerned: {', '.join(named.concerned) or '-'}")
    typer.echo(f"Pemegang / holder: {named.assignee or '-'}")
    if named.sealed:
        typer.echo("Tertutup: Kepala Kantor dan APIP / sealed: Head of Office and APIP")
