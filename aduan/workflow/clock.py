"""Guards of the answer clock (issue 14 item 5): paused for missing information, or extended.

The answer deadline of seed §6 item 4 stands still while the office waits for information only
the complainant has, and a supervisor may extend it with a written reason. These guards say
when that may happen; the working-day arithmetic is ``aduan.escalation.pause``.
"""

from __future__ import annotations

from aduan.workflow.context import ActionContext
from aduan.workflow.errors import RuleViolationError
from aduan.workflow.states import N_


def answer_clock_open(ctx: ActionContext) -> None:
    """Only a complaint whose answer deadline still runs may be paused or extended."""
    case = ctx.case
    if case.response_due_at is None or case.answered_at is not None:
        raise RuleViolationError(
            case.ref,
            "answer_clock_stopped",
            N_("pengaduan ini sudah dijawab atau tidak memiliki tenggat jawaban"),
        )


def not_waiting_for_info(ctx: ActionContext) -> None:
    """A second request while the clock stands still would pause nothing; ask once."""
    case = ctx.case
    if case.info_requested_at is not None:
        raise RuleViolationError(
            case.ref,
            "info_already_requested",
            N_("kasus sudah menunggu informasi dari pelapor; tenggat jawaban sedang dihentikan"),
        )


def waiting_for_info(ctx: ActionContext) -> None:
    """A reply, or the end of the wait, resumes a clock that was paused, and nothing else."""
    case = ctx.case
    if case.info_requested_at is None:
        raise RuleViolationError(
            case.ref,
            "not_waiting_for_info",
            N_("kasus tidak sedang menunggu informasi dari pelapor"),
        )


# They read only the case: the UI offers a request only while the clock runs, a reply only
# while it stands still (``aduan.workflow.guards.AUTHORITY_GUARDS``).
CLOCK_GUARDS = frozenset({answer_clock_open, not_waiting_for_info, waiting_for_info})
