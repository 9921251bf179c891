"""Database migrations: Alembic driven from code, so ``aduan db upgrade`` works from any folder."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def migrations_dir() -> Path:
    """The Alembic scripts: ``ADUAN_MIGRATIONS``, else the ones shipped in the package."""
    configured = os.environ.get("ADUAN_MIGRATIONS")
    path = Path(configured) if configured else Path(str(resources.files("aduan") / "migrations"))
    if not (path / "env.py").is_file():
        raise FileNotFoundError(f"Alembic migrations not found at {path} (set ADUAN_MIGRATIONS)")
    return path


def alembic_config(url: str) -> Config:
    """An Alembic config for ``url`` with the project's scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine``'s database to ``revision``, then refresh its statistics."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
    analyze(engine)


def is_current(engine: Engine) -> bool:
    """Whether the schema of ``engine``'s database is at the newest migration (read only)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        conn.rollback()
    return current == set(script.get_heads())


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics (after a migration or a bulk load).

    PostgreSQL plans from them: on a server whose statistics are stale (autovacuum off, a bulk
    load), a DELETE of one case's alarms took a plan that scanned every pending alarm (issue
    15: submits fell from ~124/s to ~30/s at 6,000-9,000 open cases until an ``ANALYZE``).
    SQLite: ``PRAGMA optimize`` analyses only the tables whose statistics would help.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("PRAGMA optimize")
            conn.commit()
