"""Domain objects as plain data: the worksheet and tier chain as JSON, a case as a list row.

Pure conversions the read models and both storage adapters share (the SQL adapter writes the
same JSON into its columns; the in-memory adapter builds list rows from whole cases).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aduan.ports import CaseListing
from aduan.workflow.case import Case, PublicAnswer, TierLevel, Worksheet


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def worksheet_to_json(ws: Worksheet | None) -> dict[str, Any] | None:
    """The worksheet as JSON (written out by hand: ``asdict`` deep-copies and is 30x slower)."""
    if ws is None:
        return None
    return {
        "core_problem": ws.core_problem,
        "links": [{"kind": k.kind, "ref": k.ref, "text": k.text} for k in ws.links],
        "related": [
            {"tracking_code": r.tracking_code, "status": r.status, "reason": r.reason,
             "subject": r.subject}
            for r in ws.related
        ],
        "plan": [
            {"kind": p.kind.value, "party": p.party, "description": p.description,
             "outcome": p.outcome, "done_at": _iso(p.done_at)}
            for p in ws.plan
        ],
    }  # fmt: skip


def chain_to_json(chain: list[TierLevel]) -> list[dict[str, Any]]:
    """A tier chain as JSON."""
    return [
        {"position": t.position, "title": t.title, "unit": t.unit, "holder": t.holder}
        for t in chain
    ]


def listing_of(case: Case) -> CaseListing:
    """A list row from a whole case (the in-memory adapter, the work queues)."""
    assert case.id is not None
    holder = case.holder
    return CaseListing(
        id=case.id,
        tracking_code=case.tracking_code,
        version=case.version,
        kind=case.kind,
        status=case.status,
        screening_reason=case.screening_reason,
        channel=case.channel,
        subject=case.subject,
        service_code=case.service_code,
        track=case.track,
        assignee=case.assignee,
        received_at=case.received_at,
        answered_at=case.answered_at,
        response_due_at=case.response_due_at,
        stage_due_at=case.stage_due_at,
        tier=case.tier,
        holder=holder.title if holder else None,
        stage_started_at=case.stage_started_at,
        info_requested_at=case.info_requested_at,
    )


def public_qa_to_json(qa: PublicAnswer | None) -> dict[str, Any] | None:
    """The published Q&A entry (issue 14 item 7); None when none is published."""
    if qa is None:
        return None
    return {
        "question": qa.question,
        "answer": qa.answer,
        "service_code": qa.service_code,
        "published_at": qa.published_at.isoformat(),
        "published_by": qa.published_by,
    }
