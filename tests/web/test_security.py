"""Hostile input at the HTTP edge (issue 17): security headers and the request body limit."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from aduan.config import DEFAULT_MAX_BODY_BYTES
from aduan.workflow.states import Role
from tests.web.conftest import Web
from tests.web.test_public import FORM

SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
}
BIG = 3 * 1024 * 1024


def assert_secured(response: httpx.Response) -> str:
    """Check the fixed security headers of ``response``; return its CSP."""
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.url)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    return policy


@pytest.mark.parametrize(
    ("path", "status"),
    [("/lapor", 200), ("/healthz", 200), ("/no/such/page", 404)],
)
def test_every_response_carries_the_security_headers(
    sqlite_web: Web, path: str, status: int
) -> None:
    response = sqlite_web.anon().get(path)

    assert response.status_code == status
    policy = assert_secured(response)
    assert "default-src 'self'" in policy and "script-src" not in policy
    assert "img-src 'self' data:" in policy


def test_staff_api_and_the_stylesheet_carry_them_too(sqlite_web: Web) -> None:
    assert_secured(sqlite_web.role(Role.OFFICER).get("/api/v1/cases"))
    assert_secured(sqlite_web.anon().get("/static/aduan.css"))


def test_swagger_ui_gets_its_own_policy_for_its_cdn(sqlite_web: Web) -> None:
    docs = sqlite_web.anon().get("/docs")

    policy = assert_secured(docs)
    assert docs.status_code == 200 and "https://cdn.jsdelivr.net" in docs.text
    assert "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net" in policy


def case_count(web: Web) -> int:
    page = web.role(Role.SUPERVISOR).get("/api/v1/cases", params={"limit": 100})
    assert page.status_code == 200, page.text
    return len(page.json()["items"])


def chunks(size: int) -> Iterator[bytes]:
    """A body streamed without Content-Length (chunked)."""
    yield b'{"subject": "'
    for _ in range(size // 65536):
        yield b"a" * 65536
    yield b'"}'


def test_a_3_mib_api_intake_gets_413_problem_json_and_writes_nothing(sqlite_web: Web) -> None:
    public = sqlite_web.anon()
    before = case_count(sqlite_web)

    response = public.post("/api/v1/public/complaints", json={**FORM, "description": "a" * BIG})

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"
    assert_secured(response)
    assert case_count(sqlite_web) == before


def test_a_streamed_body_without_length_is_counted_and_refused(sqlite_web: Web) -> None:
    before = case_count(sqlite_web)

    response = sqlite_web.anon().post(
        "/api/v1/public/complaints",
        content=chunks(BIG),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert case_count(sqlite_web) == before


def test_a_3_mib_intake_form_gets_413_and_writes_nothing(sqlite_web: Web) -> None:
    before = case_count(sqlite_web)

    response = sqlite_web.anon().post("/lapor", data={"subject": "Izin", "description": "a" * BIG})

    assert response.status_code == 413
    assert case_count(sqlite_web) == before


def test_a_body_under_the_limit_still_goes_through(sqlite_web: Web) -> None:
    assert BIG > DEFAULT_MAX_BODY_BYTES
    response = sqlite_web.anon().post("/api/v1/public/complaints", json=FORM)

    assert response.status_code == 201, response.text
