"""Case ↔ database row: plain columns for what is queried, JSON for the worksheet and chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aduan.ports import CaseListing
from aduan.workflow.case import (
    Case,
    CaseEvent,
    Complainant,
    PlanStep,
    RelatedRecord,
    StandardLink,
    TierLevel,
    Worksheet,
    WrittenReport,
)
from aduan.workflow.states import (
    STATUS_LABELS,
    Channel,
    Kind,
    Outcome,
    ProblemType,
    Role,
    ScreeningReason,
    Status,
    StepKind,
    Track,
)


def _opt(value: str | None, enum: Any) -> Any:
    return None if value is None else enum(value)


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


def _worksheet_from_json(data: dict[str, Any] | None) -> Worksheet | None:
    if data is None:
        return None
    return Worksheet(
        core_problem=data["core_problem"],
        links=[StandardLink(**link) for link in data["links"]],
        related=[RelatedRecord(**rel) for rel in data["related"]],
        plan=[
            PlanStep(
                StepKind(s["kind"]),
                s["party"],
                s["description"],
                s["outcome"],
                datetime.fromisoformat(s["done_at"]) if s["done_at"] else None,
            )
            for s in data["plan"]
        ],
    )


def case_to_row(case: Case) -> dict[str, Any]:
    """Every column of ``cases`` except ``id``."""
    c = case.complainant
    return {
        "tracking_code": case.tracking_code,
        "version": case.version,
        "kind": case.kind.value,
        "status": case.status.value,
        "screening_reason": case.screening_reason and case.screening_reason.value,
        "channel": case.channel.value,
        "complainant_name": c.name,
        "complainant_email": c.email,
        "complainant_phone": c.phone,
        "complainant_social": c.social,
        "complainant_address": c.address,
        "confidential": c.confidential,
        "subject": case.subject,
        "description": case.description,
        "service_code": case.service_code,
        "service_text": case.service_text,
        "licence_number": case.licence_number,
        "service_received_on": case.service_received_on,
        "complained_at": case.complained_at,
        "received_at": case.received_at,
        "intake_days": case.intake_days,
        "problem_types": [p.value for p in case.problem_types],
        "worksheet": worksheet_to_json(case.worksheet),
        "track": case.track and case.track.value,
        "apip_origin": case.apip_origin and case.apip_origin.value,
        "agency_unit": case.agency_unit,
        "chain": chain_to_json(case.chain),
        "tier": case.tier,
        "assignee": case.assignee,
        "outcome": case.outcome and case.outcome.value,
        "result_summary": case.result_summary,
        "corrective_actions": list(case.corrective_actions),
        "answered_at": case.answered_at,
        "informed_at": case.informed_at,
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
        "late_acceptance_reason": case.late_acceptance_reason,
        "referred_to": case.referred_to,
        "reopen_count": case.reopen_count,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "response_started_at": case.response_started_at,
        "response_due_at": case.response_due_at,
        "response_breached_at": case.response_breached_at,
        "stage_started_at": case.stage_started_at,
        "stage_due_at": case.stage_due_at,
        "stage_breached_at": case.stage_breached_at,
    }


def case_from_row(r: Any) -> Case:
    """Rebuild the aggregate from a ``cases`` row mapping."""
    return Case(
        id=r["id"],
        tracking_code=r["tracking_code"],
        version=r["version"],
        kind=Kind(r["kind"]),
        status=Status(r["status"]),
        screening_reason=_opt(r["screening_reason"], ScreeningReason),
        channel=Channel(r["channel"]),
        complainant=Complainant(
            name=r["complainant_name"],
            email=r["complainant_email"],
            phone=r["complainant_phone"],
            social=r["complainant_social"],
            address=r["complainant_address"],
            confidential=r["confidential"],
        ),
        subject=r["subject"],
        description=r["description"],
        service_code=r["service_code"],
        service_text=r["service_text"],
        licence_number=r["licence_number"],
        service_received_on=r["service_received_on"],
        complained_at=r["complained_at"],
        received_at=r["received_at"],
        intake_days=r["intake_days"],
        problem_types=[ProblemType(p) for p in r["problem_types"]],
        worksheet=_worksheet_from_json(r["worksheet"]),
        track=_opt(r["track"], Track),
        apip_origin=_opt(r["apip_origin"], Status),
        agency_unit=r["agency_unit"],
        chain=[TierLevel(**level) for level in r["chain"]],
        tier=r["tier"],
        assignee=r["assignee"],
        outcome=_opt(r["outcome"], Outcome),
        result_summary=r["result_summary"],
        corrective_actions=list(r["corrective_actions"]),
        answered_at=r["answered_at"],
        informed_at=r["informed_at"],
        reported_at=r["reported_at"],
        closed_at=r["closed_at"],
        late_acceptance_reason=r["late_acceptance_reason"],
        referred_to=r["referred_to"],
        reopen_count=r["reopen_count"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        response_started_at=r["response_started_at"],
        response_due_at=r["response_due_at"],
        response_breached_at=r["response_breached_at"],
        stage_started_at=r["stage_started_at"],
        stage_due_at=r["stage_due_at"],
        stage_breached_at=r["stage_breached_at"],
    )


def event_to_row(case_id: int, e: CaseEvent) -> dict[str, Any]:
    """A ``case_events`` row."""
    return {
        "case_id": case_id,
        "at": e.at,
        "actor": e.actor,
        "role": e.role.value,
        "action": e.action,
        "from_status": e.from_status and e.from_status.value,
        "to_status": e.to_status.value,
        "note": e.note,
        "data": e.data,
    }


def event_from_row(r: Any) -> CaseEvent:
    """An audit entry from its row."""
    return CaseEvent(
        action=r["action"],
        actor=r["actor"],
        role=Role(r["role"]),
        from_status=_opt(r["from_status"], Status),
        to_status=Status(r["to_status"]),
        at=r["at"],
        note=r["note"],
        data=r["data"],
    )


def report_to_row(case_id: int, w: WrittenReport) -> dict[str, Any]:
    """A ``written_reports`` row."""
    return {
        "case_id": case_id,
        "kind": w.kind,
        "author": w.author,
        "addressee": w.addressee,
        "text": w.text,
        "at": w.at,
        "from_position": w.from_position,
        "to_position": w.to_position,
    }


def report_from_row(r: Any) -> WrittenReport:
    """A written report from its row."""
    return WrittenReport(
        kind=r["kind"],
        author=r["author"],
        addressee=r["addressee"],
        text=r["text"],
        at=r["at"],
        from_position=r["from_position"],
        to_position=r["to_position"],
    )


# The columns of ``cases`` a list row needs (``CaseRepository.summaries``).
LISTING_COLUMNS = (
    "id", "tracking_code", "version", "kind", "status", "screening_reason", "channel", "subject",
    "service_code", "track", "assignee", "received_at", "answered_at", "response_due_at",
    "stage_due_at", "tier", "chain",
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
        screening_reason=_opt(r["screening_reason"], ScreeningReason),
        channel=Channel(r["channel"]),
        subject=r["subject"],
        service_code=r["service_code"],
        track=_opt(r["track"], Track),
        assignee=r["assignee"],
        received_at=r["received_at"],
        answered_at=r["answered_at"],
        response_due_at=r["response_due_at"],
        stage_due_at=r["stage_due_at"],
        tier=tier,
        holder=chain[tier]["title"] if chain else None,
    )


# The columns of ``cases`` a list page shows (``CaseRepository.summary_fields``), besides the
# soonest deadline (``due_at``) the database computes.
SUMMARY_COLUMNS = (
    "id", "tracking_code", "version", "kind", "status", "screening_reason", "channel", "subject",
    "service_code", "track", "assignee", "received_at",
)  # fmt: skip
_STATUS_LABELS = {status.value: labels[0] for status, labels in STATUS_LABELS.items()}


def summary_from_row(r: dict[str, Any]) -> dict[str, Any]:
    """``views.summary_fields`` from ``SUMMARY_COLUMNS`` and ``due_at`` (the row, completed).

    The enum columns stay the strings they are stored as, which is what a summary shows.
    """
    r["status_label"] = _STATUS_LABELS[r["status"]]
    return r


def listing_of(case: Case) -> CaseListing:
    """A list row from a whole case (the in-memory adapter)."""
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
    )
