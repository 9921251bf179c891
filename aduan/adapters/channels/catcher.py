"""A catch-all mail server for the demo (``aduan serve --catch-mail DIR``, used by ``make run``).

With no mail server configured every email to a complainant fails; a new user trying Aduan saw
"Hasil disampaikan" on the case page while every message was dead-lettered. The catcher is
aiosmtpd on 127.0.0.1: it accepts every message, saves it as ``DIR/NNNN.eml`` (open it with any
mail program) and announces it on the console. It is for trying Aduan, never for an office's
real mail.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class _Mailbox:
    """aiosmtpd handler: each message to a file, one line on the console."""

    def __init__(self, folder: Path, echo: Callable[[str], None]) -> None:
        self.folder = folder
        self.echo = echo
        self.lock = threading.Lock()
        start = max((int(p.stem) for p in folder.glob("*.eml") if p.stem.isdigit()), default=0)
        self.numbers = itertools.count(start + 1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.original_content or envelope.content)
        with self.lock:
            path = self.folder / f"{next(self.numbers):04d}.eml"
            path.write_bytes(content)
        message = BytesParser(policy=policy.default).parsebytes(content, headersonly=True)
        to = ", ".join(envelope.rcpt_tos)
        self.echo(f"surel/mail → {to}: {message.get('Subject', '')}  ({path})")
        return "250 OK"


class MailCatcher:
    """Start and stop the catch-all server; ``port`` is where Aduan should send."""

    def __init__(self, folder: Path, echo: Callable[[str], None], port: int | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = port or free_port()
        self.controller = Controller(
            _Mailbox(folder, echo), hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
