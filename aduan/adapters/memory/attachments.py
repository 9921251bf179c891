"""The attachment rows in memory, for the unit of work in ``memory``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from aduan.ports import Attachment

if TYPE_CHECKING:
    from aduan.adapters.memory.store import Data


class InMemoryAttachmentRepository:
    """Attachment rows in a unit of work's working copy (replaced, never changed in place)."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def add(self, attachment: Attachment) -> int:
        new_id = max(self._data.attachments, default=0) + 1
        self._data.attachments[new_id] = replace(attachment, id=new_id)
        return new_id

    def for_case(self, case_id: int) -> list[Attachment]:
        rows = self._data.attachments
        return [rows[i] for i in sorted(rows) if rows[i].case_id == case_id]

    def for_cases(self, case_ids: Sequence[int]) -> list[Attachment]:
        wanted, rows = set(case_ids), self._data.attachments
        return [rows[i] for i in sorted(rows) if rows[i].case_id in wanted]

    def get(self, case_id: int, attachment_id: int) -> Attachment | None:
        found = self._data.attachments.get(attachment_id)
        return found if found is not None and found.case_id == case_id else None

    def delete_for_case(self, case_id: int) -> list[str]:
        gone = self.for_case(case_id)
        for row in gone:
            assert row.id is not None
            del self._data.attachments[row.id]
        return sorted({row.sha256 for row in gone})

    def referenced(self, sha256: str) -> bool:
        return any(row.sha256 == sha256 for row in self._data.attachments.values())
