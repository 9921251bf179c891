"""The inbound emails handled, over SQL (issue 14 item 5): one row per Message-ID.

``claim`` is one ``INSERT … ON CONFLICT DO NOTHING``: no gap between a check and the insert. On
PostgreSQL a second poller inserting the same id waits on the unique index until the first
commits, then inserts nothing; SQLite lets one writer in at a time, which gives the same.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aduan.adapters.sql.tables import inbound_mail
from aduan.ports import InboundRecord

UNMATCHED = "unmatched"


def _record(row: Any) -> InboundRecord:
    return InboundRecord(
        message_id=row.message_id,
        received_at=row.received_at,
        outcome=row.outcome,
        reason=row.reason,
        case_id=row.case_id,
        sender=row.sender,
        subject=row.subject,
        text=row.text,
        sent_at=row.sent_at,
        matched_by=row.matched_by,
        id=row.id,
    )


class SqlInboundMailRepository:
    """The ``inbound_mail`` table on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def claim(self, record: InboundRecord) -> bool:
        dialect = self.conn.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = {
            "message_id": record.message_id,
            "received_at": record.received_at,
            "sent_at": record.sent_at,
            "outcome": record.outcome,
            "reason": record.reason,
            "case_id": record.case_id,
            "matched_by": record.matched_by,
            "sender": record.sender,
            "subject": record.subject,
            "text": record.text,
        }
        statement = (
            insert(inbound_mail)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(inbound_mail.c.id)
        )
        return self.conn.execute(statement).first() is not None

    def unmatched(self, limit: int) -> list[InboundRecord]:
        query = (
            select(inbound_mail)
            .where(inbound_mail.c.outcome == UNMATCHED)
            .order_by(inbound_mail.c.id.desc())
            .limit(limit)
        )
        return [_record(r) for r in self.conn.execute(query)]
