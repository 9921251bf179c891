"""Open311 GeoReport v2 reads: the requests a client filed, the public list, their files.

A case filed through Open311 records the client key that filed it (``submit_complaint``'s
``open311_client``) and a random public id. With its ``api_key`` a client lists and looks up
its own requests by tracking code (it filed them and gave the code to the complainant);
without one, anyone lists the public requests: those filed through Open311 by any client and
not sealed, anonymised by the caller, each under its public id (issue 16 item 5: never a
staff-entered case, which also answers a look-up by id as one that does not exist). The
public list never shows a tracking code: the tracking page shows the answer sent to whoever
holds one, and a code given out here would open every complainant's answer to anyone. Nor
does a tracking code work without a key: it answers 404, as an id that does not exist, so
the look-up is no oracle for guessed codes. Every filter is applied in the query.
"""

from __future__ import annotations

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
    """One request as its tracking view, with the code of the catalog service it is about.

    ``request_id``: the id the caller knows it by (tracking code or public id) and may be shown;
    ``view.tracking_code`` is for the server's own use, never for a keyless caller.
    """

    view: TrackingView
    service_code: str | None
    request_id: str
    case_id: int
    public_id: str | None  # where its photos are served (``attachments.public_media``)


class ListedRequest(NamedTuple):
    """A row of an Open311 list: the id to show its caller (as ``FiledRequest``) and the case."""

    request_id: str
    case: CaseSummary
    public_id: str | None  # as ``FiledRequest``


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


def list_requests(deps: Deps, query: Open311Query) -> list[ListedRequest]:
    """The requests ``query`` selects, newest first, each with the id its caller may see.

    A client's own by tracking code; the public ones (no client) by public id only.
    """
    with deps.uow(readonly=True) as uow:
        rows = uow.identity.open311_requests(query)
    publics = [row.pop("public_id") for row in rows]
    found = summaries_of(rows)
    ids = [c.tracking_code for c in found] if query.client is not None else publics
    return [ListedRequest(i, c, p) for i, c, p in zip(ids, found, publics, strict=True)]


def client_request(deps: Deps, client: int | None, request_id: str) -> FiledRequest:
    """One request, ``client``'s own by tracking code or (None) a public one by public id.

    Raises:
        NotFoundError: another client's request (with a key), a sealed or staff-entered case
            or a tracking code (without), or no such case — all alike.
    """
    public_id: str | None
    if client is None:
        shown_as = public_id = request_id.strip().lower()
        with deps.uow(readonly=True) as uow:
            code = uow.identity.public_request(shown_as) if shown_as else None
            case = uow.cases.get(code) if code is not None else None
    else:
        code = shown_as = intake.normalise_tracking_code(request_id)
        with deps.uow(readonly=True) as uow:
            case = uow.cases.get(code)
            assert case.id is not None
            public_id = uow.identity.public_id_of(case.id)
            if uow.identity.client_of(case.id) != client:
                code = None
    if code is None or case is None or case.id is None:
        raise NotFoundError("service_request_id", request_id)
    view = track_case(deps, code)
    return FiledRequest(view, case.service_code, shown_as, case.id, public_id)
