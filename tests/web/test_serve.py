"""``aduan serve`` as a real process: first login, /healthz, request ids, several instances.

Also the credential commands (``aduan users password|token``, ``aduan open311 key``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.integration.servers import smtp_server
from tests.web.server import HTTP_TIMEOUT, aduan_serve


@contextlib.contextmanager
def serving(db_url: str, log: Path, **env: str) -> Iterator[tuple[str, Path]]:
    with aduan_serve(db_url, log, **env) as (url, _):
        yield url, log


def cli(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADUAN_DATABASE_URL": db_url, "ADUAN_LOG_LEVEL": "warning"}
    return subprocess.run(
        [sys.executable, "-m", "aduan.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_migrates_prints_the_first_login_and_answers_health(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    with serving(db_url, tmp_path / "serve.log") as (url, log):
        health = httpx.get(
            f"{url}/healthz", headers={"X-Request-ID": "cek-123"}, timeout=HTTP_TIMEOUT
        )
        printed = log.read_text()
        password = next(
            line.split("kata sandi/password:")[1].strip()
            for line in printed.splitlines()
            if "kata sandi/password:" in line
        )
        login = httpx.post(
            f"{url}/api/v1/session",
            json={"username": "admin", "password": password},
            timeout=HTTP_TIMEOUT,
        )
        docs = httpx.get(f"{url}/docs", timeout=HTTP_TIMEOUT)

    report = health.json()
    assert (report["ok"], report["database"], report["scheduler"]) == (True, "ok", "running")
    assert health.headers["x-request-id"] == "cek-123"
    assert login.status_code == 201 and login.json()["role"] == "admin"
    assert docs.status_code == 200
    assert '"request_id": "cek-123"' in log.read_text()
    assert '"event": "http_request"' in log.read_text()


def test_serve_delivers_notifications_by_itself(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    complaint = {
        "subject": "Izin belum terbit",
        "description": "Sudah tiga minggu",
        "service_received_on": "2026-02-23",
        "complainant": {"name": "Siti", "email": "siti@contoh.id"},
    }
    with smtp_server() as (smtp_port, mailbox):
        env = {"ADUAN_SMTP_HOST": "127.0.0.1", "ADUAN_SMTP_PORT": str(smtp_port)}
        with serving(db_url, tmp_path / "serve.log", ADUAN_NOTIFY_INTERVAL_SECONDS="1", **env) as (
            url,
            _,
        ):
            filed = httpx.post(
                f"{url}/api/v1/public/complaints", json=complaint, timeout=HTTP_TIMEOUT
            )
            deadline = time.monotonic() + 30
            while not mailbox.messages and time.monotonic() < deadline:
                time.sleep(0.2)

    assert filed.status_code == 201, filed.text
    (mail,) = mailbox.messages
    assert mail["To"] == "siti@contoh.id"
    assert filed.json()["tracking_code"] in mail["Subject"]


def test_two_instances_share_one_postgresql(empty_pg_url: str, tmp_path: Path) -> None:
    pg_url = empty_pg_url
    with (
        serving(pg_url, tmp_path / "a.log") as (first, _),
        serving(pg_url, tmp_path / "b.log") as (second, _),
    ):
        token = cli(pg_url, "users", "token", "--as", "admin", "sari").stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        complaint = {
            "subject": "Izin belum terbit",
            "description": "Sudah tiga minggu",
            "service_received_on": "2026-02-23",
            "complainant": {"name": "Siti", "phone": "081234567890"},
        }
        filed = httpx.post(
            f"{first}/api/v1/public/complaints", json=complaint, timeout=HTTP_TIMEOUT
        )
        code = filed.json()["tracking_code"]
        seen = httpx.get(f"{second}/api/v1/cases/{code}", headers=headers, timeout=HTTP_TIMEOUT)
        healthy = [
            httpx.get(f"{u}/healthz", timeout=HTTP_TIMEOUT).json()["ok"] for u in (first, second)
        ]

    assert filed.status_code == 201
    # sari, the complaints manager, sees the complainant unmasked (issue 16 item 4)
    assert seen.status_code == 200 and seen.json()["complainant"]["name"] == "Siti"
    assert healthy == [True, True]


def test_credential_commands(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    assert cli(db_url, "db", "upgrade").returncode == 0

    short = cli(
        db_url, "users", "password", "--as", "admin", "budi", "--password-stdin", stdin="pendek\n"
    )
    unknown = cli(
        db_url, "users", "password", "--as", "admin", "siapa", "--password-stdin", stdin="x" * 12
    )
    good = cli(
        db_url,
        "users",
        "password",
        "--as",
        "admin",
        "budi",
        "--password-stdin",
        stdin="rahasia-2026\n",
    )
    token = cli(db_url, "users", "token", "--as", "admin", "budi")
    key = cli(db_url, "open311", "key", "Aplikasi Warga", "--as", "admin")

    assert short.returncode == 2 and "password" in short.stderr
    assert unknown.returncode == 3
    assert good.returncode == 0
    assert token.returncode == 0 and token.stdout.startswith("adu_")
    assert key.returncode == 0 and key.stdout.startswith("o311_")
