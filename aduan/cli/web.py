"""CLI commands of the web side: ``serve``, staff passwords and tokens, Open311 client keys.

``aduan.cli`` registers them with ``register`` (its users group gains ``password``, ``token``
and ``revoke-tokens``); settings come from its ``--db`` callback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer

from aduan import bootstrap
from aduan.config import Settings
from aduan.service import Deps, accounts
from aduan.workflow.errors import (
    AduanError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    WorkflowError,
)

EXIT = {InputError: 2, NotFoundError: 3, ConflictError: 4, PermissionDeniedError: 5}


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"galat/error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except AduanError as exc:
        code = next((c for cls, c in EXIT.items() if isinstance(exc, cls)), 1)
        _fail(str(exc), 6 if code == 1 and isinstance(exc, WorkflowError) else code)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first: str = typer.prompt("Kata sandi baru / new password", hide_input=True)
    again: str = typer.prompt("Ulangi / repeat", hide_input=True)
    if first != again:
        _fail("password: kedua isian berbeda / the two entries differ", 2)
    return first


def register(app: typer.Typer, users_app: typer.Typer, settings: Callable[[], Settings]) -> None:
    """Add ``serve``, ``users password|token|revoke-tokens`` and ``open311 key`` to the CLI."""

    def deps() -> Deps:
        return bootstrap.build(settings())

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Alamat / address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
        no_scheduler: Annotated[
            bool, typer.Option("--no-scheduler", help="Tanpa penjadwal / no background jobs.")
        ] = False,
        workers: Annotated[
            int,
            typer.Option(min=1, max=32, help="Jumlah proses / worker processes (uvicorn)."),
        ] = 1,
    ) -> None:
        """Jalankan aplikasi web / run the web app, API and scheduler (migrates first)."""
        from aduan.web.server import serve as run  # uvicorn and the app load only for this

        with _errors():
            run(settings(), host, port, typer.echo, scheduler=not no_scheduler, workers=workers)

    @users_app.command("password")
    def users_password(
        username: Annotated[str, typer.Argument()],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Baca dari stdin / read from stdin.")
        ] = False,
    ) -> None:
        """Atur kata sandi petugas / set a staff member's password (ends their sessions)."""
        password = _read_password(password_stdin)
        with _errors():
            accounts.set_password(deps(), username, password)
        typer.echo(f"kata sandi disimpan / password set: {username}")

    @users_app.command("token")
    def users_token(
        username: Annotated[str, typer.Argument()],
        label: Annotated[str, typer.Option(help="Untuk apa / what it is for.")] = "api",
    ) -> None:
        """Buat token API / issue an API bearer token (shown once, stored hashed)."""
        with _errors():
            token = accounts.issue_token(deps(), username, label)
        typer.echo(token)

    @users_app.command("revoke-tokens")
    def users_revoke_tokens(username: Annotated[str, typer.Argument()]) -> None:
        """Cabut semua token API pengguna / revoke every API token of a user."""
        with _errors():
            count = accounts.revoke_tokens(deps(), username)
        typer.echo(f"token dicabut / tokens revoked: {count}")

    open311_app = typer.Typer(
        help="Klien Open311 / Open311 clients.", no_args_is_help=True, rich_markup_mode=None
    )
    app.add_typer(open311_app, name="open311")

    @open311_app.command("key")
    def open311_key(
        label: Annotated[str, typer.Argument(help="Nama klien / client name.")],
    ) -> None:
        """Buat api_key Open311 / issue an Open311 api_key (shown once, stored hashed)."""
        with _errors():
            key = accounts.issue_client_key(deps(), label)
        typer.echo(key)
