"""``/healthz``: is the database reachable and the scheduler alive?"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from aduan.service import Deps, health


class Health(BaseModel):
    """What a load balancer or service manager checks."""

    ok: bool
    database: str  # "ok" or why not
    scheduler: str  # "running", "stopped" or "disabled" (not started in this process)


def check(deps: Deps, scheduler: Any, background: bool) -> Health:
    """Probe the database (``service.health``) and look at the scheduler thread."""
    database = health.database_status(deps.uow)
    if not background:
        state = "disabled"
    elif scheduler is not None and scheduler.running:
        state = "running"
    else:
        state = "stopped"
    return Health(ok=database == "ok" and state != "stopped", database=database, scheduler=state)
