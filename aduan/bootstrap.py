"""Composition root: the one place that picks concrete adapters and configures logging."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

import structlog

from aduan.adapters import logs
from aduan.adapters.channels.imap import ImapMailbox, ImapSettings
from aduan.adapters.channels.inapp import InAppChannel
from aduan.adapters.channels.letter import LetterChannel
from aduan.adapters.channels.smtp import EmailChannel, SmtpSettings
from aduan.adapters.channels.webhook import WebhookChannel
from aduan.adapters.files import FilesystemFileStore
from aduan.adapters.sql.engine import make_engine
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.config import Settings, files_dir, load_settings
from aduan.escalation.deadlines import DeadlinePolicy
from aduan.notifications.planner import NotifyPolicy
from aduan.ports import Clock, DeliveryChannel, SystemClock
from aduan.service import Deps, seed_reference_data
from aduan.service.dispatch import Dispatcher, RetryPolicy
from aduan.service.inbound import Polling
from aduan.workflow.context import Policy


def configure_logging(settings: Settings) -> None:
    """Log with structlog to stderr: JSON for collectors, console for people."""
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Tracebacks without local variables or the data messages quote (adapters/logs.py).
            logs.structlog_processor(structured=settings.log_format == "json"),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    for name in ("uvicorn.error", "apscheduler"):
        stdlib = logging.getLogger(name)
        if not any(isinstance(f, logs.MaskedTracebacks) for f in stdlib.filters):
            stdlib.addFilter(logs.MaskedTracebacks())


def build(settings: Settings | None = None, clock: Clock | None = None) -> Deps:
    """Wire the service layer to the database named in the settings."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    return Deps(
        uow=SqlUnitOfWorkFactory(engine, group_commit=settings.group_commit),
        clock=clock or SystemClock(),
        policy=Policy(
            reopen_window_days=settings.reopen_window_days,
            withdraw_undo_hours=settings.withdraw_undo_hours,
        ),
        deadlines=DeadlinePolicy(
            reminders_before=settings.reminders_before,
            info_wait_days=settings.info_wait_days,
            extension_max_days=settings.extension_max_days,
        ),
        notify=NotifyPolicy(
            language=settings.notify.language,
            reply_by_email=settings.inbound.host is not None,
        ),
        files=FilesystemFileStore(files_dir(settings.attachments, settings.database_url)),
        attachments=settings.attachments,
    )


def build_channels(settings: Settings) -> dict[str, DeliveryChannel]:
    """The delivery channels the settings configure; in-app and letters always work."""
    n = settings.notify
    found: dict[str, DeliveryChannel] = {
        "in_app": InAppChannel(),
        "letter": LetterChannel(Path(n.letter_dir), settings.office),
    }
    if n.smtp_host:
        found["email"] = EmailChannel(
            SmtpSettings(
                host=n.smtp_host,
                port=n.smtp_port,
                security=n.smtp_security,
                username=n.smtp_username,
                password=n.smtp_password,
                sender=n.smtp_from,
                timeout=n.channel_timeout,
                ca_file=n.smtp_ca_file,
                reply_to=n.smtp_reply_to,
                reply_to_token=n.smtp_reply_to_token,
            )
        )
    for name, url in (("sms", n.sms_webhook_url), ("whatsapp", n.whatsapp_webhook_url)):
        if url:
            found[name] = WebhookChannel(name, url, n.webhook_secret, n.channel_timeout)
    return found


def build_dispatcher(deps: Deps, settings: Settings, worker: str | None = None) -> Dispatcher:
    """The notification dispatcher over the deps' database, with the configured channels."""
    n = settings.notify
    policy = RetryPolicy(
        max_attempts=n.max_attempts,
        base=timedelta(seconds=n.backoff_seconds),
        cap=timedelta(seconds=n.backoff_cap_seconds),
        retry_for=timedelta(hours=n.retry_hours),
        batch_size=n.batch_size,
        lease=timedelta(seconds=n.lease_seconds),
    )
    return Dispatcher(deps.uow, deps.clock, build_channels(settings), policy, worker)


def build_mail_polling(settings: Settings) -> Polling | None:
    """The office's mailbox read for replies by email; None when ``ADUAN_IMAP_HOST`` is unset."""
    i = settings.inbound
    if i.host is None:
        return None
    mailbox = ImapMailbox(
        ImapSettings(
            host=i.host,
            port=i.port,
            username=i.username,
            password=i.password,
            folder=i.folder,
            ssl=i.ssl,
            starttls=i.starttls,
            ca_file=i.ca_file,
            done_folder=i.done_folder,
            timeout=float(i.timeout_seconds),
            max_bytes=i.max_bytes,
        )
    )
    return Polling(mailbox, float(i.interval_seconds), i.batch_size)


def upgrade_database(deps: Deps) -> tuple[int, int]:
    """Apply migrations, then load the shipped catalog and org chart into an empty database."""
    from aduan.adapters.sql import (
        migrate,  # Alembic costs ~0.25 s to import; only this command needs it
    )

    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    migrate.upgrade(factory.engine)
    return seed_reference_data(deps)
