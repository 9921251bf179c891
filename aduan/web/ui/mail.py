"""Email to the office that Aduan did not apply to a case (issue 14 item 5), for the staff.

A reply from an address that is not the complainant's, a message naming no case, one that
could not be read: listed here for the office's complaint staff and the Head, newest first,
each with why it was not applied and, when the viewer may see it, the case it seemed to answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan.service import inbound
from aduan.web.auth import current_staff, deps_of
from aduan.web.ui.case import error_page
from aduan.web.ui.render import page, to_login
from aduan.workflow.errors import AduanError

router = APIRouter(include_in_schema=False)


@router.get("/email-masuk", response_class=HTMLResponse)
def unmatched_mail(request: Request) -> Response:
    """The unmatched messages from the office's mailbox."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    try:
        messages = inbound.unmatched(deps_of(request), staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    reading = request.app.state.settings.inbound.host is not None
    return page(request, "mail.html", {"messages": messages, "reading": reading})
