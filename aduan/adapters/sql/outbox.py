"""The notification outbox over SQL: queueing, leasing to dispatchers, the staff inbox, purging.

A dispatcher *claims* rows by leasing them (``claimed_by``/``claimed_until``) in a short
transaction of its own, delivers them with no transaction open, and then marks each one sent or
failed — only if it still holds the lease. On PostgreSQL the claim locks the rows it picks and
skips rows another claim has locked (``FOR UPDATE SKIP LOCKED``), so concurrent dispatchers take
disjoint rows; SQLite lets one writer in at a time, which gives the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import outbox
from aduan.ports import ChannelBacklog, OutboxEntry, OutboxMessage, with_nonce

PENDING, SENT, DEAD = "pending", "sent", "dead"
IN_APP = "in_app"
PURGED = "(dihapus)"  # what a purged row keeps in place of the address

_ADD_KEYS = (
    "idempotency_key",
    "event",
    "case_id",
    "recipient",
    "channel",
    "payload",
    "status",
    "created_at",
    "next_attempt_at",
    "attempts",
)
# One statement on the driver's cursor (adapters/sql/prepared.py): it runs inside every transition
# that notifies someone. RETURNING tells whether the row was new.
_ADD = {
    "sqlite": Prepared(
        sqlite_insert(outbox)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(outbox.c.id),
        _ADD_KEYS,
    ),
    "postgresql": Prepared(
        postgresql_insert(outbox)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(outbox.c.id),
        _ADD_KEYS,
    ),
}


_ADD_ALL: dict[tuple[str, int], Prepared] = {}  # per (dialect, rows): one INSERT, no RETURNING


def _add_all(dialect: str, n: int) -> Prepared:
    found = _ADD_ALL.get((dialect, n))
    if found is None:
        rows = [
            {k: bindparam(f"{k}_{i}", type_=outbox.c[k].type) for k in _ADD_KEYS} for i in range(n)
        ]
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        stmt = (
            insert(outbox).values(rows).on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
        found = _ADD_ALL[(dialect, n)] = Prepared(stmt)
    return found


class SqlOutboxRepository:
    """The outbox table; the idempotency key is unique."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message: OutboxMessage) -> bool:
        # One statement: no race between a check and the insert, and no lookup whose kept
        # prepared plan (made while the table was empty) turns into a full scan later.
        added = Runner.of(self.conn).first(_ADD[self.conn.dialect.name], _row(message))
        return added is not None

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        # One statement for every notice of a change, deferred with the save's other writes.
        if messages:
            values = {f"{k}_{i}": v for i, m in enumerate(messages) for k, v in _row(m).items()}
            Runner.of(self.conn).defer(_add_all(self.conn.dialect.name, len(messages)), values)

    def for_recipient(self, recipient: str) -> list[OutboxMessage]:
        rows = self.conn.execute(
            select(outbox).where(outbox.c.recipient == recipient).order_by(outbox.c.id)
        ).mappings()
        return [_message(r) for r in rows]

    def claim(
        self,
        now: datetime,
        limit: int,
        worker: str,
        until: datetime,
        horizon: datetime | None = None,
    ) -> list[OutboxEntry]:
        # A lease ending after ``stale`` was taken before the wall clock stepped back.
        stale = until + (until - now)
        free = or_(
            outbox.c.claimed_until.is_(None),
            outbox.c.claimed_until < now,
            outbox.c.claimed_until > stale,
        )
        due = outbox.c.next_attempt_at <= now
        if horizon is not None:
            due = or_(due, outbox.c.next_attempt_at > horizon)
        picked = (
            select(outbox.c.id)
            .where(outbox.c.status == PENDING, due, free)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers instead
        )
        ids = list(self.conn.execute(picked).scalars())
        if not ids:
            return []
        rows = self.conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(claimed_by=worker, claimed_until=until)
            .returning(*outbox.c)
        ).mappings()
        return sorted((_entry(r) for r in rows), key=lambda e: ids.index(e.id))

    def mark_sent(
        self, entry_id: int, worker: str, now: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        values: dict[str, Any] = {
            "status": SENT,
            "sent_at": now,
            "attempts": outbox.c.attempts + 1,
            "last_error": None,
            "claimed_by": None,
            "claimed_until": None,
        }
        if payload is not None:
            values["payload"] = payload
        result = self.conn.execute(update(outbox).where(_held(entry_id, worker)).values(values))
        return result.rowcount == 1

    def mark_failed(
        self, entry_id: int, worker: str, error: str, retry_at: datetime | None
    ) -> bool:
        values: dict[str, Any] = {
            "attempts": outbox.c.attempts + 1,
            "last_error": error[:2000],
            "claimed_by": None,
            "claimed_until": None,
        }
        if retry_at is None:
            values["status"] = DEAD
        else:
            values["next_attempt_at"] = retry_at
        result = self.conn.execute(update(outbox).where(_held(entry_id, worker)).values(values))
        return result.rowcount == 1

    def get(self, entry_id: int) -> OutboxEntry | None:
        row = self.conn.execute(select(outbox).where(outbox.c.id == entry_id)).mappings().first()
        return _entry(row) if row else None

    def dead(self, limit: int) -> list[OutboxEntry]:
        rows = self.conn.execute(
            select(outbox).where(outbox.c.status == DEAD).order_by(outbox.c.id.desc()).limit(limit)
        ).mappings()
        return [_entry(r) for r in rows]

    def for_case(self, case_id: int) -> list[OutboxEntry]:
        stmt = select(outbox).where(outbox.c.case_id == case_id, outbox.c.channel != IN_APP)
        rows = self.conn.execute(stmt.order_by(outbox.c.id)).mappings()
        return [_entry(r) for r in rows]

    def retry(self, entry_id: int, now: datetime) -> bool:
        result = self.conn.execute(
            update(outbox)
            .where(outbox.c.id == entry_id, outbox.c.status == DEAD)
            .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
        )
        return result.rowcount == 1

    def retry_dead(
        self, now: datetime, channel: str | None = None, since: datetime | None = None
    ) -> int:
        where = [outbox.c.status == DEAD]
        if channel is not None:
            where.append(outbox.c.channel == channel)
        if since is not None:
            where.append(outbox.c.created_at >= since)
        result = self.conn.execute(
            update(outbox)
            .where(*where)
            .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
        )
        return result.rowcount

    def renew(self, ids: Sequence[int], worker: str, until: datetime) -> set[int]:
        if not ids:
            return set()
        rows = self.conn.execute(
            update(outbox)
            .where(
                outbox.c.id.in_(list(ids)),
                outbox.c.status == PENDING,
                outbox.c.claimed_by == worker,
            )
            .values(claimed_until=until)
            .returning(outbox.c.id)
        )
        return set(rows.scalars())

    def backlog(self) -> list[ChannelBacklog]:
        # Pending rows only (the partial index ix_outbox_pending_next_attempt_at holds them):
        # the health probe must stay cheap however many delivered rows the table keeps.
        rows = self.conn.execute(
            select(
                outbox.c.channel,
                func.count(),
                func.min(outbox.c.created_at),
                func.max(outbox.c.attempts),
            )
            .where(outbox.c.status == PENDING)
            .group_by(outbox.c.channel)
            .order_by(outbox.c.channel)
        ).all()
        return [ChannelBacklog(c, int(n), oldest, int(most)) for c, n, oldest, most in rows]

    def inbox(self, recipient: str, limit: int, unread_only: bool = False) -> list[OutboxEntry]:
        stmt = select(outbox).where(outbox.c.recipient == recipient, outbox.c.channel == IN_APP)
        if unread_only:
            stmt = stmt.where(outbox.c.read_at.is_(None))
        rows = self.conn.execute(stmt.order_by(outbox.c.id.desc()).limit(limit)).mappings()
        return [_entry(r) for r in rows]

    def unread(self, recipient: str) -> int:
        stmt = select(func.count()).where(
            outbox.c.recipient == recipient,
            outbox.c.channel == IN_APP,
            outbox.c.read_at.is_(None),
        )
        return int(self.conn.execute(stmt).scalar_one())

    def mark_read(self, recipient: str, ids: Sequence[int] | None, now: datetime) -> int:
        where = [
            outbox.c.recipient == recipient,
            outbox.c.channel == IN_APP,
            outbox.c.read_at.is_(None),
        ]
        if ids is not None:
            where.append(outbox.c.id.in_(list(ids)))
        return self.conn.execute(update(outbox).where(*where).values(read_at=now)).rowcount

    def purge(self, before: datetime, now: datetime) -> int:
        # The staff inbox keeps its messages (staff usernames are not personal contact data);
        # what goes out to complainants is emptied once delivered and old enough.
        result = self.conn.execute(
            update(outbox)
            .where(
                outbox.c.status == SENT,
                outbox.c.sent_at < before,
                outbox.c.purged_at.is_(None),
                outbox.c.channel != IN_APP,
            )
            .values(payload={}, recipient=PURGED, purged_at=now)
        )
        return result.rowcount

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        ).all()
        found = {status: int(n) for status, n in rows}
        return {s: found.get(s, 0) for s in (PENDING, SENT, DEAD)}


def _held(entry_id: int, worker: str) -> Any:
    return and_(outbox.c.id == entry_id, outbox.c.status == PENDING, outbox.c.claimed_by == worker)


def _message(r: Any) -> OutboxMessage:
    return OutboxMessage(
        r["idempotency_key"],
        r["event"],
        r["recipient"],
        r["channel"],
        r["payload"],
        r["created_at"],
        r["case_id"],
    )


def _entry(r: Any) -> OutboxEntry:
    return OutboxEntry(
        id=r["id"],
        message=_message(r),
        status=r["status"],
        attempts=r["attempts"],
        next_attempt_at=r["next_attempt_at"],
        last_error=r["last_error"],
        sent_at=r["sent_at"],
        read_at=r["read_at"],
    )


def _row(message: OutboxMessage) -> dict[str, Any]:
    """The new row of ``message`` (with its payload's fresh nonce)."""
    return {
        "idempotency_key": message.idempotency_key,
        "event": message.event,
        "case_id": message.case_id,
        "recipient": message.recipient,
        "channel": message.channel,
        "payload": with_nonce(message.payload),
        "status": PENDING,
        "created_at": message.created_at,
        "next_attempt_at": message.created_at,
        "attempts": 0,
    }
