"""``aduan serve``: migrate, make sure someone can log in, then run the app under uvicorn."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import gc
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
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
from aduan.workflow.errors import DatabaseUnavailableError

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
        if isinstance(factory, SqlUnitOfWorkFactory) and read_only_start(factory):
            return None
        bootstrap.upgrade_database(deps)
        return accounts.ensure_initial_password(deps)


def read_only_start(factory: SqlUnitOfWorkFactory) -> bool:
    """True when the database refuses writes (a read-only file, folder or disk, or full).

    Then nothing is migrated or seeded: the server starts to serve reads, writes are refused
    with a clear 503, and ``/healthz`` says why. A schema that is not current cannot be served.
    """
    from aduan.adapters.sql import migrate, storage

    refused = storage.write_probe(factory.engine)
    if refused is None:
        return False
    if not migrate.is_current(factory.engine):
        raise DatabaseUnavailableError(
            factory.engine.url.render_as_string(hide_password=True),
            "read-only, and its schema is older than this version (aduan db upgrade needs "
            "a writable database)",
        )
    factory.refused = refused
    log.warning("storage_refuses_writes", reason=refused, serving="reads only")
    return True


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


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None: checked before anything else starts.

    Without it, a taken port was found only after the migrations ran and the banner had announced
    an address that the server then failed to bind.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port: {host}:{port} sudah dipakai program lain / already in use "
                    f"(pilih yang lain / choose another: --port, make run PORT=...)"
                )
            return f"host: {host}:{port} tidak bisa dipakai / cannot be used ({exc.strerror})"
    return None


def serve(
    settings: Settings,
    host: str,
    port: int,
    echo: Callable[[str], None],
    *,
    scheduler: bool = True,
    workers: int = 1,
    catch_mail: str | None = None,
) -> None:
    """Run until interrupted: the API, the UI, the scheduler and its jobs.

    With ``workers`` > 1, uvicorn runs that many processes on the same port, each the whole
    app with its own scheduler (the jobs are safe with several instances, as with several
    machines); migrations run once, here, before they start.
    """
    if "ADUAN_PUBLIC_URL" not in os.environ:
        # Links in notices (survey, tracking) point where this server really answers; the
        # default named port 8000 even when it served elsewhere. Workers read it from here.
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
        os.environ["ADUAN_PUBLIC_URL"] = f"http://{shown}:{port}"
        settings = dataclasses.replace(settings, public_url=os.environ["ADUAN_PUBLIC_URL"])
    if catch_mail:
        settings = start_mail_catcher(settings, Path(catch_mail), echo)
    deps = bootstrap.build(settings)
    first_password = prepare(deps)
    for line in banner(host, port, first_password):
        echo(line)
    if isinstance(deps.uow, SqlUnitOfWorkFactory) and deps.uow.refused is not None:
        echo(
            "PERHATIAN: basis data tidak dapat ditulisi (hanya baca atau penuh); server hanya "
            "melayani baca sampai diperbaiki / WARNING: the database refuses writes "
            f"({deps.uow.refused}); serving reads only"
        )
    for line in delivery_warnings(settings):
        echo(line)
    log.info("serve_started", host=host, port=port, workers=workers)
    # Our middleware writes the access log (structlog, with request ids); uvicorn's is off.
    # So is uvicorn's X-Forwarded-For handling, which believed 127.0.0.1: the app believes only
    # the proxies in ADUAN_TRUSTED_PROXIES (web/proxies.py).
    options: dict[str, Any] = {"access_log": False, "log_level": "warning", "proxy_headers": False}
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


def start_mail_catcher(settings: Settings, folder: Path, echo: Callable[[str], None]) -> Settings:
    """The demo's catch-all mail server, and settings that send to it (unless SMTP is set)."""
    if settings.notify.smtp_host:
        echo(f"--catch-mail diabaikan / ignored: ADUAN_SMTP_HOST={settings.notify.smtp_host}")
        return settings
    from aduan.adapters.channels.catcher import MailCatcher

    catcher = MailCatcher(folder, echo)
    catcher.start()
    echo(
        f"Surel demo / demo mail: semua surel ditampung di / every email is kept in {folder}/ "
        f"(SMTP 127.0.0.1:{catcher.port})"
    )
    # Worker processes read their settings from the environment: they must send there too.
    os.environ["ADUAN_SMTP_HOST"] = "127.0.0.1"
    os.environ["ADUAN_SMTP_PORT"] = str(catcher.port)
    notify = dataclasses.replace(settings.notify, smtp_host="127.0.0.1", smtp_port=catcher.port)
    return dataclasses.replace(settings, notify=notify)


def delivery_warnings(settings: Settings) -> list[str]:
    """Channels complainants use that are not configured: their notices would fail.

    A new user saw "Hasil disampaikan" on a case whose email had been dead-lettered; the person
    who starts the server is told at once which notices cannot go out.
    """
    notify = settings.notify
    missing = [
        ("surel/email", "ADUAN_SMTP_HOST", notify.smtp_host),
        ("WhatsApp", "ADUAN_WHATSAPP_WEBHOOK_URL", notify.whatsapp_webhook_url),
        ("SMS", "ADUAN_SMS_WEBHOOK_URL", notify.sms_webhook_url),
    ]
    return [
        f"PERINGATAN/WARNING: {name} belum diatur / not configured ({variable}): "
        "pemberitahuan kepada pelapor lewat saluran ini akan gagal / notices to complainants "
        "by this channel will fail"
        for name, variable, value in missing
        if not value
    ]


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
