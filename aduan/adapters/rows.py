"""Case ↔ stored row: the shape both storage adapters keep (the SQL tables, the memory store).

One column per queried field, JSON-ready lists and dicts for the worksheet, the tier chain and
event data. Pure: the SQL adapter binds these rows to its tables, the in-memory adapter keeps
them as they are, so both read back exactly what the other would.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aduan.schemas.codec import chain_to_json, public_qa_to_json, worksheet_to_json
from aduan.workflow.case import (
    Case,
    CaseEvent,
    ChannelFacts,
    Complainant,
    OverdueReport,
    PlanStep,
    PublicAnswer,
    RelatedRecord,
    StandardLink,
    TierLevel,
    Withdrawal,
    Worksheet,
    WrittenReport,
)
from aduan.workflow.states import (
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


def opt(value: str | None, enum: Any) -> Any:
    """``enum(value)``, or None for a NULL column."""
    return None if value is None else enum(value)


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


def _facts_to_json(facts: ChannelFacts) -> dict[str, str] | None:
    given = facts.given()
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in given.items()} or None


def _facts_from_json(data: dict[str, str] | None) -> ChannelFacts:
    if not data:
        return ChannelFacts()
    dates = {"dropped_on", "letter_date", "postmarked_on", "lapor_received_on"}
    values: dict[str, Any] = {
        k: date.fromisoformat(v) if k in dates else v for k, v in data.items()
    }
    return ChannelFacts(**values)


def _withdrawal_to_json(w: Withdrawal | None) -> dict[str, Any] | None:
    if w is None:
        return None
    moments = {"at": w.at, "stage_started_at": w.stage_started_at, "stage_due_at": w.stage_due_at}
    return {
        "from_status": w.from_status.value,
        "actor": w.actor,
        "role": w.role.value,
        "reason": w.reason,
        **{k: v.isoformat() if v else None for k, v in moments.items()},
    }


def _withdrawal_from_json(data: dict[str, Any] | None) -> Withdrawal | None:
    if not data:
        return None

    def moment(key: str) -> datetime | None:
        return datetime.fromisoformat(data[key]) if data.get(key) else None

    at = moment("at")
    assert at is not None
    return Withdrawal(
        from_status=Status(data["from_status"]),
        at=at,
        actor=data["actor"],
        role=Role(data["role"]),
        reason=data["reason"],
        stage_started_at=moment("stage_started_at"),
        stage_due_at=moment("stage_due_at"),
    )


def _overdue_to_json(owed: list[OverdueReport]) -> list[dict[str, Any]] | None:
    """The written reports tiers still owe; NULL when none (``CaseQuery.owes_report`` reads it).

    Each entry keeps ``"holder": "<username>"`` as JSON writes it on both databases.
    """
    if not owed:
        return None
    return [
        {
            "tier": o.tier,
            "position": o.position,
            "title": o.title,
            "holder": o.holder,
            "to_position": o.to_position,
            "to_title": o.to_title,
            "to_holder": o.to_holder,
            "missed_at": o.missed_at.isoformat(),
        }
        for o in owed
    ]


def _overdue_from_json(data: list[dict[str, Any]] | None) -> list[OverdueReport]:
    return [
        OverdueReport(**{**o, "missed_at": datetime.fromisoformat(o["missed_at"])})
        for o in data or []
    ]


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
        # A pending service was received on no day: the column keeps the day it was due.
        "service_received_on": case.window_from,
        "service_pending": case.service_pending,
        "applied_on": case.applied_on,
        "channel_facts": _facts_to_json(case.channel_facts),
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
        "overdue_reports": _overdue_to_json(case.overdue_reports),
        "outcome": case.outcome and case.outcome.value,
        "result_summary": case.result_summary,
        "result_position": case.result_position,
        "corrective_actions": list(case.corrective_actions),
        "answered_at": case.answered_at,
        "informed_at": case.informed_at,
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
        "late_acceptance_reason": case.late_acceptance_reason,
        "referred_to": case.referred_to,
        "withdrawal": _withdrawal_to_json(case.withdrawal),
        "reopen_count": case.reopen_count,
        "merged_into": case.merged_into,
        "merged_from": case.merged_from and case.merged_from.value,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "response_started_at": case.response_started_at,
        "response_due_at": case.response_due_at,
        "response_breached_at": case.response_breached_at,
        "stage_started_at": case.stage_started_at,
        "stage_due_at": case.stage_due_at,
        "stage_breached_at": case.stage_breached_at,
        "answer_clock": _clock_to_json(case),
        # Its pause again as a column, for the reports' SQL (``tables``, migration 0035).
        "info_requested_at": case.info_requested_at,
        "response_original_due_at": case.response_original_due_at,
        "personal_data_erased_at": case.personal_data_erased_at,
        "qa_consent": case.qa_consent,
        "public_qa": public_qa_to_json(case.public_qa),
    }


def case_from_row(r: Any) -> Case:
    """Rebuild the aggregate from a ``cases`` row mapping."""
    return Case(
        id=r["id"],
        tracking_code=r["tracking_code"],
        version=r["version"],
        kind=Kind(r["kind"]),
        status=Status(r["status"]),
        screening_reason=opt(r["screening_reason"], ScreeningReason),
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
        service_received_on=None if r["service_pending"] else r["service_received_on"],
        service_pending=bool(r["service_pending"]),
        applied_on=r["applied_on"],
        service_due_on=r["service_received_on"] if r["service_pending"] else None,
        channel_facts=_facts_from_json(r["channel_facts"]),
        complained_at=r["complained_at"],
        received_at=r["received_at"],
        intake_days=r["intake_days"],
        problem_types=[ProblemType(p) for p in r["problem_types"]],
        worksheet=_worksheet_from_json(r["worksheet"]),
        track=opt(r["track"], Track),
        apip_origin=opt(r["apip_origin"], Status),
        agency_unit=r["agency_unit"],
        chain=[TierLevel(**level) for level in r["chain"]],
        tier=r["tier"],
        assignee=r["assignee"],
        overdue_reports=_overdue_from_json(r.get("overdue_reports")),
        outcome=opt(r["outcome"], Outcome),
        result_summary=r["result_summary"],
        result_position=r["result_position"],
        corrective_actions=list(r["corrective_actions"]),
        answered_at=r["answered_at"],
        informed_at=r["informed_at"],
        reported_at=r["reported_at"],
        closed_at=r["closed_at"],
        late_acceptance_reason=r["late_acceptance_reason"],
        referred_to=r["referred_to"],
        withdrawal=_withdrawal_from_json(r.get("withdrawal")),
        reopen_count=r["reopen_count"],
        merged_into=r.get("merged_into"),
        merged_from=opt(r.get("merged_from"), Status),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        response_started_at=r["response_started_at"],
        response_due_at=r["response_due_at"],
        response_breached_at=r["response_breached_at"],
        stage_started_at=r["stage_started_at"],
        stage_due_at=r["stage_due_at"],
        stage_breached_at=r["stage_breached_at"],
        response_original_due_at=r.get("response_original_due_at"),
        personal_data_erased_at=r.get("personal_data_erased_at"),
        **_clock_from_json(r.get("answer_clock")),
        qa_consent=bool(r.get("qa_consent")),
        public_qa=_public_qa_from_json(r.get("public_qa")),
    )


def _public_qa_from_json(data: dict[str, Any] | None) -> PublicAnswer | None:
    if not data:
        return None
    return PublicAnswer(
        question=data["question"],
        answer=data["answer"],
        service_code=data.get("service_code"),
        published_at=datetime.fromisoformat(data["published_at"]),
        published_by=data["published_by"],
    )


def _clock_to_json(case: Case) -> dict[str, Any] | None:
    """The paused and extended answer clock (issue 14 item 5); None when never touched."""
    at = case.info_requested_at
    if at is None and not case.response_paused_days and not case.response_extended_days:
        return None
    return {
        "info_requested_at": at.isoformat() if at else None,
        "paused_days": case.response_paused_days,
        "extended_days": case.response_extended_days,
    }


def _clock_from_json(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    at = data.get("info_requested_at")
    return {
        "info_requested_at": datetime.fromisoformat(at) if at else None,
        "response_paused_days": int(data.get("paused_days", 0)),
        "response_extended_days": int(data.get("extended_days", 0)),
    }


def paused_since(data: dict[str, Any] | None) -> datetime | None:
    """When the stored answer clock stopped for the complainant's information; None: it runs."""
    at = (data or {}).get("info_requested_at")
    return datetime.fromisoformat(at) if at else None


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
        from_status=opt(r["from_status"], Status),
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
        "document": dict(w.document) if w.document is not None else None,
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
        document=r.get("document"),
    )
