"""Commands of the web side: ``serve``, staff passwords and API tokens, Open311 client keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from aduan.cli import common
from aduan.service import accounts


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first: str = typer.prompt("Kata sandi baru / new password", hide_input=True)
    again: str = typer.prompt("Ulangi / repeat", hide_input=True)
    if first != again:
        common.fail("password: kedua isian berbeda / the two entries differ", 2)
    return first


@common.commands.command()
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
    catch_mail: Annotated[
        str | None,
        typer.Option(
            "--catch-mail",
            metavar="FOLDER",
            help="Demo: tampung semua surel di folder ini / keep every email in this folder "
            "(a local catch-all SMTP server; ignored when ADUAN_SMTP_HOST is set).",
        ),
    ] = None,
) -> None:
    """Jalankan aplikasi web / run the web app, API and scheduler (migrates first)."""
    from aduan.web.server import port_problem
    from aduan.web.server import serve as run  # uvicorn and the app load only for this

    problem = port_problem(host, port)
    if problem:
        common.fail(problem, 2)
    with common.errors():
        run(
            common.settings(),
            host,
            port,
            typer.echo,
            scheduler=not no_scheduler,
            workers=workers,
            catch_mail=catch_mail,
        )


@common.users_app.command("password")
def users_password(
    username: Annotated[str, typer.Argument()],
    as_user: common.AsUser,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Baca dari stdin / read from stdin.")
    ] = False,
) -> None:
    """Atur kata sandi petugas / set a staff member's password (admin; ends their sessions)."""
    password = _read_password(password_stdin)
    with common.errors():
        accounts.set_password(common.deps(), username, password, by=as_user)
    typer.echo(f"kata sandi disimpan / password set: {username}")


@common.users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument()],
    as_user: common.AsUser,
    label: Annotated[str, typer.Option(help="Untuk apa / what it is for.")] = "api",
) -> None:
    """Buat token API / issue an API bearer token (admin; shown once, stored hashed)."""
    with common.errors():
        token = accounts.issue_token(common.deps(), username, label, by=as_user)
    typer.echo(token)


@common.users_app.command("revoke-tokens")
def users_revoke_tokens(username: Annotated[str, typer.Argument()], as_user: common.AsUser) -> None:
    """Cabut semua token API pengguna / revoke every API token of a user (admin)."""
    with common.errors():
        count = accounts.revoke_tokens(common.deps(), username, by=as_user)
    typer.echo(f"token dicabut / tokens revoked: {count}")


@common.open311_app.command("key")
def open311_key(
    label: Annotated[str, typer.Argument(help="Nama klien / client name.")],
    as_user: common.AsUser,
) -> None:
    """Buat api_key Open311 / issue an Open311 api_key (admin; shown once, stored hashed)."""
    with common.errors():
        key = accounts.issue_client_key(common.deps(), label, by=as_user)
    typer.echo(key)
