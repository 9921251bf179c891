"""Dispatchers as real processes (``aduan notify dispatch``): killed mid-batch, and two at once.

A dispatcher killed with SIGKILL after delivering part of a batch has recorded none of it; once
its lease runs out another dispatcher delivers those rows again, with the same idempotency keys,
so the gateway recognises the duplicates. Two dispatchers on PostgreSQL lease disjoint rows and
never send one twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aduan.ports import OutboxMessage
from aduan.service import Deps, inbox
from tests.integration.servers import Gateway, webhook_gateway

ADUAN = [sys.executable, "-m", "aduan.cli"]


def queue_sms(deps: Deps, n: int) -> set[str]:
    """``n`` SMS acknowledgements, due now by the wall clock (the processes use it)."""
    now = datetime.now(UTC)
    keys = set()
    with deps.uow() as uow:
        for i in range(n):
            key = f"test:{i}:acknowledged:complainant:sms"
            context = {
                "tracking_code": f"ADN-TEST{i:01d}-XXXXX",
                "subject": "Uji",
                "status_id": "Dicatat",
                "status_en": "Recorded",
                "response_due_at": now.isoformat(),
            }
            message = OutboxMessage(
                key,
                "acknowledged",
                f"+62812{i:07d}",
                "sms",
                {"lang": "id", "context": context},
                now,
            )
            assert uow.outbox.add(message)
            keys.add(key)
        uow.commit()
    return keys


def environment(db_url: str, url: str, gateway: Gateway, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ADUAN_DATABASE_URL=db_url,
        ADUAN_SMS_WEBHOOK_URL=url,
        ADUAN_WEBHOOK_SECRET=gateway.secret,
        ADUAN_LOG_LEVEL="warning",
        **extra,
    )
    return env


def wait_for(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_duplicates_carry_the_same_key(
    deps: Deps, db_url: str, tmp_path: Path
) -> None:
    keys = queue_sms(deps, 100)
    with webhook_gateway() as (url, gateway):
        gateway.delay = 0.02  # a batch of 50 takes a second: time to kill it in the middle
        env = environment(
            db_url, url, gateway, ADUAN_NOTIFY_LEASE_SECONDS="2", ADUAN_NOTIFY_BATCH_SIZE="50"
        )
        first = subprocess.Popen(
            [*ADUAN, "notify", "dispatch", "--interval", "0.2"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: len(gateway.received) >= 20, timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            assert first.stderr is not None
            first.stderr.close()
        recorded_before_kill = inbox.counts(deps.uow)["sent"]
        assert recorded_before_kill < 100

        time.sleep(2.5)  # the dead dispatcher's lease runs out
        second = subprocess.run(
            [*ADUAN, "notify", "dispatch", "--once", "--json"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    received = gateway.unique()  # one per delivery key: the idempotency key and the row's nonce
    assert {key.rpartition("/")[0] for key in received} == keys  # every message arrived
    assert len(received) == len(keys)  # a duplicate carries its row's delivery key again
    duplicates = len(gateway.received) - len(keys)
    assert duplicates >= 1  # the killed batch was delivered but not recorded ...
    assert duplicates <= 50  # ... and only that batch came twice
    assert json.loads(second.stdout)["sent"] == 100 - recorded_before_kill
    assert inbox.counts(deps.uow) == {"pending": 0, "sent": 100, "dead": 0}


@pytest.mark.postgres
def test_two_dispatchers_on_postgresql_never_send_a_row_twice(
    pg_deps: Deps, pg_migrated_url: str, tmp_path: Path
) -> None:
    keys = queue_sms(pg_deps, 300)
    with webhook_gateway() as (url, gateway):
        gateway.delay = 0.01
        env = environment(pg_migrated_url, url, gateway, ADUAN_NOTIFY_BATCH_SIZE="10")
        procs = [
            subprocess.Popen(
                [*ADUAN, "notify", "dispatch", "--once", "--json"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120) for p in procs]

    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    sent = [json.loads(out)["sent"] for out, _ in outputs]
    assert sum(sent) == 300
    assert min(sent) > 0  # both took part
    assert sorted(k.rpartition("/")[0] for k in gateway.keys) == sorted(keys)  # each row once
    assert inbox.counts(pg_deps.uow) == {"pending": 0, "sent": 300, "dead": 0}
