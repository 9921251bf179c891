"""SQL adapter of the account repository: credentials, sessions, tokens, keys, login audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select, update

from aduan.adapters.sql.tables import (
    api_tokens,
    auth_events,
    client_keys,
    credentials,
    web_sessions,
)
from aduan.ports import AuthEvent, SessionRecord


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


def _event(r: Any) -> AuthEvent:
    return AuthEvent(r["at"], r["event"], r["username"], r["client_ip"], r["detail"])
