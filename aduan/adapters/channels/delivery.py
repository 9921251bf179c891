"""Delivery channels: adapters behind one interface (adding a channel touches one module).

- ``email``: SMTP with STARTTLS or TLS and a login, one reused connection, a plain-text part
  and an HTML part;
- ``sms`` and ``whatsapp``: a webhook POSTing JSON to the gateway, signed with HMAC-SHA256;
- ``letter``: a print-ready HTML letter written to a folder for the office to print and post;
- ``in_app``: the staff inbox; the row itself is the message, so delivery only marks it.

Each message carries its idempotency key (``Message-ID``/``X-Aduan-Idempotency-Key`` for email,
``Idempotency-Key`` for webhooks, the file name for letters) so that a receiver can recognise
the rare duplicate an interrupted dispatcher sends again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Protocol

import httpx

from aduan.notifications.templates import Rendered
from aduan.ports import OutboxEntry

SIGNATURE_HEADER = "X-Aduan-Signature"
TIMESTAMP_HEADER = "X-Aduan-Timestamp"
KEY_HEADER = "Idempotency-Key"


class DeliveryError(Exception):
    """A delivery failed; ``permanent`` ones are dead-lettered without further attempts."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    """Delivers rendered messages of one channel."""

    name: str

    def send(self, entry: OutboxEntry, message: Rendered) -> None:
        """Deliver, or raise ``DeliveryError``."""

    def close(self) -> None:
        """Release connections (called when the dispatcher stops)."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where email goes (``ADUAN_SMTP_*``)."""

    host: str = "localhost"
    port: int = 25
    security: str = "none"  # "none" | "starttls" | "tls"
    username: str | None = None
    password: str | None = None
    sender: str = "Aduan DPMPTSP <aduan@localhost>"
    timeout: float = 10.0
    ca_file: str | None = None  # trust this CA (an office's own) besides the system's


def idempotency_message_id(key: str) -> str:
    """A ``Message-ID`` made from the idempotency key: the same message, the same id."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@aduan>"


class EmailChannel:
    """SMTP over one connection, kept open between messages and reopened when it drops."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, entry: OutboxEntry, message: Rendered) -> None:
        data = mime_message(
            sender=self.settings.sender,
            recipient=entry.message.recipient,
            key=entry.message.idempotency_key,
            message=message,
        )
        sender = parseaddr(self.settings.sender)[1] or self.settings.sender
        for attempt in (1, 2):  # a kept connection the server closed is retried once, fresh
            try:
                self._connection().sendmail(sender, [entry.message.recipient], data)
                return
            except smtplib.SMTPRecipientsRefused:
                # The address stays out of the error: errors are shown and logged.
                raise DeliveryError("SMTP: recipient refused", permanent=True) from None
            except smtplib.SMTPResponseException as exc:
                self.close()
                permanent = 500 <= exc.smtp_code < 600
                if permanent or attempt == 2:
                    raise DeliveryError(
                        f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=permanent
                    ) from None
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}") from None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        smtp: smtplib.SMTP
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except OSError as exc:
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}") from None
        try:
            if s.security == "starttls":
                smtp.starttls(context=self._tls())
            if s.username:
                smtp.login(s.username, s.password or "")
        except (smtplib.SMTPException, OSError) as exc:
            # The server or our settings (TLS, login), not this message: try again later,
            # when an administrator may have fixed the configuration.
            smtp.close()
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}") from None
        self._smtp = smtp
        return smtp

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file:
            context.load_verify_locations(cafile=self.settings.ca_file)
        return context

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def mime_message(*, sender: str, recipient: str, key: str, message: Rendered) -> bytes:
    """The email on the wire: multipart/alternative, a plain-text and an HTML part, UTF-8.

    Written out directly: building it with the ``email`` package cost more than the SMTP
    exchange itself (2 ms a message, mostly header parsing and folding).
    """
    boundary = "aduan-" + hashlib.sha256(key.encode()).hexdigest()[:24]
    subject = Header(message.subject, "utf-8", maxlinelen=76).encode(linesep="\r\n ")
    head = (
        f"From: {sender}\r\n"
        f"To: {recipient}\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: {idempotency_message_id(key)}\r\n"
        f"X-Aduan-Idempotency-Key: {key}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
    )
    parts = [head.encode("ascii")]
    for subtype, body in (("plain", message.text), ("html", message.html)):
        encoded = base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n")
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii")
            + encoded
        )
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature: HMAC-SHA256 over ``timestamp.body``, hex, prefixed ``sha256=``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(slots=True)
class WebhookChannel:
    """POSTs JSON to an SMS or WhatsApp gateway, signed, with a timeout."""

    name: str
    url: str
    secret: str
    timeout: float = 10.0
    _client: httpx.Client | None = field(default=None, repr=False)

    def send(self, entry: OutboxEntry, message: Rendered) -> None:
        body = json.dumps(
            {
                "to": entry.message.recipient,
                "channel": self.name,
                "text": message.short if self.name == "sms" else message.text,
                "idempotency_key": entry.message.idempotency_key,
                "event": entry.message.event,
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: entry.message.idempotency_key,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self.secret, stamp, body),
        }
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{self.name} gateway: {type(exc).__name__}: {exc}") from None
        if response.status_code >= 300:
            # 4xx other than 408/429 will not get better by trying again.
            permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
            raise DeliveryError(
                f"{self.name} gateway answered {response.status_code}", permanent=permanent
            )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class LetterChannel:
    """Writes a print-ready letter (HTML) per message into a folder; the office prints it."""

    name = "letter"

    def __init__(self, folder: Path, office: str) -> None:
        self.folder = folder
        self.office = office

    def send(self, entry: OutboxEntry, message: Rendered) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", entry.message.idempotency_key)
        target = self.folder / f"{safe}.html"
        page = message.html.replace(
            "<body>\n",
            f"<body>\n<header><strong>{self.office}</strong></header>\n"
            f"<p>Kepada Yth. {html.escape(entry.message.recipient)}</p>\n",
            1,
        )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(page, encoding="utf-8")
            tmp.replace(target)  # the same key overwrites: a duplicate is one letter
        except OSError as exc:
            raise DeliveryError(f"letter folder: {exc}") from None

    def close(self) -> None:
        return None


class InAppChannel:
    """The staff inbox: the outbox row is the message; nothing leaves the database."""

    name = "in_app"

    def send(self, entry: OutboxEntry, message: Rendered) -> None:
        return None

    def close(self) -> None:
        return None
