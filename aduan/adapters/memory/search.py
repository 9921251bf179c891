"""Full-text search in memory: the same words and stems as the SQL engines, by a scan.

Nothing is indexed (``index`` does nothing): ``search`` reads every case of the working copy
in sight, builds its text as the SQL adapters store it (``search_text``) and keeps the cases
with every stem of the query. Ranked by the number of matched words, facts counting double.
"""

from __future__ import annotations

from collections.abc import Sequence

from aduan.adapters import search_text
from aduan.adapters.memory.cases import InMemoryCaseRepository
from aduan.adapters.memory.store import Data, loaded
from aduan.adapters.rows import case_from_row
from aduan.ports import SearchHit
from aduan.workflow.case import Case
from aduan.workflow.search import SearchTerms, logged_texts
from aduan.workflow.states import Status
from aduan.workflow.visibility import Reach, Sight


class InMemoryCaseSearch:
    """``CaseSearch`` over a unit of work's working copy."""

    def __init__(self, data: Data, cases: InMemoryCaseRepository) -> None:
        self._data = data
        self._cases = cases

    def index(self, case: Case, texts: Sequence[str], *, new: bool = False) -> None:
        """Nothing to keep: ``search`` reads the cases themselves."""

    def search(
        self, terms: SearchTerms, sight: Sight, limit: int = 20, *, identity: bool = False
    ) -> list[SearchHit]:
        """The cases in ``sight`` with every word of ``terms``, best first."""
        if sight.reach is Reach.NONE:
            return []
        wanted = [search_text.stem(w) for w in terms.words]
        found: list[SearchHit] = []
        for case_id, row in self._data.cases.items():
            if not self._cases._sees(sight, case_id):
                continue
            case = case_from_row(loaded(row))
            if case.tracking_code == terms.code:
                snippet = search_text.snippet(wanted, case.subject)
                found.append(self._hit(case, 1e9, snippet))
                continue
            logged = [
                t
                for r in self._data.events.get(case_id, [])
                for t in logged_texts(r["note"], r.get("data") or {})
            ]
            logged += [r["text"] for r in self._data.reports.get(case_id, [])]
            parts = search_text.case_text(case, logged)
            facts = search_text.stems(parts.facts)
            rest = search_text.stems(parts.log)
            if identity:
                rest += search_text.stems(parts.people)
            if not all(w in facts or w in rest for w in wanted):
                continue
            rank = sum(2 * facts.count(w) + rest.count(w) for w in wanted)
            shown = [parts.facts, parts.log] + ([parts.people] if identity else [])
            found.append(self._hit(case, float(rank), search_text.snippet(wanted, *shown)))
        found.sort(key=lambda h: (-h.rank, -h.case_id))
        return found[:limit]

    @staticmethod
    def _hit(case: Case, rank: float, snippet: str) -> SearchHit:
        assert case.id is not None
        return SearchHit(
            case.id, case.tracking_code, case.subject, Status(case.status), rank, snippet
        )
