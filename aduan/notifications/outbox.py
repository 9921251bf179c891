"""Writing notices to the outbox, in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aduan.notifications.planner import Notice
from aduan.ports import OutboxMessage, OutboxRepository


def payload(language: str, context: dict[str, Any]) -> dict[str, Any]:
    """What a row keeps for rendering at delivery: the language and the template context."""
    return {"lang": language, "context": context}


def enqueue(
    outbox: OutboxRepository,
    source: str,
    notices: Iterable[Notice],
    language: str,
    now: datetime,
    case_id: int | None = None,
) -> int:
    """Queue ``notices``; ``source`` names what caused them (e.g. ``case:12:v3``).

    The idempotency key is (source, event, recipient, channel), with the complainant named by
    role rather than address, so keys hold no personal data. Returns how many rows were new.
    """
    added = 0
    for n in notices:
        key = f"{source}:{n.event}:{n.ref}:{n.channel}"
        message = OutboxMessage(
            key, n.event, n.recipient, n.channel, payload(language, n.context), now, case_id
        )
        added += outbox.add(message)
    return added
