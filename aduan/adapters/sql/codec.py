"""The SQL adapter's row codec: the shared stored rows plus the column sets lists read.

``aduan.adapters.rows`` turns cases, events and reports into rows and back (the in-memory
adapter keeps the same rows); this module adds what only the SQL queries need: the columns a
list row or a list page selects, and how such a partial row becomes a ``CaseListing``.
"""

from __future__ import annotations

from typing import Any

from aduan.adapters.rows import (
    case_from_row,
    case_to_row,
    event_from_row,
    event_to_row,
    opt,
    paused_since,
    report_from_row,
    report_to_row,
)
from aduan.ports import CaseListing
from aduan.workflow.states import STATUS_NAMES, Channel, Kind, ScreeningReason, Status, Track

__all__ = [
    "LISTING_COLUMNS",
    "SUMMARY_COLUMNS",
    "case_from_row",
    "case_to_row",
    "event_from_row",
    "event_to_row",
    "listing_from_row",
    "report_from_row",
    "report_to_row",
    "summary_from_row",
]


# The columns of ``cases`` a list row needs (``CaseRepository.summaries``).
LISTING_COLUMNS = (
    "id", "tracking_code", "version", "kind", "status", "screening_reason", "channel", "subject",
    "service_code", "track", "assignee", "received_at", "answered_at", "response_due_at",
    "stage_due_at", "tier", "chain", "stage_started_at", "answer_clock",
)  # fmt: skip


def listing_from_row(r: Any) -> CaseListing:
    """A list row from the ``LISTING_COLUMNS`` of a ``cases`` row."""
    chain, tier = r["chain"], r["tier"]
    return CaseListing(
        id=r["id"],
        tracking_code=r["tracking_code"],
        version=r["version"],
        kind=Kind(r["kind"]),
        status=Status(r["status"]),
        screening_reason=opt(r["screening_reason"], ScreeningReason),
        channel=Channel(r["channel"]),
        subject=r["subject"],
        service_code=r["service_code"],
        track=opt(r["track"], Track),
        assignee=r["assignee"],
        received_at=r["received_at"],
        answered_at=r["answered_at"],
        response_due_at=r["response_due_at"],
        stage_due_at=r["stage_due_at"],
        tier=tier,
        holder=chain[tier]["title"] if chain else None,
        stage_started_at=r["stage_started_at"],
        info_requested_at=paused_since(r["answer_clock"]),
    )


# The columns of ``cases`` a list page shows (``CaseRepository.summary_fields``), besides the
# soonest deadline (``due_at``) the database computes.
SUMMARY_COLUMNS = (
    "id", "tracking_code", "version", "kind", "status", "screening_reason", "channel", "subject",
    "service_code", "track", "assignee", "received_at",
)  # fmt: skip
_STATUS_LABELS = {status.value: name for status, name in STATUS_NAMES.items()}


def summary_from_row(r: dict[str, Any]) -> dict[str, Any]:
    """``views.summary_fields`` from ``SUMMARY_COLUMNS`` and ``due_at`` (the row, completed).

    The enum columns stay the strings they are stored as, which is what a summary shows.
    """
    r["status_label"] = _STATUS_LABELS[r["status"]]
    return r
