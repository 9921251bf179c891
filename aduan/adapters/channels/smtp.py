"""Email over SMTP: STARTTLS or TLS and a login, one reused connection, text and HTML parts.

The ``Message-ID`` and ``X-Aduan-Idempotency-Key`` headers carry the outbox row's delivery key
(its idempotency key and the row's nonce, ``OutboxMessage.delivery_key``), so a mail system can
recognise the rare duplicate an interrupted dispatcher sends again. The ``Message-ID`` is also
the notice's reply token (``aduan.notifications.replies``): a complainant's reply by email
names it, and the inbound mail poller finds the case by it. With ``reply_to`` set, replies go
to that mailbox, tagged with the token when ``reply_to_token`` (plus addressing).

Addresses come from the public: a non-ASCII domain is sent in its IDNA (``xn--``) form, a
non-ASCII local part only to a server that offers SMTPUTF8 (else the row fails, alone, with the
reason). Headers are encoded by the standard library (RFC 2047, or raw UTF-8 under SMTPUTF8).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import formatdate, parseaddr

from aduan.notifications import replies
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
    timeout: float = 10.0  # each connect, read and write
    ca_file: str | None = None  # trust this CA (an office's own) besides the system's
    reply_to: str | None = None  # the mailbox replies go to (the inbound poller reads it)
    reply_to_token: bool = False  # tag ``reply_to`` with the notice's token: local+token@

    @property
    def message_seconds(self) -> float:
        """The most one message may take, both tries included: three socket timeouts."""
        return 3 * self.timeout


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The TLS context of a mail server connection: the system's CAs, or ``ca_file``'s too."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class EmailChannel:
    """SMTP over one connection, kept open between messages and reopened when it drops."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        # A server that answers each line just inside the socket timeout could hold one message
        # for minutes; past ``message_seconds`` the connection is cut and the message fails
        # (retried later), well inside the dispatcher's lease.
        expired = threading.Event()
        timer = threading.Timer(self.settings.message_seconds, self._cut, (expired,))
        timer.daemon = True
        timer.start()
        try:
            self._send(entry, message, expired)
        finally:
            timer.cancel()

    def _cut(self, expired: threading.Event) -> None:
        expired.set()
        smtp = self._smtp
        sock = smtp.sock if smtp is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _send(self, entry: OutboxEntry, message: RenderedMessage, expired: threading.Event) -> None:
        recipient, international = wire_address(entry.message.recipient)
        sender = parseaddr(self.settings.sender)[1] or self.settings.sender
        for attempt in (1, 2):  # a kept connection the server closed is retried once, fresh
            if expired.is_set():
                raise DeliveryError(
                    f"SMTP: no complete answer within {self.settings.message_seconds:g} s",
                    unreachable=True,
                )
            try:
                self._transmit(sender, recipient, international, entry, message)
                return
            except smtplib.SMTPRecipientsRefused:
                # The address stays out of the error: errors are shown and logged.
                raise DeliveryError("SMTP: recipient refused", permanent=True) from None
            except smtplib.SMTPResponseException as exc:
                self.close()
                permanent = 500 <= exc.smtp_code < 600
                if permanent or attempt == 2:
                    raise DeliveryError(
                        f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                        permanent=permanent,
                        unreachable=exc.smtp_code == 421,  # "service not available"
                    ) from None
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self.close()
                if attempt == 2 and not expired.is_set():  # (cut: the message below says why)
                    raise DeliveryError(
                        f"SMTP {type(exc).__name__}: {exc}", unreachable=True
                    ) from None
            except (UnicodeError, ValueError, smtplib.SMTPException) as exc:
                # This message, not the server: the connection may be mid-transaction.
                self.close()
                raise DeliveryError(
                    f"SMTP: message not sendable ({type(exc).__name__})", permanent=True
                ) from None
        raise DeliveryError(
            f"SMTP: no complete answer within {self.settings.message_seconds:g} s",
            unreachable=True,
        )

    def _transmit(
        self,
        sender: str,
        recipient: str,
        international: bool,
        entry: OutboxEntry,
        message: RenderedMessage,
    ) -> None:
        smtp = self._connection()
        options: list[str] = []
        if international:
            smtp.ehlo_or_helo_if_needed()
            if not smtp.has_extn("smtputf8"):
                raise DeliveryError(
                    "SMTP: the address has non-ASCII characters before the @ and the "
                    "server does not offer SMTPUTF8",
                    permanent=True,
                )
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        data = mime_message(
            sender=self.settings.sender,
            recipient=recipient,
            key=entry.message.delivery_key,
            message=message,
            utf8=international,
            entry_id=entry.id,
            reply_to=self._reply_to(entry),
        )
        self._hand_over(smtp, sender, recipient, data, options)

    def _hand_over(
        self, smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes, options: list[str]
    ) -> None:
        """MAIL, RCPT, then DATA (what ``sendmail`` does, with the DATA phase kept apart).

        Until DATA a failure means the server has nothing: ``_send`` may try once more on a
        fresh connection. From DATA on the server may already hold the message when the
        connection fails or its final reply is slow, so this delivery never sends it again
        (a later retry does, with the same Message-ID), and the final reply gets the rest of
        ``message_seconds`` instead of one socket timeout: a busy server that takes its time
        to say 250 is the usual cause of a duplicate email (RFC 5321 4.5.3.2.6 allows it ten
        minutes).
        """
        smtp.ehlo_or_helo_if_needed()
        mail_options = list(options) if smtp.does_esmtp else []
        if smtp.does_esmtp and smtp.has_extn("size"):
            mail_options.append(f"size={len(data)}")
        code, reply = smtp.mail(sender, mail_options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = smtp.rcpt(recipient)
        if code >= 500:
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        if code not in (250, 251):  # 4xx: not now (greylisting, a full mailbox): retried later
            self.close()
            raise DeliveryError(
                f"SMTP {code}: the recipient was not accepted for now", unreachable=code == 421
            )
        sock = smtp.sock
        if sock is not None:
            sock.settimeout(self.settings.message_seconds)  # ``send``'s timer still cuts it
        try:
            code, reply = smtp.data(data)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise DeliveryError(
                f"SMTP: no answer to the message itself ({type(exc).__name__}); it may have "
                "arrived, a retry sends it again with the same Message-ID",
                unreachable=True,
            ) from None
        finally:
            if smtp.sock is not None:
                smtp.sock.settimeout(self.settings.timeout)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def _reply_to(self, entry: OutboxEntry) -> str | None:
        address = self.settings.reply_to
        if not address or not self.settings.reply_to_token:
            return address
        return replies.tagged_address(
            address, replies.reply_token(entry.id, entry.message.delivery_key)
        )

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        smtp: smtplib.SMTP
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=tls_context(s.ca_file)
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except OSError as exc:
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}", unreachable=True) from None
        try:
            if s.security == "starttls":
                smtp.starttls(context=tls_context(s.ca_file))
            if s.username:
                smtp.login(s.username, s.password or "")
        except (smtplib.SMTPException, OSError) as exc:
            # The server or our settings (TLS, login), not this message: try again later,
            # when an administrator may have fixed the configuration.
            smtp.close()
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}", unreachable=True) from None
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def wire_address(address: str) -> tuple[str, bool]:
    """The address as sent: its domain in IDNA form; and whether it still needs SMTPUTF8.

    Raises:
        DeliveryError: (permanent) the address has no ``@`` or its domain is not a valid IDN.
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        raise DeliveryError("SMTP: the address is not local@domain", permanent=True)
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise DeliveryError(
                "SMTP: the address's domain is not a valid internationalised name",
                permanent=True,
            ) from None
    return f"{local}@{domain}", not local.isascii()


def mime_message(
    *,
    sender: str,
    recipient: str,
    key: str,
    message: RenderedMessage,
    utf8: bool = False,
    entry_id: int = 0,
    reply_to: str | None = None,
) -> bytes:
    """The email on the wire: multipart/alternative, a plain-text and an HTML part, UTF-8.

    Built with ``email.message.EmailMessage``: headers are RFC 2047 encoded (``email.policy.SMTP``)
    or, for a recipient that needs it, raw UTF-8 (``email.policy.SMTPUTF8``). The
    ``Message-ID`` is the reply token of outbox row ``entry_id``.
    """
    policy = SMTPUTF8 if utf8 else SMTP
    mail = EmailMessage(policy=policy)
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    if reply_to:
        mail["Reply-To"] = reply_to
    mail["Message-ID"] = replies.message_id(entry_id, key)
    mail["X-Aduan-Idempotency-Key"] = key
    mail.set_content(message.text, charset="utf-8", cte="base64")
    mail.add_alternative(message.html, subtype="html", charset="utf-8", cte="base64")
    return mail.as_bytes(policy=policy)
