"""Errors as ``application/problem+json`` (RFC 9457): the status, the field and the rule.

``AduanError`` subclasses map to HTTP statuses through ``errors.http_status``; request
validation becomes 422 naming the field; unknown routes and wrong methods keep 404/405.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aduan.web import georeport
from aduan.web.middleware import security_headers
from aduan.workflow.errors import (
    AduanError,
    AuthenticationError,
    DatabaseUnavailableError,
    InputError,
    RuleViolationError,
    ThrottledError,
    http_status,
)

log = structlog.get_logger()
PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    """One invalid field of a request."""

    field: str
    rule: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem detail, with Aduan's extension members."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str
    field: str | None = None
    rule: str | None = None
    message_id: str | None = None
    message_en: str | None = None
    errors: list[FieldProblem] = []
    retry_after: int | None = None


def _doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: {}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc("Permintaan rusak / malformed request body"),
    401: _doc("Perlu masuk / not logged in"),
    403: _doc("Tidak berwenang / forbidden by the role matrix"),
    404: _doc("Tidak ditemukan / not found"),
    409: _doc("Konflik atau aturan prosedur / stale version or procedure rule"),
    422: _doc("Masukan tidak valid / invalid input, naming the field and the rule"),
    429: _doc("Terlalu banyak percobaan / too many attempts"),
}


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response (Open311 clients get GeoReport's error list, XML or JSON)."""
    if request.url.path.startswith("/open311/"):
        return georeport.errors(request.url.path, status, detail, headers)
    body = {
        "type": f"urn:aduan:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _status(exc: AduanError) -> int:
    return 503 if isinstance(exc, DatabaseUnavailableError) else http_status(exc)


def aduan_problem(request: Request, exc: AduanError) -> Response:
    """Map a domain error to its problem, naming the field and rule when it has them."""
    headers: dict[str, str] = {}
    if isinstance(exc, ThrottledError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="aduan"'
    rule = getattr(exc, "rule", None)
    field = exc.field if isinstance(exc, InputError) else None
    errors = [{"field": field, "rule": rule, "message": exc.message_en}] if field else None
    return problem_response(
        request,
        _status(exc),
        exc.code,
        str(exc),
        headers,
        field=field,
        rule=rule if isinstance(exc, InputError | RuleViolationError) or rule else None,
        message_id=exc.message_id,
        message_en=exc.message_en,
        errors=errors,
        retry_after=getattr(exc, "retry_after", None),
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_problem(request: Request, errors: list[Any]) -> Response:
    """422 for a request that fails validation: every field, the first one in ``detail``."""
    items = [
        {
            "field": _field(e.get("loc", ())),
            "rule": str(e.get("type", "invalid")),
            "message": str(e.get("msg", "invalid")).removeprefix("Value error, "),
        }
        for e in errors
    ] or [{"field": "body", "rule": "invalid", "message": "invalid request"}]
    first = items[0]
    return problem_response(
        request,
        422,
        "invalid_input",
        f"{first['field']}: {first['message']}",
        field=first["field"],
        rule=first["rule"],
        errors=items,
    )


def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
    """404, 405 and other HTTP errors as problems (405 keeps its ``Allow`` header)."""
    status = exc.status_code
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    detail = {
        404: "alamat tidak ditemukan / no such address",
        405: "metode tidak diizinkan / method not allowed",
    }.get(status, str(exc.detail))
    return problem_response(request, status, code, detail, dict(exc.headers or {}))


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def on_aduan(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AduanError)
        return aduan_problem(request, exc)

    async def on_request_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return validation_problem(request, list(exc.errors()))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ValidationError)
        return validation_problem(request, list(exc.errors()))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return http_problem(request, exc)

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.error("request_failed", error=type(exc).__name__, exc_info=exc)
        # Starlette answers a crash from its outermost layer, outside the middleware that adds
        # the security headers: they are added here (issue 17).
        headers = {k.decode(): v.decode() for k, v in security_headers(request.url.path)}
        return problem_response(
            request, 500, "internal_error", "kesalahan internal / internal error", headers
        )

    app.add_exception_handler(Exception, on_crash)
    app.add_exception_handler(AduanError, on_aduan)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(ValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
