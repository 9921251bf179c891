"""What every command of the ``aduan`` CLI shares: groups, the one error handler, settings.

Also the dependencies built from the root ``--db`` option, and the option types and parsers.

Registration has one style: a module declares its commands with decorators on the root app's
command table (``commands``, merged into ``aduan``) or on one of the groups below; ``main``
imports the modules and mounts the groups.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError

from aduan import bootstrap
from aduan.config import Settings, load_settings
from aduan.service import Deps
from aduan.workflow.errors import (
    AccessDeniedError,
    AduanError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    WorkflowError,
)
from aduan.workflow.intake import WIB
from aduan.workflow.lifecycle import input_error
from aduan.workflow.states import N_

T = TypeVar("T")


def group(help_text: str) -> typer.Typer:
    """A command group (``aduan db …``), configured like every other."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


commands = typer.Typer(rich_markup_mode=None)  # top-level commands, merged into ``aduan``
db_app = group("Basis data / database.")
catalog_app = group("Katalog layanan / service catalog.")
org_app = group("Struktur organisasi / organisation chart.")
calendar_app = group("Kalender hari kerja / working-day calendar.")
users_app = group("Pengguna / staff users.")
notify_app = group("Notifikasi / notifications: outbox, dead letters, inbox.")
open311_app = group("Open311 GeoReport v2: kunci klien / client keys.")
admin_app = group("Administrasi / administration: batas akses publik / public allowances.")
retention_app = group("Retensi / retention: penghapusan data pribadi / personal data erasure.")
GROUPS = {
    "db": db_app,
    "catalog": catalog_app,
    "orgchart": org_app,
    "users": users_app,
    "calendar": calendar_app,
    "notify": notify_app,
    "open311": open311_app,
    "admin": admin_app,
    "retention": retention_app,
}

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON / JSON output.")]
AsUser = Annotated[
    str, typer.Option("--as", envvar="ADUAN_USER", help="Nama pengguna petugas / staff username.")
]

# Exit codes (README): 2 bad input, 3 not found, 4 stale version, 5 role may not, 6 procedure.
EXIT = {
    InputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    PermissionDeniedError: 5,
    AccessDeniedError: 5,
    WorkflowError: 6,
}
_state: dict[str, Any] = {}


def configure(settings: Settings) -> None:
    """Remember the settings of this invocation (the root callback calls it)."""
    _state.clear()
    _state["settings"] = settings


def settings() -> Settings:
    """The settings of this invocation (from the environment when no callback ran)."""
    if "settings" not in _state:
        configure(load_settings())
    found: Settings = _state["settings"]
    return found


def deps() -> Deps:
    """The use cases' dependencies, built once per invocation."""
    if "deps" not in _state:
        _state["deps"] = bootstrap.build(settings())
    built: Deps = _state["deps"]
    return built


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    typer.echo(f"galat/error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def errors() -> Iterator[None]:
    """The one error handler: every expected failure is one line on stderr and an exit code."""
    try:
        yield
    except ValidationError as exc:
        fail(str(input_error(exc)), 2)
    except AduanError as exc:
        code = next((c for cls, c in EXIT.items() if isinstance(exc, cls)), 1)
        fail(str(exc), code)
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        fail(f"basis data/database: {detail} (sudah menjalankan `aduan db upgrade`?)", 1)


def run(fn: Callable[[], T]) -> T:
    """Run ``fn`` under the error handler."""
    with errors():
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover


def moment(text: str | None, field: str) -> datetime | None:
    """ISO date-time; without a zone it is WIB (what an officer at the counter means)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            field,
            "iso_datetime",
            N_("format waktu salah: %(text)r"),
            text=text,
        ) from None
    return value.replace(tzinfo=WIB) if value.tzinfo is None else value


def day(text: str, field: str) -> date:
    """An ISO date (YYYY-MM-DD), or an input error naming ``field``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            field,
            "iso_date",
            N_("format tanggal salah (YYYY-MM-DD): %(text)r"),
            text=text,
        ) from None


def print_json(value: BaseModel | list[Any]) -> None:
    """A read model, or a list of them, as indented JSON."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(
            json.dumps(
                [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value],
                indent=2,
                ensure_ascii=False,
            )
        )
