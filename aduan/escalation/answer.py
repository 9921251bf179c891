"""What the answer deadline says about a complaint: one definition of "on time" for every report.

Seed §6 item 4: a complaint is answered within 14 working days. The dashboard, the recap, the
statistics API, the CLI and the case export all judge a complaint with ``answer_standing`` (the
SQL of ``aduan.adapters.sql.stats.compliance`` is the same rule, and a test holds the two
together), rate it with ``on_time_rate`` and place it in a period with ``falls_due_in``:

- **on time**: answered at or before the deadline;
- **late**: answered after the deadline, *or* still open and unanswered once it has passed;
- **pending**: open, unanswered, the deadline still ahead (neither on time nor late yet);
- **ended unanswered**: withdrawn or referred before any answer (not rated);
- suggestions have no answer deadline (not applicable).

Issue 14 item 5: a supervisor may extend the deadline. Compliance is then judged twice, with
the same rule: against the deadline in force (extended) and against the original deadline
(14 working days plus the days the clock stood still waiting for the complainant, without the
extensions). The counts of the second carry the prefix ``ORIGINAL``; ``EXTENDED`` counts the
complaints whose deadline was extended.

Issue 14 item 5: while the answer clock stands still for the complainant's information, the
deadline moves later by every working day that passes (``aduan.escalation.pause``): a complaint
whose clock stopped at or before its deadline is **pending** while it waits, however long ago
the stored deadline was (it is *waiting for the complainant*, as the queues say); one whose
clock stopped after its deadline had passed stays late. The reply moves the stored deadline,
and the rules above apply again.

A complaint is counted in the period in which its deadline falls: that is when it became late,
if it did, so an open complaint that arrived in an earlier month is late in the month its
deadline passed, not in the month it arrived (issue 13 item 5). Pure: time is passed in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final


class AnswerDeadline:
    """The keys of the ``compliance`` counts: what the answer deadline says about a case."""

    ON_TIME: Final = "on_time"  # answered by the deadline
    LATE: Final = "late"  # answered after the deadline
    OVERDUE_OPEN: Final = "overdue_open"  # still unanswered, deadline passed: counted as late
    PENDING: Final = "pending"  # still unanswered, deadline ahead
    ENDED_UNANSWERED: Final = "ended_unanswered"  # withdrawn or referred before any answer
    NOT_APPLICABLE: Final = "not_applicable"  # suggestions: no answer deadline


ORIGINAL = "original:"  # prefix of the counts judged against the deadline without extensions
EXTENDED = "extended"  # the count of complaints whose answer deadline was extended

LATE_STANDINGS = frozenset({AnswerDeadline.LATE, AnswerDeadline.OVERDUE_OPEN})


def answer_standing(
    due_at: datetime | None,
    answered_at: datetime | None,
    is_open: bool,
    now: datetime,
    paused_at: datetime | None = None,
) -> str:
    """The ``AnswerDeadline`` key of a complaint as of ``now``.

    ``due_at``: its answer deadline (None: a suggestion); ``answered_at``: when the answer was
    sent (None: not yet); ``is_open``: the case is still open; ``paused_at``: when its clock
    stopped for the complainant's information (None: it runs). The deadline is the last instant
    that is still on time.
    """
    if due_at is None:
        return AnswerDeadline.NOT_APPLICABLE
    if answered_at is not None:
        return AnswerDeadline.ON_TIME if answered_at <= due_at else AnswerDeadline.LATE
    if is_open:
        late = due_at < now and not waits_in_time(due_at, paused_at)
        return AnswerDeadline.OVERDUE_OPEN if late else AnswerDeadline.PENDING
    return AnswerDeadline.ENDED_UNANSWERED


def waits_in_time(due_at: datetime, paused_at: datetime | None) -> bool:
    """Whether the clock stopped at or before ``due_at``: not late while it stands still."""
    return paused_at is not None and paused_at <= due_at


def falls_due_in(due_at: datetime | None, start: datetime, end: datetime) -> bool:
    """Whether a deadline lies in ``[start, end)``: the period whose compliance counts the case."""
    return due_at is not None and start <= due_at < end


def on_time_rate(on_time: int, late: int) -> float | None:
    """On time among the complaints judged (on time + late), 4 decimals; None when none are."""
    judged = on_time + late
    return round(on_time / judged, 4) if judged else None
