"""Work-queue pages: my queue, the supervisor's desk, APIP approvals, overdue, suggestions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from aduan import service
from aduan.schemas.views import QueueItem
from aduan.service.cases import open_apip_by_code
from aduan.web.auth import current_staff, deps_of, verify_csrf
from aduan.web.i18n import Translator, language_of
from aduan.web.ui.case import services_choices
from aduan.web.ui.forms import Field, FormState, error_state, validation_state
from aduan.web.ui.render import page, see_other, to_login, translator
from aduan.workflow.errors import AduanError, InputError, NotFoundError, http_status
from aduan.workflow.states import N_, Action, ApipBasis, Role, ScreeningReason

router = APIRouter(include_in_schema=False)


@router.get("/queue", response_class=HTMLResponse)
def my_queue(request: Request) -> Response:
    """Open cases I hold (officers: and unassigned ones), overdue first, then by deadline.

    Each row says why the case is mine (the tier I hold, my agency's track, ...).
    """
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    if staff.role is Role.ADMIN:  # no cases: the administrator's home is the user list
        return see_other("/admin/pengguna")
    items = service.work_queue(deps_of(request), staff.username)
    t = translator(request)
    context: dict[str, Any] = {"items": items, "heading": t("Antrean saya"), "reasons": True}
    if staff.role is Role.APIP:
        context["apip_open"] = _apip_open_state(t, FormState(values={}))
    return page(request, "queue.html", context)


APIP_OPEN_FIELDS = ("tracking_code", "legal_basis", "reason")


def _apip_open_state(t: Translator, state: FormState) -> dict[str, Any]:
    bases = [(b.value, t.label(b.value, ApipBasis)) for b in ApipBasis]
    return {"state": state, "bases": bases}


@router.post("/apip/tangani", response_class=HTMLResponse)
async def apip_open(request: Request) -> Response:
    """APIP takes a case up on a legal basis (item 7c), by the tracking code of the referral."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in APIP_OPEN_FIELDS}
    t = translator(request)
    deps = deps_of(request)
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        payload = {"legal_basis": values["legal_basis"], "reason": values["reason"]}
        done = open_apip_by_code(deps, values["tracking_code"], staff.username, payload)
    except (AduanError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            state = validation_state(exc, t.lang, values, APIP_OPEN_FIELDS)
            status = 422
        elif isinstance(exc, NotFoundError):
            message = t(
                N_(
                    "kode pelacakan tidak ditemukan, atau kasus ini tidak dapat ditangani APIP "
                    "saat ini"
                )
            )
            state = FormState(values=values, errors={"tracking_code": message})
            status = 404
        else:
            state = error_state(exc, t.lang, values, APIP_OPEN_FIELDS)
            status = http_status(exc)
        items = service.work_queue(deps, staff.username)
        context = {
            "items": items,
            "heading": t("Antrean saya"),
            "reasons": True,
            "apip_open": _apip_open_state(t, state),
        }
        return page(request, "queue.html", context, status_code=status)
    return see_other(f"/cases/{done.tracking_code}?done={Action.OPEN_APIP.value}")


@router.get("/overdue", response_class=HTMLResponse)
def overdue(request: Request) -> Response:
    """Every open case past a deadline, the most overdue first."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    items = service.overdue_board(deps_of(request), staff.username)
    t = translator(request)
    return page(request, "queue.html", {"items": items, "heading": t("Lewat tenggat")})


def staff_names(deps: service.Deps) -> dict[str, str]:
    """Each staff member's full name by username, for pages that list people's work."""
    return {u.username: u.full_name for u in service.show_orgchart(deps).users.values()}


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor(request: Request) -> Response:
    """Cases escalated to me, written reports to me and late complaints I may accept."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    deps = deps_of(request)
    desk = service.supervisor_queue(deps, staff.username)
    # Report authors by name, as the case page names them (never a bare username).
    return page(request, "supervisor.html", {"desk": desk, "names": staff_names(deps)})


@router.get("/approvals", response_class=HTMLResponse)
def approvals(request: Request) -> Response:
    """Requests to involve APIP that I may approve or refuse (item 7c)."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    items = service.apip_approvals(deps_of(request), staff.username)
    t = translator(request)
    return page(request, "queue.html", {"items": items, "heading": t("Persetujuan APIP")})


@router.get("/saran", response_class=HTMLResponse)
def suggestions(request: Request) -> Response:
    """Suggestions waiting for the complaint staff, filterable by screening reason and service.

    Each is opened on its case page, where the staff take it up, classify it, forward it to the
    yearly evaluation or (a supervisor, with a reason) make it the complaint it should have been.
    """
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    t = translator(request)
    deps = deps_of(request)
    asked = {
        name: str(request.query_params.get(name, "")).strip() for name in ("reason", "service_code")
    }
    services = services_choices(deps)
    fields = [
        Field("reason", t("Alasan dicatat sebagai saran"), "select", choices=_reasons(t)),
        Field("service_code", t("Layanan"), "select", choices=services),
    ]
    state = FormState(values=asked)
    items: list[QueueItem] = []
    reason: ScreeningReason | None = None
    if asked["reason"]:
        try:
            reason = ScreeningReason(asked["reason"])
        except ValueError:
            state.errors["reason"] = t("pilih salah satu alasan dari daftar")
    status_code = 200
    if not state.failed:
        try:
            items = service.suggestion_queue(
                deps, staff.username, reason, asked["service_code"] or None
            )
        except InputError as exc:  # the label is drawn beside the message: not twice
            state.errors[exc.field] = AduanError.text(exc, language_of(request))
            status_code = http_status(exc)
        except AduanError as exc:
            state = error_state(exc, language_of(request), asked, ["reason", "service_code"])
            status_code = http_status(exc)
    context = {
        "items": items,
        "fields": fields,
        "state": state,
        "service_titles": dict(services),
        "names": staff_names(deps),
    }
    return page(
        request, "suggestions.html", context, status_code=status_code, title=t("Saran/masukan")
    )


def _reasons(t: Translator) -> list[tuple[str, str]]:
    return [(r.value, t.label(r)) for r in ScreeningReason]
