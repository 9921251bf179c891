"""Open311 GeoReport v2 under ``/open311/v2``: the catalog as services, intake as requests.

Every endpoint answers in XML (the specification's default, also without an extension) or
JSON, by the path's extension: ``services.xml``, ``services/{code}.json``, ``requests.xml``,
``requests/{id}.json``, ``POST requests.xml``; errors come as GeoReport's error list in the
same format (``aduan.web.georeport``). Existing civic apps file complaints unchanged: ``POST
requests`` (form-encoded, with the ``api_key`` of a trusted client, ``aduan open311 key
NAME``) becomes a submission on the ``api`` channel; its ``service_request_id`` is the
tracking code. Reads need no key and never show who complained or what they wrote: with its
``api_key`` a client reads its own requests by tracking code (with the answer), without one
anyone reads the public ones, those filed through Open311 and not sealed, by their public id
and never by tracking code, which would open the answer on the tracking page (issue 16 item
5); another case, and a tracking code without a key, answers 404 as one that does not
exist. ``jurisdiction_id`` may be given: the host of the public address
(``ADUAN_PUBLIC_URL``); another is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from aduan import service as svc
from aduan.catalog.services import Service
from aduan.ports import Open311Query
from aduan.schemas.commands import ComplainantInput, SubmitCommand
from aduan.service import accounts, attachments
from aduan.service import open311 as clients
from aduan.web import georeport
from aduan.web.api import open311_models as m
from aduan.web.api import open311_params as params
from aduan.web.api.attachments import media_response
from aduan.web.api.public import tracking_limiter
from aduan.web.auth import client_ip, deps_of
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.intake import wib_date
from aduan.workflow.states import N_, OPEN_STATUSES, STATUS_NAMES, Channel, Status

_ERROR = {
    "description": "GeoReport error list (XML: <errors><error><code/><description/></error>)",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                    "required": ["code", "description"],
                },
            }
        },
        georeport.XML_MEDIA: {},
    },
}
_BOTH: dict[int | str, dict[str, Any]] = {200: {"content": {georeport.XML_MEDIA: {}}}}
router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    responses=dict.fromkeys((400, 403, 404, 422, 429), _ERROR),
)
LIST_MAX = 1000  # GeoReport lets the server bound a list: at most 1000 requests a page
AGENCY = "DPMPTSP"
Jurisdiction = Annotated[str | None, Query(max_length=200)]
F = TypeVar("F", bound=Callable[..., Response])


def _in_both(method: str, path: str, model: Any, status_code: int = 200) -> Callable[[F], F]:
    """Register an endpoint at ``path.json``, ``path.xml`` and ``path`` (XML, the default)."""

    def register(endpoint: F) -> F:
        for suffix in (".json", ".xml", ""):
            router.add_api_route(
                path + suffix,
                endpoint,
                methods=[method],
                response_model=model,
                status_code=status_code,
                responses=_BOTH,
            )
        return endpoint

    return register


def _format(request: Request) -> str:
    fmt = georeport.format_of(request.url.path)
    if fmt is None:
        raise InputError("format", "xml_or_json", N_("format harus xml atau json"))
    return fmt


def _check_jurisdiction(request: Request, jurisdiction_id: str | None) -> None:
    """A ``jurisdiction_id`` must be this office's (the host of its public address)."""
    ours = (urlsplit(request.app.state.settings.public_url).hostname or "").lower()
    if jurisdiction_id is not None and jurisdiction_id.strip().lower() != ours:
        raise InputError(
            "jurisdiction_id",
            "this_office",
            N_("jurisdiction_id tidak dikenal; gunakan %(ours)s"),
            ours=ours,
        )


def _services(request: Request) -> dict[str, Service]:
    return {s.code: s for s in svc.list_services(deps_of(request))}


def _client(request: Request, api_key: str | None) -> int:
    """The client's key id; ``AccessDeniedError`` for a missing, unknown or revoked key."""
    found = clients.client_id(deps_of(request), api_key) if api_key else None
    if found is None:
        raise AccessDeniedError(
            "api_key",
            N_("api_key tidak dikenal; minta ke pengelola (aduan open311 key NAMA)"),
        )
    return found


def _item(s: Service) -> dict[str, Any]:
    return m.ServiceItem(
        service_code=s.code,
        service_name=s.title,
        description=f"{s.licence_type}; {s.product}",
        metadata=True,
        type="realtime",
        keywords=s.kbli,
        group=s.sector or "perizinan",
    ).model_dump(mode="json")


@_in_both("GET", "/services", list[m.ServiceItem])
def services(request: Request, jurisdiction_id: Jurisdiction = None) -> Response:
    """Every service of the catalog."""
    fmt = _format(request)
    _check_jurisdiction(request, jurisdiction_id)
    items = [_item(s) for s in _services(request).values()]
    return georeport.respond(fmt, "services", "service", items)


@_in_both("GET", "/services/{service_code}", m.ServiceDefinition)
def service_definition(
    service_code: str, request: Request, jurisdiction_id: Jurisdiction = None
) -> Response:
    """The attributes a request for this service may carry (``attribute[code]`` on POST)."""
    fmt = _format(request)
    _check_jurisdiction(request, jurisdiction_id)
    if len(service_code) > 32 or service_code not in _services(request):
        raise NotFoundError("service_code", service_code[:32])
    body = m.ServiceDefinition(service_code=service_code, attributes=m.ATTRIBUTES)
    return georeport.respond(fmt, "service_definition", None, body.model_dump(mode="json"))


@_in_both("POST", "/requests", list[m.RequestCreated], 201)
def create_request(
    request: Request,
    service_code: Annotated[str, Form(max_length=32)],
    api_key: Annotated[str | None, Form(max_length=200)] = None,
    jurisdiction_id: Annotated[str | None, Form(max_length=200)] = None,
    description: Annotated[str, Form(max_length=4000)] = "",
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    long: Annotated[float | None, Form(ge=-180, le=180)] = None,
    address_string: Annotated[str | None, Form(max_length=500)] = None,
    email: Annotated[str | None, Form(max_length=320)] = None,
    first_name: Annotated[str | None, Form(max_length=150)] = None,
    last_name: Annotated[str | None, Form(max_length=150)] = None,
    phone: Annotated[str | None, Form(max_length=32)] = None,
    received_on: Annotated[date | None, Form(alias=f"attribute[{m.RECEIVED_ON}]")] = None,
    licence_number: Annotated[
        str | None, Form(alias=f"attribute[{m.LICENCE_NUMBER}]", max_length=100)
    ] = None,
    pending: Annotated[str | None, Form(alias=f"attribute[{m.PENDING}]", max_length=5)] = None,
    applied_on: Annotated[date | None, Form(alias=f"attribute[{m.APPLIED_ON}]")] = None,
    qa_consent: Annotated[
        str | None, Form(alias=f"attribute[{m.QA_CONSENT}]", max_length=5)
    ] = None,
    media: Annotated[UploadFile | None, File(description="foto bukti / a photo")] = None,
) -> Response:
    """File a complaint as a service request (``api_key`` of a trusted client required)."""
    fmt = _format(request)
    _check_jurisdiction(request, jurisdiction_id)
    client_id = _client(request, api_key)
    client = accounts.client_label(deps_of(request), api_key or "") or ""
    deps = deps_of(request)
    name = " ".join(p.strip() for p in (first_name, last_name) if p and p.strip()) or None
    where = ", ".join(p for p in (address_string, params.point(lat, long)) if p)
    text = description.strip()
    subject = (text.splitlines()[0] if text else "")[:120] or f"Pengaduan layanan {service_code}"
    command = SubmitCommand(
        channel=Channel.API,
        complainant=ComplainantInput(name=name, email=email, phone=phone),
        subject=subject,
        description=f"{text}\n\nLokasi / location: {where}" if where else text,
        service_code=service_code,
        licence_number=licence_number or None,
        service_text=f"Open311: {client}",
        **params.service_dates(received_on, pending, applied_on, wib_date(deps.clock.now())),
        qa_consent=params.consent(qa_consent),
    )
    files = _photo(deps, media)
    detail = svc.submit_complaint(deps, command, open311_client=client_id, files=files)
    notice = (
        f"{detail.status_label}. Lacak dengan kode {detail.tracking_code}, PIN {detail.pin} "
        f"(hanya ditampilkan sekali) / track with code {detail.tracking_code}, PIN "
        f"{detail.pin} (shown only once)"
    )
    created = m.RequestCreated(service_request_id=detail.tracking_code, service_notice=notice)
    return georeport.respond(fmt, "service_requests", "request", [created.model_dump()], 201)


def _photo(deps: Any, media: UploadFile | None) -> list[attachments.Prepared]:
    """The request's ``media`` checked as any evidence file (type by content, EXIF gone)."""
    if media is None or not media.filename:
        return []
    return attachments.prepare(deps, [attachments.Upload("media", media.filename, media.file)])


def _media(urls: list[str]) -> str | None:
    return urls[0] if urls else None


def _request(
    row: clients.ListedRequest, names: dict[str, Service], urls: list[str]
) -> dict[str, Any]:
    c = row.case
    service = names.get(c.service_code) if c.service_code else None
    return m.ServiceRequest(
        service_request_id=row.request_id,
        status="open" if Status(c.status) in OPEN_STATUSES else "closed",
        status_notes=c.status_label,
        service_code=c.service_code,
        service_name=service.title if service else None,
        agency_responsible=AGENCY,
        requested_datetime=c.received_at,
        updated_datetime=None,
        expected_datetime=c.due_at,
        media_url=_media(urls),
    ).model_dump(mode="json")


@_in_both("GET", "/requests", list[m.ServiceRequest])
def list_requests(
    request: Request,
    api_key: Annotated[str | None, Query(max_length=200)] = None,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=LIST_MAX)] = LIST_MAX,
) -> Response:
    """Requests received in a range of at most 90 days (the last 90 by default), newest first.

    With ``api_key`` the client's own by tracking code, without it the public ones by public
    id; ``service_request_id`` (a comma list of those ids) overrides the other filters;
    ``page``/``page_size`` walk a long list.
    """
    fmt = _format(request)
    _check_jurisdiction(request, jurisdiction_id)
    client = _client(request, api_key) if api_key else None
    deps = deps_of(request)
    start, end = clients.window(
        deps.clock.now(), params.aware(start_date, "start_date"), params.aware(end_date, "end_date")
    )
    ids = params.listed(service_request_id)
    query = Open311Query(
        client=client,
        start=start,
        end=end,
        codes=frozenset(i.upper() if client is not None else i.lower() for i in ids),
        service_codes=params.listed(service_code),
        statuses=params.statuses(status),
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    found = clients.list_requests(deps, query)
    names = _services(request)
    pairs = [(row.case.id, row.public_id) for row in found if row.public_id]
    urls = attachments.public_media(deps, pairs, str(request.base_url))
    items = [_request(row, names, urls.get(row.case.id, [])) for row in found]
    return georeport.respond(fmt, "service_requests", "request", items)


@_in_both("GET", "/requests/{service_request_id}", list[m.ServiceRequest])
def get_request(
    service_request_id: str,
    request: Request,
    api_key: Annotated[str | None, Query(max_length=200)] = None,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """One request by id: status and dates, and the answer for its own client.

    Its own client (``api_key``) names it by tracking code; anyone else by public id, and a
    tracking code then answers 404.

    Counted against the address's tracking look-ups, as on the public tracking page.
    """
    fmt = _format(request)
    _check_jurisdiction(request, jurisdiction_id)
    client = _client(request, api_key) if api_key else None
    if len(service_request_id) > 32:
        raise NotFoundError("service_request_id", service_request_id[:32])
    tracking_limiter(request).hit(client_ip(request))
    deps = deps_of(request)
    view, service_code, shown_as, case_id, public_id = clients.client_request(
        deps, client, service_request_id
    )
    service = _services(request).get(service_code or "")
    label = STATUS_NAMES[Status(view.status)]
    notes = f"{label}: {view.answer}" if view.answer and client is not None else label
    pairs = [(case_id, public_id)] if public_id else []
    urls = attachments.public_media(deps, pairs, str(request.base_url)).get(case_id, [])
    one = m.ServiceRequest(
        service_request_id=shown_as,
        status="open" if Status(view.status) in OPEN_STATUSES else "closed",
        status_notes=notes,
        service_code=service_code,
        service_name=service.title if service else None,
        agency_responsible=AGENCY,
        requested_datetime=view.received_at,
        updated_datetime=max((at for at, _ in view.history), default=None),
        expected_datetime=view.response_due_at,
        media_url=_media(urls),
    )
    return georeport.respond(fmt, "service_requests", "request", [one.model_dump(mode="json")])


@router.get(
    "/media/{public_id}/{attachment_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def media(public_id: str, attachment_id: int, request: Request) -> StreamingResponse:
    """A photo of a public request (its ``media_url``): re-encoded, without EXIF or GPS."""
    if len(public_id) > 32:
        raise NotFoundError("media", public_id[:32])
    found = attachments.open_public_media(deps_of(request), public_id, attachment_id)
    return media_response(found)


@router.api_route("/{name}.{extension}", methods=["GET", "POST"], include_in_schema=False)
def unknown_format(name: str, extension: str, request: Request) -> Response:
    """``services.csv`` and the like: the format error (in XML), not a bare 404."""
    if name in ("services", "requests"):
        _format(request)
    raise NotFoundError("path", name[:32])
