"""In-memory adapter of the account repository, for the unit of work in ``memory``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from aduan.ports import Allowance, AuthEvent, SessionRecord


@dataclass(slots=True)
class AccountRows:
    """The account tables; entries are replaced, never changed in place."""

    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    keys: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)
    events: list[AuthEvent] = field(default_factory=list)
    hits: dict[str, dict[datetime, int]] = field(default_factory=dict)
    allowances: dict[str, Allowance] = field(default_factory=dict)

    def copy(self) -> AccountRows:
        """A working copy for one unit of work."""
        return replace(
            self,
            passwords=dict(self.passwords),
            tokens=dict(self.tokens),
            sessions=dict(self.sessions),
            keys=dict(self.keys),
            events=list(self.events),
            hits={bucket: dict(slots) for bucket, slots in self.hits.items()},
            allowances=dict(self.allowances),
        )


class InMemoryAccountRepository:
    """Accounts in a unit of work's working copy."""

    def __init__(self, rows: AccountRows) -> None:
        self._rows = rows

    def password_hash(self, username: str) -> str | None:
        return self._rows.passwords.get(username)

    def set_password_hash(self, username: str, password_hash: str, now: datetime) -> None:
        self._rows.passwords[username] = password_hash

    def has_passwords(self) -> bool:
        return bool(self._rows.passwords)

    def add_token(self, username: str, token_hash: str, label: str, now: datetime) -> None:
        self._rows.tokens[token_hash] = (username, None)

    def token_user(self, token_hash: str) -> str | None:
        found = self._rows.tokens.get(token_hash)
        return found[0] if found and found[1] is None else None

    def revoke_tokens(self, username: str, now: datetime) -> int:
        mine = [h for h, (u, gone) in self._rows.tokens.items() if u == username and gone is None]
        for token_hash in mine:
            self._rows.tokens[token_hash] = (username, now)
        return len(mine)

    def add_session(self, token_hash: str, session: SessionRecord) -> None:
        self._rows.sessions[token_hash] = session

    def session(self, token_hash: str, now: datetime) -> SessionRecord | None:
        found = self._rows.sessions.get(token_hash)
        return found if found and found.expires_at > now else None

    def drop_session(self, token_hash: str) -> None:
        self._rows.sessions.pop(token_hash, None)

    def drop_sessions(self, username: str) -> int:
        mine = [h for h, s in self._rows.sessions.items() if s.username == username]
        for token_hash in mine:
            del self._rows.sessions[token_hash]
        return len(mine)

    def add_client_key(self, key_hash: str, label: str, now: datetime) -> None:
        self._rows.keys[key_hash] = (label, None)

    def client_key(self, key_hash: str) -> str | None:
        found = self._rows.keys.get(key_hash)
        return found[0] if found and found[1] is None else None

    def record(self, event: AuthEvent) -> None:
        self._rows.events.append(event)

    def recent(self, username: str, client_ip: str, since: datetime) -> list[AuthEvent]:
        return [
            e
            for e in self._rows.events
            if e.username == username and e.client_ip == client_ip and e.at >= since
        ]

    def audit(self, username: str) -> list[AuthEvent]:
        return [e for e in self._rows.events if e.username == username]

    def record_repeat(self, event: AuthEvent, since: datetime) -> None:
        events = self._rows.events
        for i in range(len(events) - 1, -1, -1):
            e = events[i]
            same = (e.event, e.username, e.client_ip) == (
                event.event,
                event.username,
                event.client_ip,
            )
            if same and e.at >= since:
                events[i] = replace(e, count=e.count + event.count, last_at=event.at)
                return
        events.append(event)

    def purge_events(self, before: datetime, events: Sequence[str]) -> int:
        kept = [e for e in self._rows.events if not (e.at < before and e.event in events)]
        gone = len(self._rows.events) - len(kept)
        self._rows.events[:] = kept
        return gone

    def lock_buckets(self, buckets: Sequence[str]) -> None:
        return None  # writers take the store's one write lock

    def hits(self, bucket: str, since: datetime) -> list[tuple[datetime, int]]:
        slots = self._rows.hits.get(bucket, {})
        return sorted((s, n) for s, n in slots.items() if s >= since and n > 0)

    def add_hit(self, bucket: str, slot: datetime, n: int = 1) -> None:
        slots = self._rows.hits.setdefault(bucket, {})
        if slot in slots or n > 0:
            slots[slot] = slots.get(slot, 0) + n

    def clear_hits(self, bucket: str) -> None:
        self._rows.hits.pop(bucket, None)

    def purge_hits(self, before: datetime) -> int:
        gone = 0
        for bucket in list(self._rows.hits):
            slots = self._rows.hits[bucket]
            for slot in [s for s in slots if s < before]:
                del slots[slot]
                gone += 1
            if not slots:
                del self._rows.hits[bucket]
        return gone

    def allowances(self) -> list[Allowance]:
        return [self._rows.allowances[n] for n in sorted(self._rows.allowances)]

    def put_allowance(self, allowance: Allowance) -> None:
        self._rows.allowances[allowance.network] = allowance

    def drop_allowance(self, network: str) -> bool:
        return self._rows.allowances.pop(network, None) is not None
