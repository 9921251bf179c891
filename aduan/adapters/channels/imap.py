r"""The office's incoming mailbox over IMAP (issue 14 item 5): unseen messages, marked done once.

Messages are read with ``BODY.PEEK[]``, which leaves them unseen: one is marked ``\\Seen`` (and
moved to ``done_folder`` when configured) only after the use case has recorded it, so a poller
that dies midway leaves nothing half-handled; the database's one row per Message-ID keeps a
message read twice (by a restarted poller, or by two instances) from being applied twice.
A message over ``max_bytes`` is not downloaded: its headers alone are read, and it is filed
for staff as too large.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
from dataclasses import dataclass, replace

import structlog

from aduan.adapters.channels import mailparse
from aduan.adapters.channels.smtp import tls_context
from aduan.ports import InboundEmail, MailboxError

log = structlog.get_logger()
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """Where the office's mail is read (``ADUAN_IMAP_*``)."""

    host: str
    port: int = 993
    username: str = ""
    password: str = ""
    folder: str = "INBOX"
    ssl: bool = True  # TLS from the start (port 993); else plain, or STARTTLS
    starttls: bool = False
    ca_file: str | None = None
    done_folder: str | None = None  # handled messages are moved here (created if missing)
    timeout: float = 30.0
    max_bytes: int = 25 * 1024 * 1024  # a larger message is not downloaded


class ImapMailbox:
    """One IMAP connection, opened on first use and closed by ``close``."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._imap: imaplib.IMAP4 | None = None

    def unseen(self, limit: int) -> list[InboundEmail]:
        imap = self._connection()
        try:
            status, data = imap.uid("SEARCH", "UNSEEN")
            if status != "OK":
                raise MailboxError(f"IMAP SEARCH: {status}")
            uids = (data[0] or b"").split()[:limit]
            return [self._read(imap, uid.decode()) for uid in uids]
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise MailboxError(f"IMAP {type(exc).__name__}: {exc}") from None

    def _read(self, imap: imaplib.IMAP4, uid: str) -> InboundEmail:
        status, data = imap.uid("FETCH", uid, "(RFC822.SIZE)")
        size_match = _SIZE.search(_joined(data)) if status == "OK" else None
        size = int(size_match.group(1)) if size_match else 0
        part = "BODY.PEEK[HEADER]" if size > self.settings.max_bytes else "BODY.PEEK[]"
        status, data = imap.uid("FETCH", uid, f"({part})")
        raw = next((item[1] for item in data if isinstance(item, tuple)), b"") if data else b""
        if status != "OK" or not raw:
            return InboundEmail(uid=uid, message_id=mailparse.raw_id(uid.encode()), problem="gone")
        parsed = mailparse.parse(uid, raw)
        return replace(parsed, problem="too_large") if part != "BODY.PEEK[]" else parsed

    def done(self, uid: str) -> None:
        imap = self._connection()
        try:
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            folder = self.settings.done_folder
            if folder:
                self._move(imap, uid, _quoted(folder))
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise MailboxError(f"IMAP {type(exc).__name__}: {exc}") from None

    def _move(self, imap: imaplib.IMAP4, uid: str, folder: str) -> None:
        """Move one message: MOVE where offered, else COPY and expunge that message alone."""
        imap.create(folder)  # "already exists" is a NO, and harmless
        if "MOVE" in imap.capabilities:
            status, data = imap.uid("MOVE", uid, folder)
        else:
            status, data = imap.uid("COPY", uid, folder)
            if status == "OK":
                imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
                if "UIDPLUS" in imap.capabilities:  # never expunge what someone else deleted
                    imap.uid("EXPUNGE", uid)
        if status != "OK":  # a folder name the server refuses: the message stays, seen
            log.warning("inbound_mail_not_moved", reason=_text(data))

    def _connection(self) -> imaplib.IMAP4:
        if self._imap is not None:
            return self._imap
        s = self.settings
        try:
            imap: imaplib.IMAP4
            if s.ssl:
                imap = imaplib.IMAP4_SSL(
                    s.host, s.port, ssl_context=tls_context(s.ca_file), timeout=s.timeout
                )
            else:
                imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.starttls:
                    imap.starttls(ssl_context=tls_context(s.ca_file))
            imap.login(s.username, s.password)
            status, data = imap.capability()  # a server offers more once logged in (MOVE)
            if status == "OK" and data and isinstance(data[-1], bytes):
                imap.capabilities = tuple(data[-1].decode().upper().split())
            status, _ = imap.select(_quoted(s.folder))
            if status != "OK":
                imap.logout()
                raise MailboxError(f"IMAP: no folder {s.folder!r}")
        except (TimeoutError, imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP {type(exc).__name__}: {exc}") from None
        self._imap = imap
        return imap

    def close(self) -> None:
        if self._imap is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self._imap.logout()
            self._imap = None


def _joined(data: list[object]) -> bytes:
    out = b""
    for item in data or []:
        if isinstance(item, tuple):
            out += b" ".join(x for x in item if isinstance(x, bytes))
        elif isinstance(item, bytes):
            out += item
    return out


def _text(data: list[object]) -> str:
    return _joined(data).decode(errors="replace")[:200]


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
