"""``aduan notify`` as an administrator and an officer use it: real processes, real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli import Cli, act, as_json, classify_and_review, submit
from tests.integration.servers import webhook_gateway

__all__ = ["cli"]
from tests.e2e.test_cli import cli


def test_a_dead_letter_is_listed_retried_and_delivered_and_staff_read_their_inbox(
    cli: Cli, tmp_path: Path
) -> None:
    case = submit(cli)  # a WhatsApp complaint: the acknowledgement goes to the gateway
    classify_and_review(cli, case["tracking_code"])
    act(cli, case["tracking_code"], "route_internal", "budi")
    act(cli, case["tracking_code"], "escalate", "budi", "--report", "Mohon arahan Kasi")

    # No gateway configured yet: the WhatsApp message cannot go and is dead-lettered.
    assert json.loads(cli("notify", "dispatch", "--once", "--json").stdout) == {
        "sent": 2,
        "dead": 1,
    }
    (dead,) = as_json(cli("notify", "failed", "--json"))
    assert (dead["event"], dead["channel"]) == ("acknowledged", "whatsapp")
    assert dead["last_error"] == "channel 'whatsapp' is not configured"
    assert "acknowledged" in cli("notify", "failed").stdout

    with webhook_gateway() as (url, gateway):
        cli("notify", "retry", str(dead["id"]))
        env = {**os.environ, "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}"}
        env |= {"ADUAN_WHATSAPP_WEBHOOK_URL": url, "ADUAN_WEBHOOK_SECRET": gateway.secret}
        proc = subprocess.run(
            [sys.executable, "-m", "aduan.cli", "notify", "dispatch", "--once", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    assert json.loads(proc.stdout) == {"sent": 1}
    assert gateway.received[0]["json"]["to"] == "+6281234567890"
    assert as_json(cli("notify", "failed", "--json")) == []
    assert cli("notify", "retry", str(dead["id"]), code=6).stderr.startswith("galat/error")
    assert cli("notify", "retry", "999999", code=3).returncode == 3

    inbox = as_json(cli("notify", "inbox", "--as", "sari", "--json"))
    assert inbox["unread"] == 2
    assert {m["event"] for m in inbox["messages"]} == {"report_addressed", "assigned"}
    assert "Mohon arahan Kasi" in json.dumps(inbox)
    cli("notify", "read", "--as", "sari")
    assert as_json(cli("notify", "inbox", "--as", "sari", "--json"))["unread"] == 0
    assert json.loads(cli("notify", "status", "--json").stdout) == {
        "pending": 0,
        "sent": 3,
        "dead": 0,
    }
