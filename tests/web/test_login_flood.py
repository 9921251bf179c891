"""Logins never hold up other requests (issue 17): the password check waits on its own thread.

The check is made slow on purpose (3 s instead of ~0.2 s of argon2) so the test does not
depend on the machine's speed: while four logins are being checked, by the API and by the login
form, an officer's reads and writes are answered as if nothing were happening. Before, the form
checked on the event loop (every request waited) and the API on one of the two request threads.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from aduan.service import accounts
from tests.web.conftest import Web
from tests.web.test_rate_limits import FORM
from tests.web.ui_support import csrf_of

SLOW_CHECK_S = 3.0


def test_slow_password_checks_do_not_hold_up_other_requests(
    sqlite_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = accounts.password_matches

    def slow(attempt: accounts.LoginAttempt, password: str) -> bool:
        time.sleep(SLOW_CHECK_S)
        return real(attempt, password)

    monkeypatch.setattr(accounts, "password_matches", slow)
    officer = sqlite_web.staff("budi")
    assert officer.get("/api/v1/cases").status_code == 200  # warm
    statuses: list[int] = []

    def api_login(i: int) -> None:
        with httpx.Client(base_url=sqlite_web.url, timeout=60) as client:
            body = {"username": f"tebakan{i}", "password": "salah-salah"}
            statuses.append(client.post("/api/v1/session", json=body).status_code)

    def form_login(i: int) -> None:
        with httpx.Client(base_url=sqlite_web.url, timeout=60) as client:
            token = csrf_of(client.get("/login").text)
            form = {"username": f"isian{i}", "password": "salah-salah", "csrf_token": token}
            statuses.append(client.post("/login", data=form).status_code)

    logins = [threading.Thread(target=api_login, args=(i,)) for i in range(2)]
    logins += [threading.Thread(target=form_login, args=(i,)) for i in range(2)]
    for t in logins:
        t.start()
    time.sleep(0.5)  # the checks are under way
    timings = []
    for _ in range(3):
        started = time.monotonic()
        read = officer.get("/api/v1/cases")
        write = officer.post("/api/v1/public/complaints", json=FORM)
        timings.append(time.monotonic() - started)
        assert (read.status_code, write.status_code) == (200, 201)
    busy = any(t.is_alive() for t in logins)
    for t in logins:
        t.join(timeout=60)

    assert busy  # the reads and writes were answered while logins were still being checked
    assert max(timings) < SLOW_CHECK_S / 2, timings
    assert sorted(statuses) == [401, 401, 401, 401]
