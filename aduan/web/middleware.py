"""Request ids, access logs, security headers and a body limit, as plain ASGI middleware."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import secrets
import time
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aduan.web import georeport
from aduan.web.auth import CSRF_COOKIE, DEVICE_COOKIE, DEVICE_MAX_AGE
from aduan.web.i18n import Translator, language_of
from aduan.web.ui.render import bare_page
from aduan.workflow.states import N_

log = structlog.get_logger("aduan.access")
# Request ids: a random prefix per process and a counter (uuid4 read os.urandom per request).
_PREFIX = secrets.token_hex(6)
_COUNTER = itertools.count(1)


def _new_id() -> str:
    return f"{_PREFIX}{next(_COUNTER):08x}"


_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Path segments that carry a tracking code (or a survey token) after these: a code is a key
# to a complaint's status and must never reach a log (issue 16 item 5). Case ids stay.
_SECRET_AFTER = frozenset({"track", "lacak", "requests", "cases", "survei"})
_TRACKING_CODE = re.compile(r"ADN-?[0-9A-Z]{5}-?[0-9A-Z]{5}", re.IGNORECASE)
REDACTED = "{code}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with its control characters written out as hex escapes.

    A URL's escape sequences must not reach a terminal that shows the log: they can recolour,
    hide or rewrite its lines (issue 17).
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def redact_path(path: str) -> str:
    """``path`` with every tracking code (and survey token) in it replaced by ``{code}``."""
    parts = path.split("/")
    for i in range(1, len(parts)):
        segment = parts[i]
        stem, dot, suffix = segment.partition(".")
        if parts[i - 1] in _SECRET_AFTER and stem and not stem.isdigit():
            parts[i] = REDACTED + dot + suffix
    return _TRACKING_CODE.sub(REDACTED, "/".join(parts))


class RequestContext:
    """Give each request an id (``X-Request-ID`` in and out) and log it when done.

    The access log holds method, path, status, duration and the request id, never query
    strings or bodies (they may carry a complainant's details), and the path with its
    tracking codes redacted (``redact_path``). It also sets the anonymous
    CSRF cookie and the device cookie when a page handed out new ones (``auth.csrf_token``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _GOOD_ID.match(incoming) else _new_id()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers.append("X-Request-ID", request_id)
                csrf = state.get("csrf_cookie")
                if csrf:
                    headers.append(
                        "set-cookie", f"{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Lax"
                    )
                device = state.get("device")
                if device:
                    headers.append(
                        "set-cookie",
                        f"{DEVICE_COOKIE}={device}; Max-Age={DEVICE_MAX_AGE}; Path=/; "
                        "HttpOnly; SameSite=Lax",
                    )
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                log.info(
                    "http_request",
                    method=scope["method"],
                    path=printable(redact_path(scope["path"])),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                    client=scope["client"][0] if scope.get("client") else None,
                )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


# Security headers on every response (issue 17 item 5). The UI needs no JavaScript: scripts
# only from this origin. Styles allow 'unsafe-inline' because the report pages (written
# report, recap, survey form and thanks) carry <style> blocks and style= attributes; the
# charts are inline SVG and images may be data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's Swagger UI (/docs) loads its script and styles from a CDN and starts with an
# inline script: it gets this relaxed policy of its own (and nothing else does).
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect"})
_COMMON_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
)
_API_PREFIXES = ("/api/", "/open311/")


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of a response to ``path`` (every response carries them)."""
    policy = DOCS_CONTENT_SECURITY_POLICY if path in DOCS_PATHS else CONTENT_SECURITY_POLICY
    return ((b"content-security-policy", policy.encode()), *_COMMON_HEADERS)


TOO_LARGE_TITLE = N_("Kiriman terlalu besar")
TOO_LARGE_TEXT = N_(
    "Isian atau lampiran yang Anda kirim lebih besar dari batas %(limit)s sehingga tidak "
    "diterima dan tidak ada yang tersimpan. Persingkat isian atau perkecil lampiran, lalu "
    "kirim lagi."
)
TOO_LARGE_BACK = N_("Kembali ke formulir")


class _TooLargeError(Exception):
    """The request body went over the limit while the app was reading it."""


class Guard:
    """Security headers on every response and a limit on request bodies (issue 17).

    A body over ``max_body_bytes`` is refused with 413 (problem+json on API paths) before the
    app sees it when ``Content-Length`` says so, else as soon as the streamed chunks add up
    to more: the rest is never read and the app's own response is dropped.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, upload_body_bytes: int = 0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # A multipart body (a form with files, issue 14 item 1) may carry the attachments'
        # limit: the files are spooled to disk by the form parser, never held in memory.
        self.upload_body_bytes = max(upload_body_bytes, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        security = security_headers(path)

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = message.get("headers", ())
                # A response with its own policy (a file download's) keeps it, stricter.
                given = {name.lower() for name, _ in own}
                extra = [(k, v) for k, v in security if k not in given]
                message["headers"] = [*own, *extra]
            await send(message)

        limit = self.max_body_bytes
        if (_header(scope, b"content-type") or "").startswith("multipart/form-data"):
            limit = self.upload_body_bytes
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(scope, send_secured, limit)
            return
        await self._limited(scope, receive, send_secured, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app counting the streamed body; answer 413 once it goes over the limit."""
        received = 0
        too_large = False
        started = False

        async def receive_limited() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLargeError
            return message

        async def send_unless_refused(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app answered the broken read; the 413 goes out instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLargeError):
            await self.app(scope, receive_limited, send_unless_refused)
        if too_large and not started:
            await self._refuse(scope, send, limit)

    def _page(self, scope: Scope, limit_bytes: int) -> bytes:
        """The 413 page for a browser: the site's layout in the reader's language, a way back.

        Drawn here, without the app: the public navigation (or none for a signed-in browser),
        the language from ``?lang=`` or the cookie, as every page of the site.
        """
        request = Request(scope)
        t = Translator(language_of(request))
        limit = f"{limit_bytes / 1_048_576:.0f} MB".replace(".", ",")
        context = {
            "text": t(TOO_LARGE_TEXT, limit=limit),
            "back": request.url.path,
            "back_label": t(TOO_LARGE_BACK),
        }
        title = t(TOO_LARGE_TITLE)
        return bare_page(request, "too_large.html", context, title=title).encode()

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        path: str = scope["path"]
        detail = f"Isi permintaan melebihi {limit} bita / request body too large"
        if path.startswith("/open311/"):
            answer = georeport.errors(path, 413, detail)
            body, media = bytes(answer.body), answer.headers["content-type"].encode()
        elif path.startswith(_API_PREFIXES):
            payload = {
                "type": "urn:aduan:problem:body_too_large",
                "title": "Content Too Large",
                "status": 413,
                "detail": detail,
                "instance": path,
                "code": "body_too_large",
            }
            body = json.dumps(payload).encode()
            media = b"application/problem+json"
        else:  # a page (the public form /lapor, a staff form): a page that says so
            body = self._page(scope, limit)
            media = b"text/html; charset=utf-8"
        headers = [
            (b"content-type", media),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
