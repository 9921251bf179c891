"""An email as read from the mailbox, parsed into an ``InboundEmail`` (issue 14 item 5).

Mail from the public is whatever a mail program, a phone or a spammer made of it: a missing or
broken header, an unknown charset, a body that is not valid MIME. Nothing here raises: what
cannot be read becomes an ``InboundEmail`` with a ``problem``, which the use case files for
staff, and the rest of the batch goes on. A message without a ``Message-ID`` is known by the
SHA-256 of its bytes, so it too is handled once.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from email import errors, message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from aduan.ports import InboundEmail, MailFile

MAX_ID = 255  # the longest Message-ID kept as it is; a longer one is kept as its SHA-256
MAX_FILES = 10  # attachments read from one message at most
_ID = re.compile(r"<([^<>\s]+)>")
_FAILED = re.compile(r"\b(dmarc|dkim|spf)=fail\b", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
# Hidden parts, and the quoted earlier message (mail programs quote it in a blockquote).
_HIDDEN = re.compile(r"<(script|style|head|blockquote)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Defects the standard library reports on mail that reads fine.
_HARMLESS = (errors.MissingHeaderBodySeparatorDefect,)


def raw_id(raw: bytes) -> str:
    """The key of a message that names no usable id: the SHA-256 of its bytes."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(uid: str, raw: bytes) -> InboundEmail:
    """Read one message; never raises (what cannot be read is a ``problem``)."""
    try:
        mail = message_from_bytes(raw, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        return _parsed(uid, raw, mail)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile message is its problem
        return InboundEmail(uid=uid, message_id=raw_id(raw), problem=type(exc).__name__)


def _parsed(uid: str, raw: bytes, mail: EmailMessage) -> InboundEmail:
    defects = [d for d in mail.defects if not isinstance(d, _HARMLESS)]
    sender = parseaddr(_header(mail, "From"))[1].strip().lower()
    problem = None
    if not sender or "@" not in sender:
        problem = "no_sender"
    elif defects and not _body_part(mail):
        problem = type(defects[0]).__name__
    text, files = _content(mail)
    return InboundEmail(
        uid=uid,
        message_id=message_key(_header(mail, "Message-ID"), raw),
        sender=sender,
        subject=" ".join(_header(mail, "Subject").split())[:300],
        sent_at=_date(_header(mail, "Date")),
        references=tuple(
            _ID.findall(_header(mail, "In-Reply-To") + " " + _header(mail, "References"))
        ),
        recipients=tuple(
            a.lower()
            for _, a in getaddresses(
                [_header(mail, n) for n in ("To", "Cc", "Delivered-To", "X-Original-To")]
            )
            if a
        ),
        text=text,
        files=files,
        auth_failed=any(_FAILED.search(str(v)) for v in mail.get_all("Authentication-Results", [])),
        automatic=automatic(mail),
        problem=problem,
    )


def automatic(mail: Message) -> bool:
    """Whether a mail program sent it by itself (RFC 3834 ``Auto-Submitted``, and the like).

    Out-of-office replies and mailing lists also use ``Precedence`` and ``X-Autoreply``.
    """
    submitted = _header(mail, "Auto-Submitted").strip().lower()
    precedence = _header(mail, "Precedence").strip().lower()
    return (
        (bool(submitted) and submitted != "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or any(_header(mail, h) for h in ("X-Autoreply", "X-Autorespond"))
    )


def message_key(header: str, raw: bytes) -> str:
    """The Message-ID without brackets; the SHA-256 of the message when absent or too long."""
    found = _ID.search(header) or re.search(r"(\S+@\S+)", header)
    value = found.group(1) if found else ""
    return value if value and len(value) <= MAX_ID and value.isascii() else raw_id(raw)


def _header(mail: Message, name: str) -> str:
    try:
        value = mail.get(name)
    except Exception:  # noqa: BLE001 - a header the parser chokes on counts as absent
        return ""
    return str(value) if value is not None else ""


def _date(value: str) -> datetime | None:
    try:
        at = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return at if at is not None and at.tzinfo is not None else None


def _body_part(mail: EmailMessage) -> Message | None:
    try:
        return mail.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001
        return None


def _content(mail: EmailMessage) -> tuple[str, tuple[MailFile, ...]]:
    """The plain text (else the HTML made plain) and the attached files."""
    body = _body_part(mail)
    text = ""
    if body is not None:
        text = _decoded(body)
        if body.get_content_type() == "text/html":
            text = plain_of_html(text)
    files: list[MailFile] = []
    for part in mail.walk() if mail.is_multipart() else ():
        if part is body or part.is_multipart() or part.get_content_disposition() != "attachment":
            continue
        content = part.get_payload(decode=True)
        if isinstance(content, bytes) and len(files) < MAX_FILES:
            files.append(MailFile(part.get_filename(), content))
    return text.replace("\r\n", "\n"), tuple(files)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def plain_of_html(text: str) -> str:
    """An HTML body as text: line breaks kept, tags dropped, entities decoded."""
    text = _HIDDEN.sub("", text)
    text = _BREAKS.sub("\n", text)
    lines = (" ".join(line.split()) for line in html.unescape(_TAGS.sub("", text)).split("\n"))
    return "\n".join(lines).strip()
