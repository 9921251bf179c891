"""The processes of the soak (bench/soak.py): ``aduan serve``, a mail server, a CLI writer."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from aduan.workflow.intake import wib_date
from tests import pgserver
from tests.integration.servers import Mailbox, free_port

LOCKED = "database is locked"
ENV = {
    "ADUAN_LOG_FORMAT": "json",
    "ADUAN_NOTIFY_INTERVAL_SECONDS": "2",
    "ADUAN_NOTIFY_LEASE_SECONDS": "15",
    "ADUAN_INTAKE_PER_ADDRESS": "1000000",
    "ADUAN_INTAKE_PER_DEVICE": "1000000",
}


class TimedMailbox(Mailbox):
    """The test SMTP server's mailbox, also noting when each message arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.arrived.append(time.monotonic())
        return answer


@contextlib.contextmanager
def mail_server() -> Iterator[tuple[int, TimedMailbox]]:
    """A real SMTP server on loopback for every instance's email."""
    from aiosmtpd.controller import Controller

    mailbox, port = TimedMailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


class Server:
    """One ``aduan serve`` process on a fixed port, which may be killed and started again."""

    def __init__(self, db_url: str, log: Path, env: dict[str, str], *options: str) -> None:
        self.port, self.log, self.options = free_port(), log, options
        self.env = {**os.environ, **ENV, **env, "ADUAN_DATABASE_URL": db_url}
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process and wait until it answers /healthz."""
        self.spawn()
        self.wait()

    def spawn(self) -> None:
        """Start the process."""
        argv = [sys.executable, "-m", "aduan.cli", "serve", "--port", str(self.port)]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [*argv, *self.options], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait(self) -> None:
        """Wait until /healthz answers (90 s at most)."""
        assert self.proc is not None
        deadline = time.monotonic() + 90
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown, whatever it was doing is cut off."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it has not stopped within 30 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database: a PostgreSQL scratch database (dropped after) or a SQLite file."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'soak.db'}"
        return
    with pgserver.server() as server, pgserver.scratch_database(server, "aduan_soak_") as url:
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)


class CliWriter(threading.Thread):
    """``aduan submit`` in a loop (SQLite): a second writer process beside the server."""

    def __init__(self, url: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = url, stop
        self.ok, self.locked = 0, 0
        self.failed: list[str] = []

    def run(self) -> None:
        env = {**os.environ, "ADUAN_DATABASE_URL": self.url, "ADUAN_USER": "budi"}
        day = (wib_date(datetime.now(UTC)) - timedelta(days=3)).isoformat()
        n = 0
        while n == 0 or not self.stop.is_set():  # at least once, however short the run
            n += 1
            argv = [sys.executable, "-m", "aduan.cli", "submit", "--channel", "phone"]
            argv += ["--subject", f"Izin lewat telepon {n}", "--service-date", day]
            argv += ["--name", f"Penelepon {n}", "--email", f"telepon{n}@contoh.id"]
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            output = done.stdout + done.stderr
            self.locked += output.count(LOCKED)
            if done.returncode == 0:
                self.ok += 1
            else:
                self.failed.append(output[-300:])
