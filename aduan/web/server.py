"""``aduan serve``: migrate, make sure someone can log in, then run the app under uvicorn."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
from collections.abc import Callable
from typing import Any

import structlog
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from aduan import bootstrap
from aduan.adapters.sql.locks import migration_lock
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.config import Settings, load_settings
from aduan.service import Deps, accounts
from aduan.web.app import create_app

log = structlog.get_logger()


def prepare(deps: Deps) -> str | None:
    """Apply migrations and seed data; return a first admin password if none existed.

    On PostgreSQL the instances starting together do this one at a time (an advisory lock).
    """
    factory = deps.uow
    lock = (
        migration_lock(factory.engine)
        if isinstance(factory, SqlUnitOfWorkFactory)
        else contextlib.nullcontext()
    )
    with lock:
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
    workers: int = 1,
) -> None:
    """Run until interrupted: the API, the UI, the scheduler and its jobs.

    With ``workers`` > 1, uvicorn runs that many processes on the same port, each the whole
    app with its own scheduler (the jobs are safe with several instances, as with several
    machines); migrations run once, here, before they start.
    """
    deps = bootstrap.build(settings)
    first_password = prepare(deps)
    for line in banner(host, port, first_password):
        echo(line)
    log.info("serve_started", host=host, port=port, workers=workers)
    # Our middleware writes the access log (structlog, with request ids); uvicorn's is off.
    options: dict[str, Any] = {"access_log": False, "log_level": "warning"}
    if workers <= 1:
        app = create_app(deps, settings, start_background=scheduler)
        settle_memory()
        uvicorn.run(app, host=host, port=port, **options)
        return
    _engine_of(deps).dispose()  # the workers open their own connections
    os.environ[WORKER_SETTINGS] = json.dumps(
        {"database_url": settings.database_url, "scheduler": scheduler}
    )
    target = f"{__name__}:worker_app"
    uvicorn.run(target, factory=True, host=host, port=port, workers=workers, **options)


WORKER_SETTINGS = "ADUAN_SERVE_WORKER"  # what ``serve`` passes to its worker processes


def worker_app() -> FastAPI:
    """The app of one ``aduan serve --workers N`` process (uvicorn calls this in each)."""
    passed = json.loads(os.environ[WORKER_SETTINGS])
    settings = dataclasses.replace(load_settings(), database_url=passed["database_url"])
    bootstrap.configure_logging(settings)
    app = create_app(bootstrap.build(settings), settings, start_background=passed["scheduler"])
    settle_memory()
    return app


def settle_memory() -> None:
    """Keep the objects of start-up (modules, the app, SQLAlchemy's caches) out of the GC's way.

    A full collection walked the ~150,000 of them in 50-100 ms with every request waiting, and
    that pause was the p99 of the reads (bench/api.py); frozen, they are skipped.
    """
    gc.collect()
    gc.freeze()


def _engine_of(deps: Deps) -> Engine:
    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    return factory.engine
