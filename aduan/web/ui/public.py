"""Public pages, no account: the home page, the complaint form and the tracking page.

The form shares the public API's per-address limit (``public.intake_limiter``); only a valid
submission counts. The tracking page shows status, dates and the answer, never anyone's
identity (``service.track_case`` returns nothing else); it shares the API's limits on lookups
and on PIN tries, and withdrawing or disputing needs the PIN of the receipt.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from aduan import service
from aduan.schemas.commands import SubmitCommand
from aduan.web import auth
from aduan.web.api.public import check_pin_attempt, intake_limiter, tracking_limiter
from aduan.web.i18n import language_of
from aduan.web.ui.case import services_choices
from aduan.web.ui.forms import (
    FormState,
    error_state,
    intake_fields,
    message_of,
    parse_intake_form,
    validation_state,
)
from aduan.web.ui.render import page, translator
from aduan.workflow.errors import AduanError, InputError, NotFoundError, http_status
from aduan.workflow.states import N_, Action, Channel

router = APIRouter(include_in_schema=False)
COMPLAINANT_ACTIONS = frozenset({Action.WITHDRAW.value, Action.REOPEN.value})


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Where to submit, where to track, where staff log in; the office's address and hours."""
    return page(request, "home.html", {"office": request.app.state.settings.office})


def _form(request: Request, state: FormState, status_code: int = 200) -> Response:
    t = translator(request)
    services = services_choices(auth.deps_of(request))
    context = {
        "fields": intake_fields(t, services, None, public=True),
        "state": state,
        "action_url": "/lapor",
        "public": True,
    }
    return page(
        request, "intake.html", context, status_code=status_code, title=t("Sampaikan pengaduan")
    )


@router.get("/lapor", response_class=HTMLResponse)
def public_form(request: Request) -> Response:
    """The public complaint form."""
    return _form(request, FormState())


@router.post("/lapor", response_class=HTMLResponse)
async def public_submit(request: Request) -> Response:
    """Record a public complaint and show its tracking code."""
    form = await request.form()
    lang = language_of(request)
    fields, values = parse_intake_form(form, public=True, channel=Channel.WEB_DPMPTSP.value)
    known = [f.name for f in intake_fields(translator(request), [], None, public=True)]
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        command = SubmitCommand.model_validate(fields)
        intake_limiter(request).hit(auth.client_ip(request))
        detail = service.submit_complaint(auth.deps_of(request), command)
    except ValidationError as exc:
        return _form(request, validation_state(exc, lang, values, known), 422)
    except AduanError as exc:
        return _form(request, error_state(exc, lang, values, known), http_status(exc))
    view = service.track_case(auth.deps_of(request), detail.tracking_code)
    context = {"view": view, "due": detail.response_due_at, "pin": detail.pin}
    return page(request, "submitted.html", context)


@router.get("/lacak", response_class=HTMLResponse)
def track(request: Request, code: str = "") -> Response:
    """Find a case by tracking code: status, dates and the answer."""
    code = code.strip()[:40]
    if not code:
        return page(request, "track.html", {"code": "", "view": None, "error": None})
    try:
        tracking_limiter(request).hit(auth.client_ip(request))
        view = service.track_case(auth.deps_of(request), code)
    except AduanError as exc:
        message = translator(request).error(exc)
        status = 404 if isinstance(exc, NotFoundError) else http_status(exc)
        context = {"code": code, "view": None, "error": message}
        return page(request, "track.html", context, status_code=status)
    return page(request, "track.html", {"code": code, "view": view, "error": None})


@router.post("/lacak/{code}", response_class=HTMLResponse)
async def complainant_act(request: Request, code: str) -> Response:
    """The complainant withdraws the complaint, or disputes the answer (reopen), by code."""
    form = await request.form()
    name = str(form.get("action", ""))
    reason = str(form.get("reason", "")).strip()
    pin = str(form.get("pin", ""))[:32]
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        if name not in COMPLAINANT_ACTIONS:
            raise InputError("action", "one_of", N_("pilih withdraw atau reopen"))
        check_pin_attempt(request, code)
        payload = {"reason": reason} if reason else {}
        view = service.act_as_complainant(auth.deps_of(request), code, Action(name), payload, pin)
    except AduanError as exc:
        message = message_of(exc, language_of(request))
        try:
            shown = service.track_case(auth.deps_of(request), code)
        except AduanError:
            shown = None
        context = {"code": code, "view": shown, "error": None, "act_error": message}
        return page(request, "track.html", context, status_code=http_status(exc))
    t = translator(request)
    notice = t("Tersimpan: %(what)s", what=t.label(Action(name)))
    context = {"code": code, "view": view, "error": None, "notice": notice}
    return page(request, "track.html", context)
