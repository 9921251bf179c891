"""How a reply by email finds its case: the reply token of each emailed notice (issue 14 item 5).

Every email the office sends carries a token made from its outbox row: the row's id and the
first 32 hex digits of the SHA-256 of the row's delivery key (which holds a random nonce, so
the token cannot be guessed from the case or the row number). It is the ``Message-ID``
(``<id.digest@aduan>``), which a mail program repeats in the ``In-Reply-To`` and
``References`` of the reply, and, where the office's mail server delivers ``local+tag@``
addresses to ``local@``, the tag of the ``Reply-To`` address. The use case checks a token
against the stored row (``matches``); a reply whose headers were lost still names the
tracking code in its subject (``tracking_codes_in``).

The same row always gives the same ``Message-ID``: a message an interrupted dispatcher sends
again is recognised as the duplicate it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from aduan.workflow import intake

DOMAIN = "aduan"  # the right-hand side of our Message-IDs
_TOKEN = re.compile(r"(?<![0-9A-Za-z])(\d{1,18})\.([0-9a-f]{32})(?![0-9a-f])")
# ``ADN-XXXXX-XXXXX`` as people and mail programs write it (any case, dashes or spaces).
_CODE = re.compile(r"\bADN[-\s]?([A-Z0-9]{5})[-\s]?([A-Z0-9]{5})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReplyToken:
    """A token read from a reply: the outbox row it names and the digest to check."""

    entry_id: int
    digest: str


def digest_of(delivery_key: str) -> str:
    """The 32 hex digits of a delivery key's SHA-256 that a token carries."""
    return hashlib.sha256(delivery_key.encode()).hexdigest()[:32]


def reply_token(entry_id: int, delivery_key: str) -> str:
    """The token of the outbox row ``entry_id``: ``<id>.<digest>``."""
    return f"{entry_id}.{digest_of(delivery_key)}"


def message_id(entry_id: int, delivery_key: str) -> str:
    """The ``Message-ID`` of the email of outbox row ``entry_id``."""
    return f"<{reply_token(entry_id, delivery_key)}@{DOMAIN}>"


def tagged_address(address: str, token: str) -> str:
    """``local+token@domain``: the reply address of one notice (plus addressing)."""
    local, at, domain = address.rpartition("@")
    return f"{local}+{token}@{domain}" if at and local else address


def tokens_in(texts: tuple[str, ...] | list[str]) -> list[ReplyToken]:
    """Every token in these header values (message ids, addresses), first seen first."""
    found: list[ReplyToken] = []
    for text in texts:
        for match in _TOKEN.finditer(text or ""):
            token = ReplyToken(int(match.group(1)), match.group(2).lower())
            if token not in found:
                found.append(token)
    return found


def matches(token: ReplyToken, delivery_key: str) -> bool:
    """Whether ``token`` is the one the row with ``delivery_key`` was sent with."""
    return hmac.compare_digest(token.digest, digest_of(delivery_key))


def tracking_codes_in(subject: str) -> list[str]:
    """The tracking codes named in a subject line, normalised, first seen first."""
    codes: list[str] = []
    for match in _CODE.finditer(subject or ""):
        code = intake.normalise_tracking_code(match.group(1) + match.group(2))
        if code not in codes:
            codes.append(code)
    return codes
