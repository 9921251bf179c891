"""Public pages, no account: the home page, the complaint form and the tracking page.

The form shares the public API's limits per device and address (``ratelimit.check_intake``):
only a valid submission counts. The tracking page shows status, dates and the answer, never anyone's
identity (``service.track_case`` returns nothing else); it shares the API's limits on lookups
and on PIN tries, and withdrawing, undoing a withdrawal or disputing needs the PIN of the
receipt.

Issue 12 item 4, no duplicates and no accidents: every form here is post/redirect/get. The
complaint form carries an idempotency key (``aduan.service.receipts``): a refresh or a double
click files one case, and the receipt page after the redirect is reached with that key, kept
in a short-lived cookie of this browser only — never by the tracking code, which is not a
secret. Withdrawing asks for a reason, then for confirmation, and may be undone for
``ADUAN_WITHDRAW_UNDO_HOURS``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from aduan import service
from aduan.schemas.views import TrackingView
from aduan.service import receipts
from aduan.service.cases import confirm_complainant
from aduan.web import auth
from aduan.web.api.public import check_pin_attempt, tracking_limiter
from aduan.web.i18n import language_of
from aduan.web.ratelimit import check_intake_async
from aduan.web.ui import attachments as ui_files
from aduan.web.ui.case import services_choices
from aduan.web.ui.forms import (
    WEBSITES,
    FormProblems,
    FormState,
    error_state,
    intake_fields,
    message_of,
    parse_intake_form,
    validate_public_form,
)
from aduan.web.ui.render import page, see_other, translator
from aduan.workflow.errors import AduanError, InputError, NotFoundError, http_status
from aduan.workflow.states import N_, Action, Channel

router = APIRouter(include_in_schema=False)
COMPLAINANT_ACTIONS = frozenset(
    {
        Action.WITHDRAW.value,
        Action.UNDO_WITHDRAW.value,
        Action.REOPEN.value,
        Action.RECORD_INFO_REPLY.value,  # issue 14 item 5: the reply to a request for info
        Action.WITHDRAW_QA_CONSENT.value,  # issue 14 item 7: no public Q&A any more
    }
)
RECEIPT_COOKIE = "aduan_receipt"
RECEIPT_SECONDS = 3600  # the receipt (with the PIN) stays on this browser for an hour
RECEIPT_PATH = "/lapor/tanda-terima"
# What the tracking page says after an action (``?done=``): fixed texts, never echoed input.
DONE = {
    Action.WITHDRAW.value: N_("Pengaduan Anda telah dicabut."),
    Action.UNDO_WITHDRAW.value: N_(
        "Pencabutan dibatalkan; pengaduan Anda kembali ditindaklanjuti."
    ),
    Action.REOPEN.value: N_("Keberatan Anda tercatat; pengaduan Anda ditelaah kembali."),
    Action.RECORD_INFO_REPLY.value: N_(
        "Jawaban Anda telah kami terima; batas waktu jawaban berjalan kembali."
    ),
    Action.WITHDRAW_QA_CONSENT.value: N_(
        "Persetujuan Anda dicabut; tanya jawab pengaduan ini tidak diterbitkan."
    ),
}
NO_STORE = {"Cache-Control": "no-store"}  # pages carrying a PIN are never cached


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Where to submit, where to track, where staff log in; the office's address and hours."""
    return page(request, "home.html", {"office": request.app.state.settings.office})


def _form(request: Request, state: FormState, key: str, status_code: int = 200) -> Response:
    t = translator(request)
    services = services_choices(auth.deps_of(request))
    context = {
        "fields": intake_fields(t, services, None, public=True),
        "state": state,
        "action_url": "/lapor",
        "public": True,
        "submission_key": key,
        "files": ui_files.file_inputs(request, t),
    }
    return page(
        request, "intake.html", context, status_code=status_code, title=t("Sampaikan pengaduan")
    )


@router.get("/lapor", response_class=HTMLResponse)
def public_form(request: Request) -> Response:
    """The public complaint form, with a fresh idempotency key.

    Each office website links here with ``?situs=dpmptsp`` or ``?situs=mpp``, which chooses
    the form's website (seed §6 item 2 j, k); without it the person chooses.
    """
    site = request.query_params.get("situs", "")
    values = {"website": site} if site in WEBSITES else {}
    return _form(request, FormState(values=values), receipts.new_key())


def _submission_key(form: Any) -> str:
    """The form's key, or a fresh one for a form from before keys (or a mangled one)."""
    key = str(form.get("submission_key", "")).strip()
    try:
        return receipts.check_key(key)
    except InputError:
        return receipts.new_key()


@router.post("/lapor", response_class=HTMLResponse)
async def public_submit(request: Request) -> Response:
    """Record a public complaint once per form, then redirect to its receipt (PRG)."""
    form = await request.form()
    try:
        return await _public_submit(request, form)
    finally:
        await form.close()  # its files, spooled to disk


async def _public_submit(request: Request, form: FormData) -> Response:
    lang = language_of(request)
    key = _submission_key(form)
    fields, values = parse_intake_form(form, public=True, channel=Channel.WEB_DPMPTSP.value)
    known = [f.name for f in intake_fields(translator(request), [], None, public=True)]
    known.append("complainant")  # a name with no way to reach its owner
    known.extend(ui_files.FILE_FIELDS)
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        command = validate_public_form(fields, values, lang, known)
        files = await ui_files.prepared_files(request, form)  # checked before the rate limit
        await check_intake_async(request)
        await run_in_threadpool(receipts.submit_once, auth.deps_of(request), command, key, files)
    except FormProblems as exc:
        return _form(request, exc.state, key, 422)
    except InputError as exc:
        if exc.field == "submission_key":  # the same form sent again with other content
            state = error_state(exc, lang, values, known)
            return _form(request, state, receipts.new_key(), http_status(exc))
        return _form(request, error_state(exc, lang, values, known), key, http_status(exc))
    except AduanError as exc:
        return _form(request, error_state(exc, lang, values, known), key, http_status(exc))
    response = see_other(RECEIPT_PATH)
    response.set_cookie(
        RECEIPT_COOKIE,
        key,
        max_age=RECEIPT_SECONDS,
        path=RECEIPT_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get(RECEIPT_PATH, response_class=HTMLResponse)
def receipt(request: Request) -> Response:
    """The receipt of this browser's last submission: code, PIN, and what happens next.

    Reached only with the submission's key (the cookie set by the redirect); reloading it
    files nothing. Without the key (another browser, or after an hour) it points to tracking.
    """
    key = request.cookies.get(RECEIPT_COOKIE, "")
    detail = None
    if key:
        try:
            detail = receipts.receipt(auth.deps_of(request), receipts.check_key(key))
        except InputError:
            detail = None
    if detail is None:
        return page(request, "submitted.html", {"detail": None}, status_code=404)
    words = receipts.receipt_text(
        detail.kind, detail.screening_reason, detail.response_due_at, language_of(request)
    )
    context = {"detail": detail, "words": words, "pin": detail.pin}
    response = page(request, "submitted.html", context)
    response.headers.update(NO_STORE)
    return response


@router.get("/lacak", response_class=HTMLResponse)
def track(request: Request, code: str = "", done: str = "") -> Response:
    """Find a case by tracking code: status, deadlines, the answer sent, what may be done."""
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
    notice = translator(request)(DONE[done]) if done in DONE else None
    return page(request, "track.html", _tracking_context(request, code, view, notice=notice))


def _tracking_context(
    request: Request, code: str, view: TrackingView | None, **extra: Any
) -> dict[str, Any]:
    """What the tracking page needs besides the view: which forms are open now."""
    now = auth.deps_of(request).clock.now()
    undo_open = bool(view and view.undo_until and now <= view.undo_until)
    reopen_open = bool(view and view.reopen_until and now <= view.reopen_until)
    return {
        "code": code,
        "view": view,
        "error": None,
        "undo_open": undo_open,
        "reopen_open": reopen_open,
        "undo_hours": auth.deps_of(request).policy.withdraw_undo_hours,
        **extra,
    }


@router.post("/lacak/{code}", response_class=HTMLResponse)
async def complainant_act(request: Request, code: str) -> Response:
    """The complainant acts on their case with the PIN of the receipt.

    They withdraw it (reason, then confirmation), undo that, dispute the answer, reply to a
    request for information (issue 14 item 5), or withdraw their consent to a public Q&A
    (issue 14 item 7). Every success redirects to the tracking page
    (PRG): a reload repeats nothing.
    """
    form = await request.form()
    name = str(form.get("action", ""))
    reason = str(form.get("reason", "")).strip()
    reply = str(form.get("reply", "")).strip()
    pin = str(form.get("pin", ""))[:32]
    confirmed = form.get("confirm") == "yes"
    deps = auth.deps_of(request)
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        if name not in COMPLAINANT_ACTIONS:
            raise InputError("action", "one_of", N_("pilih withdraw, undo_withdraw atau reopen"))
        await run_in_threadpool(check_pin_attempt, request, code)  # a write: off the loop
        action = Action(name)
        payload = {"reason": reason} if reason else {}
        if action is Action.RECORD_INFO_REPLY:
            payload = {"reply": reply}
        if action is Action.WITHDRAW and not confirmed:
            view = confirm_complainant(deps, code, action, payload, pin)
            confirm = {"action": name, "reason": reason, "pin": pin}
            context = _tracking_context(request, code, view, confirm=confirm)
            response = page(request, "track.html", context)
            response.headers.update(NO_STORE)
            return response
        view = service.act_as_complainant(deps, code, action, payload, pin)
    except AduanError as exc:
        message = message_of(exc, language_of(request))
        try:
            shown = service.track_case(deps, code)
        except AduanError:
            shown = None
        context = _tracking_context(
            request,
            code,
            shown,
            act_error=message,
            act_field=_field_of(exc),
            typed=reason,
            typed_reply=reply,
            acted=name,
        )
        return page(request, "track.html", context, status_code=http_status(exc))
    query = urlencode({"code": view.tracking_code, "done": name})
    return see_other(f"/lacak?{query}")


def _field_of(exc: AduanError) -> str | None:
    return exc.field if isinstance(exc, InputError) else None
