"""Composition root: the one place that picks concrete adapters and configures logging."""

from __future__ import annotations

import logging
import sys

import structlog

from aduan.config import Settings, load_settings
from aduan.escalation.deadlines import DeadlinePolicy
from aduan.models.ports import Clock, SystemClock
from aduan.models.sql import SqlUnitOfWorkFactory, make_engine
from aduan.service import Deps, seed_reference_data
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
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def build(settings: Settings | None = None, clock: Clock | None = None) -> Deps:
    """Wire the service layer to the database named in the settings."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    return Deps(
        uow=SqlUnitOfWorkFactory(engine),
        clock=clock or SystemClock(),
        policy=Policy(reopen_window_days=settings.reopen_window_days),
        deadlines=DeadlinePolicy(reminders_before=settings.reminders_before),
    )


def upgrade_database(deps: Deps) -> tuple[int, int]:
    """Apply migrations, then load the shipped catalog and org chart into an empty database."""
    from aduan import migrate  # Alembic costs ~0.25 s to import; only this command needs it

    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    migrate.upgrade(factory.engine)
    return seed_reference_data(deps)
