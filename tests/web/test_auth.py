"""Staff authentication over HTTP: login, throttling, bearer tokens, CSRF, logout, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.catalog.orgchart import StaffUser
from aduan.ports import FixedClock
from aduan.service import accounts, add_user
from aduan.workflow.errors import InputError
from aduan.workflow.states import Role
from tests.web.conftest import Web

PASSWORD = "kata-sandi-budi-2026"
PROBLEM = "application/problem+json"


def login(web: Web, username: str = "budi", password: str = PASSWORD) -> tuple[object, str]:
    client = web.anon()
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return client, response.json()["csrf_token"]


def test_login_sets_an_httponly_lax_cookie_and_tells_who_is_in(sqlite_web: Web) -> None:
    accounts.set_password(sqlite_web.deps, "budi", PASSWORD)
    client = sqlite_web.anon()

    response = client.post("/api/v1/session", json={"username": "Budi ", "password": PASSWORD})

    assert response.status_code == 201
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("aduan_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = client.get("/api/v1/me").json()
    assert me["username"] == "budi" and me["role"] == "officer"
    assert me["unit"] == "dpmptsp" and me["position"] == "pelaksana-pengaduan"
    assert me["csrf_token"] == response.json()["csrf_token"]


def test_wrong_password_and_unknown_user_get_the_same_401(sqlite_web: Web) -> None:
    accounts.set_password(sqlite_web.deps, "budi", PASSWORD)
    client = sqlite_web.anon()

    wrong = client.post("/api/v1/session", json={"username": "budi", "password": "salah-salah"})
    nobody = client.post("/api/v1/session", json={"username": "siapa", "password": "salah-salah"})

    for response in (wrong, nobody):
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"] == (
            "nama pengguna atau kata sandi salah / wrong username or password"
        )
    assert "aduan_session" not in client.cookies


def test_five_failures_in_15_minutes_lock_that_user_and_address(sqlite_web: Web) -> None:
    deps = sqlite_web.deps
    accounts.set_password(deps, "budi", PASSWORD)
    client = sqlite_web.anon()
    for _ in range(5):
        bad = client.post("/api/v1/session", json={"username": "budi", "password": "tebak-tebak"})
        assert bad.status_code == 401

    locked = client.post("/api/v1/session", json={"username": "budi", "password": PASSWORD})

    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 15 * 60
    assert locked.json()["code"] == "throttled"
    # Another user from the same address is not locked out.
    accounts.set_password(deps, "sari", PASSWORD)
    other = client.post("/api/v1/session", json={"username": "sari", "password": PASSWORD})
    assert other.status_code == 201
    # After the window the right password works again.
    assert isinstance(deps.clock, FixedClock)
    deps.clock.current += timedelta(minutes=16)
    again = client.post("/api/v1/session", json={"username": "budi", "password": PASSWORD})
    assert again.status_code == 201
    # The five failures are one entry, counted (issue 17: the audit does not grow per guess).
    events = [(e.event, e.count) for e in accounts.audit_trail(deps, "budi")]
    assert events == [
        ("password_set", 1),
        ("login_failed", 5),
        ("login_throttled", 1),
        ("login", 1),
    ]


def test_a_bearer_token_works_until_revoked(sqlite_web: Web) -> None:
    client = sqlite_web.staff("dewi")
    assert client.get("/api/v1/me").json()["role"] == "head"

    accounts.revoke_tokens(sqlite_web.deps, "dewi")

    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_requests_without_credentials_are_401(sqlite_web: Web) -> None:
    client = sqlite_web.anon()
    for path in ("/api/v1/cases", "/api/v1/catalog", "/api/v1/users", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"
    garbage = client.get("/api/v1/cases", headers={"Authorization": "Bearer adu_nope"})
    assert garbage.status_code == 401


def test_cookie_writes_need_the_csrf_header(sqlite_web: Web) -> None:
    accounts.set_password(sqlite_web.deps, "budi", PASSWORD)
    client, csrf = login(sqlite_web)
    complaint = {
        "channel": "phone",
        "subject": "Izin usaha belum terbit",
        "description": "Sudah tiga minggu",
        "service_received_on": "2026-02-20",
        "complainant": {"name": "Siti", "phone": "081234567890"},
    }

    missing = client.post("/api/v1/cases", json=complaint)  # type: ignore[attr-defined]
    forged = client.post(  # type: ignore[attr-defined]
        "/api/v1/cases", json=complaint, headers={"X-CSRF-Token": "x" * 43}
    )
    good = client.post(  # type: ignore[attr-defined]
        "/api/v1/cases", json=complaint, headers={"X-CSRF-Token": csrf}
    )

    assert missing.status_code == forged.status_code == 403
    assert missing.json()["rule"] == "csrf"
    assert good.status_code == 201
    assert client.get("/api/v1/cases").json()["items"][0]["id"] == good.json()["id"]  # type: ignore[attr-defined]


def test_logout_ends_the_session_on_the_server(sqlite_web: Web) -> None:
    accounts.set_password(sqlite_web.deps, "budi", PASSWORD)
    client, csrf = login(sqlite_web)
    token = client.cookies["aduan_session"]  # type: ignore[attr-defined]

    response = client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})  # type: ignore[attr-defined]

    assert response.status_code == 204
    replay = sqlite_web.anon(cookies={"aduan_session": token})
    assert replay.get("/api/v1/me").status_code == 401
    assert accounts.audit_trail(sqlite_web.deps, "budi")[-1].event == "logout"


def test_a_new_password_ends_open_sessions(sqlite_web: Web) -> None:
    accounts.set_password(sqlite_web.deps, "budi", PASSWORD)
    client, _ = login(sqlite_web)

    accounts.set_password(sqlite_web.deps, "budi", "kata-sandi-baru-2026")

    assert client.get("/api/v1/me").status_code == 401  # type: ignore[attr-defined]


def test_inactive_users_cannot_log_in_or_use_tokens(sqlite_web: Web) -> None:
    deps = sqlite_web.deps
    accounts.set_password(deps, "budi", PASSWORD)
    client = sqlite_web.staff("budi")
    add_user(
        deps,
        StaffUser(
            username="budi",
            full_name="Budi Santoso",
            role=Role.OFFICER,
            position="pelaksana-pengaduan",
            active=False,
        ),
    )

    assert client.get("/api/v1/me").status_code == 401
    response = sqlite_web.anon().post(
        "/api/v1/session", json={"username": "budi", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_short_passwords_are_refused_naming_the_rule(sqlite_web: Web) -> None:
    with pytest.raises(InputError) as caught:
        accounts.set_password(sqlite_web.deps, "budi", "pendek")
    assert (caught.value.field, caught.value.rule) == ("password", "length")
