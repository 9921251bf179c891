"""The edges of error handling (issue 17): a crash keeps the security headers, a too-large
form gets a page in Indonesian, and what reaches the console log is escaped."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import pytest
from fastapi import FastAPI

from aduan.config import Settings
from aduan.service import Deps
from aduan.web import middleware
from aduan.web.app import create_app
from aduan.web.auth import SESSION_COOKIE
from tests.web.conftest import Web
from tests.web.test_security import BIG, SECURITY_HEADERS, assert_secured, case_count


def crashing_app(deps: Deps, url: str) -> FastAPI:
    app = create_app(deps, Settings(database_url=url), start_background=False)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    app.add_api_route("/halaman-rusak", boom)
    return app


def test_an_unhandled_exception_still_answers_with_the_security_headers(
    sqlite_web: Web,
) -> None:
    app = crashing_app(sqlite_web.deps, str(sqlite_web.deps.uow.engine.url))  # type: ignore[attr-defined]
    for path, accept in (("/boom", "application/json"), ("/halaman-rusak", "text/html")):
        status, headers, body = anyio.run(asgi_get, app, path, accept)
        assert status == 500
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, name
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert b"RuntimeError" not in body and b"a bug" not in body


async def asgi_get(app: FastAPI, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    """One GET straight through the ASGI app, as the server would call it (no socket)."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"accept", accept.encode())],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with contextlib.suppress(RuntimeError):  # Starlette answers, then raises for the server
        await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


def test_a_too_large_intake_form_gets_a_page_in_indonesian(sqlite_web: Web) -> None:
    before = case_count(sqlite_web)
    browser = sqlite_web.anon(headers={"Accept": "text/html"})

    response = browser.post("/lapor", data={"subject": "Izin", "description": "a" * BIG})

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in response.text
    assert "Kiriman terlalu besar" in response.text
    assert "lebih besar dari batas 2 MB" in response.text
    assert 'href="/lapor"' in response.text
    assert_secured(response)
    assert case_count(sqlite_web) == before


def test_the_too_large_page_is_a_page_of_the_site_in_the_readers_language(
    sqlite_web: Web,
) -> None:
    browser = sqlite_web.anon(headers={"Accept": "text/html"})

    english = browser.post("/lapor", params={"lang": "en"}, data={"description": "a" * BIG})

    assert english.status_code == 413
    assert '<html lang="en">' in english.text
    assert 'class="main-nav"' in english.text and 'href="/lacak"' in english.text
    assert 'hreflang="id"' in english.text and 'href="/lapor?lang=id"' in english.text
    assert "Submission too large" in english.text and "Back to the form" in english.text
    assert_secured(english)

    # A signed-in browser: no public menu (its own needs the account, not read there).
    staff = sqlite_web.anon(headers={"Accept": "text/html"}, cookies={SESSION_COOKIE: "x"})
    signed_in = staff.post("/cases/new", data={"description": "a" * BIG})
    assert signed_in.status_code == 413 and "Kiriman terlalu besar" in signed_in.text
    assert 'href="/login"' not in signed_in.text and 'hreflang="en"' in signed_in.text


class Recorder:
    """Stands in for the access logger: keeps each event's fields."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.events.append({"event": event, **fields})


def test_escape_sequences_in_a_url_reach_the_access_log_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(middleware, "log", recorder)

    async def not_found(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def call() -> None:
        scope = {"type": "http", "method": "GET", "path": "/lapor\x1b[2J\x1b[31mmerah\x00"}
        await middleware.RequestContext(not_found)(scope, None, _discard)  # type: ignore[arg-type]

    anyio.run(call)
    (logged,) = recorder.events
    assert logged["path"] == r"/lapor\x1b[2J\x1b[31mmerah\x00"
    assert not any(ch in logged["path"] for ch in "\x1b\x00")


async def _discard(message: Any) -> None:
    pass
