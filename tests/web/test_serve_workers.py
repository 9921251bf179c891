"""``aduan serve --workers 2``: two processes on one port, and revocation reaching them in time."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from aduan.web.app import STAFF_CACHE_SECONDS
from tests.web.server import HTTP_TIMEOUT, aduan_serve
from tests.web.test_serve import cli


@contextlib.contextmanager
def serving(db_url: str, log: Path, *options: str) -> Iterator[str]:
    """``aduan serve`` with ``options``; it must stop cleanly (exit 0) when terminated."""
    with aduan_serve(db_url, log, *options) as (url, proc):
        yield url
        proc.terminate()
        assert proc.wait(timeout=30) == 0, log.read_text()


def test_two_workers_serve_and_a_revoked_token_stops_working_within_seconds(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    log = tmp_path / "serve.log"
    with serving(db_url, log, "--workers", "2") as url:
        deadline = time.monotonic() + 30
        while log.read_text().count('"scheduler_started"') < 2:  # one per worker
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        token = cli(db_url, "users", "token", "--as", "admin", "budi").stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        before = [
            httpx.get(f"{url}/api/v1/me", headers=headers, timeout=HTTP_TIMEOUT) for _ in range(6)
        ]

        assert cli(db_url, "users", "revoke-tokens", "--as", "admin", "budi").returncode == 0
        revoked_at = time.monotonic()
        while (
            httpx.get(f"{url}/api/v1/me", headers=headers, timeout=HTTP_TIMEOUT).status_code != 401
        ):
            assert time.monotonic() - revoked_at < STAFF_CACHE_SECONDS + 2, "still accepted"
            time.sleep(0.2)
        time.sleep(max(0.0, revoked_at + STAFF_CACHE_SECONDS + 0.5 - time.monotonic()))
        after = [
            httpx.get(f"{url}/api/v1/me", headers=headers, timeout=HTTP_TIMEOUT) for _ in range(6)
        ]

    assert [r.status_code for r in before] == [200] * 6
    assert before[0].json()["username"] == "budi"
    assert [r.status_code for r in after] == [401] * 6  # every worker, the cache aged
