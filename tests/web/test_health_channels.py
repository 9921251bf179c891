"""``/healthz`` names a delivery channel whose messages are stuck, and stays 200 meanwhile.

A mail server down for an hour must not look like a healthy system (the attack run saw
``/healthz`` green through a whole outage), nor take the web server out of its load balancer.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aduan.ports import FixedClock
from tests.integration import builders as b
from tests.integration.servers import free_port, smtp_server
from tests.integration.test_delivery import dispatcher
from tests.web.conftest import Web


def test_a_stalled_mail_server_makes_health_degraded_until_the_mail_goes(
    web: Web, tmp_path: Path, clock: FixedClock
) -> None:
    b.submit(web.deps, channel="email")
    probe = web.anon()

    fresh = probe.get("/healthz").json()
    assert (fresh["ok"], fresh["status"], fresh["stalled"]) == (True, "ok", [])
    assert fresh["notifications"]["email"] == {
        "pending": 1,
        "oldest_pending_seconds": 0,
        "failures": 0,
        "stalled": False,
    }

    port = free_port()  # the mail server is down
    down = dispatcher(web.deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    for _ in range(3):  # the scheduler keeps trying while 20 minutes pass
        down.dispatch()
        clock.current += timedelta(minutes=7)

    answer = probe.get("/healthz")
    assert answer.status_code == 200  # still taking complaints: not out of the balancer
    stalled = answer.json()
    assert (stalled["ok"], stalled["status"], stalled["stalled"]) == (True, "degraded", ["email"])
    assert stalled["notifications"]["email"] == {
        "pending": 1,
        "oldest_pending_seconds": 21 * 60,
        "failures": 3,
        "stalled": True,
    }
    assert "127.0.0.1" not in answer.text and "siti" not in answer.text  # a public probe

    with smtp_server(port) as (_, mailbox):
        clock.current += timedelta(minutes=15)
        down.dispatch()
    assert len(mailbox.messages) == 1
    back = probe.get("/healthz").json()
    assert (back["status"], back["stalled"], back["notifications"]) == ("ok", [], {})
