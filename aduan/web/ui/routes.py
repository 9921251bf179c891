"""The staff and public web UI: server-rendered pages that work without JavaScript.

``router`` holds every page; ``create_app`` includes it. This module has the login and logout
pages; the case pages, the queues and the public pages live in ``ui_case``, ``ui_queues``
and ``ui_public``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aduan.web import auth
from aduan.web.i18n import Translator, language_of
from aduan.web.ui import (
    admin as ui_admin,
)
from aduan.web.ui import (
    answer_templates as ui_templates,
)
from aduan.web.ui import (
    attachments as ui_attachments,
)
from aduan.web.ui import (
    case as ui_case,
)
from aduan.web.ui import (
    identity as ui_identity,
)
from aduan.web.ui import (
    inbox as ui_inbox,
)
from aduan.web.ui import (
    mail as ui_mail,
)
from aduan.web.ui import (
    public as ui_public,
)
from aduan.web.ui import (
    queues as ui_queues,
)
from aduan.web.ui import (
    search as ui_search,
)
from aduan.web.ui.render import page, safe_next, see_other
from aduan.workflow.errors import AccessDeniedError, AduanError, http_status

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/queue") -> Response:
    """The login form (already logged in: straight on)."""
    if auth.current_staff(request) is not None:
        return see_other(safe_next(next))
    return page(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    """Check the password; on success set the session cookie and go on."""
    form = await request.form()
    username = str(form.get("username", "")).strip()
    target = safe_next(str(form.get("next", "/queue")))
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        session = await auth.login_async(
            auth.deps_of(request), username, str(form.get("password", "")), auth.client_ip(request)
        )
    except AduanError as exc:
        message = Translator(language_of(request)).error(exc)
        context = {"next": target, "error": message, "username": username}
        status = 403 if isinstance(exc, AccessDeniedError) else http_status(exc)
        return page(request, "login.html", context, status_code=status)
    response = see_other(target)
    auth.set_session_cookie(response, session, secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    """End the session (a POST with the CSRF token, so no link can log someone out)."""
    form = await request.form()
    token = request.cookies.get(auth.SESSION_COOKIE)
    response = see_other("/login")
    if token and auth.current_staff(request) is not None:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        auth.logout(auth.deps_of(request), token, auth.staff_cache(request))
    auth.clear_session_cookie(response)
    return response


router.include_router(ui_public.router)
router.include_router(ui_queues.router)
router.include_router(ui_case.router)
router.include_router(ui_attachments.router)
router.include_router(ui_inbox.router)
router.include_router(ui_mail.router)
router.include_router(ui_identity.router)
router.include_router(ui_admin.router)
router.include_router(ui_templates.router)
router.include_router(ui_search.router)
