"""The reports judge a complaint waiting for the complainant's information as the queues do.

Issue 14 item 5, on SQLite and PostgreSQL. While the answer clock stands still the deadline
moves later by every working day that passes (``aduan.escalation.pause``): a complaint whose
clock stopped before its deadline is not late while it waits, one whose clock stopped after
its deadline had passed stays late. The recap's overdue list, the compliance figures, the
statistics rollup and the export say so, as the queue and the tracking page do.

Three complaints received on Tuesday 2026-08-11, 10:00 WIB, all due at the end of Wednesday
2 September (17 and 25 August are holidays; tests/integration/test_answer_clock.py):

- ``waiting``: information asked on Monday 31 August, two working days before its deadline;
- ``twin``: the same complaint, never paused;
- ``asked_late``: information asked on Thursday 3 September, a working day after its deadline.

"Now" is Thursday 10 September, 10:00 WIB: the stored deadline of all three has passed, and
both waits still run (ten working days).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from aduan import service
from aduan.ports import FixedClock
from aduan.reports import period
from aduan.service import Deps
from aduan.service.reporting import reporting
from aduan.service.reports import build_recap, compute_statistics, export_cases
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action
from aduan.workflow.visibility import OFFICE_SIGHT
from tests.integration import builders as b
from tests.reports.test_rollup_fold import fold_everything

A = Action
HEAD = "dewi"
RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)
AUGUST, SEPTEMBER = period.month("2026-08"), period.month("2026-09")
QUESTION = "Mohon kirim nomor NIB Anda."


def wib(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=WIB).astimezone(UTC)


def end_of(month: int, day: int) -> datetime:
    return datetime.combine(date(2026, month, day), time(23, 59, 59), WIB).astimezone(UTC)


NOW = wib(9, 10)


@dataclass(frozen=True)
class Three:
    """The tracking codes of the three complaints."""

    waiting: str
    twin: str
    asked_late: str


def three_complaints(deps: Deps, clock: FixedClock) -> Three:
    """The complaints of the module's docstring; the clock left at "now"."""
    clock.current = RECEIVED
    waiting = b.reviewed_case(deps)
    twin = b.reviewed_case(deps).tracking_code
    asked_late = b.reviewed_case(deps).tracking_code
    clock.current = wib(8, 31)
    b.act(deps, waiting, A.REQUEST_INFO, "budi", question=QUESTION)
    clock.current = wib(9, 3)
    b.act(deps, asked_late, A.REQUEST_INFO, "budi", question=QUESTION)
    clock.current = NOW
    return Three(waiting.tracking_code, twin, asked_late)


def rolled_up(deps: Deps, chosen: period.Period, *, rollup_on: bool) -> dict[str, int]:
    """The rollup's (or the scan's) own answer buckets of the cases received in ``chosen``."""
    with deps.uow(readonly=True) as uow:
        found = reporting(uow).stats.period_counts(
            chosen.start_at, chosen.end_at, NOW, sight=OFFICE_SIGHT, rollup=rollup_on
        )
    return found.dims["compliance"]


def exported(deps: Deps) -> dict[str, str]:
    """The export's standing column of August's cases, by tracking code."""
    out = io.BytesIO()
    export_cases(deps, AUGUST, HEAD, "csv", out)
    rows = csv.DictReader(io.StringIO(out.getvalue().decode("utf-8")))
    return {r["Kode pelacakan"]: r["Ketepatan jawaban"] for r in rows}


def test_a_complaint_waiting_since_before_its_deadline_is_not_late_in_any_report(
    deps: Deps, clock: FixedClock
) -> None:
    three = three_complaints(deps, clock)

    # The case page and the queue: waiting, not overdue, though the stored deadline passed.
    shown = service.get_case(deps, three.waiting, "budi")
    assert shown.response_due_at == end_of(9, 2)
    (response,) = [d for d in shown.deadlines if d.kind == "response"]
    assert response.paused and not response.overdue

    recap = build_recap(deps, SEPTEMBER, HEAD)
    listed = [c.tracking_code for c in recap.overdue]
    assert three.twin in listed and three.asked_late in listed
    assert three.waiting not in listed
    # Days late as the queue counts them: the twin up to now (3, 4, 7-10 September), the one
    # asked late up to when its clock stopped.
    late = {c.tracking_code: recap.late_days[c.id] for c in recap.overdue}
    assert late == {three.twin: 6, three.asked_late: 1}

    c = recap.statistics.compliance
    assert (c.falling_due, c.overdue_open, c.late, c.pending) == (3, 2, 2, 1)
    assert c.on_time_rate == 0.0

    assert exported(deps) == {
        three.waiting: "Menunggu informasi dari pelapor",
        three.twin: "Belum dijawab, lewat tenggat",
        three.asked_late: "Belum dijawab, lewat tenggat",
    }

    # The rollup of August (a whole month) before and after folding, and the scan of the cases.
    expected = {"overdue_open": 2, "pending": 1}
    assert rolled_up(deps, AUGUST, rollup_on=True) == expected
    assert rolled_up(deps, AUGUST, rollup_on=False) == expected
    assert fold_everything(deps) >= 3
    assert rolled_up(deps, AUGUST, rollup_on=True) == expected
    whole = compute_statistics(deps, AUGUST, HEAD)
    scanned = compute_statistics(deps, AUGUST, HEAD, rollup=False)
    assert whole.model_dump(exclude={"generated_at"}) == scanned.model_dump(
        exclude={"generated_at"}
    )


def test_after_the_reply_the_moved_deadline_judges_the_answer(
    deps: Deps, clock: FixedClock
) -> None:
    three = three_complaints(deps, clock)
    fold_everything(deps)

    clock.current = wib(9, 11)  # the reply: nine working days stood still (1-4, 7-11 September)
    b.act(deps, three.waiting, A.RECORD_INFO_REPLY, "budi", reply="NIB 9120001234567")
    resumed = service.get_case(deps, three.waiting, "budi")
    assert resumed.response_due_at == end_of(9, 15)
    clock.current = wib(9, 14)
    b.act(deps, three.waiting, A.RESPOND, "budi", text="Sertifikat Anda telah terbit.")

    c = compute_statistics(deps, SEPTEMBER, HEAD).compliance
    assert (c.on_time, c.overdue_open, c.pending, c.falling_due) == (1, 2, 0, 3)
    assert exported(deps)[three.waiting] == "Tepat waktu"
    overdue = build_recap(deps, SEPTEMBER, HEAD).overdue
    assert [c.tracking_code for c in overdue] == [three.twin, three.asked_late]
    expected = {"on_time": 1, "overdue_open": 2}
    assert rolled_up(deps, AUGUST, rollup_on=True) == expected
    assert rolled_up(deps, AUGUST, rollup_on=False) == expected
