"""The dispatcher: delivers outbox rows, retries with exponential backoff, dead-letters.

A failure that may pass is retried for a week (``RetryPolicy``), so an outage of the mail
server loses nothing; what is dead-lettered anyway an administrator queues again in bulk
(``aduan notify retry --all-failed``), and ``/healthz`` names a channel whose messages wait.

One round: lease a batch of due rows (a short transaction of its own), render and deliver each
with no transaction open, then record every result in one transaction — only for rows the
dispatcher still holds. A dispatcher killed between a delivery and the record leaves the row
leased; when the lease runs out another round delivers it again, with the same idempotency key,
so a receiver sees the duplicate for what it is (at-least-once). A failed delivery only touches
its outbox row: the change that caused the message was committed long before. Any error
a channel raises fails its own row (retried, then dead-lettered), never the batch.

Logs name the row, the event and the channel, never the address or the text.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from jinja2 import TemplateError as JinjaError

from aduan.notifications.outbox import after_delivery
from aduan.notifications.templates import TemplateError, render
from aduan.ports import (
    Clock,
    DeliveryChannel,
    DeliveryError,
    OutboxEntry,
    OutboxRepository,
    UnitOfWorkFactory,
)

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try.

    A failure that may pass (the server down, a timeout) is retried for ``retry_for`` after the
    message was queued — a week by default, so an outage over a weekend loses nothing —
    waiting ``base`` × 2ⁿ between attempts, at most ``cap`` (so once the server is back every
    message goes within ``cap``). ``max_attempts`` (0: no limit) can give up sooner.
    """

    max_attempts: int = 0
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=15)
    retry_for: timedelta = timedelta(days=7)
    batch_size: int = 50
    lease: timedelta = timedelta(minutes=10)

    @property
    def step_horizon(self) -> timedelta:
        """No row waits longer than this; one due later was scheduled before a clock step back."""
        return 2 * max(self.cap, self.lease)

    def retry_at(
        self, attempts_made: int, now: datetime, queued_at: datetime | None = None
    ) -> datetime | None:
        """When to try again after ``attempts_made`` failures; None to give up."""
        if self.max_attempts and attempts_made >= self.max_attempts:
            return None
        if queued_at is not None and now - queued_at >= self.retry_for:
            return None
        doublings = min(max(attempts_made - 1, 0), 32)  # 2**n beyond the cap would overflow
        wait: timedelta = min(self.cap, self.base * (2**doublings))
        if queued_at is not None:
            wait = min(wait, max(queued_at + self.retry_for - now, timedelta(0)))
        return now + wait


@dataclass(slots=True)
class DispatchReport:
    """What a dispatch did: rows sent, retried later, dead-lettered, and lost leases."""

    counts: Counter[str] = field(default_factory=Counter)
    rounds: int = 0

    @property
    def handled(self) -> int:
        """Rows taken off the queue or put back for later."""
        return self.counts["sent"] + self.counts["retry"] + self.counts["dead"]


def worker_name() -> str:
    """Who holds a lease: host and process (and thread, for dispatchers sharing a process)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Dispatcher:
    """Delivers pending outbox rows through the configured channels."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        channels: Mapping[str, DeliveryChannel],
        policy: RetryPolicy | None = None,
        worker: str | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.channels = dict(channels)
        self.policy = policy or RetryPolicy()
        self.worker = worker or worker_name()

    def dispatch(self, max_rounds: int | None = None) -> DispatchReport:
        """Deliver everything due now, round after round, until nothing is left.

        Connections (SMTP, HTTP) are reused across the rounds and closed at the end: a
        dispatcher that runs every few seconds holds no idle connection in between.
        """
        report = DispatchReport()
        try:
            while max_rounds is None or report.rounds < max_rounds:
                if not self.round(report):
                    break
        finally:
            self.close()
        return report

    def round(self, report: DispatchReport | None = None) -> int:
        """One batch: lease, deliver, record. Returns how many rows it leased.

        The lease is renewed while the round runs (every quarter of it), so a slow server can
        never let another dispatcher take — and send again — a row this one is still on. Once a
        channel is unreachable (down, or not answering within its timeout) the rest of the
        batch is not tried on it this round: one dead server costs one timeout, not fifty.
        """
        report = report if report is not None else DispatchReport()
        now = self.clock.now()
        with self.uow() as uow:
            batch = uow.outbox.claim(
                now,
                self.policy.batch_size,
                self.worker,
                now + self.policy.lease,
                now + self.policy.step_horizon,
            )
            uow.commit()
        if not batch:
            return 0
        results: list[tuple[OutboxEntry, DeliveryError | None]] = []
        lost: set[int] = set()
        down: dict[str, DeliveryError] = {}
        renewed = time.monotonic()
        for entry in batch:
            if time.monotonic() - renewed >= self.policy.lease.total_seconds() / 4:
                # Delivered rows too: their result is recorded only at the end of the round.
                mine = [e for e in batch if e.id not in lost]
                held = self._renew(mine)
                renewed = time.monotonic()
                lost.update(e.id for e in mine if e.id not in held)
            if entry.id in lost:
                continue
            channel = entry.message.channel
            if channel in down:
                reason = f"not tried, the channel was unreachable: {down[channel]}"
                results.append((entry, DeliveryError(reason, unreachable=True)))
                continue
            error = self._deliver(entry)
            if error is not None and error.unreachable:
                down[channel] = error
            results.append((entry, error))
        done = self.clock.now()
        tried = {entry.id for entry, _ in results}
        skipped = sorted(lost - tried)  # (a tried row that was lost counts when recorded)
        outcome: Counter[str] = Counter(lease_lost=len(skipped)) if skipped else Counter()
        for entry_id in skipped:
            log.warning("outbox_lease_lost", outbox_id=entry_id, worker=self.worker)
        with self.uow() as uow:
            for entry, error in results:
                outcome[self._record(uow.outbox, entry, error, done)] += 1
            uow.commit()
        report.counts.update(outcome)
        report.rounds += 1
        log.info("outbox_round", worker=self.worker, leased=len(batch), **outcome)
        return len(batch)

    def _renew(self, entries: list[OutboxEntry]) -> set[int]:
        """Extend the lease on the rows still to deliver; the ids this worker still holds."""
        now = self.clock.now()
        with self.uow() as uow:
            held = uow.outbox.renew([e.id for e in entries], self.worker, now + self.policy.lease)
            uow.commit()
        return held

    def close(self) -> None:
        """Close every channel's connection."""
        for channel in self.channels.values():
            channel.close()

    def _deliver(self, entry: OutboxEntry) -> DeliveryError | None:
        message = entry.message
        channel = self.channels.get(message.channel)
        try:
            if channel is None:
                raise DeliveryError(
                    f"channel {message.channel!r} is not configured", permanent=True
                )
            payload = message.payload
            # Survey invitations queued before they had a template kept their fields at the top.
            context = payload.get("context", payload)
            rendered = render(message.event, payload.get("lang", "id"), context)
            channel.send(entry, rendered)
        except DeliveryError as exc:
            return exc
        except (TemplateError, JinjaError, KeyError) as exc:
            return DeliveryError(f"template: {type(exc).__name__}: {exc}", permanent=True)
        except Exception as exc:  # noqa: BLE001 - one bad row must not stall the batch
            # Only the exception's type: its text may quote the address or the message.
            return DeliveryError(
                f"channel {message.channel!r} failed unexpectedly: {type(exc).__name__}"
            )
        return None

    def _record(
        self,
        outbox: OutboxRepository,
        entry: OutboxEntry,
        error: DeliveryError | None,
        now: datetime,
    ) -> str:
        if error is None:
            message = entry.message
            kept = outbox.mark_sent(
                entry.id, self.worker, now, after_delivery(message.event, message.payload)
            )
            status = "sent"
        else:
            attempts = entry.attempts + 1
            retry_at = (
                None
                if error.permanent
                else self.policy.retry_at(attempts, now, entry.message.created_at)
            )
            kept = outbox.mark_failed(entry.id, self.worker, str(error), retry_at)
            status = "retry" if retry_at else "dead"
            log.warning(
                "outbox_delivery_failed",
                outbox_id=entry.id,
                notice=entry.message.event,
                channel=entry.message.channel,
                attempts=attempts,
                error=str(error),
                dead=retry_at is None,
            )
        if not kept:
            log.warning("outbox_lease_lost", outbox_id=entry.id, worker=self.worker)
            return "lease_lost"
        return status
