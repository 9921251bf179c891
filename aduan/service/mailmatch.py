"""Which case an inbound email answers, and whether it comes from the complainant (issue 14).

The notice's reply token (``In-Reply-To``, ``References``, or the tagged ``Reply-To`` address
the message was sent to) names the outbox row, checked against the row's delivery key; a
reply whose headers were lost is found by the tracking code in its subject.
"""

from __future__ import annotations

from contextlib import suppress

from aduan.notifications import replies
from aduan.ports import InboundEmail, UnitOfWork
from aduan.workflow.case import Case
from aduan.workflow.errors import NotFoundError


def match_case(uow: UnitOfWork, mail: InboundEmail) -> tuple[Case | None, str | None]:
    """The case a message answers, and how it was found (``token``, ``subject``); or None."""
    for token in replies.tokens_in([*mail.references, *mail.recipients]):
        entry = uow.outbox.get(token.entry_id)
        if entry is None or entry.message.case_id is None:
            continue
        if replies.matches(token, entry.message.delivery_key):
            return uow.cases.get(str(entry.message.case_id)), "token"
    for code in replies.tracking_codes_in(mail.subject):
        try:
            return uow.cases.get(code), "subject"
        except NotFoundError:
            continue
    return None, None


def same_address(sender: str, on_record: str | None) -> bool:
    """Whether the sender is the address on record (case and IDN spelling aside)."""
    return bool(on_record) and _address(sender) == _address(on_record or "")


def _address(address: str) -> str:
    local, at, domain = address.strip().casefold().rpartition("@")
    with suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}{at}{domain}"
