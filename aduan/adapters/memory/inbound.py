"""The inbound emails handled, in memory, for the unit of work in ``memory``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from aduan.adapters.memory.cases import sees
from aduan.ports import InboundRecord
from aduan.workflow.visibility import Sight

if TYPE_CHECKING:
    from aduan.adapters.memory.store import Data


UNMATCHED = "unmatched"


class InMemoryInboundMailRepository:
    """Inbound rows in a unit of work's working copy, one per Message-ID."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def claim(self, record: InboundRecord) -> bool:
        rows = self._data.inbound
        if any(r.message_id == record.message_id for r in rows.values()):
            return False
        new_id = max(rows, default=0) + 1
        rows[new_id] = replace(record, id=new_id)
        return True

    def _listed(self, sight: Sight, handled: bool) -> list[InboundRecord]:
        return [
            r
            for r in self._data.inbound.values()
            if r.outcome == UNMATCHED
            and (r.handled_at is not None) is handled
            and (r.case_id is None or sees(self._data, sight, r.case_id))
        ]

    def unmatched(self, limit: int, *, sight: Sight, handled: bool = False) -> list[InboundRecord]:
        rows = self._listed(sight, handled)
        if handled:
            rows.sort(key=lambda r: (r.handled_at, r.id), reverse=True)
        else:
            rows.sort(key=lambda r: r.id or 0, reverse=True)
        return [replace(r, tracking_code=self._code(r.case_id)) for r in rows[:limit]]

    def _code(self, case_id: int | None) -> str | None:
        return None if case_id is None else str(self._data.cases[case_id]["tracking_code"])

    def count_unmatched(self, *, sight: Sight, handled: bool = False) -> int:
        return len(self._listed(sight, handled))

    def unmatched_one(self, mail_id: int) -> InboundRecord | None:
        found = self._data.inbound.get(mail_id)
        return found if found is not None and found.outcome == UNMATCHED else None

    def mark_handled(self, mail_id: int, by: str, note: str, at: datetime) -> bool:
        found = self.unmatched_one(mail_id)
        if found is None or found.handled_at is not None:
            return False
        self._data.inbound[mail_id] = replace(
            found, handled_at=at, handled_by=by, handled_note=note
        )
        return True
