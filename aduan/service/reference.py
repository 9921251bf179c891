"""Use cases of the reference data: the service catalog, the organisation chart and staff users."""

from __future__ import annotations

from pathlib import Path

import structlog

from aduan.catalog.orgchart import OrgChart, StaffUser, build_orgchart, load_orgchart
from aduan.catalog.services import Service, load_services
from aduan.ports import AuthEvent
from aduan.schemas.views import StaffUserView
from aduan.service.administrator import require_admin
from aduan.service.deps import (
    Deps,
    actor_of,
)
from aduan.workflow.errors import AccessDeniedError
from aduan.workflow.states import N_, Role

log = structlog.get_logger()


# --- reference data -----------------------------------------------------------------------


def list_services(deps: Deps) -> list[Service]:
    """The service catalog."""
    with deps.uow(readonly=True) as uow:
        return uow.reference.services()


def load_catalog(deps: Deps, path: Path | None = None, *, by: str | None = None) -> list[Service]:
    """Add or replace services from a catalog file (default: the shipped seeds); admin only."""
    services = load_services(path)
    with deps.uow() as uow:
        require_admin(uow, by)
        uow.reference.put_services(services, deps.clock.now())
        uow.commit()
    deps.reference.invalidate()
    log.info("catalog_loaded", services=len(services))
    return services


def show_orgchart(deps: Deps) -> OrgChart:
    """The organisation chart."""
    with deps.uow(readonly=True) as uow:
        return uow.reference.orgchart()


def load_org(deps: Deps, path: Path | None = None, *, by: str | None = None) -> OrgChart:
    """Replace the organisation chart from a file (default: the shipped sample); admin only."""
    chart = load_orgchart(path)
    with deps.uow() as uow:
        require_admin(uow, by)
        uow.reference.put_orgchart(chart)
        uow.commit()
    deps.reference.invalidate()
    log.info("orgchart_loaded", units=len(chart.units), positions=len(chart.positions))
    return chart


def add_user(deps: Deps, user: StaffUser, *, by: str | None = None) -> OrgChart:
    """Add or replace one staff user, checked against the chart; admin only."""
    with deps.uow() as uow:
        require_admin(uow, by)
        chart = uow.reference.orgchart()
        users = {**chart.users, user.username: user}
        updated = build_orgchart(
            list(chart.units.values()), list(chart.positions.values()), list(users.values())
        )
        uow.reference.put_orgchart(updated)
        # On record (append-only, with the credential events): who changed whom, to what.
        before = chart.users.get(user.username)
        change = "added" if before is None else "changed"
        detail = (
            f"{change} by {by or '-'}: role={user.role.value} position={user.position or '-'} "
            f"active={user.active}"
        )
        uow.accounts.record(AuthEvent(deps.clock.now(), "user_saved", user.username, "-", detail))
        uow.commit()
    deps.reference.invalidate()
    log.info("user_saved", username=user.username, role=user.role.value)
    return updated


def list_staff(deps: Deps, by: str) -> list[StaffUserView]:
    """Every staff user with their role, post and unit, by unit then name; admin only.

    Raises:
        InputError: ``known_active_user`` when ``by`` is unknown or inactive.
        AccessDeniedError: ``admin_only`` when ``by`` is not an administrator.
    """
    with deps.uow(readonly=True) as uow:
        if actor_of(deps, uow, by).role is not Role.ADMIN:
            raise AccessDeniedError(
                "admin_only",
                N_("daftar pengguna hanya untuk administrator"),
            )
        chart = uow.reference.orgchart()
    rows = []
    for user in chart.users.values():
        post = chart.positions.get(user.position) if user.position else None
        unit = chart.units.get(post.unit) if post is not None else None
        rows.append(
            StaffUserView(
                username=user.username,
                full_name=user.full_name,
                role=user.role.value,
                position=user.position,
                position_title=post.title if post is not None else None,
                unit=unit.code if unit is not None else None,
                unit_name=unit.name if unit is not None else None,
                active=user.active,
            )
        )
    return sorted(rows, key=lambda r: (r.unit_name or "", r.full_name.casefold(), r.username))


def seed_reference_data(deps: Deps) -> tuple[int, int]:
    """Load the shipped catalog and org chart into an empty database; return what was added."""
    with deps.uow() as uow:
        added_services = 0 if uow.reference.services() else len(load_services())
        if added_services:
            uow.reference.put_services(load_services(), deps.clock.now())
        added_units = 0 if uow.reference.orgchart().units else 1
        if added_units:
            uow.reference.put_orgchart(load_orgchart())
        uow.commit()
    deps.reference.invalidate()
    return added_services, added_units
