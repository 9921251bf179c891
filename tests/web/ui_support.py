"""Helpers for the UI tests: the app on a real uvicorn server, logins, forms, CSRF tokens."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx

from aduan.config import Settings
from aduan.service import Deps, accounts
from aduan.web.app import create_app
from tests.web.server import live

PASSWORDS = {
    "budi": "rahasia-budi-2026",
    "sari": "rahasia-sari-2026",
    "agus": "rahasia-agus-2026",
    "dewi": "rahasia-dewi-2026",
    "tono": "rahasia-tono-2026",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def set_passwords(deps: Deps) -> None:
    """Give the sample org chart's users the passwords above."""
    for username, password in PASSWORDS.items():
        accounts.set_password(deps, username, password)


@contextlib.contextmanager
def serving(deps: Deps, settings: Settings | None = None) -> Iterator[str]:
    """Run the app (no scheduler) on a free loopback port; yield its base URL."""
    with live(create_app(deps, settings or Settings(), start_background=False)) as url:
        yield url


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def login(client: httpx.Client, username: str) -> httpx.Response:
    """Log in through the login form; return the page after the redirect."""
    token = csrf_of(client.get("/login").text)
    form = {"username": username, "password": PASSWORDS[username], "csrf_token": token}
    return client.post("/login", data=form, follow_redirects=True)


def post_form(
    client: httpx.Client, page_url: str, action_url: str, data: dict[str, Any]
) -> httpx.Response:
    """Open ``page_url``, then submit ``data`` to ``action_url`` with the page's CSRF token."""
    page = client.get(page_url)
    return client.post(action_url, data={"csrf_token": csrf_of(page.text), **data})


def version_of(html: str) -> str:
    """The case version a case page's forms were drawn from."""
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found, "no action form on the page"
    return found.group(1)
