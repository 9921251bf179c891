"""``aduan admin public-access``: the addresses with a larger public allowance (issue 12).

The MPP kiosk and the office network send many complaints from one address; the administrator
lists them here (or on the page ``/admin/akses-publik``), each change in the login audit.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from aduan.cli import common
from aduan.cli.terminal import when
from aduan.service import limits

public_access_app = common.group(
    "Batas akses publik / public allowances: alamat dengan batas pengaduan lebih besar."
)
common.admin_app.add_typer(public_access_app, name="public-access")

Network = Annotated[
    str, typer.Argument(help="Alamat atau CIDR / address or CIDR, mis. 203.0.113.0/24.")
]


@public_access_app.command("list")
def access_list(as_user: common.AsUser, as_json: common.JsonOpt = False) -> None:
    """Daftar alamat dan batasnya / list the addresses and their allowances (admin)."""
    rows = common.run(lambda: limits.list_allowances(common.deps(), as_user))
    if as_json:
        common.print_json(
            [{**dataclasses.asdict(a), "updated_at": a.updated_at.isoformat()} for a in rows]
        )
        return
    if not rows:
        typer.echo("belum ada / none (batas biasa / usual limits for every address)")
    for a in rows:
        typer.echo(
            f"{a.network}  {a.per_hour}/jam/hour  {a.label}  ({a.updated_by}, {when(a.updated_at)})"
        )


@public_access_app.command("set")
def access_set(
    network: Network,
    as_user: common.AsUser,
    per_hour: Annotated[
        int, typer.Option("--per-hour", help="Pengaduan publik per alamat per jam.")
    ],
    label: Annotated[str, typer.Option("--label", help="Keterangan, mis. Anjungan MPP.")],
) -> None:
    """Tambah atau ubah alamat / add or change an address's allowance (admin; audited)."""
    allowance = common.run(
        lambda: limits.set_allowance(common.deps(), network, per_hour, label, by=as_user)
    )
    typer.echo(f"{allowance.network}: {allowance.per_hour}/jam/hour ({allowance.label})")


@public_access_app.command("remove")
def access_remove(network: Network, as_user: common.AsUser) -> None:
    """Hapus alamat dari daftar / take an address off the list (admin; audited)."""
    common.run(lambda: limits.remove_allowance(common.deps(), network, by=as_user))
    typer.echo(f"{limits.normal_network(network)}: dihapus/removed")
