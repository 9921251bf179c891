"""Work-queue pages: my queue, the supervisor's desk, the head's APIP approvals, overdue cases."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan import service
from aduan.web.auth import current_staff, deps_of
from aduan.web.ui.render import page, to_login, translator

router = APIRouter(include_in_schema=False)


@router.get("/queue", response_class=HTMLResponse)
def my_queue(request: Request) -> Response:
    """Open cases I hold (officers: and unassigned ones), overdue first, then by deadline.

    Each row says why the case is mine (the tier I hold, my agency's track, ...).
    """
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    items = service.work_queue(deps_of(request), staff.username)
    t = translator(request)
    context = {"items": items, "heading": t("Antrean saya"), "reasons": True}
    return page(request, "queue.html", context)


@router.get("/overdue", response_class=HTMLResponse)
def overdue(request: Request) -> Response:
    """Every open case past a deadline, the most overdue first."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    items = service.overdue_board(deps_of(request), staff.username)
    t = translator(request)
    return page(request, "queue.html", {"items": items, "heading": t("Lewat tenggat")})


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor(request: Request) -> Response:
    """Cases escalated to me, written reports to me and late complaints I may accept."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    desk = service.supervisor_queue(deps_of(request), staff.username)
    return page(request, "supervisor.html", {"desk": desk})


@router.get("/approvals", response_class=HTMLResponse)
def approvals(request: Request) -> Response:
    """Requests to involve APIP that I may approve or refuse (item 7c)."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    items = service.apip_approvals(deps_of(request), staff.username)
    t = translator(request)
    return page(request, "queue.html", {"items": items, "heading": t("Persetujuan APIP")})
