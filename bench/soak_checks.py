"""The invariants the soak (bench/soak.py) checks in the database and the mailbox afterwards.

Each check returns a count of violations (0 is right) with a few examples to look at:

- ``status_vs_trail``: a case whose status is not the ``to_status`` of its last audit event;
- ``trail_breaks``: an audit event whose ``from_status`` is not the previous event's
  ``to_status`` (a lost or doubled transition);
- ``duplicate_events``: two audit events of one case alike in action, actor, instant, statuses,
  note and data (one change written twice);
- ``duplicate_breaches``: more than one breach of one case's deadline (one alarm rung twice);
- ``due_unfired``: an alarm due by the last sweep and not fired;
- ``duplicate_deliveries``: an email delivered more than once per idempotency key;
- ``sent_not_received``: an outbox email marked sent that the mail server never got;
- ``undelivered``: an outbox email still pending or dead at the end.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, select

from aduan.adapters.sql.tables import alarms, case_events, cases, outbox
from aduan.ports import NONCE

KEY_HEADER = "X-Aduan-Idempotency-Key"


def _examples(items: Iterable[Any], n: int = 3) -> list[str]:
    return [str(x) for x in list(items)[:n]]


def trail_checks(engine: Engine) -> dict[str, Any]:
    """Status against trail, trail continuity and duplicate events."""
    with engine.connect() as conn:
        status = {row[0]: row[1] for row in conn.execute(select(cases.c.id, cases.c.status))}
        rows = conn.execute(
            select(
                case_events.c.case_id,
                case_events.c.action,
                case_events.c.actor,
                case_events.c.at,
                case_events.c.from_status,
                case_events.c.to_status,
                case_events.c.note,
                case_events.c.data,
            ).order_by(case_events.c.case_id, case_events.c.id)
        ).all()
    trails: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        trails[row.case_id].append(row)
    mismatch = [
        (cid, st, trails[cid][-1].to_status if trails[cid] else None)
        for cid, st in status.items()
        if not trails[cid] or trails[cid][-1].to_status != st
    ]
    breaks = [
        (cid, prev.to_status, ev.action, ev.from_status)
        for cid, trail in trails.items()
        for prev, ev in itertools.pairwise(trail)
        if ev.from_status != prev.to_status
    ]
    alike = Counter(
        (r.case_id, r.action, r.actor, r.at, r.from_status, r.to_status, r.note, _dump(r.data))
        for r in rows
    )
    duplicates = [key[:4] for key, n in alike.items() if n > 1]
    breaches = Counter(
        (r.case_id, _data(r.data).get("deadline"), _data(r.data).get("due_at"))
        for r in rows
        if r.action == "breach"
    )
    return {
        "cases": len(status),
        "events": len(rows),
        "status_vs_trail": len(mismatch),
        "status_vs_trail_examples": _examples(mismatch),
        "trail_breaks": len(breaks),
        "trail_breaks_examples": _examples(breaks),
        "duplicate_events": len(duplicates),
        "duplicate_events_examples": _examples(duplicates),
        "breaches": sum(breaches.values()),
        "duplicate_breaches": sum(1 for n in breaches.values() if n > 1),
    }


def _data(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value or {})


def _dump(value: Any) -> str:
    return json.dumps(_data(value), sort_keys=True, default=str)


def alarm_checks(engine: Engine, swept_at: datetime) -> dict[str, Any]:
    """Alarms fired, who fired them, and those due by ``swept_at`` still unfired."""
    with engine.connect() as conn:
        rows = conn.execute(select(alarms.c.id, alarms.c.fire_at, alarms.c.fired_by)).all()
    unfired = [r.id for r in rows if r.fired_by is None and r.fire_at <= swept_at]
    by = Counter(r.fired_by for r in rows if r.fired_by is not None)
    return {
        "alarms": len(rows),
        "alarms_fired": sum(by.values()),
        "alarms_fired_by": dict(by),
        "due_unfired": len(unfired),
        "due_unfired_examples": _examples(unfired),
    }


def delivery_checks(
    engine: Engine, arrivals: list[tuple[float, EmailMessage]], killed_at: float | None
) -> dict[str, Any]:
    """Every email notice delivered exactly once per idempotency key.

    A message the killed instance handed to the mail server before it died (first copy before
    ``killed_at``, the second after) is sent again once its lease runs out: delivery is at least
    once, and the receiver recognises it by its ``Message-ID``. Those are counted apart.
    """
    messages = [m for _, m in arrivals]
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.idempotency_key, outbox.c.status, outbox.c.payload).where(
                outbox.c.channel == "email"
            )
        ).all()
    # The key a receiver sees is the row's idempotency key and its nonce (one per row).
    key_of = {_delivery_key(r.idempotency_key, r.payload): r.idempotency_key for r in rows}
    received = Counter(
        key_of.get(str(m[KEY_HEADER]).strip(), str(m[KEY_HEADER]).strip()) for m in messages
    )
    times: dict[str, list[float]] = defaultdict(list)
    for at, m in arrivals:
        times[key_of.get(str(m[KEY_HEADER]).strip(), str(m[KEY_HEADER]).strip())].append(at)
    doubled = [k for k, n in received.items() if n > 1]
    resent = [
        k
        for k in doubled
        if killed_at is not None and len(times[k]) == 2 and times[k][0] <= killed_at < times[k][1]
    ]
    doubled = [k for k in doubled if k not in resent]
    sent = {r.idempotency_key for r in rows if r.status == "sent"}
    not_received = sorted(sent - set(received))
    undelivered = [r.idempotency_key for r in rows if r.status != "sent"]
    return {
        "email_notices": len(rows),
        "emails_received": len(messages),
        "resent_after_kill": len(resent),
        "duplicate_deliveries": len(doubled),
        "duplicate_deliveries_examples": _examples(doubled),
        "sent_not_received": len(not_received),
        "sent_not_received_examples": _examples(not_received),
        "unknown_received": len(set(received) - {r.idempotency_key for r in rows}),
        "unknown_received_examples": _examples(set(received) - {r.idempotency_key for r in rows}),
        "undelivered": len(undelivered),
        "undelivered_examples": _examples(undelivered),
    }


def _delivery_key(key: str, payload: Any) -> str:
    nonce = _data(payload).get(NONCE)
    return f"{key}/{nonce}" if nonce else key


def pending_emails(engine: Engine) -> int:
    """Email notices not yet sent nor dead (the dispatchers are still at work)."""
    with engine.connect() as conn:
        return len(
            conn.execute(
                select(outbox.c.id).where(outbox.c.channel == "email", outbox.c.status == "pending")
            ).all()
        )


VIOLATIONS = (
    "status_vs_trail",
    "trail_breaks",
    "duplicate_events",
    "duplicate_breaches",
    "due_unfired",
    "duplicate_deliveries",
    "sent_not_received",
    "unknown_received",
    "undelivered",
)
