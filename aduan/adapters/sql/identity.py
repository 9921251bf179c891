"""The identity repository over SQL: the identity-access log, a case's PIN and Open311 client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, false, insert, select, update
from sqlalchemy.exc import IntegrityError

from aduan.adapters.sql import codec
from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import (
    cases,
    client_keys,
    identity_access,
    intake_keys,
    open_due_at,
)
from aduan.ports import IdentityAccess, IntakeKey, Open311Query

_SET_PIN = Prepared(
    update(cases).where(cases.c.id == bindparam("_case_id")).values(pin_hash=bindparam("_pin_hash"))
)

_SUMMARY = select(
    *(cases.c[name] for name in codec.SUMMARY_COLUMNS),
    open_due_at.label("due_at"),
    cases.c.public_id,
)


class SqlIdentityRepository:
    """The identity-access log and the complainant's keys of a case, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(self, access: IdentityAccess) -> None:
        self.conn.execute(
            insert(identity_access).values(
                case_id=access.case_id,
                at=access.at,
                username=access.username,
                role=access.role,
                reason=access.reason,
            )
        )

    def accesses(self, start: datetime, end: datetime, limit: int) -> list[IdentityAccess]:
        rows = self.conn.execute(
            select(identity_access, cases.c.tracking_code)
            .join(cases, cases.c.id == identity_access.c.case_id)
            .where(identity_access.c.at >= start, identity_access.c.at < end)
            .order_by(identity_access.c.at.desc(), identity_access.c.id.desc())
            .limit(limit)
        )
        return [
            IdentityAccess(r.case_id, r.at, r.username, r.role, r.reason, r.tracking_code)
            for r in rows
        ]

    def set_pin(self, case_id: int, pin_hash: str) -> None:
        # Every submission: deferred with the new case's other writes (runner.py).
        Runner.of(self.conn).defer(_SET_PIN, {"_case_id": case_id, "_pin_hash": pin_hash})

    def pin_hash(self, case_id: int) -> str | None:
        return self.conn.execute(select(cases.c.pin_hash).where(cases.c.id == case_id)).scalar()

    def claim_intake_key(self, key: IntakeKey) -> bool:
        # A savepoint: the unique violation of a key another transaction committed first
        # (PostgreSQL waits for it) undoes this insert only, and the caller rolls back the rest.
        # The writes deferred so far first: their error is not this key's (runner.py).
        Runner.of(self.conn).flush()
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(intake_keys).values(
                        key_hash=key.key_hash,
                        case_id=key.case_id,
                        fingerprint=key.fingerprint,
                        pin_sealed=key.pin_sealed,
                        created_at=key.created_at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def intake_key(self, key_hash: str) -> IntakeKey | None:
        row = self.conn.execute(
            select(intake_keys).where(intake_keys.c.key_hash == key_hash)
        ).first()
        if row is None:
            return None
        return IntakeKey(row.key_hash, row.case_id, row.fingerprint, row.pin_sealed, row.created_at)

    def client_key_id(self, key_hash: str) -> int | None:
        return self.conn.execute(
            select(client_keys.c.id).where(
                client_keys.c.key_hash == key_hash, client_keys.c.revoked_at.is_(None)
            )
        ).scalar()

    def set_client(self, case_id: int, client_id: int, public_id: str) -> None:
        self.conn.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(open311_client=client_id, public_id=public_id)
        )

    def client_of(self, case_id: int) -> int | None:
        return self.conn.execute(
            select(cases.c.open311_client).where(cases.c.id == case_id)
        ).scalar()

    def public_id_of(self, case_id: int) -> str | None:
        return self.conn.execute(select(cases.c.public_id).where(cases.c.id == case_id)).scalar()

    def public_request(self, public_id: str) -> str | None:
        return self.conn.execute(
            select(cases.c.tracking_code).where(
                cases.c.public_id == public_id,
                cases.c.open311_client.is_not(None),
                cases.c.sealed == false(),
            )
        ).scalar()

    def open311_requests(self, query: Open311Query) -> list[dict[str, Any]]:
        # Read through (open311_client, id) for one client; the public list never shows a
        # staff-entered case (no client) nor a sealed one (issue 16 item 5).
        if query.client is not None:
            stmt = _SUMMARY.where(cases.c.open311_client == query.client)
            by_id = cases.c.tracking_code
        else:
            stmt = _SUMMARY.where(cases.c.open311_client.is_not(None), cases.c.sealed == false())
            by_id = cases.c.public_id
        if query.codes:
            stmt = stmt.where(by_id.in_(sorted(query.codes)))
        else:
            stmt = stmt.where(cases.c.received_at >= query.start, cases.c.received_at <= query.end)
            if query.service_codes:
                stmt = stmt.where(cases.c.service_code.in_(sorted(query.service_codes)))
            if query.statuses:
                stmt = stmt.where(cases.c.status.in_(sorted(s.value for s in query.statuses)))
        stmt = stmt.order_by(cases.c.received_at.desc(), cases.c.id.desc())
        rows = self.conn.execute(stmt.offset(query.offset).limit(query.limit))
        return [codec.summary_from_row(dict(r._mapping)) for r in rows]
