"""The retention purge over SQL (issue 14 item 1): ended cases still holding personal data.

``erase`` works inside the caller's transaction, case by case: the guarded UPDATE of the case
row comes first, so of two instances purging at once only one erases a case (the other's
UPDATE finds it erased and does nothing more), and a failure later in the case rolls the whole
case back. The case row's version moves on, so a write prepared from the row as it was before
is refused as stale rather than putting the data back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    delete,
    func,
    literal,
    select,
    text,
    tuple_,
    update,
)

from aduan.adapters.sql.cases import SYNC_UNITS
from aduan.adapters.sql.outbox import DEAD, IN_APP, PENDING, PURGED
from aduan.adapters.sql.tables import cases, inbound_mail, intake_keys, outbox
from aduan.ports import PERSONAL_FACTS, EndedCase
from aduan.workflow.states import Status

_KEPT = cases.c.personal_data_erased_at.is_(None)
# Closed, withdrawn, referred or merged: ``closed_at`` is set (and cleared by a reopening or
# an undone withdrawal). The first two terms are the partial index's condition.
_CLOSED_KEPT = and_(_KEPT, cases.c.closed_at.is_not(None))
# A forwarded suggestion ends when it is forwarded to the yearly evaluation, its last change.
_FORWARDED_KEPT = and_(_KEPT, cases.c.status == Status.SUGGESTION_FORWARDED.value)
_SEARCH_PEOPLE = {
    "sqlite": text("UPDATE case_search SET people = '', people_text = '' WHERE rowid = :id"),
    "postgresql": text("UPDATE case_search SET people = '' WHERE case_id = :id"),
}


def _ended(cutoff: datetime) -> ColumnElement[bool]:
    return (_CLOSED_KEPT & (cases.c.closed_at < cutoff)) | (
        _FORWARDED_KEPT & (cases.c.updated_at < cutoff)
    )


class SqlRetentionRepository:
    """``RetentionRepository`` over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ended_before(
        self, cutoff: datetime, after: EndedCase | None, limit: int
    ) -> list[EndedCase]:
        found: list[EndedCase] = []
        # Two reads, each on its own index in its own order (the closed cases' partial index by
        # closing time; the status index), rather than one OR that neither index answers; a
        # day with nothing due reads no row of either.
        for kept, ended_at in (
            (_CLOSED_KEPT, cases.c.closed_at),
            (_FORWARDED_KEPT, cases.c.updated_at),
        ):
            stmt = (
                select(cases.c.id, cases.c.tracking_code, ended_at.label("ended_at"))
                .where(kept, ended_at < cutoff)
                .order_by(ended_at, cases.c.id)
                .limit(limit)
            )
            if after is not None:
                at = literal(after.ended_at, type_=cases.c.closed_at.type)
                stmt = stmt.where(tuple_(ended_at, cases.c.id) > tuple_(at, after.id))
            rows = self.conn.execute(stmt).mappings()
            found += [EndedCase(r["id"], r["tracking_code"], r["ended_at"]) for r in rows]
        return sorted(found, key=lambda c: (c.ended_at, c.id))[:limit]

    def erase(self, case_id: int, cutoff: datetime, now: datetime) -> bool:
        facts = self.conn.execute(
            select(cases.c.channel_facts).where(cases.c.id == case_id, _ended(cutoff))
        ).first()
        if facts is None:
            return False
        kept_facts = {k: v for k, v in (facts[0] or {}).items() if k not in PERSONAL_FACTS}
        erased = self.conn.execute(
            update(cases)
            .where(cases.c.id == case_id, _ended(cutoff))
            .values(
                complainant_name=None,
                complainant_email=None,
                complainant_phone=None,
                complainant_social=None,
                complainant_address=None,
                pin_hash=None,
                channel_facts=kept_facts or None,
                personal_data_erased_at=now,
                version=cases.c.version + 1,
            )
        )
        if erased.rowcount != 1:
            return False
        # The version its units' rows of case_units copy (the list pages read them, 0036).
        self.conn.execute(SYNC_UNITS, {"_case_id": case_id})
        self.conn.execute(delete(intake_keys).where(intake_keys.c.case_id == case_id))
        self._forget_messages(case_id, now)
        # The emails they sent (issue 14 item 5): the row stays, so a message read again is
        # still recognised, but without who sent it and what it said.
        self.conn.execute(
            update(inbound_mail)
            .where(inbound_mail.c.case_id == case_id)
            .values(sender=PURGED, subject="", text="")
        )
        self.conn.execute(_SEARCH_PEOPLE[self.conn.dialect.name], {"id": case_id})
        return True

    def _forget_messages(self, case_id: int, now: datetime) -> None:
        """The messages to the complainant lose address, content and errors (which quote it).

        A message never delivered cannot be any more: it ends as dead. The staff inbox's
        messages about the case carry no contact data and stay.
        """
        values: dict[str, Any] = {
            "payload": {},
            "recipient": PURGED,
            "last_error": None,
            "purged_at": func.coalesce(outbox.c.purged_at, now),
            "status": case((outbox.c.status == PENDING, DEAD), else_=outbox.c.status),
            "claimed_by": None,
            "claimed_until": None,
        }
        self.conn.execute(
            update(outbox)
            .where(outbox.c.case_id == case_id, outbox.c.channel != IN_APP)
            .values(**values)
        )
