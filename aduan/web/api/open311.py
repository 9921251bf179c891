"""Open311 GeoReport v2 under ``/open311/v2``: the catalog as services, intake as requests.

Existing civic apps can file complaints unchanged: ``POST requests.json`` (form-encoded, with
the ``api_key`` of a trusted client, ``aduan open311 key NAME``) becomes a submission on the
``api`` channel; its ``service_request_id`` is the tracking code. Reads never show who
complained or what they wrote, and a client reads only the requests it filed itself (issue 16
item 5: never another client's, never staff-entered cases), with its ``api_key``; another
request answers 404 as one that does not exist. Errors follow GeoReport:
``[{"code": …, "description": …}]``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import BaseModel

from aduan import service as svc
from aduan.catalog.services import Service
from aduan.schemas.commands import ComplainantInput, SubmitCommand
from aduan.schemas.views import CaseSummary
from aduan.service import accounts
from aduan.service import open311 as clients
from aduan.web.auth import deps_of
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.intake import wib_date
from aduan.workflow.states import N_, OPEN_STATUSES, STATUS_NAMES, Channel, Status

_ERROR = {
    "description": "GeoReport error",
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
        }
    },
}
router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    responses=dict.fromkeys((400, 403, 404, 422, 429), _ERROR),
)
RECEIVED_ON = "service_received_on"
LIST_DAYS = 90  # GeoReport: without dates, the last 90 days …
LIST_MAX = 1000  # … and at most 1000 requests


class ServiceItem(BaseModel):
    """A GeoReport service: one entry of the catalog."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValue(BaseModel):
    """A choice of a list attribute."""

    key: str
    name: str


class Attribute(BaseModel):
    """An extra field a request of this service may carry."""

    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[AttributeValue] = []


class ServiceDefinition(BaseModel):
    """The attributes of a service."""

    service_code: str
    attributes: list[Attribute]


class RequestCreated(BaseModel):
    """The answer to a new service request."""

    service_request_id: str
    service_notice: str
    account_id: str | None = None


class ServiceRequest(BaseModel):
    """A service request as GeoReport shows it (status only, nobody's identity)."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str
    service_code: str | None
    service_name: str | None
    agency_responsible: str
    requested_datetime: datetime
    updated_datetime: datetime | None
    expected_datetime: datetime | None


ATTRIBUTES = [
    Attribute(
        variable=True,
        code=RECEIVED_ON,
        datatype="datetime",
        required=False,
        datatype_description="YYYY-MM-DD; tanpa isian: hari ini / default today",
        order=1,
        description="Tanggal menerima layanan / date the service was received",
    ),
    Attribute(
        variable=True,
        code="licence_number",
        datatype="string",
        required=False,
        datatype_description="Nomor izin/berkas / licence or file number",
        order=2,
        description="Nomor izin / licence number",
    ),
]
AGENCY = "DPMPTSP"


def _item(s: Service) -> ServiceItem:
    return ServiceItem(
        service_code=s.code,
        service_name=s.title,
        description=f"{s.licence_type}; {s.product}",
        metadata=True,
        type="realtime",
        keywords=s.kbli,
        group=s.sector or "perizinan",
    )


def _services(request: Request) -> dict[str, Service]:
    return {s.code: s for s in svc.list_services(deps_of(request))}


def _check_key(request: Request, api_key: str | None) -> str:
    label = accounts.client_label(deps_of(request), api_key) if api_key else None
    if label is None:
        raise AccessDeniedError(
            "api_key",
            N_("api_key tidak dikenal; minta ke pengelola (aduan open311 key NAMA)"),
        )
    return label


def _client(request: Request, api_key: str | None) -> tuple[int, str]:
    """The client's key id and label; ``AccessDeniedError`` for a missing or unknown key."""
    label = _check_key(request, api_key)
    assert api_key is not None
    found = clients.client_id(deps_of(request), api_key)
    if found is None:  # revoked between the two reads
        _check_key(request, None)
    assert found is not None
    return found, label


@router.get("/services.json", response_model=list[ServiceItem])
def services(request: Request) -> list[ServiceItem]:
    """Every service of the catalog."""
    return [_item(s) for s in _services(request).values()]


@router.get("/services/{service_code}.json", response_model=ServiceDefinition)
def service_definition(
    service_code: Annotated[str, Path(max_length=32)], request: Request
) -> ServiceDefinition:
    """The extra attributes a request for this service may carry."""
    if service_code not in _services(request):
        raise NotFoundError("service_code", service_code)
    return ServiceDefinition(service_code=service_code, attributes=ATTRIBUTES)


@router.post("/requests.json", response_model=list[RequestCreated], status_code=201)
def create_request(
    request: Request,
    api_key: Annotated[str, Form(max_length=200)],
    service_code: Annotated[str, Form(max_length=32)],
    description: Annotated[str, Form(max_length=4000)] = "",
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    long: Annotated[float | None, Form(ge=-180, le=180)] = None,
    address_string: Annotated[str | None, Form(max_length=500)] = None,
    email: Annotated[str | None, Form(max_length=320)] = None,
    first_name: Annotated[str | None, Form(max_length=150)] = None,
    last_name: Annotated[str | None, Form(max_length=150)] = None,
    phone: Annotated[str | None, Form(max_length=32)] = None,
    received_on: Annotated[date | None, Form(alias=f"attribute[{RECEIVED_ON}]")] = None,
    licence_number: Annotated[str | None, Form(alias="attribute[licence_number]")] = None,
) -> list[RequestCreated]:
    """File a complaint as a service request (``api_key`` of a trusted client required)."""
    client_id, client = _client(request, api_key)
    deps = deps_of(request)
    name = " ".join(p.strip() for p in (first_name, last_name) if p and p.strip()) or None
    where = ", ".join(p for p in (address_string, _point(lat, long)) if p)
    text = description.strip()
    subject = (text.splitlines()[0] if text else "")[:120] or f"Pengaduan layanan {service_code}"
    command = SubmitCommand(
        channel=Channel.API,
        complainant=ComplainantInput(name=name, email=email, phone=phone),
        subject=subject,
        description=f"{text}\n\nLokasi / location: {where}" if where else text,
        service_code=service_code,
        licence_number=licence_number or None,
        service_received_on=received_on or wib_date(deps.clock.now()),
        service_text=f"Open311: {client}",
    )
    detail = svc.submit_complaint(deps, command, open311_client=client_id)
    notice = (
        f"{detail.status_label}. Lacak dengan kode {detail.tracking_code}, PIN {detail.pin} "
        f"(hanya ditampilkan sekali) / track with code {detail.tracking_code}, PIN "
        f"{detail.pin} (shown only once)"
    )
    return [RequestCreated(service_request_id=detail.tracking_code, service_notice=notice)]


def _point(lat: float | None, long: float | None) -> str | None:
    return f"{lat:.6f},{long:.6f}" if lat is not None and long is not None else None


def _request(c: CaseSummary, names: dict[str, Service]) -> ServiceRequest:
    service = names.get(c.service_code) if c.service_code else None
    return ServiceRequest(
        service_request_id=c.tracking_code,
        status="open" if Status(c.status) in OPEN_STATUSES else "closed",
        status_notes=c.status_label,
        service_code=c.service_code,
        service_name=service.title if service else None,
        agency_responsible=AGENCY,
        requested_datetime=c.received_at,
        updated_datetime=None,
        expected_datetime=c.due_at,
    )


@router.get("/requests.json", response_model=list[ServiceRequest])
def list_requests(
    request: Request,
    api_key: Annotated[str | None, Query(max_length=200)] = None,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=32)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Literal["open", "closed"] | None = None,
) -> list[ServiceRequest]:
    """The client's own requests (``api_key``): the last 90 days, at most 1000, newest first."""
    client_id, _ = _client(request, api_key)
    deps = deps_of(request)
    end = _aware(end_date, "end_date") if end_date else None
    start = (
        _aware(start_date, "start_date")
        if start_date
        else (end or deps.clock.now()) - timedelta(LIST_DAYS)
    )
    ids = {i.strip().upper() for i in service_request_id.split(",")} if service_request_id else None
    found = clients.client_requests(deps, client_id, start, end, LIST_MAX)
    names = _services(request)
    out = []
    for c in found:
        item = _request(c, names)
        if (
            (ids is None or c.tracking_code in ids)
            and (service_code is None or c.service_code == service_code)
            and (status is None or item.status == status)
            and c.received_at >= start
            and (end is None or c.received_at <= end)
        ):
            out.append(item)
    return out


def _aware(value: datetime, field: str) -> datetime:
    """A date-time without a zone is read as UTC; years outside 2000-2100 are refused."""
    if not 2000 <= value.year <= 2100:  # (0001-01-01 minus 90 days does not exist)
        raise InputError(
            field, "2000_2100", N_("tahun tidak masuk akal: %(year)s"), year=value.year
        )
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.get("/requests/{service_request_id}.json", response_model=list[ServiceRequest])
def get_request(
    service_request_id: Annotated[str, Path(max_length=32)],
    request: Request,
    api_key: Annotated[str | None, Query(max_length=200)] = None,
) -> list[ServiceRequest]:
    """One request the client filed, by id (its tracking code): status and dates."""
    client_id, _ = _client(request, api_key)
    view = clients.client_request(deps_of(request), client_id, service_request_id)
    label = STATUS_NAMES[Status(view.status)]
    notes = f"{label}: {view.answer}" if view.answer else label
    updated = max((at for at, _ in view.history), default=None)
    return [
        ServiceRequest(
            service_request_id=view.tracking_code,
            status="open" if Status(view.status) in OPEN_STATUSES else "closed",
            status_notes=notes,
            service_code=None,
            service_name=None,
            agency_responsible=AGENCY,
            requested_datetime=view.received_at,
            updated_datetime=updated,
            expected_datetime=None,
        )
    ]
