"""Open311 clients see only their own requests (issue 16 item 5): never staff-entered cases.

A case filed through Open311 records the client key that filed it (``submit_complaint``'s
``open311_client``); the client's list and its look-ups by id read that, in the query.
"""

from __future__ import annotations

from datetime import datetime

from aduan.schemas.views import CaseSummary, TrackingView, summaries_of
from aduan.service.accounts import digest
from aduan.service.cases import track_case
from aduan.service.deps import Deps
from aduan.workflow import intake
from aduan.workflow.errors import NotFoundError


def client_id(deps: Deps, key: str) -> int | None:
    """The id of the Open311 client a valid ``api_key`` belongs to, or None."""
    with deps.uow(readonly=True) as uow:
        return uow.identity.client_key_id(digest(key))


def client_requests(
    deps: Deps, client: int, start: datetime, end: datetime | None, limit: int
) -> list[CaseSummary]:
    """The requests ``client`` filed, received in ``[start, end]``, newest first."""
    with deps.uow(readonly=True) as uow:
        rows = uow.identity.client_cases(client, start, end, limit)
    return summaries_of(rows)


def client_request(deps: Deps, client: int, tracking_code: str) -> TrackingView:
    """One request ``client`` filed, as the tracking page shows it; another's is not found."""
    code = intake.normalise_tracking_code(tracking_code)
    with deps.uow(readonly=True) as uow:
        case = uow.cases.get(code)
        assert case.id is not None
        mine = uow.identity.client_of(case.id) == client
    if not mine:
        raise NotFoundError("service_request_id", tracking_code)
    return track_case(deps, code)
