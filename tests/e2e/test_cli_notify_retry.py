"""``aduan notify retry --all-failed``: after an outage, every dead letter back in one step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli import Cli, as_json, submit
from tests.integration.servers import webhook_gateway

__all__ = ["cli"]
from tests.e2e.test_cli import cli


def test_every_dead_letter_of_a_channel_is_queued_again_and_delivered(
    cli: Cli, tmp_path: Path
) -> None:
    first, second = submit(cli), submit(cli)  # WhatsApp acknowledgements, no gateway yet
    assert json.loads(cli("notify", "dispatch", "--once", "--json").stdout)["dead"] == 2
    dead = as_json(cli("notify", "failed", "--json"))
    assert {d["channel"] for d in dead} == {"whatsapp"}

    assert as_json(cli("notify", "retry", "--all-failed", "--channel", "sms", "--json")) == {
        "retried": 0
    }
    later = cli("notify", "retry", "--all-failed", "--since", "2999-01-01T00:00", "--json")
    assert as_json(later) == {"retried": 0}
    assert cli("notify", "retry", "--all-failed", "--channel", "whatsapp").stdout == (
        "dijadwalkan ulang/queued again: 2\n"
    )
    assert as_json(cli("notify", "failed", "--json")) == []

    with webhook_gateway() as (url, gateway):
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
    assert json.loads(proc.stdout) == {"sent": 2}
    codes = {r["json"]["text"].split("ADN-")[1][:11] for r in gateway.received}
    assert {first["tracking_code"][4:15], second["tracking_code"][4:15]} == codes


def test_bulk_retry_refuses_unclear_requests_naming_the_option(cli: Cli) -> None:
    wrong_channel = cli("notify", "retry", "--all-failed", "--channel", "fax", code=2)
    assert "channel" in wrong_channel.stderr and "email" in wrong_channel.stderr
    assert "since" in cli("notify", "retry", "--all-failed", "--since", "kemarin", code=2).stderr
    both = cli("notify", "retry", "5", "--all-failed", code=2)
    assert "--all-failed" in both.stderr
    neither = cli("notify", "retry", "--channel", "email", code=2)
    assert "--all-failed" in neither.stderr
