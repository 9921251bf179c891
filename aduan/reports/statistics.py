"""Statistics of a period (issue 6 item 1): counts, answer compliance, answer times, tiers, APIP.

The database counts (``ports.StatisticsReader``: the whole months of a period from the rollup,
the partial months at its edges from the cases). This module only names and arranges the counts,
turns the (start day, answer day) pairs into working days with the office's calendar, and
corrects the tier reached of reopened cases from their history.

Every figure counts the cases *received* in the period, but for the answer compliance: that
judges the complaints whose answer deadline *falls* in the period, whenever they arrived, with
the one definition of on time in ``aduan.escalation.answer`` (issue 13 item 5).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from aduan.catalog.orgchart import OrgChart
from aduan.escalation.answer import EXTENDED, ORIGINAL, on_time_rate
from aduan.escalation.calendar import WorkingCalendar
from aduan.ports import NO_VALUE, AnswerDeadline, PastTier, PeriodCounts
from aduan.reports.period import Period


class Compliance(BaseModel):
    """Answers against the 14-working-day limit (seed §6 item 4), as of ``generated_at``.

    The complaints whose answer deadline falls in the period (``falling_due``), whenever they
    arrived. ``late`` counts answers given after the deadline **and** open complaints already
    past it (late in the period their deadline passed); ``on_time_rate`` is on time among those
    judged (``on_time + late``): ``aduan.escalation.answer.on_time_rate``.
    """

    model_config = ConfigDict(frozen=True)

    falling_due: int
    on_time: int
    late_answered: int
    overdue_open: int
    late: int
    pending: int
    ended_unanswered: int
    on_time_rate: float | None  # on_time / (on_time + late); None when nothing is due yet
    extended: int = 0  # of the complaints falling due, those whose deadline was extended


class AnswerTimes(BaseModel):
    """Working days from receipt (or acceptance of a late complaint) to the first answer."""

    model_config = ConfigDict(frozen=True)

    answered: int
    median: float | None
    p90: float | None


class Apip(BaseModel):
    """APIP (Aparat Pengawas Intern Pemerintah) involvement in the period's cases."""

    model_config = ConfigDict(frozen=True)

    requested: int
    approved: int
    refused: int
    awaiting_approval: int
    handled_by_apip: int


class Statistics(BaseModel):
    """Everything the dashboard, the CLI and the recap show for one period."""

    model_config = ConfigDict(frozen=True)

    period: str
    label: str
    first_day: str
    last_day: str
    generated_at: str
    total: int
    complaints: int
    suggestions: int
    suggestion_reasons: dict[str, int]  # late | no_identity | no_subject | - (filed as one)
    accepted_late: int  # late complaints a supervisor accepted as complaints
    # Complainants of the period's complaints: one each, plus the duplicates merged into them
    # (issue 14 item 4); a merged duplicate is counted once, with its main complaint.
    complainants: int = 0
    by_service: dict[str, int]
    by_problem_type: dict[str, int]
    by_channel: dict[str, int]
    by_track: dict[str, int]
    by_outcome: dict[str, int]
    by_status: dict[str, int]
    by_tier: dict[str, dict[str, int]]  # track -> highest tier reached (1-based) -> cases
    compliance: Compliance  # by the period the deadline falls in, not the one of receipt
    # Issue 14 item 5: the same complaints judged against their deadline without the extensions
    # (14 working days plus the days the clock stood still), separately.
    compliance_original: Compliance | None = None
    answer_days: AnswerTimes
    apip: Apip


def arrange_statistics(
    period: Period,
    now: datetime,
    counts: PeriodCounts,
    due: dict[str, int],
    history: list[PastTier],
    calendar: WorkingCalendar,
    chart: OrgChart | None,
) -> Statistics:
    """The statistics of ``period`` as of ``now`` from what the database counted.

    ``due``: the complaints whose answer deadline falls in the period, by ``AnswerDeadline``
    key (``StatisticsReader.deadline_compliance``); ``history``: the reopened cases' earlier
    tiers; ``chart`` (needed only with a history) maps the positions their tier reports went
    up to onto tier levels.
    """
    dims, spans, apip = counts.dims, counts.spans, counts.apip
    problems = dims["problem_types"]
    days: dict[int, int] = defaultdict(int)
    for span in spans:
        days[calendar.working_days_between(span.started_on, span.answered_on)] += span.count
    hist = list(days.items())
    kinds = _kinds(dims["kind_reason"])
    return Statistics(
        period=period.key,
        label=period.label,
        first_day=period.first.isoformat(),
        last_day=period.last.isoformat(),
        generated_at=now.isoformat(),
        total=sum(dims["status"].values()),
        complaints=kinds["complaint"],
        suggestions=kinds["suggestion"],
        suggestion_reasons=_sorted(
            {
                k.split(":", 1)[1]: n
                for k, n in dims["kind_reason"].items()
                if k[:10] == "suggestion"
            }
        ),
        accepted_late=dims["kind_reason"].get("complaint:late", 0),
        complainants=kinds["complaint"] + counts.merged,
        by_service=_sorted(dims["service"]),
        by_problem_type=_sorted(problems),
        by_channel=_sorted(dims["channel"]),
        by_track=_sorted(dims["track"]),
        by_outcome=_sorted(dims["outcome"]),
        by_status=_sorted(dims["status"]),
        by_tier=_tiers(dims["tier"], history, _tier_levels(chart) if chart else {}),
        compliance=_compliance(due).model_copy(update={"extended": due.get(EXTENDED, 0)}),
        compliance_original=_compliance(
            {k.removeprefix(ORIGINAL): n for k, n in due.items() if k.startswith(ORIGINAL)}
        ),
        answer_days=AnswerTimes(
            answered=sum(days.values()),
            median=weighted_percentile(hist, 0.5),
            p90=weighted_percentile(hist, 0.9),
        ),
        apip=Apip(
            requested=apip["request_apip"],
            approved=apip["approve_apip"],
            refused=apip["refuse_apip"],
            awaiting_approval=dims["status"].get("apip_pending", 0),
            handled_by_apip=dims["track"].get("apip", 0),
        ),
    )


def _kinds(kind_reason: dict[str, int]) -> dict[str, int]:
    found = {"complaint": 0, "suggestion": 0}
    for key, n in kind_reason.items():
        kind = key.split(":", 1)[0]
        found[kind] = found.get(kind, 0) + n
    return found


TRACK_OF_UNIT = {"office": "internal", "agency": "agency", "apip": "apip"}


def _tier_levels(chart: OrgChart) -> dict[str, tuple[str, int]]:
    """Position -> (track, 0-based tier level) on the tier chains of the org chart in force."""
    levels: dict[str, tuple[str, int]] = {}
    for unit in chart.units.values():
        if unit.entry_position is None:
            continue
        for level, post in enumerate(chart.chain(unit.code)):
            levels.setdefault(post.position, (TRACK_OF_UNIT[unit.kind], level))
    return levels


def _tiers(
    current: dict[str, int],
    history: list[PastTier],
    levels: dict[str, tuple[str, int]],
) -> dict[str, dict[str, int]]:
    """Cases per track by the highest tier (1-based) they reached on it.

    ``current`` counts the cases by their current ``track:tier``; for a case never reopened
    that is the highest it reached. A reopened case lost its track and tier when reopened:
    it counts on each track it was ever on, at the highest of its current tier (on its
    current track), the level its tier reports went up to, and the first tier where a route
    put it. A report to a position the org chart no longer has counts as the first tier.
    """
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for key, n in current.items():
        if key != NO_VALUE:
            on, level = key.split(":", 1)
            counts[on, int(level)] += n
    for before, case_reached in _reopened(history, levels):
        if before is not None:
            counts[before] -= 1  # counted again below, at its highest
        for track, highest in case_reached.items():
            counts[track, highest] += 1
    found: dict[str, dict[str, int]] = {}
    for (on, reached), n in sorted(counts.items()):
        if n > 0:
            found.setdefault(on, {})[str(reached + 1)] = n
    return found


def _reopened(
    history: list[PastTier], levels: dict[str, tuple[str, int]]
) -> list[tuple[tuple[str, int] | None, dict[str, int]]]:
    """Per reopened case: its current ``(track, tier)`` and its highest tier on each track."""
    cases: dict[int, tuple[tuple[str, int] | None, dict[str, int]]] = {}
    for past in history:
        if past.case_id not in cases:
            now = (past.track, past.tier) if past.track is not None else None
            cases[past.case_id] = (now, dict([now]) if now else {})
        reached = cases[past.case_id][1]
        if past.routed_to is not None:
            track, level = past.routed_to, 0
        else:
            track, level = levels.get(past.position or "", (past.track or "internal", 0))
        reached[track] = max(reached.get(track, 0), level)
    return list(cases.values())


def _compliance(counts: dict[str, int]) -> Compliance:
    counts = {k: n for k, n in counts.items() if k in _STANDINGS}
    on_time = counts.get(AnswerDeadline.ON_TIME, 0)
    late_answered = counts.get(AnswerDeadline.LATE, 0)
    overdue_open = counts.get(AnswerDeadline.OVERDUE_OPEN, 0)
    late = late_answered + overdue_open
    return Compliance(
        falling_due=sum(n for key, n in counts.items() if key != AnswerDeadline.NOT_APPLICABLE),
        on_time=on_time,
        late_answered=late_answered,
        overdue_open=overdue_open,
        late=late,
        pending=counts.get(AnswerDeadline.PENDING, 0),
        ended_unanswered=counts.get(AnswerDeadline.ENDED_UNANSWERED, 0),
        on_time_rate=on_time_rate(on_time, late),
    )


_STANDINGS = frozenset(
    v for k, v in vars(AnswerDeadline).items() if not k.startswith("_") and isinstance(v, str)
)


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def weighted_percentile(values: Sequence[tuple[int, int]], q: float) -> float | None:
    """The ``q``-quantile (0..1) of ``(value, count)`` pairs; None when there are none.

    Linear interpolation between the two nearest ranks, as PostgreSQL's ``percentile_cont``
    (and numpy's default): the median of 1, 2, 3, 4 is 2.5.
    """
    ordered = sorted((v, n) for v, n in values if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        return None
    position = q * (total - 1)
    low = int(position)
    below, above = _nth(ordered, low), _nth(ordered, min(low + 1, total - 1))
    return below + (above - below) * (position - low)


def _nth(ordered: Sequence[tuple[int, int]], k: int) -> int:
    """The ``k``-th (0-based) value of the histogram expanded in order."""
    seen = 0
    for value, n in ordered:
        seen += n
        if k < seen:
            return value
    return ordered[-1][0]


def statistics_csv(s: Statistics) -> str:
    """The statistics as ``section,key,count`` rows (for spreadsheets)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "key", "value"])
    w.writerow(["period", s.period, s.label])
    for name in ("total", "complaints", "suggestions", "accepted_late"):
        w.writerow(["summary", name, getattr(s, name)])
    sections = {
        "suggestion_reason": s.suggestion_reasons,
        "service": s.by_service,
        "problem_type": s.by_problem_type,
        "channel": s.by_channel,
        "track": s.by_track,
        "outcome": s.by_outcome,
        "status": s.by_status,
    }
    for section, counts in sections.items():
        w.writerows([section, k, n] for k, n in counts.items())
    for track, levels in s.by_tier.items():
        w.writerows(["tier", f"{track}:{level}", n] for level, n in levels.items())
    for name, value in s.compliance.model_dump().items():
        w.writerow(["compliance", name, "" if value is None else value])
    if s.compliance_original is not None:
        for name, value in s.compliance_original.model_dump(exclude={"extended"}).items():
            w.writerow(["compliance_original", name, "" if value is None else value])
    for name, value in s.answer_days.model_dump().items():
        w.writerow(["answer_working_days", name, "" if value is None else value])
    for name, value in s.apip.model_dump().items():
        w.writerow(["apip", name, value])
    return out.getvalue()
