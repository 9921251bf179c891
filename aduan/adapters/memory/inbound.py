"""The inbound emails handled, in memory, for the unit of work in ``memory``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from aduan.ports import InboundRecord

if TYPE_CHECKING:
    from aduan.adapters.memory.store import Data


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

    def unmatched(self, limit: int) -> list[InboundRecord]:
        rows = self._data.inbound
        return [rows[i] for i in sorted(rows, reverse=True) if rows[i].outcome == "unmatched"][
            :limit
        ]
