"""Administration commands: the database, the service catalog, the org chart and staff users."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Annotated, Any

import typer

from aduan import bootstrap
from aduan import service as svc
from aduan.adapters.files import copy_files
from aduan.adapters.sql import backup
from aduan.catalog.orgchart import StaffUser
from aduan.cli import common
from aduan.config import files_dir
from aduan.service.reference import set_acting
from aduan.workflow.states import Role


@common.db_app.command("upgrade")
def db_upgrade() -> None:
    """Buat/perbarui skema dan isi data awal / migrate and seed reference data."""
    added = common.run(lambda: bootstrap.upgrade_database(common.deps()))
    url = common.settings().database_url
    typer.echo(f"database siap/ready: {url} (layanan baru/new services: {added[0]})")


@common.db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="Berkas cadangan baru / new backup file.")],
) -> None:
    """Cadangkan basis data SQLite, juga saat server berjalan / back up SQLite, live."""
    settings = common.settings()
    try:
        size = backup.backup(settings.database_url, path)
        # The evidence files after the database: every file the copy names is then there.
        files = copy_files(
            Path(files_dir(settings.attachments, settings.database_url)), _beside(path)
        )
    except (backup.BackupError, sqlite3.Error, OSError) as exc:
        common.fail(f"cadangan gagal/backup failed: {exc}", 1)
    typer.echo(f"cadangan dibuat/backup written: {path} ({size} bytes, integritas/integrity ok)")
    typer.echo(f"lampiran/evidence files: {files} disalin/copied to {_beside(path)}")


@common.db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="Berkas cadangan / backup file.")],
) -> None:
    """Pulihkan SQLite dari cadangan (server dihentikan dulu) / restore (server stopped)."""
    settings = common.settings()
    try:
        backup.restore(settings.database_url, path)
        files = copy_files(
            _beside(path), Path(files_dir(settings.attachments, settings.database_url))
        )
    except (backup.BackupError, sqlite3.Error, OSError) as exc:
        common.fail(f"pemulihan gagal/restore failed: {exc}", 1)
    typer.echo(f"basis data dipulihkan/restored from {path} (integritas/integrity ok)")
    typer.echo(f"lampiran/evidence files: {files} dipulihkan/restored")


def _beside(path: Path) -> Path:
    """Where a backup's evidence files go: ``<backup>.files/`` beside the backup file."""
    return path.with_name(path.name + ".files")


@common.catalog_app.command("list")
def catalog_list(as_json: common.JsonOpt = False) -> None:
    """Daftar layanan / list services."""
    rows = common.run(lambda: svc.list_services(common.deps()))
    if as_json:
        common.print_json(rows)
        return
    for s in rows:
        typer.echo(
            f"{s.code}  {s.licence_type} ({s.risk_level})  {s.title}; "
            f"{s.completion_days} hari kerja; {s.fee}"
        )


@common.catalog_app.command("load")
def catalog_load(
    as_user: common.AsUser,
    file: Annotated[Path | None, typer.Argument(help="TOML; default: katalog bawaan.")] = None,
) -> None:
    """Tambah atau ganti layanan dari berkas / add or replace services from a file (admin)."""
    rows = common.run(lambda: svc.load_catalog(common.deps(), file, by=as_user))
    typer.echo(f"{len(rows)} layanan dimuat/services loaded: {', '.join(s.code for s in rows)}")


common.catalog_app.command("add", help="Sama dengan load: tambah layanan dari berkas TOML.")(
    catalog_load
)


@common.org_app.command("show")
def org_show(as_json: common.JsonOpt = False) -> None:
    """Tampilkan struktur dan rantai jenjang / show units and their tier chains."""
    chart = common.run(lambda: svc.show_orgchart(common.deps()))
    if as_json:
        chains = {code: [_level(level) for level in chart.chain(code)] for code in chart.units}
        typer.echo(json.dumps(chains, indent=2, ensure_ascii=False))
        return
    for unit in chart.units.values():
        typer.echo(f"{unit.code} ({unit.kind}): {unit.name}")
        for i, level in enumerate(chart.chain(unit.code), 1):
            typer.echo(
                f"  {i}. {level.title} [{level.position}] — {level.holder or '(kosong/vacant)'}"
            )


def _level(level: Any) -> dict[str, Any]:
    return {
        "position": level.position,
        "title": level.title,
        "unit": level.unit,
        "holder": level.holder,
    }


@common.org_app.command("load")
def org_load(
    as_user: common.AsUser,
    file: Annotated[Path | None, typer.Argument(help="TOML; default: struktur contoh.")] = None,
) -> None:
    """Ganti struktur organisasi dari berkas / replace the chart from a file (admin)."""
    chart = common.run(lambda: svc.load_org(common.deps(), file, by=as_user))
    typer.echo(
        f"struktur dimuat/chart loaded: {len(chart.units)} unit, "
        f"{len(chart.positions)} jabatan, {len(chart.users)} pengguna"
    )


@common.org_app.command("acting")
def org_acting(
    position: Annotated[str, typer.Argument(help="Kode jabatan / post code.")],
    as_user: common.AsUser,
    username: Annotated[
        str | None, typer.Argument(help="Pelaksana tugas (Plt.); kosong: hapus / none: clear.")
    ] = None,
) -> None:
    """Tunjuk pelaksana tugas (Plt.) suatu jabatan / name a post's acting holder (admin)."""
    chart = common.run(lambda: set_acting(common.deps(), position, username, by=as_user))
    post = chart.positions[position]
    typer.echo(f"{post.title} [{position}]: Plt. {post.acting or '-'}")


@common.users_app.command("list")
def users_list(as_json: common.JsonOpt = False) -> None:
    """Daftar pengguna / list staff users."""
    chart = common.run(lambda: svc.show_orgchart(common.deps()))
    users = sorted(chart.users.values(), key=lambda u: u.username)
    if as_json:
        common.print_json(users)
        return
    for u in users:
        title = chart.positions[u.position].title if u.position else "-"
        typer.echo(
            f"{u.username:<10} {u.role.value:<15} {title}  ({u.full_name})"
            + ("" if u.active else " [nonaktif]")
        )


@common.users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument()],
    full_name: Annotated[str, typer.Option("--name")],
    role: Annotated[Role, typer.Option()],
    as_user: common.AsUser,
    position: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    nip: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Tambah atau ubah pengguna / add or update a staff user (admin)."""
    common.run(
        lambda: svc.add_user(
            common.deps(),
            StaffUser(
                username=username,
                full_name=full_name,
                role=role,
                position=position,
                email=email,
                nip=nip,
            ),
            by=as_user,
        )
    )
    typer.echo(f"pengguna disimpan/user saved: {username} ({role.value})")
