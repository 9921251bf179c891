"""``aduan notify read-mail``: an operator reads the office's mailbox once, against Dovecot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from tests.e2e.test_cli import Cli, act, as_json, classify_and_review, days_ago
from tests.integration.dovecot import dovecot_server

__all__ = ["cli"]
from tests.e2e.test_cli import cli


def test_an_operator_reads_the_mailbox_and_the_reply_resumes_the_clock(
    cli: Cli, tmp_path: Path
) -> None:
    assert "ADUAN_IMAP_HOST" in cli("notify", "read-mail", code=2).stderr  # off until set
    case = as_json(
        cli(
            "submit", "--channel", "email", "--subject", "Sertifikat belum terbit",
            "--description", "Sudah lewat 7 hari kerja", "--name", "Ani Suryani",
            "--email", "ani@contoh.id", "--service", "15121", "--service-date", days_ago(5),
            "--as", "budi", "--json",
        )
    )  # fmt: skip
    code = case["tracking_code"]
    classify_and_review(cli, code)
    act(cli, code, "request_info", "budi", "--question", "Mohon kirim nomor NIB Anda")
    reply = EmailMessage()
    reply["From"] = "Ani Suryani <ani@contoh.id>"
    reply["Subject"] = f"Re: Permintaan kelengkapan informasi pengaduan {code}"
    reply["Message-ID"] = "<cli-1@contoh.id>"
    reply.set_content("NIB saya 9120001234567")

    with dovecot_server() as imap:
        imap.deliver(reply.as_bytes())
        env = {
            **os.environ,
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}",
            "ADUAN_LOG_LEVEL": "warning",
            "ADUAN_IMAP_HOST": imap.host,
            "ADUAN_IMAP_PORT": str(imap.port),
            "ADUAN_IMAP_USER": imap.user,
            "ADUAN_IMAP_PASSWORD": imap.password,
            "ADUAN_IMAP_SSL": "0",
        }
        runs = [
            subprocess.run(
                [sys.executable, "-m", "aduan.cli", "notify", "read-mail", "--json"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            for _ in range(2)
        ]

    assert [json.loads(r.stdout) for r in runs] == [{"applied": 1}, {}]  # once, then nothing
    shown = as_json(cli("show", code, "--as", "budi", "--json"))
    last = shown["timeline"][-1]
    assert (last["action"], last["actor"]) == ("record_info_reply", "complainant")
    assert last["data"] == {"reply": "NIB saya 9120001234567", "via": "email"}
    assert shown["answer_clock"]["waiting_since"] is None
