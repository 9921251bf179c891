"""The notification outbox in memory, behaving as ``sql_outbox`` does for the contract tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aduan.ports import ChannelBacklog, OutboxEntry, OutboxMessage, with_nonce

PENDING, SENT, DEAD = "pending", "sent", "dead"
IN_APP = "in_app"
PURGED = "(dihapus)"


@dataclass(frozen=True, slots=True)
class _Row:
    entry: OutboxEntry
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    purged_at: datetime | None = None


@dataclass(slots=True)
class OutboxRows:
    """Rows by id; rows are replaced, never changed in place, so a copy is shallow."""

    rows: dict[int, _Row] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    next_id: int = 1

    def copy(self) -> OutboxRows:
        """A working copy for a unit of work."""
        return OutboxRows(dict(self.rows), dict(self.keys), self.next_id)


class InMemoryOutboxRepository:
    """The outbox in a unit of work's working copy."""

    def __init__(self, data: OutboxRows) -> None:
        self._data = data

    def add(self, message: OutboxMessage) -> bool:
        if message.idempotency_key in self._data.keys:
            return False
        new_id = self._data.next_id
        self._data.next_id += 1
        stored = dataclasses.replace(message, payload=with_nonce(message.payload))
        entry = OutboxEntry(new_id, stored, PENDING, 0, message.created_at)
        self._data.rows[new_id] = _Row(entry)
        self._data.keys[message.idempotency_key] = new_id
        return True

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            self.add(message)

    def for_recipient(self, recipient: str) -> list[OutboxMessage]:
        return [r.entry.message for r in self._all() if r.entry.message.recipient == recipient]

    def claim(
        self,
        now: datetime,
        limit: int,
        worker: str,
        until: datetime,
        horizon: datetime | None = None,
    ) -> list[OutboxEntry]:
        stale = until + (until - now)  # a lease ending later was taken before a step back
        due = [
            r
            for r in self._all()
            if r.entry.status == PENDING
            and r.entry.next_attempt_at is not None
            and (
                r.entry.next_attempt_at <= now
                or (horizon is not None and r.entry.next_attempt_at > horizon)
            )
            and (r.claimed_until is None or not now <= r.claimed_until <= stale)
        ]
        due.sort(key=lambda r: (r.entry.next_attempt_at, r.entry.id))
        picked = due[:limit]
        for row in picked:
            self._put(dataclasses.replace(row, claimed_by=worker, claimed_until=until))
        return [r.entry for r in picked]

    def mark_sent(
        self, entry_id: int, worker: str, now: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        row = self._held(entry_id, worker)
        if row is None:
            return False
        message = row.entry.message
        if payload is not None:
            message = dataclasses.replace(message, payload=payload)
        entry = dataclasses.replace(
            row.entry,
            message=message,
            status=SENT,
            sent_at=now,
            attempts=row.entry.attempts + 1,
            last_error=None,
        )
        self._put(_Row(entry, purged_at=row.purged_at))
        return True

    def mark_failed(
        self, entry_id: int, worker: str, error: str, retry_at: datetime | None
    ) -> bool:
        row = self._held(entry_id, worker)
        if row is None:
            return False
        entry = dataclasses.replace(
            row.entry,
            attempts=row.entry.attempts + 1,
            last_error=error[:2000],
            status=DEAD if retry_at is None else PENDING,
            next_attempt_at=row.entry.next_attempt_at if retry_at is None else retry_at,
        )
        self._put(_Row(entry, purged_at=row.purged_at))
        return True

    def get(self, entry_id: int) -> OutboxEntry | None:
        row = self._data.rows.get(entry_id)
        return row.entry if row else None

    def dead(self, limit: int) -> list[OutboxEntry]:
        found = [r.entry for r in self._all() if r.entry.status == DEAD]
        return sorted(found, key=lambda e: -e.id)[:limit]

    def for_case(self, case_id: int) -> list[OutboxEntry]:
        found = [
            r.entry
            for r in self._all()
            if r.entry.message.case_id == case_id and r.entry.message.channel != IN_APP
        ]
        return sorted(found, key=lambda e: e.id)

    def retry(self, entry_id: int, now: datetime) -> bool:
        row = self._data.rows.get(entry_id)
        if row is None or row.entry.status != DEAD:
            return False
        entry = dataclasses.replace(
            row.entry, status=PENDING, attempts=0, next_attempt_at=now, last_error=None
        )
        self._put(_Row(entry, purged_at=row.purged_at))
        return True

    def retry_dead(
        self, now: datetime, channel: str | None = None, since: datetime | None = None
    ) -> int:
        retried = 0
        for row in self._all():
            e = row.entry
            if e.status != DEAD or (channel is not None and e.message.channel != channel):
                continue
            if since is not None and e.message.created_at < since:
                continue
            retried += self.retry(e.id, now)
        return retried

    def renew(self, ids: Sequence[int], worker: str, until: datetime) -> set[int]:
        held = set()
        for entry_id in ids:
            row = self._held(entry_id, worker)
            if row is not None:
                self._put(dataclasses.replace(row, claimed_until=until))
                held.add(entry_id)
        return held

    def backlog(self) -> list[ChannelBacklog]:
        by_channel: dict[str, list[OutboxEntry]] = {}
        for row in self._all():
            if row.entry.status == PENDING:
                by_channel.setdefault(row.entry.message.channel, []).append(row.entry)
        return [
            ChannelBacklog(
                channel,
                len(found),
                min(e.message.created_at for e in found),
                max(e.attempts for e in found),
            )
            for channel, found in sorted(by_channel.items())
        ]

    def inbox(self, recipient: str, limit: int, unread_only: bool = False) -> list[OutboxEntry]:
        found = [
            r.entry
            for r in self._all()
            if self._in_inbox(r, recipient) and not (unread_only and r.entry.read_at)
        ]
        return sorted(found, key=lambda e: -e.id)[:limit]

    def unread(self, recipient: str) -> int:
        return sum(1 for r in self._all() if self._in_inbox(r, recipient) and not r.entry.read_at)

    def mark_read(self, recipient: str, ids: Sequence[int] | None, now: datetime) -> int:
        marked = 0
        for row in self._all():
            if not self._in_inbox(row, recipient) or row.entry.read_at:
                continue
            if ids is not None and row.entry.id not in ids:
                continue
            self._put(dataclasses.replace(row, entry=dataclasses.replace(row.entry, read_at=now)))
            marked += 1
        return marked

    def purge(self, before: datetime, now: datetime) -> int:
        purged = 0
        for row in self._all():
            e = row.entry
            if e.status != SENT or e.sent_at is None or e.sent_at >= before:
                continue
            if row.purged_at is not None or e.message.channel == IN_APP:
                continue
            message = dataclasses.replace(e.message, payload={}, recipient=PURGED)
            self._put(_Row(dataclasses.replace(e, message=message), purged_at=now))
            purged += 1
        return purged

    def counts(self) -> dict[str, int]:
        statuses = [r.entry.status for r in self._all()]
        return {s: statuses.count(s) for s in (PENDING, SENT, DEAD)}

    def _all(self) -> list[_Row]:
        return [self._data.rows[i] for i in sorted(self._data.rows)]

    def _put(self, row: _Row) -> None:
        self._data.rows[row.entry.id] = row

    def _held(self, entry_id: int, worker: str) -> _Row | None:
        row = self._data.rows.get(entry_id)
        if row is None or row.entry.status != PENDING or row.claimed_by != worker:
            return None
        return row

    @staticmethod
    def _in_inbox(row: _Row, recipient: str) -> bool:
        message = row.entry.message
        return message.recipient == recipient and message.channel == IN_APP
