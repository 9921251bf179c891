"""The public Q&A entries in memory (issue 14 item 7), for the unit of work in ``memory``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aduan.ports import PublishedAnswer

if TYPE_CHECKING:
    from aduan.adapters.memory.store import Data


class InMemoryPublicAnswerRepository:
    """Published entries in a unit of work's working copy (replaced, never changed in place)."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def put(self, case_id: int, entry: PublishedAnswer, published_at: datetime) -> None:
        self._data.public_answers[case_id] = (entry, published_at)

    def remove(self, case_id: int) -> None:
        self._data.public_answers.pop(case_id, None)

    def page(
        self, service_code: str | None, offset: int, limit: int
    ) -> tuple[list[PublishedAnswer], int]:
        found = [
            (at, case_id, entry)
            for case_id, (entry, at) in self._data.public_answers.items()
            if service_code is None or entry.service_code == service_code
        ]
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [entry for *_, entry in found[offset : offset + limit]], len(found)

    def services(self) -> list[str]:
        entries = self._data.public_answers.values()
        return sorted({e.service_code for e, _ in entries if e.service_code is not None})
