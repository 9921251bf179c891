"""Use cases of the health probe: can the database be read, is any channel's mail stuck?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aduan.ports import Clock, UnitOfWorkFactory
from aduan.workflow.errors import AduanError


def database_status(uow: UnitOfWorkFactory) -> str:
    """``"ok"`` when a one-row read succeeds, else why not (in English, for operators)."""
    try:
        with uow(readonly=True) as tx:
            tx.reference.service("-")
    except AduanError as exc:
        return exc.message_en
    except Exception as exc:  # noqa: BLE001 - any driver failure means "not reachable"
        return type(exc).__name__
    return "ok"


def storage_status(uow: UnitOfWorkFactory) -> str:
    """``"ok"``, or why the database refused the latest write: ``read_only`` or ``full``.

    The SQL unit-of-work factory remembers it (``adapters.sql.storage``) until a write succeeds.
    """
    refused = getattr(uow, "refused", None)
    return refused if isinstance(refused, str) else "ok"


@dataclass(frozen=True, slots=True)
class ChannelState:
    """One delivery channel as the probe reports it."""

    channel: str
    pending: int  # messages waiting
    oldest_pending_seconds: int  # how long the oldest has waited since it was queued
    failures: int  # failed attempts of the message that failed most (0: none failed yet)
    stalled: bool  # the oldest has waited longer than the threshold


def channel_states(
    uow: UnitOfWorkFactory, clock: Clock, stall_after: timedelta
) -> list[ChannelState]:
    """Every channel with messages waiting; stalled when one waited longer than ``stall_after``.

    A channel stalls when its server is down or refuses us, or when no dispatcher runs: either
    way people are not told what the office did, and an operator must look.
    """
    now = clock.now()
    with uow(readonly=True) as tx:
        backlog = tx.outbox.backlog()
    states = []
    for b in backlog:
        waited = max(now - b.oldest_created_at, timedelta(0))
        states.append(
            ChannelState(
                b.channel,
                b.pending,
                int(waited.total_seconds()),
                b.most_attempts,
                waited > stall_after,
            )
        )
    return states
