"""Email to the office that Aduan did not apply to a case (issue 14 item 5), for the staff.

A reply from an address that is not the complainant's, a message naming no case, one that
could not be read: listed here for the office's complaint staff and the Head, newest first,
each with why it was not applied and, when the viewer may see it, the case it seemed to answer.

The page lists those still to handle, with their count; an officer who followed one up by hand
marks it handled with a note of what was done, and it moves to the second view
(``?tampil=ditangani``), the latest handled first with who, when and the note. A message a
colleague marked first keeps their mark: the officer is told who handled it and when.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan.schemas.inbound import InboundView
from aduan.service import inbound
from aduan.web.auth import Staff, current_staff, deps_of, verify_csrf
from aduan.web.ui.case import error_page
from aduan.web.ui.forms import FormState, error_state
from aduan.web.ui.render import page, see_other, to_login, translator
from aduan.workflow.errors import AduanError, InputError, http_status

router = APIRouter(include_in_schema=False)
HANDLED_VIEW = "ditangani"  # ?tampil=ditangani: the handled messages
FIELDS = ("handled_note",)


def _page(
    request: Request,
    staff: Staff,
    *,
    handled: bool = False,
    state: FormState | None = None,
    failed_id: int | None = None,
    taken: InboundView | None = None,
    status: int = 200,
) -> Response:
    deps = deps_of(request)
    try:
        listing = inbound.unmatched(deps, staff.username, handled=handled)
        pending = listing.total if not handled else inbound.to_handle(deps, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    context = {
        "listing": listing,
        "pending": pending,
        "reading": request.app.state.settings.inbound.host is not None,
        "state": state or FormState(),
        "failed_id": failed_id,
        "taken": taken,
        "notice": request.query_params.get("done") == HANDLED_VIEW,
        "note_max": inbound.NOTE_MAX,
    }
    return page(request, "mail.html", context, status_code=status)


@router.get("/email-masuk", response_class=HTMLResponse)
def unmatched_mail(request: Request, tampil: str = "") -> Response:
    """The unmatched messages still to handle, or (``?tampil=ditangani``) the handled ones."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    return _page(request, staff, handled=tampil == HANDLED_VIEW)


@router.post("/email-masuk/{mail_id}/ditangani", response_class=HTMLResponse)
async def mark_handled(request: Request, mail_id: int) -> Response:
    """Mark one message handled with a note; a refusal is shown next to the note."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    values = {"handled_note": str(form.get("handled_note", ""))}
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        done = inbound.mark_handled(
            deps_of(request), staff.username, mail_id, values["handled_note"]
        )
    except InputError as exc:
        t = translator(request)
        state = error_state(exc, t.lang, values, FIELDS)
        label = f"{t.field(exc.field)}: "  # the page names the field once, in bold
        state.errors = {k: v.removeprefix(label) for k, v in state.errors.items()}
        return _page(request, staff, state=state, failed_id=mail_id, status=http_status(exc))
    except AduanError as exc:
        return error_page(request, exc)
    if not done.marked:  # a colleague marked it first: theirs stays, this note was not kept
        state = FormState(values=values)
        return _page(request, staff, state=state, failed_id=mail_id, taken=done.mail, status=409)
    return see_other(f"/email-masuk?done={HANDLED_VIEW}")
