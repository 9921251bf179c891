"""Open311 GeoReport v2 reads: the requests a client filed, the public list, their files.

A case filed through Open311 records the client key that filed it (``submit_complaint``'s
``open311_client``). With its ``api_key`` a client lists and looks up its own requests;
without one, anyone lists the public requests: those filed through Open311 by any client and
not sealed, anonymised by the caller (issue 16 item 5: never a staff-entered case, which also
answers a look-up by id as one that does not exist). Every filter is applied in the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from aduan.ports import Open311Query
from aduan.schemas.views import CaseSummary, TrackingView, summaries_of
from aduan.service.accounts import digest
from aduan.service.cases import track_case
from aduan.service.deps import Deps
from aduan.workflow import intake
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import N_

WINDOW = timedelta(days=90)  # GeoReport: a range spans at most 90 days, the last 90 by default


class FiledRequest(NamedTuple):
    """One request as its tracking view, with the code of the catalog service it is about."""

    view: TrackingView
    service_code: str | None


def client_id(deps: Deps, key: str) -> int | None:
    """The id of the Open311 client a valid ``api_key`` belongs to, or None."""
    with deps.uow(readonly=True) as uow:
        return uow.identity.client_key_id(digest(key))


def window(
    now: datetime, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    """GeoReport's date range: the given ends, the other 90 days away, or the last 90 days.

    Raises:
        InputError: ``end_date`` before ``start_date``, or a range over 90 days.
    """
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    end = end if end is not None else start + WINDOW
    if end < start:
        raise InputError(
            "end_date", "after_start", N_("end_date harus sesudah start_date (%(start)s)"),
            start=start.isoformat(),
        )  # fmt: skip
    if end - start > WINDOW:
        raise InputError(
            "end_date", "max_90_days", N_("rentang tanggal paling lama %(days)s hari"), days=90
        )
    return start, end


def list_requests(deps: Deps, query: Open311Query) -> list[CaseSummary]:
    """The requests ``query`` selects (its client's, or the public ones), newest first."""
    with deps.uow(readonly=True) as uow:
        rows = uow.identity.open311_requests(query)
    return summaries_of(rows)


def client_request(deps: Deps, client: int | None, tracking_code: str) -> FiledRequest:
    """One request, ``client``'s own or (None) a public one: its tracking view and service.

    Raises:
        NotFoundError: another client's request (with a key), a sealed or staff-entered case
            (without), or no such case — all alike.
    """
    code = intake.normalise_tracking_code(tracking_code)
    with deps.uow(readonly=True) as uow:
        case = uow.cases.get(code)
        assert case.id is not None
        filer = uow.identity.client_of(case.id)
        service_code = case.service_code
        shown = filer == client if client is not None else (
            filer is not None and not uow.cases.sealed(case.id)
        )  # fmt: skip
    if not shown:
        raise NotFoundError("service_request_id", tracking_code)
    return FiledRequest(track_case(deps, code), service_code)


def media_urls(deps: Deps, tracking_codes: Sequence[str]) -> dict[str, list[str]]:
    """The addresses of the files attached to each request (GeoReport ``media_url``).

    The seam for evidence files (issue 14 item 1): no case carries files yet, so every
    request has none. When attachments exist, this returns, per tracking code, the URLs a
    member of the public may fetch (images only, re-encoded, never an identity document).
    """
    del deps
    return {code: [] for code in tracking_codes}
