"""``/healthz``: is the database reachable, the scheduler alive, and is any channel's mail stuck?

A stalled channel (the mail server down for a while, or no dispatcher running), or a database
that refuses writes (``"storage": "read_only"`` or ``"full"``: reads are still served), makes
the probe say ``"status": "degraded"`` and name the channel, with HTTP 200 still: the server keeps
taking complaints, and a load balancer must not take it out of service for the mail server's
sake. Monitoring alerts on ``status``; only ``"down"`` (database or scheduler) answers 503.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from aduan.service import Deps, health

DEFAULT_STALL_AFTER = timedelta(minutes=15)


class ChannelHealth(BaseModel):
    """Messages waiting on one channel. No address and no error text: the probe is public."""

    pending: int
    oldest_pending_seconds: int
    failures: int  # failed attempts of the message that failed most
    stalled: bool


class Health(BaseModel):
    """What a load balancer or service manager checks."""

    ok: bool
    status: str  # "ok", "degraded" (a channel stalled; still serving) or "down"
    database: str  # "ok" or why not
    storage: str  # "ok", or "read_only" / "full": reads are served, writes refused (503)
    scheduler: str  # "running", "stopped" or "disabled" (not started in this process)
    stalled: list[str]  # channels whose oldest message waited longer than the threshold
    notifications: dict[str, ChannelHealth]  # channels with messages waiting


def check(
    deps: Deps, scheduler: Any, background: bool, stall_after: timedelta = DEFAULT_STALL_AFTER
) -> Health:
    """Probe the database (``service.health``), the scheduler thread and the outbox."""
    database = health.database_status(deps.uow)
    if not background:
        state = "disabled"
    elif scheduler is not None and scheduler.running:
        state = "running"
    else:
        state = "stopped"
    ok = database == "ok" and state != "stopped"
    channels = health.channel_states(deps.uow, deps.clock, stall_after) if database == "ok" else []
    stalled = [c.channel for c in channels if c.stalled]
    storage = health.storage_status(deps.uow)
    return Health(
        ok=ok,
        status="down" if not ok else "degraded" if stalled or storage != "ok" else "ok",
        database=database,
        storage=storage,
        scheduler=state,
        stalled=stalled,
        notifications={
            c.channel: ChannelHealth(
                pending=c.pending,
                oldest_pending_seconds=c.oldest_pending_seconds,
                failures=c.failures,
                stalled=c.stalled,
            )
            for c in channels
        },
    )
