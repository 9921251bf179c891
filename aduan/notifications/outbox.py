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
) -> None:
    """Queue ``notices``; ``source`` names what caused them (e.g. ``case:12:v3``).

    The idempotency key is (source, event, recipient, channel), with the complainant named by
    role rather than address, so keys hold no personal data: a notice already queued under
    its key is not queued again.
    """
    outbox.add_all(
        [
            OutboxMessage(
                f"{source}:{n.event}:{n.ref}:{n.channel}",
                n.event,
                n.recipient,
                n.channel,
                payload(language, n.context),
                now,
                case_id,
            )
            for n in notices
        ]
    )


# Context fields that open something once (the survey's one-time link holds its token): a
# delivered row forgets them, rather than keep a working token for the retention period.
ONE_TIME_FIELDS: dict[str, tuple[str, ...]] = {"survey_invitation": ("link",)}
FORGOTTEN = "(terkirim)"


def after_delivery(event: str, stored: dict[str, Any]) -> dict[str, Any] | None:
    """What a delivered row of ``event`` keeps, when it must forget a one-time field; else None."""
    fields = ONE_TIME_FIELDS.get(event)
    context = stored.get("context", stored)  # rows of the old shape kept the fields at the top
    if not fields or not isinstance(context, dict):
        return None
    kept = {k: (FORGOTTEN if k in fields else v) for k, v in context.items()}
    return {**stored, "context": kept} if "context" in stored else kept
