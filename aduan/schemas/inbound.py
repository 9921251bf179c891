"""Read models of inbound email (issue 14 item 5): a message listed for the complaint staff."""

from __future__ import annotations

from datetime import datetime

from aduan.ports import InboundRecord
from aduan.schemas.views import View


class InboundView(View):
    """One email from the office's mailbox that was not applied to a case.

    ``tracking_code`` is the case it seemed to answer, when the viewer may see that case;
    ``reason`` says why it was not applied (``no_case``, ``sender_mismatch``, ``auth_failed``,
    ``malformed:…``, ``error:…``); ``handled_*`` who followed it up by hand, when, and how.
    """

    id: int
    received_at: datetime
    sent_at: datetime | None
    sender: str
    subject: str
    text: str
    reason: str | None
    tracking_code: str | None
    handled_at: datetime | None = None
    handled_by: str | None = None  # the officer's name (their username when not known)
    handled_note: str | None = None

    @classmethod
    def of(
        cls, record: InboundRecord, tracking_code: str | None, handled_by: str | None = None
    ) -> InboundView:
        """The view of a stored row; ``handled_by`` the name of who handled it."""
        assert record.id is not None
        return cls(
            id=record.id,
            received_at=record.received_at,
            sent_at=record.sent_at,
            sender=record.sender,
            subject=record.subject,
            text=record.text,
            reason=record.reason,
            tracking_code=tracking_code,
            handled_at=record.handled_at,
            handled_by=handled_by or record.handled_by,
            handled_note=record.handled_note,
        )


class InboundList(View):
    """One view of the unmatched emails: still to handle, or handled.

    ``total``: how many there are in that view in all, so a page showing fewer says so.
    """

    messages: list[InboundView]
    total: int
    handled: bool


class Handling(View):
    """What marking an email handled did.

    ``marked``: by this call; else it was handled before, and ``mail`` says by whom, when and
    with what note (left as it was).
    """

    marked: bool
    mail: InboundView
