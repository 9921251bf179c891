"""The retention purge on the command line: ``aduan retention purge --as admin [--dry-run]``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from aduan.cli import common, terminal
from aduan.service import retention


@common.retention_app.command("purge")
def purge(
    as_user: common.AsUser,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Hanya tampilkan kasus yang jatuh tempo / only list them."),
    ] = False,
    as_json: common.JsonOpt = False,
) -> None:
    """Hapus data pribadi pelapor kasus yang lama berakhir / erase old cases' personal data (admin).

    Kasus yang berakhir lebih dari ADUAN_RETENTION_YEARS tahun lalu kehilangan nama, kontak,
    alamat, PIN dan berkas pelapor; kasus, riwayat dan statistiknya tetap. / Cases that ended
    more than ADUAN_RETENTION_YEARS years ago lose the complainant's personal data and files;
    the case, its timeline and its statistics stay.
    """
    years = common.settings().retention_years
    report = common.run(
        lambda: retention.purge_personal_data(common.deps(), years, by=as_user, dry_run=dry_run)
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "years": report.years,
                    "cutoff": report.cutoff.isoformat(),
                    "dry_run": report.dry_run,
                    "cases": [
                        {"tracking_code": c.tracking_code, "ended_at": c.ended_at.isoformat()}
                        for c in report.cases
                    ],
                    "files": report.files,
                },
                indent=2,
            )
        )
        return
    for c in report.cases:
        typer.echo(f"{c.tracking_code}  berakhir/ended {terminal.when(c.ended_at)}")
    verb = "akan dihapus/due" if report.dry_run else "dihapus/erased"
    typer.echo(
        f"{verb}: {len(report.cases)} kasus/cases, {report.files} berkas/files "
        f"(berakhir sebelum/ended before {terminal.when(report.cutoff)}, "
        f"{report.years} tahun/years)"
    )
