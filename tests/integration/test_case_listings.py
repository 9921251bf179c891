"""``CaseRepository.summaries`` and ``summary_fields``: exactly the cases ``find`` returns.

Lists and work queues read these few columns instead of whole cases; memory, SQLite and
PostgreSQL must give the same rows in the same order as ``find`` for every kind of query.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aduan.ports import CaseListing, CaseQuery, UnitOfWorkFactory
from aduan.schemas import codec
from aduan.schemas.views import summary_fields
from aduan.workflow.case import TierLevel
from aduan.workflow.states import Kind, ScreeningReason, Status, Track
from tests.integration.test_repository_contract import AT, a_case, stored

CHAIN = [
    TierLevel("kabid", "Kepala Bidang Pengaduan", "dpmptsp"),
    TierLevel("kadis", "Kepala Dinas", "dpmptsp"),
]


@pytest.fixture
def office(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Cases in many states: open and closed, assigned or not, with deadlines, escalated."""
    day = timedelta(days=1)
    stored(
        uow_factory,
        a_case(response_due_at=AT + 5 * day, stage_due_at=AT + 2 * day),
        a_case(status=Status.INTERNAL, track=Track.INTERNAL, assignee="sari", chain=CHAIN, tier=1,
               response_due_at=AT + 1 * day, stage_due_at=AT + 3 * day),
        a_case(status=Status.AGENCY, track=Track.AGENCY, assignee="tono", chain=CHAIN,
               response_due_at=AT + 4 * day, answered_at=AT, stage_due_at=AT + 6 * day),
        a_case(status=Status.SUGGESTION, kind=Kind.SUGGESTION,
               screening_reason=ScreeningReason.LATE),
        a_case(status=Status.CLOSED, assignee="sari", response_due_at=AT - day),
        a_case(stage_due_at=AT + 2 * day),
        a_case(response_due_at=AT - 2 * day),
    )  # fmt: skip
    return uow_factory


QUERIES: list[dict[str, Any]] = [
    {},
    {"limit": 3},
    {"status": Status.RECORDED},
    {"kind": Kind.SUGGESTION},
    {"track": Track.INTERNAL},
    {"assignee": "sari"},
    {"assignee": "sari", "open_only": True},
    {"unassigned": True, "open_only": True},
    {"screening_reason": ScreeningReason.LATE},
    {"newest_first": True, "limit": 2},
    {"due_before": AT + timedelta(days=30)},
    {"due_before": AT},
    {"due_before": AT + timedelta(days=30), "limit": 2},
]


def both(uows: UnitOfWorkFactory, query: CaseQuery) -> tuple[list[CaseListing], list[CaseListing]]:
    """``summaries(query)`` and the same rows made from ``find(query)``."""
    with uows(readonly=True) as uow:
        return uow.cases.summaries(query), [codec.listing_of(c) for c in uow.cases.find(query)]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: ",".join(q) or "all")
def test_summaries_are_the_cases_find_returns(
    office: UnitOfWorkFactory, query: dict[str, Any]
) -> None:
    listed, from_find = both(office, CaseQuery(**query))

    assert listed == from_find
    assert listed  # every query above matches something


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: ",".join(q) or "all")
def test_a_list_page_shows_the_summary_of_each_case_find_returns(
    office: UnitOfWorkFactory, query: dict[str, Any]
) -> None:
    with office(readonly=True) as uow:
        shown = uow.cases.summary_fields(CaseQuery(**query))
        expected = [summary_fields(c) for c in uow.cases.find(CaseQuery(**query))]

    assert shown == expected
    assert shown


def test_the_deadline_queue_pages_through_equal_deadlines_once_each(
    uow_factory: UnitOfWorkFactory,
) -> None:
    day = timedelta(days=1)
    tied = [a_case(response_due_at=AT + 2 * day) for _ in range(3)]
    stage_first = a_case(response_due_at=AT + 5 * day, stage_due_at=AT + day)
    answered = a_case(response_due_at=AT + day, answered_at=AT, stage_due_at=AT + 3 * day)
    closed = a_case(status=Status.CLOSED, stage_due_at=AT)
    stored(uow_factory, *tied, stage_first, answered, closed, a_case())

    shown: list[dict[str, Any]] = []
    after = None
    while True:  # as the API's cursor does: the last row's deadline and id
        query = CaseQuery(due_before=AT + 30 * day, limit=2, after_deadline=after)
        with uow_factory(readonly=True) as uow:
            page = uow.cases.summary_fields(query)
        shown += page
        if len(page) < query.limit:
            break
        after = (page[-1]["due_at"], page[-1]["id"])

    assert [(s["id"], s["due_at"]) for s in shown] == [
        (stage_first.id, AT + day),
        *((c.id, AT + 2 * day) for c in tied),
        (answered.id, AT + 3 * day),
    ]


def test_summaries_page_by_id_and_by_deadline_like_find(office: UnitOfWorkFactory) -> None:
    first, _ = both(office, CaseQuery(limit=2))
    after_id = CaseQuery(limit=10, after_id=first[-1].id)
    older = CaseQuery(limit=10, newest_first=True, after_id=first[-1].id)
    due = AT + timedelta(days=30)
    by_deadline, _ = both(office, CaseQuery(due_before=due, limit=2))
    last = by_deadline[-1]
    soonest = min(d for d in (last.response_due_at, last.stage_due_at) if d is not None)
    next_page = CaseQuery(due_before=due, limit=10, after_deadline=(soonest, last.id))

    for query in (after_id, older, next_page):
        listed, from_find = both(office, query)
        assert listed == from_find
    assert not {r.id for r in both(office, next_page)[0]} & {r.id for r in by_deadline}


def test_a_listing_names_the_holder_of_an_escalated_case(office: UnitOfWorkFactory) -> None:
    (escalated,), _ = both(office, CaseQuery(track=Track.INTERNAL))
    (fresh,), _ = both(office, CaseQuery(status=Status.RECORDED, limit=1))

    assert (escalated.tier, escalated.holder) == (1, "Kepala Dinas")
    assert (fresh.tier, fresh.holder) == (0, None)
