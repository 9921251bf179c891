"""Guards: rules of the procedure checked before a transition; each failure names its rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aduan.workflow.clock import CLOCK_GUARDS
from aduan.workflow.context import ActionContext
from aduan.workflow.errors import Phrase, RuleViolationError
from aduan.workflow.payloads import RecordStepPayload
from aduan.workflow.publication import PUBLICATION_GUARDS
from aduan.workflow.states import N_, Role, ScreeningReason, Status, Track

Guard = Callable[[ActionContext], None]

_EXEMPT = frozenset({Role.SYSTEM})


_AGENCY_STAFF = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_HEAD})


def _holds_or_above(ctx: ActionContext) -> bool:
    """Whether the actor holds the case's current tier or a level above it in its chain."""
    case, actor = ctx.case, ctx.actor
    if actor.role in _EXEMPT:
        return True
    above = {level.position for level in case.chain[case.tier :]}
    return actor.position is not None and actor.position in above


def _holder_title(ctx: ActionContext) -> str:
    holder = ctx.case.holder
    return holder.title if holder else "?"


def holds_current_tier(ctx: ActionContext) -> None:
    """Items 7a/7b: the tier holding the case writes the report that moves it one tier up.

    Escalation moves exactly one tier: a section head could take a case from tier 1 straight
    to the Head with one report, and the intermediate tier never heard of it. A superior who
    wants to decide a case held below them records the result at their own level instead.
    """
    case, actor = ctx.case, ctx.actor
    if actor.role in _EXEMPT:
        return
    holder = case.holder
    if holder is None or actor.position != holder.position:
        raise RuleViolationError(
            case.ref,
            "tier_holder_only",
            N_(
                "hanya pemegang tingkat saat ini (%(title)s) yang dapat menaikkan kasus satu "
                "tingkat; atasan yang ingin memutus dapat mencatat hasil tindak lanjut"
            ),
            title=_holder_title(ctx),
        )


def owes_overdue_report(ctx: ActionContext) -> None:
    """Only the tier the deadline sweep passed over files the written report it still owes."""
    actor = ctx.actor
    owed = any(
        (actor.position is not None and o.position == actor.position) or o.holder == actor.username
        for o in ctx.case.overdue_reports
    )
    if not owed:
        raise RuleViolationError(
            ctx.case.ref,
            "owes_overdue_report",
            N_(
                "hanya pemegang tingkat yang tenggatnya terlewati yang membuat laporan tertulis "
                "yang belum dibuat"
            ),
        )


def tier_holder_or_above(ctx: ActionContext) -> None:
    """Items 7a/7b: on a track, the holder of the current tier or a level above it acts."""
    if not _holds_or_above(ctx):
        title = _holder_title(ctx)
        raise RuleViolationError(
            ctx.case.ref,
            "tier_holder_only",
            N_(
                "hanya pemegang tingkat saat ini (%(title)s) atau atasannya dalam jenjang yang "
                "dapat bertindak atas kasus ini"
            ),
            title=title,
        )


def agency_staff_hold_tier(ctx: ActionContext) -> None:
    """Item 7b: agency staff act by tier; the office's officer keeps recording steps beside them."""
    if ctx.actor.role in _AGENCY_STAFF:
        tier_holder_or_above(ctx)


def own_agency(ctx: ActionContext) -> None:
    """Agency staff act only on cases on their own agency's track (DESIGN §6)."""
    case, actor = ctx.case, ctx.actor
    if actor.role not in _AGENCY_STAFF:
        return
    if case.agency_unit is None or actor.unit != case.agency_unit:
        raise RuleViolationError(
            case.ref,
            "own_agency_only",
            N_(
                "staf perangkat daerah hanya dapat bertindak atas kasus pada jalur perangkat "
                "daerahnya sendiri"
            ),
        )


def below_top_of_chain(ctx: ActionContext) -> None:
    """Item 7a/7b: the chain ends at the Head of Office or the agency head."""
    case = ctx.case
    if case.tier >= len(case.chain) - 1:
        top = case.chain[-1].title if case.chain else "?"
        raise RuleViolationError(
            case.ref,
            "top_of_chain",
            N_(
                "kasus sudah di tingkat tertinggi (%(top)s); ajukan ke APIP bila tidak "
                "terselesaikan"
            ),
            top=top,
        )


def approver_has_authority(ctx: ActionContext) -> None:
    """Item 7c: the head at the top of the track the request came from decides.

    "Persetujuan Kepala DPMPTSP/Perangkat Daerah" read with items 7a and 7b: a request from the
    internal track or from the review goes to the Head of Office; one from an agency's track
    goes to that agency's head, not to the Head of Office.
    """
    case, actor = ctx.case, ctx.actor
    if case.apip_origin is Status.AGENCY:
        if (
            actor.role is Role.AGENCY_HEAD
            and case.agency_unit is not None
            and actor.unit == case.agency_unit
        ):
            return
        raise RuleViolationError(
            case.ref,
            "apip_approval_authority",
            N_(
                "persetujuan APIP untuk kasus pada jalur perangkat daerah hanya oleh kepala "
                "perangkat daerah tersebut"
            ),
        )
    if actor.role is not Role.HEAD:
        raise RuleViolationError(
            case.ref,
            "apip_approval_authority",
            N_("persetujuan APIP untuk kasus di DPMPTSP hanya oleh Kepala DPMPTSP"),
        )


def answer_and_report_done(ctx: ActionContext) -> None:
    """Item 8: the result is told to the complainant and reported to the direct superior."""
    case = ctx.case
    missing: list[str] = []
    if case.informed_at is None:
        missing.append(N_("hasil belum disampaikan kepada pemohon"))
    if case.reported_at is None:
        missing.append(N_("laporan kepada atasan langsung belum dibuat"))
    if missing:
        raise RuleViolationError(
            case.ref,
            "close_requires_answer_and_report",
            N_("belum dapat ditutup: %(missing)s"),
            missing=Phrase(tuple(missing)),
        )


def superior_of_decider_closes(ctx: ActionContext) -> None:
    """Item 8: on the internal track, the case is closed above the tier that decided it.

    The report of the result goes to the direct superior of the post that recorded it; that
    superior, or a level above, closes. The Head of Office, who has no superior in the chain,
    closes what she decided herself.
    """
    case, actor = ctx.case, ctx.actor
    if actor.role in _EXEMPT or case.track is not Track.INTERNAL or case.result_position is None:
        return
    positions = [level.position for level in case.chain]
    if case.result_position not in positions:
        return
    decided = positions.index(case.result_position)
    allowed = set(positions[decided + 1 :]) or {case.result_position}
    if actor.position in allowed:
        return
    superior = case.chain[min(decided + 1, len(case.chain) - 1)]
    raise RuleViolationError(
        case.ref,
        "closed_by_superior",
        N_("kasus ditutup oleh atasan langsung tingkat yang memutus (%(title)s) atau atasannya"),
        title=superior.title,
    )


def within_reopen_window(ctx: ActionContext) -> None:
    """A complainant may dispute the result only within the configured window after closure."""
    case = ctx.case
    window = ctx.policy.reopen_window_days
    if case.closed_at is None or ctx.now - case.closed_at > timedelta(days=window):
        raise RuleViolationError(
            case.ref,
            "reopen_window",
            N_("batas waktu keberatan (%(window)s hari setelah penutupan) telah lewat"),
            window=window,
        )


def within_undo_window(ctx: ActionContext) -> None:
    """A withdrawal may be undone only within the configured hours after it (issue 12 item 4)."""
    case = ctx.case
    hours = ctx.policy.withdraw_undo_hours
    at = case.withdrawal.at if case.withdrawal else None
    if at is None or ctx.now - at > timedelta(hours=hours):
        raise RuleViolationError(
            case.ref,
            "undo_window",
            N_("batas waktu pembatalan pencabutan (%(hours)s jam setelah dicabut) telah lewat"),
            hours=hours,
        )


def late_submission_only(ctx: ActionContext) -> None:
    """Item 3: only a late complaint 'may' be treated as a complaint; 5b has no such leeway."""
    case = ctx.case
    if case.screening_reason is not ScreeningReason.LATE:
        raise RuleViolationError(
            case.ref,
            "accept_late_only",
            N_(
                "hanya pengaduan terlambat yang dapat diterima sebagai pengaduan; saran ini "
                'dicatat karena alasan lain (gunakan "Jadikan pengaduan (kesalahan penyaringan)")'
            ),
        )


def suggestion_classified(ctx: ActionContext) -> None:
    """Item 5c: a suggestion reaches the yearly evaluation classified by service and component.

    Unclassified, the evaluation could count it under no service and no standard component.
    """
    case = ctx.case
    if case.service_code is None or not case.problem_types:
        raise RuleViolationError(
            case.ref,
            "forward_requires_classification",
            N_(
                "klasifikasikan saran ini menurut layanan dan komponen standar pelayanan "
                "sebelum diteruskan ke evaluasi"
            ),
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
            N_("langkah %(step)s tidak ada dalam rencana penanganan (%(steps)s langkah)"),
            step=ctx.payload.step,
            steps=steps,
        )


# The guards that decide who may act, and the case facts that decide whether an action applies
# at all, reading only the actor and the case (never the payload, the time or the policy): what
# the UI uses to offer only actions the actor may take.
AUTHORITY_GUARDS: frozenset[Guard] = frozenset(
    {
        holds_current_tier,
        tier_holder_or_above,
        agency_staff_hold_tier,
        own_agency,
        approver_has_authority,
        superior_of_decider_closes,
        owes_overdue_report,
        late_submission_only,
        *CLOCK_GUARDS,
        *PUBLICATION_GUARDS,
    }
)
