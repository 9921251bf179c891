"""The staff inbox: the outbox row itself is the message, so delivery only marks it sent."""

from __future__ import annotations

from aduan.ports import OutboxEntry, RenderedMessage


class InAppChannel:
    """The staff inbox: the outbox row is the message; nothing leaves the database."""

    name = "in_app"

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        return None

    def close(self) -> None:
        return None
