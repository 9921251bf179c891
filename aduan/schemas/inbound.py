"""Read models of inbound email (issue 14 item 5): a message listed for the complaint staff."""

from __future__ import annotations

from datetime import datetime

from aduan.ports import InboundRecord
from aduan.schemas.views import View


class InboundView(View):
    """One email from the office's mailbox that was not applied to a case.

    ``tracking_code`` is the case it seemed to answer, when the viewer may see that case;
    ``reason`` says why it was not applied (``no_case``, ``sender_mismatch``, ``auth_failed``,
    ``malformed:…``, ``error:…``).
    """

    id: int
    received_at: datetime
    sent_at: datetime | None
    sender: str
    subject: str
    text: str
    reason: str | None
    tracking_code: str | None

    @classmethod
    def of(cls, record: InboundRecord, tracking_code: str | None) -> InboundView:
        """The view of a stored row."""
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
        )
