"""The inbound emails handled, over SQL (issue 14 item 5): one row per Message-ID.

``claim`` is one ``INSERT … ON CONFLICT DO NOTHING``: no gap between a check and the insert. On
PostgreSQL a second poller inserting the same id waits on the unique index until the first
commits, then inserts nothing; SQLite lets one writer in at a time, which gives the same.
``mark_handled`` is one ``UPDATE … WHERE handled_at IS NULL`` read by its row count, so of two
officers marking a message at once exactly one does. The lists leave out, in the query, a
message that seemed to answer a case out of the reader's sight (``stats.in_sight``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aduan.adapters.sql import stats
from aduan.adapters.sql.tables import cases, inbound_mail
from aduan.ports import InboundRecord
from aduan.workflow.visibility import Sight

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
        handled_at=row.handled_at,
        handled_by=row.handled_by,
        handled_note=row.handled_note,
        tracking_code=getattr(row, "tracking_code", None),
    )


def _listed(sight: Sight, handled: bool) -> ColumnElement[bool]:
    """Unmatched, still to handle (or handled), naming no case or one in ``sight``."""
    state = (
        inbound_mail.c.handled_at.is_not(None) if handled else inbound_mail.c.handled_at.is_(None)
    )
    case_in_sight = exists().where(cases.c.id == inbound_mail.c.case_id, stats.in_sight(sight))
    return and_(
        inbound_mail.c.outcome == UNMATCHED,
        state,
        or_(inbound_mail.c.case_id.is_(None), case_in_sight),
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

    def unmatched(self, limit: int, *, sight: Sight, handled: bool = False) -> list[InboundRecord]:
        # One order for both: the latest handled first, else (all NULL) the newest first. The
        # index (outcome, handled_at, id) read backwards gives it, with no sort, on both engines.
        order = (inbound_mail.c.handled_at.desc(), inbound_mail.c.id.desc())
        # The case's code comes with the row: its condition already holds the case in sight.
        named = cases.alias("named_case")  # apart from the sight's EXISTS on cases
        query = (
            select(inbound_mail, named.c.tracking_code)
            .select_from(inbound_mail.outerjoin(named, named.c.id == inbound_mail.c.case_id))
            .where(_listed(sight, handled))
            .order_by(*order)
            .limit(limit)
        )
        return [_record(r) for r in self.conn.execute(query)]

    def count_unmatched(self, *, sight: Sight, handled: bool = False) -> int:
        query = select(func.count()).select_from(inbound_mail).where(_listed(sight, handled))
        return int(self.conn.execute(query).scalar_one())

    def unmatched_one(self, mail_id: int) -> InboundRecord | None:
        query = select(inbound_mail).where(
            inbound_mail.c.id == mail_id, inbound_mail.c.outcome == UNMATCHED
        )
        row = self.conn.execute(query).first()
        return _record(row) if row is not None else None

    def mark_handled(self, mail_id: int, by: str, note: str, at: datetime) -> bool:
        statement = (
            update(inbound_mail)
            .where(
                inbound_mail.c.id == mail_id,
                inbound_mail.c.outcome == UNMATCHED,
                inbound_mail.c.handled_at.is_(None),
            )
            .values(handled_at=at, handled_by=by, handled_note=note)
        )
        return self.conn.execute(statement).rowcount == 1
