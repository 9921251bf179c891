"""What the case page and the tracking page say about a paused or extended answer clock.

Issue 14 item 5: while the office waits for the complainant's reply, both pages show the
question and that the answer deadline stands still; an extension's written reason is shown to
the complainant and on the case page. The timeline names each pause, resumption and extension.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aduan.escalation import pause
from aduan.escalation.calendar import WorkingCalendar
from aduan.escalation.deadlines import DeadlinePolicy
from aduan.schemas.views import AnswerClockView
from aduan.workflow.case import Case, CaseEvent
from aduan.workflow.states import N_, OPEN_STATUSES, Action

# The public history's words for the clock's events (the case page uses the action labels).
HISTORY: dict[str, str] = {
    Action.REQUEST_INFO.value: N_("Menunggu informasi dari pelapor"),
    Action.RECORD_INFO_REPLY.value: N_(
        "Informasi dari pelapor diterima; batas waktu jawaban berjalan kembali"
    ),
    Action.END_INFO_WAIT.value: N_(
        "Batas waktu menunggu informasi habis; batas waktu jawaban berjalan kembali"
    ),
    Action.EXTEND_DEADLINE.value: N_("Batas waktu jawaban diperpanjang"),
}


def waiting_until(
    paused_at: datetime | None, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> datetime | None:
    """Until when the office waits for the complainant's reply: the end of the wait's last day.

    The clock runs again then (the deadline sweep), or sooner on the reply; None: not paused.
    """
    return pause.wait_ends_at(calendar, paused_at, policy) if paused_at else None


def clock_view(
    case: Case, events: Sequence[CaseEvent], calendar: WorkingCalendar, policy: DeadlinePolicy
) -> AnswerClockView:
    """The clock's state from the case and its audit trail (the question, the last reason)."""
    waiting = case.info_requested_at if case.status in OPEN_STATUSES else None
    asked = [e for e in events if e.action == Action.REQUEST_INFO.value]
    extended = [e for e in events if e.action == Action.EXTEND_DEADLINE.value]
    question = str(asked[-1].data.get("question") or "") if waiting and asked else None
    reason = str(extended[-1].data.get("reason") or "") if extended else None
    original = case.response_original_due_at if case.response_extended_days else None
    return AnswerClockView(
        waiting_since=waiting,
        waiting_until=waiting_until(waiting, calendar, policy),
        question=question or None,
        paused_days=case.response_paused_days,
        extended_days=case.response_extended_days,
        extension_reason=reason or None,
        original_due_at=original,
    )
