"""The Head's identity-access report: who looked at which complainant's identity, and why."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan import service
from aduan.service import identity
from aduan.web.auth import current_staff, deps_of
from aduan.web.ui.case import error_page
from aduan.web.ui.render import page, to_login
from aduan.workflow.errors import AduanError

router = APIRouter(include_in_schema=False)
REPORT_DAYS = 30


@router.get("/identitas", response_class=HTMLResponse)
def identity_access(request: Request) -> Response:
    """The last 30 days of reveals and views of unmasked identities, newest first."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    deps = deps_of(request)
    until = deps.clock.now() + timedelta(seconds=1)
    try:
        entries = identity.identity_report(
            deps, staff.username, until - timedelta(days=REPORT_DAYS), until
        )
    except AduanError as exc:
        return error_page(request, exc)
    chart = service.show_orgchart(deps)
    people = {}
    for entry in entries:
        user = chart.users.get(entry.username)
        title = chart.positions[user.position].title if user and user.position else None
        people[entry.username] = (user.full_name if user else entry.username, title)
    context = {"entries": entries, "people": people, "days": REPORT_DAYS}
    return page(request, "identity_access.html", context)
