"""Settings from the environment (``ADUAN_*``), with defaults that run on a laptop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from aduan.workflow.errors import InputError

DEFAULT_DATABASE_URL = "sqlite:///aduan.db"
DEFAULT_REOPEN_WINDOW_DAYS = 14


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything an operator may set; see README for the variables."""

    database_url: str = DEFAULT_DATABASE_URL
    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS
    log_format: str = "console"  # "console" for people, "json" for log collectors
    log_level: str = "info"
    reminders_before: tuple[int, ...] = (3, 1)  # working days before a deadline


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise InputError(
            name,
            "non_negative_int",
            f"harus bilangan bulat ≥ 0: {raw!r}",
            f"must be an integer ≥ 0: {raw!r}",
        )
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the ``ADUAN_*`` variables (see README, Configuration)."""
    env = os.environ if env is None else env
    log_format = env.get("ADUAN_LOG_FORMAT", "console")
    if log_format not in ("console", "json"):
        raise InputError(
            "ADUAN_LOG_FORMAT", "one_of", "pilih console atau json", "choose console or json"
        )
    return Settings(
        database_url=env.get("ADUAN_DATABASE_URL", DEFAULT_DATABASE_URL),
        reopen_window_days=_int(env, "ADUAN_REOPEN_WINDOW_DAYS", DEFAULT_REOPEN_WINDOW_DAYS),
        log_format=log_format,
        log_level=env.get("ADUAN_LOG_LEVEL", "info").lower(),
        reminders_before=_days(env.get("ADUAN_REMINDERS_BEFORE", "3,1")),
    )


def _days(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise InputError(
            "ADUAN_REMINDERS_BEFORE",
            "comma_separated_ints",
            f"daftar hari kerja dipisah koma, mis. 3,1: {raw!r}",
            f"a comma-separated list of working days, e.g. 3,1: {raw!r}",
        ) from None
