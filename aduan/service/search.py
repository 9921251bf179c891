"""Staff search over cases (issue 14 item 2): the words typed, in the reader's sight.

The engine behind ``uow.search`` decides nothing about who sees what but what it is told: the
reader's sight (DESIGN §6, applied in the query) and whether they see complainants unmasked
(``views.sees_identity``: then names and contacts are searched too).
"""

from __future__ import annotations

from aduan.ports import SearchHit
from aduan.schemas.views import SEES_IDENTITY
from aduan.service.deps import Deps, viewer_of
from aduan.workflow.search import parse

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def search_cases(
    deps: Deps, username: str, text: str, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    """The cases ``username`` may see that match every word of ``text``, best first.

    ``InputError`` on ``q`` for a text with no letter or digit or one too long.
    """
    terms = parse(text, "q")
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        identity = viewer.actor.role in SEES_IDENTITY
        return uow.search.search(
            terms, viewer.sight, max(1, min(limit, MAX_LIMIT)), identity=identity
        )
