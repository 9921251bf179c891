"""The administrator's pages: the user list with roles and units (issue 16 item 6)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan.service.reference import list_staff
from aduan.web.auth import current_staff, deps_of
from aduan.web.ui.case import error_page
from aduan.web.ui.render import page, to_login
from aduan.workflow.errors import AduanError

router = APIRouter(include_in_schema=False)


@router.get("/admin/pengguna", response_class=HTMLResponse)
def staff_users(request: Request) -> Response:
    """Every staff user: name, username, role, post, unit and whether active; admin only."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    try:
        users = list_staff(deps_of(request), staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    return page(request, "admin_users.html", {"users": users})
