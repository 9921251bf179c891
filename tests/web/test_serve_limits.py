"""``aduan serve``: the public limit is shared by its workers, forged addresses count for nothing.

Issue 12 item 5 and issue 17: the intake limit is kept in the database, so two workers (each
its own process) refuse the same caller at the same count; ``X-Forwarded-For`` is believed only
from a proxy in ``ADUAN_TRUSTED_PROXIES``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from aduan.adapters.sql.tables import auth_events
from tests.web.server import HTTP_TIMEOUT, aduan_serve
from tests.web.test_serve import cli

FORM: dict[str, Any] = {
    "complainant": {"name": "Siti Aminah", "email": "siti@contoh.id"},
    "subject": "Izin usaha belum terbit",
    "service_code": "15121",
    "service_received_on": "2026-02-23",
}


def post(url: str, forwarded_for: str | None = None) -> int:
    """One public submission on a new connection (so the kernel picks any worker)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = httpx.post(
        f"{url}/api/v1/public/complaints", json=FORM, headers=headers, timeout=HTTP_TIMEOUT
    )
    return response.status_code


def test_two_workers_share_the_limit_and_ignore_forged_addresses(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    log = tmp_path / "serve.log"
    env = {"ADUAN_INTAKE_PER_DEVICE": "3", "ADUAN_INTAKE_PER_ADDRESS": "100"}
    with aduan_serve(db_url, log, "--workers", "2", "--no-scheduler", **env) as (url, _):
        codes = [post(url) for _ in range(12)]
        forged = [post(url, f"198.51.100.{i}") for i in range(1, 5)]
        # The administrator lists this address for the kiosk: 8 an hour, whatever the device.
        listed = cli(
            db_url,
            "admin",
            "public-access",
            "set",
            "127.0.0.1",
            "--per-hour",
            "8",
            "--label",
            "Anjungan MPP",
            "--as",
            "admin",
        )
        kiosk = [post(url) for _ in range(6)]

    assert codes == [201] * 3 + [429] * 9  # in-process limits would let up to 6 through
    assert forged == [429] * 4  # a made-up X-Forwarded-For is not another caller
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "127.0.0.1/32: 8/jam/hour (Anjungan MPP)"
    assert kiosk == [201] * 5 + [429]  # 3 already counted at the address


def test_a_configured_proxy_is_believed(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    log = tmp_path / "serve.log"
    env = {"ADUAN_INTAKE_PER_DEVICE": "1", "ADUAN_TRUSTED_PROXIES": "127.0.0.1"}
    with aduan_serve(db_url, log, "--no-scheduler", **env) as (url, _):
        first = [post(url, "198.51.100.1"), post(url, "198.51.100.1")]
        second = post(url, "198.51.100.2")
        spoofed = post(url, "1.2.3.4, 198.51.100.1")  # only the proxy's own hop counts
        login = httpx.post(
            f"{url}/api/v1/session",
            json={"username": "budi", "password": "bukan-sandinya"},
            headers={"X-Forwarded-For": "198.51.100.3"},
            timeout=HTTP_TIMEOUT,
        )

    assert first == [201, 429]
    assert second == 201
    assert spoofed == 429
    assert login.status_code == 401
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        audited = conn.execute(
            sa.select(auth_events.c.event, auth_events.c.client_ip).where(
                auth_events.c.username == "budi"
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in audited] == [("login_failed", "198.51.100.3")]
