"""The attachment rows over SQL (issue 14 item 1); the files themselves are in a FileStore."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select

from aduan.adapters.sql.tables import attachments
from aduan.ports import Attachment


def _attachment(row: Any) -> Attachment:
    return Attachment(
        case_id=row.case_id,
        sha256=row.sha256,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        identity=row.identity,
        action=row.action,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        id=row.id,
    )


class SqlAttachmentRepository:
    """A case's attachment rows, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, attachment: Attachment) -> int:
        values = {
            "case_id": attachment.case_id,
            "sha256": attachment.sha256,
            "name": attachment.name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "identity": attachment.identity,
            "action": attachment.action,
            "uploaded_by": attachment.uploaded_by,
            "uploaded_at": attachment.uploaded_at,
        }
        new_id: int = self.conn.execute(
            insert(attachments).values(**values).returning(attachments.c.id)
        ).scalar_one()
        return new_id

    def for_case(self, case_id: int) -> list[Attachment]:
        query = (
            select(attachments).where(attachments.c.case_id == case_id).order_by(attachments.c.id)
        )
        return [_attachment(r) for r in self.conn.execute(query)]

    def for_cases(self, case_ids: Sequence[int]) -> list[Attachment]:
        if not case_ids:
            return []
        query = (
            select(attachments)
            .where(attachments.c.case_id.in_(sorted(set(case_ids))))
            .order_by(attachments.c.id)
        )
        return [_attachment(r) for r in self.conn.execute(query)]

    def get(self, case_id: int, attachment_id: int) -> Attachment | None:
        row = self.conn.execute(
            select(attachments).where(
                attachments.c.id == attachment_id, attachments.c.case_id == case_id
            )
        ).first()
        return _attachment(row) if row is not None else None

    def delete_for_case(self, case_id: int) -> list[str]:
        gone = self.conn.execute(
            delete(attachments)
            .where(attachments.c.case_id == case_id)
            .returning(attachments.c.sha256)
        ).scalars()
        return sorted(set(gone))

    def referenced(self, sha256: str) -> bool:
        return bool(
            self.conn.execute(select(exists().where(attachments.c.sha256 == sha256))).scalar()
        )
