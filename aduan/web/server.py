"""``aduan serve``: migrate, make sure someone can log in, then run the app under uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import structlog
import uvicorn
from sqlalchemy import text

from aduan import accounts, bootstrap
from aduan.config import Settings
from aduan.models.sql import SqlUnitOfWorkFactory
from aduan.service import Deps
from aduan.web.app import create_app

log = structlog.get_logger()
MIGRATION_LOCK = 0x616475616E  # "aduan": instances starting together migrate one at a time


@contextlib.contextmanager
def migration_lock(deps: Deps) -> Iterator[None]:
    """On PostgreSQL, hold a session advisory lock while migrating (no-op on SQLite)."""
    factory = deps.uow
    if not isinstance(factory, SqlUnitOfWorkFactory) or factory.engine.dialect.name != "postgresql":
        yield
        return
    with factory.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()


def prepare(deps: Deps) -> str | None:
    """Apply migrations and seed data; return a first admin password if none existed."""
    with migration_lock(deps):
        bootstrap.upgrade_database(deps)
        return accounts.ensure_initial_password(deps)


def banner(host: str, port: int, first_password: str | None) -> list[str]:
    """What ``aduan serve`` tells the person who started it."""
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    lines = [
        f"Aduan berjalan di / running at {base}  (API: {base}/docs, health: {base}/healthz)",
    ]
    if first_password:
        lines += [
            "Masuk pertama kali / first login:",
            f"  pengguna/user: admin   kata sandi/password: {first_password}",
            "  (ditampilkan sekali / shown once; ganti / change: aduan users password admin)",
        ]
    lines.append(
        "Kata sandi petugas / staff passwords: aduan users password USERNAME; "
        "token API: aduan users token USERNAME"
    )
    return lines


def serve(
    settings: Settings,
    host: str,
    port: int,
    echo: Callable[[str], None],
    *,
    scheduler: bool = True,
) -> None:
    """Run until interrupted: the API, the UI, the scheduler and its jobs in one process."""
    deps = bootstrap.build(settings)
    first_password = prepare(deps)
    app = create_app(deps, settings, start_background=scheduler)
    for line in banner(host, port, first_password):
        echo(line)
    log.info("serve_started", host=host, port=port)
    # Our middleware writes the access log (structlog, with request ids); uvicorn's is off.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
