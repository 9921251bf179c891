"""Guards: rules of the procedure checked before a transition; each failure names its rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aduan.workflow.context import ActionContext
from aduan.workflow.errors import RuleViolationError
from aduan.workflow.payloads import RecordStepPayload
from aduan.workflow.states import Role, ScreeningReason, Status

Guard = Callable[[ActionContext], None]

_EXEMPT = frozenset({Role.SYSTEM})


def holds_current_tier(ctx: ActionContext) -> None:
    """Only the level holding the case, or one above it, writes the report that moves it up."""
    case, actor = ctx.case, ctx.actor
    if actor.role in _EXEMPT:
        return
    above = [level.position for level in case.chain[case.tier :]]
    if actor.position not in above:
        holder = case.holder
        title = holder.title if holder else "?"
        raise RuleViolationError(
            case.ref,
            "tier_holder_only",
            f"hanya pemegang tingkat saat ini ({title}) atau atasannya yang dapat menaikkan kasus",
            f"only the current tier holder ({title}) or a level above may escalate the case",
        )


def below_top_of_chain(ctx: ActionContext) -> None:
    """Item 7a/7b: the chain ends at the Head of Office or the agency head."""
    case = ctx.case
    if case.escalation_level(ctx.actor) >= len(case.chain) - 1:
        top = case.chain[-1].title if case.chain else "?"
        raise RuleViolationError(
            case.ref,
            "top_of_chain",
            f"kasus sudah di tingkat tertinggi ({top}); ajukan ke APIP bila tidak terselesaikan",
            f"the case is already at the top of its chain ({top}); request APIP if unresolved",
        )


def approver_has_authority(ctx: ActionContext) -> None:
    """Item 7c: APIP needs the Head of Office, or the agency head on the agency track."""
    case, actor = ctx.case, ctx.actor
    if actor.role is Role.HEAD:
        return
    own_agency = case.agency_unit is not None and any(
        level.position == actor.position for level in case.chain
    )
    if actor.role is Role.AGENCY_HEAD and case.apip_origin is Status.AGENCY and own_agency:
        return
    raise RuleViolationError(
        case.ref,
        "apip_approval_authority",
        "persetujuan APIP hanya oleh Kepala DPMPTSP, atau kepala Perangkat Daerah pada jalur "
        "perangkat daerahnya",
        "APIP approval belongs to the Head of Office, or the agency head on that agency's track",
    )


def answer_and_report_done(ctx: ActionContext) -> None:
    """Item 8: the result is told to the complainant and reported to the direct superior."""
    case = ctx.case
    missing_id = []
    missing_en = []
    if case.informed_at is None:
        missing_id.append("hasil belum disampaikan kepada pemohon")
        missing_en.append("the complainant has not been informed of the result")
    if case.reported_at is None:
        missing_id.append("laporan kepada atasan langsung belum dibuat")
        missing_en.append("the report to the direct superior has not been filed")
    if missing_id:
        raise RuleViolationError(
            case.ref,
            "close_requires_answer_and_report",
            "belum dapat ditutup: " + "; ".join(missing_id),
            "cannot close yet: " + "; ".join(missing_en),
        )


def within_reopen_window(ctx: ActionContext) -> None:
    """A complainant may dispute the result only within the configured window after closure."""
    case = ctx.case
    window = ctx.policy.reopen_window_days
    if case.closed_at is None or ctx.now - case.closed_at > timedelta(days=window):
        raise RuleViolationError(
            case.ref,
            "reopen_window",
            f"batas waktu keberatan ({window} hari setelah penutupan) telah lewat",
            f"the dispute window ({window} days after closure) has passed",
        )


def late_submission_only(ctx: ActionContext) -> None:
    """Item 3: only a late complaint 'may' be treated as a complaint; 5b has no such leeway."""
    case = ctx.case
    if case.screening_reason is not ScreeningReason.LATE:
        reason = case.screening_reason.value if case.screening_reason else "-"
        raise RuleViolationError(
            case.ref,
            "accept_late_only",
            f"hanya pengaduan terlambat yang dapat diterima sebagai pengaduan (alasan: {reason})",
            f"only a late submission can be accepted as a complaint (reason: {reason})",
        )


def plan_step_exists(ctx: ActionContext) -> None:
    """The step whose outcome is recorded must be in the handling plan."""
    case = ctx.case
    assert isinstance(ctx.payload, RecordStepPayload)
    steps = len(case.worksheet.plan) if case.worksheet else 0
    if ctx.payload.step > steps:
        raise RuleViolationError(
            case.ref,
            "plan_step_exists",
            f"langkah {ctx.payload.step} tidak ada dalam rencana penanganan ({steps} langkah)",
            f"step {ctx.payload.step} is not in the handling plan ({steps} steps)",
        )
