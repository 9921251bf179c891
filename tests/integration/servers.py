"""Real peers for the delivery tests: an SMTP server (aiosmtpd) and a webhook gateway (HTTP).

Both run in the test process on free loopback ports and record what reached them. The gateway
checks the HMAC signature the way a real SMS/WhatsApp gateway would and answers 401 when it is
wrong; it can be told to fail or to be slow, and it recognises duplicates by idempotency key.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What the SMTP server accepted."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Login:
    """Accepts one username and password (AUTH PLAIN/LOGIN), and remembers who logged in."""

    username: str
    password: str
    logins: list[str] = field(default_factory=list)

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.username.encode(),
            self.password.encode(),
        )
        if ok:
            self.logins.append(self.username)
        return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    port: int | None = None,
    *,
    tls: tuple[Path, Path] | None = None,
    login: Login | None = None,
) -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server on 127.0.0.1; yields its port and mailbox.

    With ``tls`` (certificate, key) it offers STARTTLS and requires it; with ``login`` it
    requires AUTH with those credentials.
    """
    mailbox = Mailbox()
    port = port or free_port()
    options: dict[str, Any] = {}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        options.update(tls_context=context, require_starttls=True)
    if login:
        options.update(authenticator=login, auth_required=True, auth_require_tls=bool(tls))
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    """What the webhook gateway received, and how it should behave."""

    secret: str
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    fail_next: int = 0  # answer 503 to this many requests
    delay: float = 0.0  # seconds to wait before answering
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def keys(self) -> list[str]:
        with self.lock:
            return [r["headers"]["Idempotency-Key"] for r in self.received]

    def unique(self) -> dict[str, dict[str, Any]]:
        """The messages as a receiver that recognises duplicates keeps them: one per key."""
        with self.lock:
            return {r["headers"]["Idempotency-Key"]: r for r in self.received}


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if gateway.delay:
                time.sleep(gateway.delay)
            stamp = self.headers.get("X-Aduan-Timestamp", "")
            mac = hmac.new(gateway.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
            good = hmac.compare_digest(
                "sha256=" + mac.hexdigest(), self.headers.get("X-Aduan-Signature", "")
            )
            with gateway.lock:
                if not good:
                    gateway.rejected += 1
                    status = 401
                elif gateway.fail_next > 0:
                    gateway.fail_next -= 1
                    status = 503
                else:
                    gateway.received.append(
                        {"headers": dict(self.headers.items()), "json": json.loads(body)}
                    )
                    status = 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@contextmanager
def webhook_gateway(secret: str = "rahasia-gateway") -> Iterator[tuple[str, Gateway]]:
    """A real HTTP server that takes signed webhook POSTs; yields its URL and what it got."""
    gateway = Gateway(secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/send", gateway
    finally:
        server.shutdown()
        server.server_close()
