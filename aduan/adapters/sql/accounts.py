"""SQL adapter of the account repository: credentials, sessions, tokens, keys, login audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select, text, update

from aduan.adapters.sql.tables import (
    api_tokens,
    auth_events,
    client_keys,
    credentials,
    public_allowances,
    rate_hits,
    web_sessions,
)
from aduan.ports import Allowance, AuthEvent, SessionRecord


class SqlAccountRepository:
    """Account tables over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def password_hash(self, username: str) -> str | None:
        return self.conn.execute(
            select(credentials.c.password_hash).where(credentials.c.username == username)
        ).scalar()

    def set_password_hash(self, username: str, password_hash: str, now: datetime) -> None:
        self.conn.execute(delete(credentials).where(credentials.c.username == username))
        self.conn.execute(
            insert(credentials).values(
                username=username, password_hash=password_hash, updated_at=now
            )
        )

    def has_passwords(self) -> bool:
        return bool(self.conn.execute(select(exists().select_from(credentials))).scalar())

    def add_token(self, username: str, token_hash: str, label: str, now: datetime) -> None:
        self.conn.execute(
            insert(api_tokens).values(
                token_hash=token_hash, username=username, label=label, created_at=now
            )
        )

    def token_user(self, token_hash: str) -> str | None:
        return self.conn.execute(
            select(api_tokens.c.username).where(
                api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
            )
        ).scalar()

    def revoke_tokens(self, username: str, now: datetime) -> int:
        result = self.conn.execute(
            update(api_tokens)
            .where(api_tokens.c.username == username, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount

    def add_session(self, token_hash: str, session: SessionRecord) -> None:
        self.conn.execute(
            insert(web_sessions).values(
                token_hash=token_hash,
                username=session.username,
                csrf_token=session.csrf_token,
                client_ip=session.client_ip,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    def session(self, token_hash: str, now: datetime) -> SessionRecord | None:
        row = (
            self.conn.execute(
                select(web_sessions).where(
                    web_sessions.c.token_hash == token_hash, web_sessions.c.expires_at > now
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return SessionRecord(
            row["username"],
            row["csrf_token"],
            row["client_ip"],
            row["created_at"],
            row["expires_at"],
        )

    def drop_session(self, token_hash: str) -> None:
        self.conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))

    def drop_sessions(self, username: str) -> int:
        result = self.conn.execute(delete(web_sessions).where(web_sessions.c.username == username))
        return result.rowcount

    def add_client_key(self, key_hash: str, label: str, now: datetime) -> None:
        self.conn.execute(
            insert(client_keys).values(key_hash=key_hash, label=label, created_at=now)
        )

    def client_key(self, key_hash: str) -> str | None:
        return self.conn.execute(
            select(client_keys.c.label).where(
                client_keys.c.key_hash == key_hash, client_keys.c.revoked_at.is_(None)
            )
        ).scalar()

    def record(self, event: AuthEvent) -> None:
        self.conn.execute(
            insert(auth_events).values(
                at=event.at,
                event=event.event,
                username=event.username[:64],
                client_ip=event.client_ip[:64],
                detail=event.detail[:300],
            )
        )

    def recent(self, username: str, client_ip: str, since: datetime) -> list[AuthEvent]:
        rows = self.conn.execute(
            select(auth_events)
            .where(
                auth_events.c.username == username[:64],
                auth_events.c.client_ip == client_ip[:64],
                auth_events.c.at >= since,
            )
            .order_by(auth_events.c.at, auth_events.c.id)
        ).mappings()
        return [_event(r) for r in rows]

    def audit(self, username: str) -> list[AuthEvent]:
        rows = self.conn.execute(
            select(auth_events)
            .where(auth_events.c.username == username[:64])
            .order_by(auth_events.c.id)
        ).mappings()
        return [_event(r) for r in rows]

    def record_repeat(self, event: AuthEvent, since: datetime) -> None:
        # Two transactions recording the same kind of entry at once: one after the other, so
        # they count into one entry instead of each starting its own.
        self.lock_buckets([f"audit:{event.event}:{event.username}@{event.client_ip}"])
        latest = self.conn.execute(
            select(auth_events.c.id)
            .where(
                auth_events.c.event == event.event,
                auth_events.c.username == event.username[:64],
                auth_events.c.client_ip == event.client_ip[:64],
                auth_events.c.at >= since,
            )
            .order_by(auth_events.c.id.desc())
            .limit(1)
        ).scalar()
        if latest is None:
            self.record(event)
            return
        self.conn.execute(
            update(auth_events)
            .where(auth_events.c.id == latest)
            .values(count=auth_events.c.count + event.count, last_at=event.at)
        )

    def purge_events(self, before: datetime, events: Sequence[str]) -> int:
        result = self.conn.execute(
            delete(auth_events).where(
                auth_events.c.at < before, auth_events.c.event.in_(list(events))
            )
        )
        return result.rowcount

    def lock_buckets(self, buckets: Sequence[str]) -> None:
        if self.conn.dialect.name != "postgresql":
            return  # SQLite: writers take turns (writer_turn), the count is exact already
        for bucket in sorted(set(buckets)):  # one order: two writers never wait on each other
            self.conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": "aduan.rate:" + bucket},
            )

    def hits(self, bucket: str, since: datetime) -> list[tuple[datetime, int]]:
        rows = self.conn.execute(
            select(rate_hits.c.slot, rate_hits.c.hits)
            .where(rate_hits.c.bucket == bucket, rate_hits.c.slot >= since)
            .order_by(rate_hits.c.slot)
        )
        return [(slot, hits) for slot, hits in rows if hits > 0]

    def add_hit(self, bucket: str, slot: datetime, n: int = 1) -> None:
        where = (rate_hits.c.bucket == bucket, rate_hits.c.slot == slot)
        changed = self.conn.execute(
            update(rate_hits).where(*where).values(hits=rate_hits.c.hits + n)
        ).rowcount
        if not changed and n > 0:
            self.conn.execute(insert(rate_hits).values(bucket=bucket, slot=slot, hits=n))

    def clear_hits(self, bucket: str) -> None:
        self.conn.execute(delete(rate_hits).where(rate_hits.c.bucket == bucket))

    def purge_hits(self, before: datetime) -> int:
        return self.conn.execute(delete(rate_hits).where(rate_hits.c.slot < before)).rowcount

    def allowances(self) -> list[Allowance]:
        rows = self.conn.execute(
            select(public_allowances).order_by(public_allowances.c.network)
        ).mappings()
        return [
            Allowance(r["network"], r["per_hour"], r["label"], r["updated_by"], r["updated_at"])
            for r in rows
        ]

    def put_allowance(self, allowance: Allowance) -> None:
        self.drop_allowance(allowance.network)
        self.conn.execute(
            insert(public_allowances).values(
                network=allowance.network,
                per_hour=allowance.per_hour,
                label=allowance.label,
                updated_by=allowance.updated_by,
                updated_at=allowance.updated_at,
            )
        )

    def drop_allowance(self, network: str) -> bool:
        result = self.conn.execute(
            delete(public_allowances).where(public_allowances.c.network == network)
        )
        return bool(result.rowcount)


def _event(r: Any) -> AuthEvent:
    return AuthEvent(
        r["at"], r["event"], r["username"], r["client_ip"], r["detail"], r["count"], r["last_at"]
    )
