"""Use cases of the outbox for people: the staff inbox and the administrator's dead letters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from aduan.ports import Clock, OutboxEntry, UnitOfWorkFactory
from aduan.workflow.errors import NotFoundError, RuleViolationError
from aduan.workflow.states import N_


def inbox(
    uow: UnitOfWorkFactory, username: str, *, unread_only: bool = False, limit: int = 50
) -> tuple[list[OutboxEntry], int]:
    """A staff member's in-app messages, newest first, and how many are unread."""
    with uow(readonly=True) as tx:
        return tx.outbox.inbox(username, limit, unread_only), tx.outbox.unread(username)


def unread_count(uow: UnitOfWorkFactory, username: str) -> int:
    """How many in-app messages ``username`` has not read (the navigation's badge)."""
    with uow(readonly=True) as tx:
        return tx.outbox.unread(username)


def mark_read(
    uow: UnitOfWorkFactory, clock: Clock, username: str, ids: Sequence[int] | None = None
) -> int:
    """Mark some (or all) of a staff member's messages read; how many changed."""
    with uow() as tx:
        changed = tx.outbox.mark_read(username, ids, clock.now())
        tx.commit()
    return changed


def dead_letters(uow: UnitOfWorkFactory, limit: int = 100) -> list[OutboxEntry]:
    """Messages that could not be delivered after every attempt, newest first."""
    with uow(readonly=True) as tx:
        return tx.outbox.dead(limit)


def retry(uow: UnitOfWorkFactory, clock: Clock, entry_id: int) -> OutboxEntry:
    """Queue a dead letter again, with a fresh set of attempts."""
    with uow() as tx:
        entry = tx.outbox.get(entry_id)
        if entry is None:
            raise NotFoundError("outbox", str(entry_id))
        if not tx.outbox.retry(entry_id, clock.now()):
            raise RuleViolationError(
                f"outbox {entry_id}",
                "retry_dead_only",
                N_(
                    "pesan %(entry_id)s berstatus %(status)s; hanya pesan gagal (dead) yang "
                    "dapat dikirim ulang"
                ),
                entry_id=entry_id,
                status=entry.status,
            )
        retried = tx.outbox.get(entry_id)
        tx.commit()
    assert retried is not None
    return retried


def retry_all(
    uow: UnitOfWorkFactory,
    clock: Clock,
    *,
    channel: str | None = None,
    since: datetime | None = None,
) -> int:
    """Queue every dead letter again (of one channel, queued since a time); how many.

    What an administrator does once a mail server or gateway is back after a long outage.
    """
    with uow() as tx:
        retried = tx.outbox.retry_dead(clock.now(), channel, since)
        tx.commit()
    return retried


def purge(uow: UnitOfWorkFactory, clock: Clock, retention_days: int) -> int:
    """Erase address and content of messages delivered more than ``retention_days`` ago."""
    now = clock.now()
    with uow() as tx:
        purged = tx.outbox.purge(now - timedelta(days=retention_days), now)
        tx.commit()
    return purged


def counts(uow: UnitOfWorkFactory) -> dict[str, int]:
    """Messages by status: pending, sent, dead."""
    with uow(readonly=True) as tx:
        return tx.outbox.counts()
