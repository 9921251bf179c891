"""Email over SMTP: STARTTLS or TLS and a login, one reused connection, text and HTML parts.

The ``Message-ID`` and ``X-Aduan-Idempotency-Key`` headers carry the outbox row's idempotency
key, so a mail system can recognise the rare duplicate an interrupted dispatcher sends again.
"""

from __future__ import annotations

import base64
import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.utils import formatdate, parseaddr

from aduan.ports import DeliveryError, OutboxEntry, RenderedMessage


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

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
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


def mime_message(*, sender: str, recipient: str, key: str, message: RenderedMessage) -> bytes:
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
