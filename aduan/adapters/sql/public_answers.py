"""The public Q&A entries over SQL (issue 14 item 7): the only table the public page reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from aduan.adapters.sql.tables import public_answers
from aduan.ports import PublishedAnswer

_T = public_answers


class SqlPublicAnswerRepository:
    """Published entries, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def put(self, case_id: int, entry: PublishedAnswer, published_at: datetime) -> None:
        self.remove(case_id)
        self.conn.execute(
            insert(_T).values(
                case_id=case_id,
                service_code=entry.service_code,
                question=entry.question,
                answer=entry.answer,
                month=entry.month,
                published_at=published_at,
            )
        )

    def remove(self, case_id: int) -> None:
        self.conn.execute(delete(_T).where(_T.c.case_id == case_id))

    def page(
        self, service_code: str | None, offset: int, limit: int
    ) -> tuple[list[PublishedAnswer], int]:
        where = [] if service_code is None else [_T.c.service_code == service_code]
        rows = self.conn.execute(
            select(_T.c.question, _T.c.answer, _T.c.service_code, _T.c.month)
            .where(*where)
            .order_by(_T.c.published_at.desc(), _T.c.case_id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        total = self.conn.execute(select(func.count()).select_from(_T).where(*where)).scalar()
        entries = [PublishedAnswer(r.question, r.answer, r.service_code, r.month) for r in rows]
        return entries, int(total or 0)

    def services(self) -> list[str]:
        found = self.conn.execute(
            select(_T.c.service_code)
            .where(_T.c.service_code.is_not(None))
            .distinct()
            .order_by(_T.c.service_code)
        )
        return [str(code) for code in found.scalars()]
