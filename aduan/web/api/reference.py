"""Reference data over HTTP: the service catalog, the org chart, users and the calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from aduan import service as svc
from aduan.catalog.orgchart import OrgChart, Position, Unit
from aduan.catalog.services import Service
from aduan.service import timekeeping
from aduan.service.accounts import STAFF_ROLES, Staff
from aduan.web.auth import deps_of, require_roles
from aduan.workflow.errors import NotFoundError
from aduan.workflow.states import Role

router = APIRouter()
AnyStaff = Annotated[Staff, Depends(require_roles(STAFF_ROLES, "data referensi / reference"))]


class UserView(BaseModel):
    """A staff user as colleagues see them (no e-mail, no NIP)."""

    username: str
    full_name: str
    role: Role
    position: str | None
    unit: str | None
    active: bool


class OrgChartView(BaseModel):
    """Units, positions (each reporting to the one above) and users."""

    units: list[Unit]
    positions: list[Position]
    users: list[UserView]


class DayOff(BaseModel):
    """A day that does not count toward deadlines."""

    on: date
    name_id: str
    name_en: str
    source: str
    estimated: bool


class CalendarYear(BaseModel):
    """The non-working days of a year (holidays, collective leave, overrides)."""

    year: int
    days_off: list[DayOff]


def _users(chart: OrgChart) -> list[UserView]:
    return [
        UserView(
            username=u.username,
            full_name=u.full_name,
            role=u.role,
            position=u.position,
            unit=chart.positions[u.position].unit if u.position in chart.positions else None,
            active=u.active,
        )
        for u in sorted(chart.users.values(), key=lambda u: u.username)
    ]


@router.get("/catalog", tags=["reference"], response_model=list[Service])
def catalog(request: Request, staff: AnyStaff) -> list[Service]:
    """The service catalog (Standar Pelayanan)."""
    return svc.list_services(deps_of(request))


@router.get("/catalog/{code}", tags=["reference"], response_model=Service)
def catalog_service(
    code: Annotated[str, Path(max_length=32)], request: Request, staff: AnyStaff
) -> Service:
    """One service of the catalog."""
    for found in svc.list_services(deps_of(request)):
        if found.code == code:
            return found
    raise NotFoundError("layanan/service", code)


@router.get("/orgchart", tags=["reference"], response_model=OrgChartView)
def orgchart(request: Request, staff: AnyStaff) -> OrgChartView:
    """The organisation chart."""
    chart = svc.show_orgchart(deps_of(request))
    return OrgChartView(
        units=sorted(chart.units.values(), key=lambda u: u.code),
        positions=sorted(chart.positions.values(), key=lambda p: p.code),
        users=_users(chart),
    )


@router.get("/users", tags=["reference"], response_model=list[UserView])
def users(request: Request, staff: AnyStaff) -> list[UserView]:
    """Staff users with their role and unit."""
    return _users(svc.show_orgchart(deps_of(request)))


@router.get("/calendar/{year}", tags=["reference"], response_model=CalendarYear)
def calendar(
    year: Annotated[int, Path(ge=2020, le=2035)], request: Request, staff: AnyStaff
) -> CalendarYear:
    """Holidays, collective leave (cuti bersama) and the administrator's overrides."""
    days = timekeeping.non_working_days(deps_of(request), year)
    return CalendarYear(
        year=year,
        days_off=[
            DayOff(
                on=d.on,
                name_id=d.name_id,
                name_en=d.name_en,
                source=str(d.source),
                estimated=d.estimated,
            )
            for d in days
        ],
    )
