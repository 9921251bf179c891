"""A new user's first ten minutes (issue 13 part 8): the port, the pages a browser meets first,
the office's contact details, and email they can actually see with ``--catch-mail``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx

from tests.web.server import HTTP_TIMEOUT, aduan_serve


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    database = tmp_path / "aduan.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "aduan.cli", "serve", "--port", str(port)],
            env={"ADUAN_DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"galat/error: port: 127.0.0.1:{port} sudah dipakai program lain / already in use "
        "(pilih yang lain / choose another: --port, make run PORT=...)"
    )
    assert "berjalan di / running at" not in run.stdout  # no banner announcing a dead address
    assert not database.exists()  # nothing migrated, nothing written


def test_browsers_get_pages_and_programs_get_problems(tmp_path: Path) -> None:
    html = {"Accept": "text/html,application/xhtml+xml"}
    env = {"ADUAN_OFFICE_HOURS": "Senin–Jumat 08.00–15.00 WIB"}
    with aduan_serve(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "serve.log", **env) as (url, _):
        missing_page = httpx.get(f"{url}/tidak-ada", headers=html, timeout=HTTP_TIMEOUT)
        missing_api = httpx.get(f"{url}/api/v1/tidak-ada", headers=html, timeout=HTTP_TIMEOUT)
        wrong_method = httpx.request("DELETE", f"{url}/lapor", headers=html)
        english = httpx.get(f"{url}/tidak-ada?lang=en", headers=html, timeout=HTTP_TIMEOUT)
        icon = httpx.get(f"{url}/favicon.ico", follow_redirects=True, timeout=HTTP_TIMEOUT)
        home = httpx.get(url, headers=html, timeout=HTTP_TIMEOUT)

    assert missing_page.status_code == 404
    assert missing_page.headers["content-type"].startswith("text/html")
    assert "Halaman tidak ditemukan" in missing_page.text
    assert "Content-Security-Policy" in missing_page.headers  # headers as on every page
    assert missing_api.status_code == 404
    assert missing_api.headers["content-type"] == "application/problem+json"
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("text/html")
    assert "GET" in wrong_method.headers["allow"]
    assert "Page not found" in english.text
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert "Jalan Veteran Nomor 139" in home.text  # the office's address (default letterhead)
    assert "(0264) 8224794 ext.103" in home.text
    assert "Senin–Jumat 08.00–15.00 WIB" in home.text  # hours from ADUAN_OFFICE_HOURS


def test_catch_mail_keeps_every_email_and_says_so(tmp_path: Path) -> None:
    mail = tmp_path / "demo-mail"
    complaint = {
        "subject": "Izin belum terbit",
        "description": "Sudah tiga minggu",
        "service_received_on": "2026-11-23",
        "complainant": {"name": "Siti", "email": "siti@contoh.id"},
    }
    env = {"ADUAN_NOTIFY_INTERVAL_SECONDS": "1"}
    log = tmp_path / "serve.log"
    with aduan_serve(f"sqlite:///{tmp_path / 'a.db'}", log, "--catch-mail", str(mail), **env) as (
        url,
        _,
    ):
        filed = httpx.post(f"{url}/api/v1/public/complaints", json=complaint, timeout=HTTP_TIMEOUT)
        deadline = time.monotonic() + 30
        while not list(mail.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)

    assert filed.status_code == 201, filed.text
    (saved,) = mail.glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(saved.read_bytes())
    assert message["To"] == "siti@contoh.id"
    assert filed.json()["tracking_code"] in message["Subject"]
    printed = log.read_text()
    assert f"surel/mail → siti@contoh.id: {message['Subject']}" in printed
    assert "WhatsApp belum diatur / not configured (ADUAN_WHATSAPP_WEBHOOK_URL)" in printed
    assert "surel/email belum diatur" not in printed  # email goes to the catcher
