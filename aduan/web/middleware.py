"""Request ids and structured access logs, as plain ASGI middleware (cheap per request)."""

from __future__ import annotations

import itertools
import re
import secrets
import time
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aduan.web.auth import CSRF_COOKIE

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
    CSRF cookie when a page handed out a new token (``auth.csrf_token``).
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
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                log.info(
                    "http_request",
                    method=scope["method"],
                    path=redact_path(scope["path"]),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                    client=scope["client"][0] if scope.get("client") else None,
                )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None
