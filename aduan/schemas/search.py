"""The read models of a staff search (issue 14 item 2)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from aduan.ports import SearchHit
from aduan.workflow.states import Status


class SearchResult(BaseModel):
    """A case found by a search, best first."""

    tracking_code: str
    subject: str
    status: Status
    rank: float = Field(description="Kecocokan: lebih besar lebih cocok (hanya urutannya berarti)")
    snippet: str = Field(
        description="Potongan teks sebagai HTML: teks di-escape, kata yang cocok dalam <mark>"
    )


class SearchPage(BaseModel):
    """The cases matching a search, in the caller's sight, best first."""

    q: str
    hits: list[SearchResult]


def search_page(q: str, hits: list[SearchHit]) -> SearchPage:
    """The page of ``hits`` found for ``q``."""
    return SearchPage(
        q=q,
        hits=[
            SearchResult(
                tracking_code=h.tracking_code,
                subject=h.subject,
                status=h.status,
                rank=h.rank,
                snippet=h.snippet,
            )
            for h in hits
        ],
    )
