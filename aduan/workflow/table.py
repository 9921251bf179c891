"""The transition table: the one contract for statuses, actions, roles and guards.

The state machine, the role matrix, the diagram in the docs and the actions offered to a user
are all derived from ``RULES``. Rows are read top to bottom; for one action and source, rows
with a ``when`` selector choose the destination (e.g. a refused APIP request goes back to the
track it came from).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from aduan.locale import translate
from aduan.workflow import clock
from aduan.workflow import guards as g
from aduan.workflow import publication as pub
from aduan.workflow.context import ActionContext
from aduan.workflow.guards import Guard
from aduan.workflow.states import N_, OPEN_STATUSES, SUGGESTION_WORK, Action, Role, Status

Selector = Callable[[ActionContext], bool]

OFFICE_STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR})
OFFICE_CHAIN = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.HEAD})
AGENCY_STAFF = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_HEAD})
APPROVERS = frozenset({Role.HEAD, Role.AGENCY_HEAD})


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: ``action`` takes a case from ``source`` to ``dest`` for these ``roles``."""

    action: Action
    source: Status
    dest: Status
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()
    when: Selector | None = None
    when_label: str = ""


def _rows(
    action: Action,
    sources: Iterable[Status],
    dest: Status | None,
    roles: Iterable[Role],
    guards: tuple[Guard, ...] = (),
) -> list[Rule]:
    """Rows for several sources; ``dest=None`` keeps the status (a self-loop)."""
    return [Rule(action, s, dest or s, frozenset(roles), guards) for s in sources]


def _origin(status: Status) -> Selector:
    def selector(ctx: ActionContext) -> bool:
        return ctx.case.apip_origin is status

    return selector


def _merged_from(status: Status) -> Selector:
    def selector(ctx: ActionContext) -> bool:
        return ctx.case.merged_from is status

    return selector


def _withdrawn_from(status: Status) -> Selector:
    def selector(ctx: ActionContext) -> bool:
        withdrawal = ctx.case.withdrawal
        return withdrawal is not None and withdrawal.from_status is status

    return selector


S = Status
A = Action
_HANDLING = (S.INTERNAL, S.AGENCY, S.APIP)
_SUGGESTION_WORK = list(SUGGESTION_WORK)
_ANSWERABLE = (S.RECORDED, S.CLASSIFIED, S.REVIEWED, S.INTERNAL, S.AGENCY, S.APIP_PENDING, S.APIP)
_MERGEABLE = (S.RECORDED, S.CLASSIFIED, S.REVIEWED, S.INTERNAL, S.AGENCY)

RULES: tuple[Rule, ...] = (
    # Item 5c: classify by service and problem type; may be corrected before the review.
    *_rows(A.CLASSIFY, [S.RECORDED, S.CLASSIFIED], S.CLASSIFIED, OFFICE_STAFF),
    # Item 6: the review worksheet; may be revised until the case is routed.
    *_rows(A.REVIEW, [S.CLASSIFIED, S.REVIEWED], S.REVIEWED, OFFICE_STAFF),
    *_rows(A.RECORD_STEP, [S.REVIEWED], None, OFFICE_STAFF, (g.plan_step_exists,)),
    # Items 7a/7b: on a track, the tier holder or a level above acts; agency staff only on
    # their own agency's track (the office's officer keeps recording steps beside them).
    *_rows(
        A.RECORD_STEP,
        [S.INTERNAL],
        None,
        OFFICE_CHAIN,
        (g.tier_holder_or_above, g.plan_step_exists),
    ),
    *_rows(
        A.RECORD_STEP,
        [S.AGENCY],
        None,
        AGENCY_STAFF | {Role.OFFICER},
        (g.own_agency, g.agency_staff_hold_tier, g.plan_step_exists),
    ),
    *_rows(A.RECORD_STEP, [S.APIP], None, {Role.APIP}, (g.plan_step_exists,)),
    # Item 7: the three tracks.
    *_rows(A.ROUTE_INTERNAL, [S.REVIEWED], S.INTERNAL, OFFICE_STAFF),
    *_rows(A.ROUTE_AGENCY, [S.REVIEWED], S.AGENCY, OFFICE_STAFF),
    *_rows(
        A.ESCALATE,
        [S.INTERNAL],
        None,
        OFFICE_STAFF | {Role.SYSTEM},
        (g.below_top_of_chain, g.holds_current_tier),
    ),
    *_rows(
        A.ESCALATE,
        [S.AGENCY],
        None,
        {Role.AGENCY_OFFICER, Role.SYSTEM},
        (g.own_agency, g.below_top_of_chain, g.holds_current_tier),
    ),
    *_rows(A.REQUEST_APIP, [S.REVIEWED], S.APIP_PENDING, OFFICE_STAFF),
    *_rows(A.REQUEST_APIP, [S.INTERNAL], S.APIP_PENDING, OFFICE_CHAIN),
    *_rows(A.REQUEST_APIP, [S.AGENCY], S.APIP_PENDING, AGENCY_STAFF, (g.own_agency,)),
    *_rows(A.APPROVE_APIP, [S.APIP_PENDING], S.APIP, APPROVERS, (g.approver_has_authority,)),
    # Item 7c "atau sesuai dengan peraturan perundang-undangan": the inspectorate takes a case
    # up on a recorded legal basis (its own audit, an Ombudsman or SP4N-LAPOR! referral),
    # without the head's approval, from where an APIP request could be made.
    *_rows(A.OPEN_APIP, [S.REVIEWED, S.INTERNAL, S.AGENCY], S.APIP, {Role.APIP}),
    # Item 7a/7b: a tier the deadline sweep passed over still files its written report.
    *_rows(
        A.FILE_OVERDUE_REPORT,
        [*_HANDLING, S.APIP_PENDING, S.RESOLVED],
        None,
        OFFICE_CHAIN | AGENCY_STAFF,
        (g.owes_overdue_report,),
    ),
    *(
        Rule(
            A.REFUSE_APIP,
            S.APIP_PENDING,
            back,
            APPROVERS,
            (g.approver_has_authority,),
            _origin(back),
            f"from {back.value}",
        )
        for back in (S.INTERNAL, S.AGENCY, S.REVIEWED)
    ),
    # Item 4: the first substantive answer stops the 14-working-day clock.
    *_rows(A.RESPOND, _ANSWERABLE, None, OFFICE_CHAIN),
    *_rows(A.RECORD_RESULT, [S.INTERNAL], S.RESOLVED, OFFICE_CHAIN, (g.tier_holder_or_above,)),
    *_rows(
        A.RECORD_RESULT,
        [S.AGENCY],
        S.RESOLVED,
        AGENCY_STAFF,
        (g.own_agency, g.tier_holder_or_above),
    ),
    *_rows(A.RECORD_RESULT, [S.APIP], S.RESOLVED, {Role.APIP}),
    # Item 8: informed and reported, then closed.
    *_rows(A.INFORM_COMPLAINANT, [S.RESOLVED], None, OFFICE_STAFF),
    *_rows(A.REPORT_TO_SUPERIOR, [S.RESOLVED], None, OFFICE_STAFF),
    *_rows(
        A.CLOSE,
        [S.RESOLVED],
        S.CLOSED,
        OFFICE_CHAIN,
        (g.answer_and_report_done, g.superior_of_decider_closes),
    ),
    *_rows(
        A.REOPEN,
        [S.CLOSED],
        S.REVIEWED,
        {Role.COMPLAINANT, Role.OFFICER},
        (g.within_reopen_window,),
    ),
    *_rows(A.WITHDRAW, sorted(OPEN_STATUSES), S.WITHDRAWN, {Role.COMPLAINANT, Role.OFFICER}),
    # Issue 12 item 4: a withdrawal may be undone within a short window, back where it was.
    *(
        Rule(
            A.UNDO_WITHDRAW,
            S.WITHDRAWN,
            back,
            frozenset({Role.COMPLAINANT, Role.OFFICER}),
            (g.within_undo_window,),
            _withdrawn_from(back),
            f"from {back.value}",
        )
        for back in sorted(OPEN_STATUSES)
    ),
    *_rows(A.REFER, [S.RECORDED, S.CLASSIFIED, S.REVIEWED], S.REFERRED, OFFICE_STAFF),
    # Issue 14 item 4: a duplicate is merged into its main case (checked by the service: an
    # open complaint in sight, not itself, not itself a duplicate) until it is on its way out.
    *_rows(A.MARK_DUPLICATE, _MERGEABLE, S.MERGED, OFFICE_STAFF),
    # A merge found mistaken is undone by the same office staff who may merge (an officer or a
    # supervisor: the merge itself needs no more), with a written reason the complainant reads;
    # the duplicate goes back to the status it was merged from, on its track and tier.
    *(
        Rule(
            A.UNDO_MERGE,
            S.MERGED,
            back,
            OFFICE_STAFF,
            (),
            _merged_from(back),
            f"from {back.value}",
        )
        for back in _MERGEABLE
    ),
    # Item 3: a late submission "may" be treated as a suggestion; a supervisor may accept it.
    *_rows(
        A.ACCEPT_LATE,
        _SUGGESTION_WORK,
        S.RECORDED,
        {Role.SUPERVISOR, Role.HEAD},
        (g.late_submission_only,),
    ),
    # Items 3 and 5b: a suggestion is work, not a dead end. The complaint staff take it up,
    # classify it by service and standard component (item 5c, as a complaint) and forward it to
    # the yearly evaluation of the service standard; a screening mistake is made the complaint
    # it should have been, by a supervisor, with a written reason.
    *_rows(A.ACKNOWLEDGE_SUGGESTION, [S.SUGGESTION], S.SUGGESTION_ACKNOWLEDGED, OFFICE_STAFF),
    *_rows(A.CLASSIFY, _SUGGESTION_WORK, None, OFFICE_STAFF),
    *_rows(
        A.FORWARD_SUGGESTION,
        _SUGGESTION_WORK,
        S.SUGGESTION_FORWARDED,
        OFFICE_STAFF,
        (g.suggestion_classified,),
    ),
    *_rows(A.CONVERT_SUGGESTION, _SUGGESTION_WORK, S.RECORDED, {Role.SUPERVISOR, Role.HEAD}),
    # Issue 14 item 5: the answer clock stops while the complainant is asked for missing
    # information, runs again on their reply (by the tracking page, or recorded by staff) or
    # when the wait runs out (the sweep); a supervisor or the head may extend the deadline.
    *_rows(
        A.REQUEST_INFO,
        _ANSWERABLE,
        None,
        OFFICE_STAFF,
        (clock.answer_clock_open, clock.not_waiting_for_info),
    ),
    *_rows(
        A.RECORD_INFO_REPLY,
        _ANSWERABLE,
        None,
        OFFICE_STAFF | {Role.COMPLAINANT},
        (clock.waiting_for_info,),
    ),
    *_rows(A.END_INFO_WAIT, _ANSWERABLE, None, {Role.SYSTEM}, (clock.waiting_for_info,)),
    *_rows(
        A.EXTEND_DEADLINE,
        _ANSWERABLE,
        None,
        {Role.SUPERVISOR, Role.HEAD},
        (clock.answer_clock_open, clock.not_waiting_for_info),
    ),
    # Issue 14 item 7: a closed case's question and answer, published by a supervisor or the
    # Head (who speak for the office in public: the complaints manager and the Head of
    # Office) only with the complainant's consent; taken down by them, or at once when the
    # complainant withdraws consent, which they (or an officer they told) may do at any time.
    *_rows(A.PUBLISH_QA, [S.CLOSED], None, {Role.SUPERVISOR, Role.HEAD}, (pub.consent_given,)),
    *_rows(A.UNPUBLISH_QA, [S.CLOSED], None, {Role.SUPERVISOR, Role.HEAD}, (pub.published,)),
    *_rows(
        A.WITHDRAW_QA_CONSENT,
        list(Status),
        None,
        {Role.COMPLAINANT, Role.OFFICER},
        (pub.consent_given,),
    ),
)


@dataclass(frozen=True, slots=True)
class Blocked:
    """Why an action that people expect is not possible in a status: a named rule."""

    rule: str
    message: str  # an Indonesian msgid, its English in the catalog

    @property
    def message_en(self) -> str:
        """The message in English (the docs' table of rules is in English)."""
        return translate(self.message, "en")


# Turn the most common "not from this status" into the rule people need to hear.
BLOCKED: dict[tuple[Status, Action], Blocked] = {
    **{
        (S.APIP_PENDING, action): Blocked(
            "apip_requires_approval",
            N_("APIP baru dapat menindaklanjuti setelah disetujui Kepala DPMPTSP/Perangkat Daerah"),
        )
        for action in (A.RECORD_RESULT, A.RECORD_STEP)
    },
    **{
        (status, A.CLOSE): Blocked(
            "close_requires_result",
            N_("kasus hanya dapat ditutup setelah hasil tindak lanjut dicatat"),
        )
        for status in (S.RECORDED, S.CLASSIFIED, S.REVIEWED, *_HANDLING, S.APIP_PENDING)
    },
    **{
        (status, A.PUBLISH_QA): Blocked(
            "qa_case_closed",
            N_("tanya jawab hanya dapat diterbitkan dari pengaduan yang telah selesai (ditutup)"),
        )
        for status in Status
        if status is not S.CLOSED
    },
}


def roles_for(status: Status, action: Action) -> frozenset[Role]:
    """The role matrix cell: which roles may take ``action`` in ``status`` (empty: none)."""
    return _MATRIX.get((status, action), frozenset())


def actions_from(status: Status) -> tuple[Action, ...]:
    """Actions possible from a status, in table order."""
    return _ACTIONS_FROM.get(status, ())


@cache
def allowed_actions(status: Status, role: Role) -> tuple[Action, ...]:
    """What a user with ``role`` may do now: what the UI offers, the API lists, the CLI hints.

    Derived from ``RULES`` alone (code, not data): worked out once per status and role.
    """
    return tuple(a for a in actions_from(status) if role in roles_for(status, a))


def _build_matrix() -> dict[tuple[Status, Action], frozenset[Role]]:
    matrix: dict[tuple[Status, Action], frozenset[Role]] = {}
    for rule in RULES:
        key = (rule.source, rule.action)
        matrix[key] = matrix.get(key, frozenset()) | rule.roles
    return matrix


_MATRIX = _build_matrix()
_ACTIONS_FROM: dict[Status, tuple[Action, ...]] = {}
for _rule in RULES:
    _known = _ACTIONS_FROM.get(_rule.source, ())
    if _rule.action not in _known:
        _ACTIONS_FROM[_rule.source] = (*_known, _rule.action)
