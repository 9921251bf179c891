"""A PostgreSQL server for the test session: configured, found locally, or started for the run.

Order of preference:

1. ``ADUAN_TEST_PG_URL``: the server to use (any database on it; the user must be allowed to
   ``CREATE DATABASE``). The value ``start`` forces a throwaway cluster instead.
2. A server on ``postgresql://postgres@127.0.0.1:5432/postgres``.
3. A throwaway cluster made with ``initdb`` and ``pg_ctl`` (from ``PATH`` or
   ``/usr/lib/postgresql/*/bin``) in a temporary folder on a free port, stopped afterwards.
   ``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user.

Each session then works in its own ``aduan_test_<random>`` database, dropped at the end.
This module knows nothing about pytest, so benchmarks and scripts may use it too.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ENV_URL = "ADUAN_TEST_PG_URL"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT_S = 3


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server could be used or started; the message says what was tried."""


def _libpq_url(url: str) -> str:
    """``postgresql+psycopg://`` → ``postgresql://`` (libpq does not know driver suffixes)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def can_connect(url: str) -> str | None:
    """None if ``url`` accepts a connection, else the reason."""
    try:
        with psycopg.connect(_libpq_url(url), connect_timeout=CONNECT_TIMEOUT_S):
            return None
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__


# --- a throwaway cluster ------------------------------------------------------------------


def find_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: from PATH, else the newest Debian install."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_owner(argv: list[str]) -> list[str]:
    """As root, run as ``postgres`` (initdb refuses root); as anyone else, run directly."""
    if not _is_root():
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(argv)]


def _run(argv: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(_as_owner(argv), capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if log is not None and log.is_file():
            output += log.read_text(errors="replace")
        raise PostgresUnavailableError(
            f"{what} failed ({shlex.join(argv)}):\n{output.strip()[-2000:]}"
        )


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private cluster (no fsync, trust auth) and yield its URL; stop and delete it."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailableError(
            "initdb/pg_ctl not found in PATH or /usr/lib/postgresql/*/bin"
        )
    root = Path(tempfile.mkdtemp(prefix="aduan-pg-"))
    data, log = root / "data", root / "server.log"
    try:
        if _is_root():
            import pwd  # Unix only, like running as root

            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailableError(
                    "running as root, and there is no 'postgres' user to run initdb as"
                ) from None
            os.chown(root, owner.pw_uid, owner.pw_gid)
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )
        port = _free_port()
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F"
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "start",
            ],
            "pg_ctl start",
            log,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                "pg_ctl stop",
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- choosing a server --------------------------------------------------------------------


@contextlib.contextmanager
def server() -> Iterator[str]:
    """Yield the URL of a usable server (see the module docstring for the order)."""
    configured = os.environ.get(ENV_URL, "").strip()
    if configured and configured != "start":
        reason = can_connect(configured)
        if reason is not None:
            shown = make_url(configured).render_as_string(hide_password=True)
            raise PostgresUnavailableError(
                f"{ENV_URL}={shown} does not accept connections: {reason}"
            )
        yield configured
        return
    tried = [f"{ENV_URL}=start"] if configured else []
    if not configured:
        reason = can_connect(LOCAL_URL)
        if reason is None:
            yield LOCAL_URL
            return
        tried.append(f"{LOCAL_URL}: {reason}")
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_cluster())
        except PostgresUnavailableError as exc:
            raise PostgresUnavailableError(
                "no PostgreSQL server for the tests. Tried: "
                + "; ".join([*tried, f"a throwaway cluster: {exc}"])
                + f". Set {ENV_URL} to a server where this user may CREATE DATABASE."
            ) from None
        yield url


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str = "aduan_test_") -> Iterator[str]:
    """Create ``<prefix><random>`` on the server, yield its URL, drop it (even if still in use)."""
    name = f"{prefix}{secrets.token_hex(4)}"
    admin = _libpq_url(server_url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
