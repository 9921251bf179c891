"""The ``aduan`` command line: the root app, its ``--db`` option, and every command mounted.

The commands live by subject (``cases``, ``act``, ``deadlines``, ``admin``, ``notify``, ``web``,
``reports``); each declares them on ``common.commands`` or on its group in ``common``, and runs
them under ``common.errors``, the one error handler. ``--json`` on every read.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from aduan import bootstrap
from aduan.cli import (  # noqa: F401 - importing a module registers its commands
    access,
    act,
    admin,
    cases,
    common,
    concerns,
    deadlines,
    identity,
    notify,
    reports,
    retention,
    web,
)
from aduan.config import load_settings

app = typer.Typer(
    help="Aduan: penanganan pengaduan DPMPTSP / complaint handling.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (ADUAN_DATABASE_URL).")
    ] = None,
) -> None:
    settings = load_settings()
    if db:
        settings = dataclasses.replace(settings, database_url=db)
    bootstrap.configure_logging(settings)
    common.configure(settings)


app.add_typer(common.commands)
for _name, _group in common.GROUPS.items():
    app.add_typer(_group, name=_name)


def main() -> None:
    """Console entry point."""
    app(prog_name="aduan")
