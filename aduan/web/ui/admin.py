"""The administrator's pages, so that no terminal is needed (issue 13 item 7).

Users: add, change role, post or contact, deactivate, reset a password (the list with roles and
units is issue 16 item 6). The working-day calendar: overrides, previewed with the deadlines
they move before they are saved. The public allowances: addresses (the MPP kiosk, the office
network) with a larger limit on public complaints (issue 12 item 5). Every change is on record.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from aduan.bootstrap import build_channels
from aduan.catalog.orgchart import StaffUser
from aduan.catalog.services import Service
from aduan.escalation.calendar import Override, OverrideKind
from aduan.service import inbox, limits, timekeeping
from aduan.service.accounts import set_password
from aduan.service.reference import (
    add_user,
    list_services,
    list_staff,
    save_services,
    set_acting,
    show_orgchart,
)
from aduan.service.timekeeping import DeadlineMove
from aduan.web.auth import Staff, client_ip, current_staff, deps_of, verify_csrf
from aduan.web.ui.case import error_page
from aduan.web.ui.forms import FormState, error_state, validation_state
from aduan.web.ui.render import page, see_other, to_login, translator
from aduan.workflow.errors import (
    AccessDeniedError,
    AduanError,
    InputError,
    NotFoundError,
    http_status,
)
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, Role

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)


@router.get("/admin/pengguna", response_class=HTMLResponse)
def staff_users(request: Request) -> Response:
    """Every staff user (name, username, role, post, unit, active) and the form to add one."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    return _user_page(request, staff, FormState(values={"active": True}), None)


# --- users: add, change role/post/unit, deactivate, reset password (issue 13 item 7) ----------

USER_FIELDS = ("username", "full_name", "role", "position", "email", "nip", "active")
STAFF_ROLES = [r for r in Role if r not in (Role.SYSTEM, Role.COMPLAINANT)]


def _admin(request: Request) -> Staff | Response:
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    return staff


def _user_page(
    request: Request, staff: Staff, state: FormState, editing: str | None, status_code: int = 200
) -> Response:
    deps = deps_of(request)
    try:
        users = list_staff(deps, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    chart = show_orgchart(deps)
    positions = sorted(
        ((p.code, f"{p.title} — {chart.units[p.unit].name}") for p in chart.positions.values()),
        key=lambda item: item[1],
    )
    t = translator(request)
    posts = [
        {
            "code": p.code,
            "title": p.title,
            "unit": chart.units[p.unit].name,
            "holder": next(
                (u.full_name for u in chart.users.values() if u.position == p.code and u.active),
                None,
            ),
            "acting": p.acting,
        }
        for p in sorted(chart.positions.values(), key=lambda p: (p.unit, p.title))
    ]
    context = {
        "users": users,
        "posts": posts,
        "active_users": sorted(
            ((u.username, u.full_name) for u in chart.users.values() if u.active),
            key=lambda item: item[1],
        ),
        "state": state,
        "editing": editing,
        "roles": [(r.value, t.label(r.value, Role)) for r in STAFF_ROLES],
        "positions": positions,
        "notice": request.query_params.get("done"),
    }
    return page(request, "admin_user.html", context, status_code=status_code)


@router.get("/admin/pengguna/{username}", response_class=HTMLResponse)
def edit_user(request: Request, username: str) -> Response:
    """One user's form: role, post, contact, active; and a password reset."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    chart = show_orgchart(deps_of(request))
    user = chart.users.get(username)
    if user is None:
        return error_page(request, NotFoundError("pengguna/user", username), 404)
    values = user.model_dump(mode="json")
    return _user_page(request, staff, FormState(values=values), username)


@router.post("/admin/pengguna", response_class=HTMLResponse)
async def save_user(request: Request) -> Response:
    """Add a user or change one; refused input is shown next to its field, nothing saved."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in USER_FIELDS}
    values["active"] = form.get("active") == "on"
    editing = str(form.get("editing", "")) or None
    lang = translator(request).lang
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        user = StaffUser.model_validate(
            {**values, "position": values["position"] or None, "email": values["email"] or None,
             "nip": values["nip"] or None}
        )  # fmt: skip
        add_user(deps_of(request), user, by=staff.username)
    except ValidationError as exc:
        state = validation_state(exc, lang, values, USER_FIELDS)
        return _user_page(request, staff, state, editing, 422)
    except AduanError as exc:
        state = error_state(exc, lang, values, USER_FIELDS)
        return _user_page(request, staff, state, editing, http_status(exc))
    return see_other(f"/admin/pengguna?done={user.username}#users")


@router.post("/admin/pengguna/{username}/kata-sandi", response_class=HTMLResponse)
async def reset_password(request: Request, username: str) -> Response:
    """A new random password, shown once to the administrator; the user's sessions end."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    password = secrets.token_urlsafe(12)
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        set_password(deps_of(request), username, password, by=staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    context = {"username": username, "password": password}
    response = page(request, "admin_password.html", context)
    response.headers["Cache-Control"] = "no-store"  # the password is shown once, never cached
    return response


@router.post("/admin/jabatan/{code}/plt", response_class=HTMLResponse)
async def save_acting(request: Request, code: str) -> Response:
    """Name or clear the acting holder (Plt.) of a post (issue 13 item 2)."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    acting = str(form.get("acting", "")).strip() or None
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        set_acting(deps_of(request), code, acting, by=staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    return see_other(f"/admin/pengguna?done={code}#posts")


# --- the service catalog (issue 13 item 7) --------------------------------------------------

SERVICE_FIELDS = (
    "code", "title", "licence_type", "risk_level", "completion_days", "fee", "product",
    "legal_basis", "technical_agency",
)  # fmt: skip


def _catalog_page(
    request: Request, state: FormState, editing: str | None, status_code: int = 200
) -> Response:
    services = list_services(deps_of(request))
    context = {
        "services": services,
        "state": state,
        "editing": editing,
        "notice": request.query_params.get("done"),
    }
    return page(request, "admin_catalog.html", context, status_code=status_code)


@router.get("/admin/katalog", response_class=HTMLResponse)
def catalog_page(request: Request, kode: str = "") -> Response:
    """The services and their standard (completion time, fee, product); edit one or load a file."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    try:
        _require_admin(staff)
    except AduanError as exc:
        return error_page(request, exc)
    found = next((s for s in list_services(deps_of(request)) if s.code == kode), None)
    values: dict[str, Any] = {}
    if found is not None:
        values = found.model_dump(mode="json")
        values["legal_basis"] = "\n".join(found.legal_basis)
    return _catalog_page(request, FormState(values=values), found.code if found else None)


@router.post("/admin/katalog", response_class=HTMLResponse)
async def save_service(request: Request) -> Response:
    """Add or change one service; bad input next to its field, nothing saved."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in SERVICE_FIELDS}
    editing = str(form.get("editing", "")) or None
    lang = translator(request).lang
    deps = deps_of(request)
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        _require_admin(staff)
        before = next((s for s in list_services(deps) if s.code == values["code"]), None)
        data: dict[str, Any] = before.model_dump() if before else {}
        data.update({k: v for k, v in values.items() if k not in ("legal_basis",)})
        data["legal_basis"] = [x.strip() for x in values["legal_basis"].splitlines() if x.strip()]
        data["technical_agency"] = values["technical_agency"] or None
        service = Service.model_validate(data)
        save_services(deps, [service], by=staff.username)
    except ValidationError as exc:
        state = validation_state(exc, lang, values, SERVICE_FIELDS)
        return _catalog_page(request, state, editing, 422)
    except AduanError as exc:
        state = error_state(exc, lang, values, SERVICE_FIELDS)
        return _catalog_page(request, state, editing, http_status(exc))
    return see_other(f"/admin/katalog?done={service.code}")


# --- failed deliveries, with retry (issue 13 item 6) ---------------------------------------


def _require_admin(staff: Staff) -> None:
    if staff.role is not Role.ADMIN:
        raise AccessDeniedError("admin_only", N_("halaman ini hanya untuk administrator"))


def masked_address(address: str) -> str:
    """Enough of an address to tell messages apart, not enough to read it (no case content)."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"{address[:4]}•••{address[-2:]}" if len(address) > 6 else "•••"


@router.get("/admin/pengiriman", response_class=HTMLResponse)
def failed_deliveries(request: Request) -> Response:
    """Messages that could not be delivered: channel, reason, attempts; retry one or all."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    try:
        _require_admin(staff)
    except AduanError as exc:
        return error_page(request, exc)
    deps = deps_of(request)
    dead = inbox.dead_letters(deps.uow, limit=500)
    ready = ready_channels(request)
    rows = [
        {
            "id": e.id,
            "event": e.message.event,
            "channel": e.message.channel,
            "recipient": masked_address(e.message.recipient),
            "case_id": e.message.case_id,
            "created_at": e.message.created_at,
            "attempts": e.attempts,
            "error": e.last_error,
            "ready": e.message.channel in ready,
        }
        for e in dead
    ]
    context = {
        "rows": rows,
        # A channel this server has no settings for fails again at once: no button for it.
        "unready": sorted({str(r["channel"]) for r in rows if not r["ready"]}),
        "retriable": sum(1 for r in rows if r["ready"]),
        "counts": inbox.counts(deps.uow),
        "notice": request.query_params.get("done"),
    }
    return page(request, "admin_deliveries.html", context)


def ready_channels(request: Request) -> frozenset[str]:
    """The delivery channels this server's settings configure (the others cannot send)."""
    return frozenset(build_channels(request.app.state.settings))


@router.post("/admin/pengiriman", response_class=HTMLResponse)
async def retry_deliveries(request: Request) -> Response:
    """Queue one failed message (``id``) or all of them (optionally of one channel) again."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    raw = str(form.get("id", "")).strip()
    channel = str(form.get("channel", "")).strip() or None
    deps = deps_of(request)
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        _require_admin(staff)
        if raw:
            if not raw.isdigit():
                raise InputError("id", "integer", N_("nomor pesan harus bilangan bulat"))
            inbox.retry(deps.uow, deps.clock, int(raw))
            count = 1
        else:
            ready = ready_channels(request)
            if channel is not None and channel not in ready:
                raise InputError("channel", "configured", N_("saluran ini belum diatur di server"))
            count = sum(
                inbox.retry_all(deps.uow, deps.clock, channel=c)
                for c in sorted(ready)
                if channel in (None, c)
            )
    except AduanError as exc:
        return error_page(request, exc)
    log.info("deliveries_retried", by=staff.username, count=count, channel=channel, id=raw)
    return see_other(f"/admin/pengiriman?done={count}")


# --- the working-day calendar: overrides with the deadlines they move (issue 13 item 7) -------

CALENDAR_FIELDS = ("on", "kind", "reason")


def _calendar_page(
    request: Request,
    state: FormState,
    *,
    moves: list[DeadlineMove] | None = None,
    remove: bool = False,
    status_code: int = 200,
) -> Response:
    deps = deps_of(request)
    raw_year = request.query_params.get("tahun", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    year = year or deps.clock.now().astimezone(WIB).year
    calendar = timekeeping.calendar(deps)
    days = [d for d in calendar.non_working_days(year) if d.source != "weekend"]
    context = {
        "year": year,
        "days": days,
        "overrides": sorted(
            (o for o in calendar.overrides if o.on.year == year), key=lambda o: o.on
        ),
        "state": state,
        "moves": moves,
        "remove": remove,
        "notice": request.query_params.get("done"),
    }
    return page(request, "admin_calendar.html", context, status_code=status_code)


@router.get("/admin/kalender", response_class=HTMLResponse)
def calendar_page(request: Request) -> Response:
    """Holidays, collective leave and the office's overrides of a year; add or remove one."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    try:
        list_staff(deps_of(request), staff.username)  # administrators only
    except AduanError as exc:
        return error_page(request, exc)
    return _calendar_page(request, FormState(values={"kind": "holiday"}))


@router.post("/admin/kalender", response_class=HTMLResponse)
async def change_calendar(request: Request) -> Response:
    """Preview (the deadlines it moves) or save an override, or remove one; admin only."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in CALENDAR_FIELDS}
    remove = form.get("remove") == "1"
    confirm = form.get("confirm") == "1"
    lang = translator(request).lang
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        on = _day(values["on"])
        target: Override | date = on
        if not remove:
            if values["kind"] not in ("holiday", "working"):
                raise InputError("kind", "one_of", N_("pilih libur atau hari kerja"))
            if not values["reason"]:
                raise InputError("reason", "required", N_("alasan wajib diisi"))
            kind: OverrideKind = "working" if values["kind"] == "working" else "holiday"
            target = Override(on, kind, values["reason"], staff.username)
        message, moves = timekeeping.set_override(
            deps_of(request), target, remove=remove, by=staff.username, dry_run=not confirm
        )
    except AduanError as exc:
        state = error_state(exc, lang, values, CALENDAR_FIELDS)
        return _calendar_page(request, state, remove=remove, status_code=http_status(exc))
    if message:
        state = FormState(values=values, general=[message])
        return _calendar_page(request, state, remove=remove, status_code=409)
    if not confirm:  # show what it moves, with a button to save it
        return _calendar_page(request, FormState(values=values), moves=moves, remove=remove)
    return see_other(f"/admin/kalender?tahun={on.year}&done={len(moves)}#overrides")


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            "on", "date", N_("tanggal tidak valid (TTTT-BB-HH): %(raw)r"), raw=raw
        ) from None


# --- the public allowances: addresses with a larger public limit (issue 12 item 5) -------------

ACCESS_FIELDS = ("network", "per_hour", "label")


def _access_page(
    request: Request, staff: Staff, state: FormState, status_code: int = 200
) -> Response:
    try:
        allowances = limits.list_allowances(deps_of(request), staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    settings = request.app.state.settings
    context = {
        "allowances": allowances,
        "state": state,
        "per_device": settings.intake_per_device,
        "per_address": settings.intake_per_address,
        "notice": request.query_params.get("done"),
    }
    return page(request, "admin_access.html", context, status_code=status_code)


@router.get("/admin/akses-publik", response_class=HTMLResponse)
def access_page(request: Request) -> Response:
    """The listed addresses (MPP kiosk, office network) and their allowances; admin only."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    return _access_page(request, staff, FormState())


@router.post("/admin/akses-publik", response_class=HTMLResponse)
async def change_access(request: Request) -> Response:
    """Add or change an address's allowance, or remove one; audited, admin only."""
    staff = _admin(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ACCESS_FIELDS}
    remove = form.get("remove") == "1"
    lang = translator(request).lang
    deps, address = deps_of(request), client_ip(request)
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        if remove:
            limits.remove_allowance(deps, values["network"], by=staff.username, client_ip=address)
            done = "removed"
        else:
            if not values["per_hour"].isdigit():
                raise InputError("per_hour", "int", N_("isi dengan bilangan bulat, mis. 200"))
            limits.set_allowance(
                deps,
                values["network"],
                int(values["per_hour"]),
                values["label"],
                by=staff.username,
                client_ip=address,
            )
            done = "saved"
    except AduanError as exc:
        state = error_state(exc, lang, {} if remove else values, ACCESS_FIELDS)
        return _access_page(request, staff, state, http_status(exc))
    return see_other(f"/admin/akses-publik?done={done}#allowances")
