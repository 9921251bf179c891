"""Use cases of the reference data: the service catalog, the organisation chart and staff users."""

from __future__ import annotations

from pathlib import Path

import structlog

from aduan.catalog.orgchart import OrgChart, StaffUser, build_orgchart, load_orgchart
from aduan.catalog.services import Service, load_services
from aduan.ports import AuthEvent, CaseQuery, UnitOfWork
from aduan.schemas.views import StaffUserView
from aduan.service.administrator import require_admin
from aduan.service.deps import SYSTEM, Deps, actor_of
from aduan.service.saving import CaseChange, save_case
from aduan.workflow.case import CaseEvent, Outcomes
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.events import HolderHandedOver
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


def save_services(deps: Deps, services: list[Service], *, by: str | None) -> list[Service]:
    """Add or change catalog services (the administrator's catalog page); on record."""
    with deps.uow() as uow:
        require_admin(uow, by)
        uow.reference.put_services(services, deps.clock.now())
        now = deps.clock.now()
        for service in services:
            detail = (
                f"catalog by {by or '-'}: {service.code} completion_days={service.completion_days}"
            )
            uow.accounts.record(AuthEvent(now, "catalog_saved", by or "-", "-", detail[:300]))
        uow.commit()
    deps.reference.invalidate()
    log.info("catalog_saved", services=len(services), by=by)
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
        before = chart.users.get(user.username)
        leaves = (
            before is not None
            and before.active
            and (not user.active or user.position != before.position)
        )
        if leaves:
            hand_over(deps, uow, chart, user.username, by)
        # On record (append-only, with the credential events): who changed whom, to what.
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


HANDED_OVER = "handed_over"  # the audit entry of a case whose holder left


def hand_over(deps: Deps, uow: UnitOfWork, chart: OrgChart, username: str, by: str | None) -> int:
    """Give the open cases ``username`` holds to the holder of the post above theirs.

    Issue 13 item 2: a holder who leaves or is deactivated hands their cases to their superior,
    on record (an audit entry on each case, and a notice to the new holder), so no case is left
    with nobody responsible while its clock runs. Returns how many cases moved.
    """
    leaving = chart.users.get(username)
    post = leaving.position if leaving is not None else None
    successor = None
    while post is not None and successor is None:
        post = chart.positions[post].reports_to
        if post is not None:
            successor = chart.holder(post)
            successor = None if successor == username else successor
    held = uow.cases.find(CaseQuery(assignee=username, open_only=True, limit=100_000))
    if successor is None:
        return 0
    now = deps.clock.now()
    for case in held:
        loaded = case.version
        case.assignee = successor
        event = CaseEvent(
            action=HANDED_OVER,
            actor=by or SYSTEM.username,
            role=Role.ADMIN if by else SYSTEM.role,
            from_status=case.status,
            to_status=case.status,
            at=now,
            note=f"{username} tidak lagi memegang kasus / no longer holds the case",
            data={"from": username, "to": successor},
        )
        case.record(HolderHandedOver(at=now, from_holder=username, to_holder=successor))
        save_case(deps, uow, CaseChange(case, loaded, [Outcomes(event)]), now)
    log.info("cases_handed_over", username=username, to=successor, count=len(held))
    return len(held)


def set_acting(deps: Deps, position: str, username: str | None, *, by: str | None) -> OrgChart:
    """Name (or clear) the acting holder (Plt.) of a post; admin only, on record.

    A case routed to a post with no active holder goes to its acting holder; without one the
    routing is refused (issue 13 item 2).
    """
    with deps.uow() as uow:
        require_admin(uow, by)
        chart = uow.reference.orgchart()
        post = chart.positions.get(position)
        if post is None:
            raise NotFoundError("jabatan/position", position)
        if username is not None and (
            username not in chart.users or not chart.users[username].active
        ):
            raise InputError(
                "acting",
                "known_active_user",
                N_("pelaksana tugas harus pengguna aktif: '%(username)s'"),
                username=username,
            )
        positions = {**chart.positions, position: post.model_copy(update={"acting": username})}
        updated = build_orgchart(
            list(chart.units.values()), list(positions.values()), list(chart.users.values())
        )
        uow.reference.put_orgchart(updated)
        detail = f"acting for {position} set by {by or '-'}: {username or '(none)'}"
        uow.accounts.record(AuthEvent(deps.clock.now(), "acting_set", username or "-", "-", detail))
        uow.commit()
    deps.reference.invalidate()
    log.info("acting_set", position=position, username=username)
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
