"""PIN tries on a tracking code are bounded across instances, not per process (issue 16 item 5).

``aduan serve --workers 2`` or two instances behind a load balancer are two apps over one
database: the ten tries an hour per tracking code are counted in the database, so a guesser who
alternates between them gets ten, not ten each.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aduan.bootstrap import build
from aduan.config import Settings
from aduan.ports import FixedClock
from aduan.service import limits
from tests.conftest import engine_of
from tests.web.conftest import Web, serving
from tests.web.test_public import FORM
from tests.web.ui_support import csrf_of


@pytest.fixture
def other(web: Web, db_url: str, clock: FixedClock) -> Iterator[Web]:
    """A second instance: its own dependencies and app over the same database."""
    deps = build(Settings(database_url=db_url), clock=clock)
    try:
        with serving(deps, db_url) as running:
            yield running
    finally:
        engine_of(deps).dispose()


def test_two_instances_share_the_pin_tries_of_a_code(web: Web, other: Web) -> None:
    receipt = web.anon().post("/api/v1/public/complaints", json=FORM).json()
    code, pin = receipt["tracking_code"], receipt["pin"]
    wrong = "000000" if pin != "000000" else "111111"
    path = f"/api/v1/public/track/{code}/actions"
    first, second = web.anon(), other.anon()

    tried = [
        (first if n % 2 else second).post(path, json={"action": "withdraw", "pin": wrong})
        for n in range(limits.PIN_TRIES + 2)
    ]
    right = first.post(path, json={"action": "withdraw", "reason": "Sudah terbit", "pin": pin})
    page = second.get("/lacak", params={"code": code})
    on_page = second.post(
        f"/lacak/{code}",
        data={
            "csrf_token": csrf_of(page.text),
            "action": "withdraw",
            "reason": "Sudah terbit",
            "pin": pin,
            "confirm": "yes",
        },
    )

    statuses = [r.status_code for r in tried]
    # Per process, each instance would refuse only its own eleventh: all twelve would be 422.
    assert statuses == [422] * limits.PIN_TRIES + [429, 429]
    assert tried[-1].json()["code"] == "throttled"
    assert 3300 < int(tried[-1].headers["retry-after"]) <= 3600
    assert right.status_code == 429  # even the right PIN waits: the guesser cannot tell
    assert on_page.status_code == 429 and "terlalu banyak percobaan (PIN)" in on_page.text
    assert web.anon().get(f"/api/v1/public/track/{code}").json()["status"] == "recorded"


def test_the_tries_are_counted_per_code(web: Web, other: Web) -> None:
    codes = [
        web.anon().post("/api/v1/public/complaints", json=FORM).json()["tracking_code"]
        for _ in range(2)
    ]
    wrong = {"action": "withdraw", "pin": "x"}
    for n in range(limits.PIN_TRIES):
        (web if n % 2 else other).anon().post(
            f"/api/v1/public/track/{codes[0]}/actions", json=wrong
        )

    spent = other.anon().post(f"/api/v1/public/track/{codes[0]}/actions", json=wrong)
    fresh = other.anon().post(f"/api/v1/public/track/{codes[1]}/actions", json=wrong)

    assert spent.status_code == 429
    assert fresh.status_code == 422  # another case's tries are its own
