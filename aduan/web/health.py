"""``/healthz``: is the database reachable and the scheduler alive?"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from aduan.service import Deps
from aduan.workflow.errors import AduanError


class Health(BaseModel):
    """What a load balancer or service manager checks."""

    ok: bool
    database: str  # "ok" or why not
    scheduler: str  # "running", "stopped" or "disabled" (not started in this process)


def check(deps: Deps, scheduler: Any, background: bool) -> Health:
    """Probe the database with a one-row read and look at the scheduler thread."""
    try:
        with deps.uow(readonly=True) as uow:
            uow.reference.service("-")
        database = "ok"
    except AduanError as exc:
        database = exc.message_en
    except Exception as exc:  # noqa: BLE001 - any driver failure means "not reachable"
        database = type(exc).__name__
    if not background:
        state = "disabled"
    elif scheduler is not None and scheduler.running:
        state = "running"
    else:
        state = "stopped"
    return Health(ok=database == "ok" and state != "stopped", database=database, scheduler=state)
