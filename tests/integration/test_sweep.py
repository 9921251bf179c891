"""The deadline sweep on SQLite and PostgreSQL, with the clock moved by hand.

Reminders and breaches ring at their moments and once; a breach marks the case overdue and
moves it up the holder's chain; after downtime one sweep catches up, in deadline order; a
calendar change moves open deadlines. The DESIGN §3 example is the thread: a complaint received
on Tuesday 2026-08-11, 10:00 WIB, answer due at the end of Wednesday 2026-09-02.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from aduan import service
from aduan.adapters.sql.tables import alarms, case_events, cases, outbox, written_reports
from aduan.bootstrap import build
from aduan.config import Settings
from aduan.escalation.calendar import Override
from aduan.escalation.deadlines import Alarm, AlarmPoint, DeadlineKind, DeadlinePolicy
from aduan.ports import FixedClock
from aduan.schemas.views import CaseDetail
from aduan.service import Deps, timekeeping
from aduan.workflow.case import Case
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action, Status
from tests.integration.builders import act, engine_of, internal_case, submit

P, K = AlarmPoint, DeadlineKind
RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday, 10:00 WIB
DUE = datetime(2026, 9, 2, 16, 59, 59, tzinfo=UTC)  # end of Wednesday 2 September, WIB
BREACH = DUE + timedelta(seconds=1)
# The answer's reminders for the example (DESIGN §3), at 07:30 WIB.
RESPONSE_REMINDERS = {
    P.HALF: datetime(2026, 8, 21, 7, 30, tzinfo=WIB),
    P.BEFORE_3: datetime(2026, 8, 28, 7, 30, tzinfo=WIB),
    P.BEFORE_1: datetime(2026, 9, 1, 7, 30, tzinfo=WIB),
}
RECORDED_STAGE_BREACH = datetime(2026, 8, 12, 17, 0, tzinfo=UTC)  # classify within 1 day


def end_of(on: date) -> datetime:
    return datetime.combine(on, time(23, 59, 59), WIB).astimezone(UTC)


@pytest.fixture
def received(clock: FixedClock) -> FixedClock:
    """The clock at the example's moment of receipt."""
    clock.current = RECEIVED
    return clock


def sweep_at(deps: Deps, clock: FixedClock, at: datetime, **kwargs: Any) -> timekeeping.SweepReport:
    clock.current = at.astimezone(UTC)
    report = timekeeping.sweep(deps, **kwargs)
    assert report.now == at  # the clock's time, never the database's
    assert report.counts["failed"] == 0
    return report


def messages(deps: Deps) -> list[dict[str, Any]]:
    """The outbox, oldest first, with the alarm each message came from."""
    with engine_of(deps).connect() as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).mappings().all()
    found = []
    for r in rows:
        if not r["idempotency_key"].startswith("alarm:"):
            continue  # what cases' own changes sent (tests/integration/test_notifications.py)
        _, alarm_id, event, recipient, channel = r["idempotency_key"].split(":")
        assert (event, recipient, channel) == (r["event"], r["recipient"], r["channel"])
        found.append({**r, "alarm_id": int(alarm_id)})
    return found


def rung(deps: Deps, recipient: str, deadline: K | None = None) -> list[tuple[str, str, str]]:
    """(event, deadline, point) of the messages to ``recipient``, through the repository."""
    with deps.uow(readonly=True) as uow:
        sent = uow.outbox.for_recipient(recipient)
    rang = [m.payload["context"] for m in sent if m.event.startswith("deadline_")]
    return [
        (m.event, c["deadline"], c["point"])
        for m, c in zip([m for m in sent if m.event.startswith("deadline_")], rang, strict=True)
        if deadline is None or c["deadline"] == deadline.value
    ]


def stored(deps: Deps, ref: str) -> Case:
    with deps.uow(readonly=True) as uow:
        return uow.cases.get(ref)


def alarm_rows(deps: Deps, **where: Any) -> list[dict[str, Any]]:
    stmt = select(alarms).order_by(alarms.c.fire_at, alarms.c.id)
    for column, value in where.items():
        stmt = stmt.where(alarms.c[column] == value)
    with engine_of(deps).connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def snapshot(deps: Deps) -> dict[str, list[Any]]:
    """Every row the sweep may write, to compare before and after."""
    with engine_of(deps).connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
            for t in (alarms, outbox, case_events, written_reports, cases)
        }


def pending(deps: Deps, case: CaseDetail) -> list[tuple[K, P, datetime, datetime]]:
    with deps.uow(readonly=True) as uow:
        return [(a.kind, a.point, a.due_at, a.fire_at) for a in uow.alarms.pending(case.id)]


def no_stage_targets(deps: Deps) -> Deps:
    """The same service with only the answer deadline: its breach is then the first to ring."""
    return dataclasses.replace(deps, deadlines=DeadlinePolicy(stage_days={}))


def moments(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    while start <= end:
        yield start
        start += step


# --- reminders ----------------------------------------------------------------------------


def test_reminders_ring_at_their_moments_and_only_once(deps: Deps, received: FixedClock) -> None:
    case = submit(deps)
    assert case.response_due_at == DUE
    response = [
        *((("deadline_reminder", "response", p.value), at) for p, at in RESPONSE_REMINDERS.items()),
        (("deadline_breached", "response", "breach"), BREACH),
    ]
    fire_times = [RECORDED_STAGE_BREACH, *(at for _, at in response)]
    instants = sorted(
        {
            *moments(RECEIVED, datetime(2026, 9, 4, tzinfo=UTC), timedelta(hours=6)),
            *(t - timedelta(seconds=1) for t in fire_times),
            *fire_times,
        }
    )

    for now in instants:
        report = sweep_at(deps, received, now)
        assert rung(deps, "budi", K.RESPONSE) == [m for m, at in response if at <= now], now
        assert report.counts["stale"] == 0

    # The holder (budi, whose position takes in complaints) heard each reminder once, then the
    # breaches; his superior heard only of the breaches.
    assert rung(deps, "budi") == [
        ("deadline_breached", "stage", "breach"),
        *(("deadline_reminder", "response", p.value) for p in RESPONSE_REMINDERS),
        ("deadline_breached", "response", "breach"),
    ]
    assert rung(deps, "sari") == [
        ("deadline_breached", "stage", "breach"),
        ("deadline_breached", "response", "breach"),
    ]
    fired = alarm_rows(deps)
    assert [(a["point"], a["fire_at"], a["fired_at"]) for a in fired] == [
        ("breach", RECORDED_STAGE_BREACH, RECORDED_STAGE_BREACH),
        *((p.value, at, at) for p, at in RESPONSE_REMINDERS.items()),  # swept at the second
        ("breach", BREACH, BREACH),
    ]


def test_each_reminder_rings_at_its_second_and_not_before(deps: Deps, received: FixedClock) -> None:
    submit(deps)
    sweep_at(deps, received, RECORDED_STAGE_BREACH)
    for point, at in RESPONSE_REMINDERS.items():
        assert sweep_at(deps, received, at - timedelta(seconds=1)).handled == 0
        report = sweep_at(deps, received, at)
        assert dict(report.counts) == {"reminded": 1}
        assert rung(deps, "budi", K.RESPONSE)[-1] == ("deadline_reminder", "response", point)
    assert sweep_at(deps, received, DUE).handled == 0
    assert dict(sweep_at(deps, received, BREACH).counts) == {"breached": 1}


# --- breaches -------------------------------------------------------------------------------


def test_response_breach_on_the_internal_track_escalates_one_tier(
    deps: Deps, received: FixedClock
) -> None:
    deps = no_stage_targets(deps)
    case = internal_case(deps)
    assert (case.tier, case.assignee) == (0, "budi")
    sweep_at(deps, received, DUE)

    report = sweep_at(deps, received, BREACH)

    assert dict(report.counts) == {"escalated": 1}
    assert report.handled == 1
    after = service.get_case(deps, case.tracking_code, "sari")
    assert (after.status, after.tier, after.assignee) == ("internal_handling", 1, "sari")
    assert after.overdue
    assert stored(deps, case.tracking_code).response_breached_at == BREACH
    breach, escalation = after.timeline[-2:]
    assert (breach.action, breach.actor, breach.role, breach.at) == (
        "breach", "system", "system", BREACH,
    )  # fmt: skip
    assert breach.data == {"deadline": "response", "due_at": DUE.isoformat(), "to": "sari"}
    assert (escalation.action, escalation.actor, escalation.at) == ("escalate", "system", BREACH)
    # A system notice on the timeline, not a written report (issue 13 item 3): the tier that
    # missed its deadline still owes its report (tests/integration/test_overdue_reports.py).
    assert after.reports == []
    assert "2026-09-02 23:59 WIB" in escalation.data["report"]
    assert escalation.data["report"].startswith("Pemberitahuan sistem: tenggat tingkat 1 ")
    [owed] = after.overdue_reports
    assert (owed.tier, owed.holder, owed.to_tier, owed.to_holder) == (1, "budi", 2, "sari")
    assert rung(deps, "sari", K.RESPONSE) == [("deadline_breached", "response", "breach")]
    assert rung(deps, "budi", K.RESPONSE)[-1] == ("deadline_breached", "response", "breach")


def test_stage_breach_escalates_and_starts_the_next_tiers_target(
    deps: Deps, received: FixedClock
) -> None:
    case = internal_case(deps)
    stage_breach = datetime(2026, 8, 14, 17, 0, tzinfo=UTC)  # 3 working days: 12, 13, 14

    report = sweep_at(deps, received, stage_breach)

    assert report.counts["escalated"] == 1
    after = stored(deps, case.tracking_code)
    assert (after.tier, after.assignee) == (1, "sari")
    assert after.stage_started_at == stage_breach  # the new tier's target counts from now
    assert after.stage_due_at == end_of(date(2026, 8, 20))  # 18, 19, 20 (17th is a holiday)
    assert after.response_due_at == DUE  # the answer clock is not reset
    stage_alarms = [a for a in pending(deps, case) if a[0] is K.STAGE]
    assert {a[2] for a in stage_alarms} == {after.stage_due_at}
    assert stage_alarms[-1][1] is P.BREACH
    old = alarm_rows(deps, kind="stage", point="breach")
    assert [(a["due_at"], a["fired_at"]) for a in old] == [
        (end_of(date(2026, 8, 14)), stage_breach),  # the breach that rang is kept, marked
        (after.stage_due_at, None),
    ]


def test_breach_on_a_recorded_case_notifies_the_holders_superior(
    deps: Deps, received: FixedClock
) -> None:
    case = submit(deps)

    report = sweep_at(deps, received, RECORDED_STAGE_BREACH)

    assert dict(report.counts) == {"breached": 1}
    after = stored(deps, case.tracking_code)
    assert (after.status, after.tier, after.assignee) == (Status.RECORDED, 0, None)
    assert after.stage_breached_at == RECORDED_STAGE_BREACH
    assert after.response_breached_at is None
    assert rung(deps, "sari") == [("deadline_breached", "stage", "breach")]
    assert rung(deps, "budi") == [("deadline_breached", "stage", "breach")]
    event = service.get_case(deps, case.tracking_code, "budi").timeline[-1]
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "breach", "system", "recorded", "recorded",
    )  # fmt: skip
    assert event.data["to"] == "sari"

    sweep_at(deps, received, BREACH)

    assert stored(deps, case.tracking_code).response_breached_at == BREACH
    assert rung(deps, "sari")[-1] == ("deadline_breached", "response", "breach")


def test_sweeping_the_same_instant_twice_does_nothing_the_second_time(
    deps: Deps, received: FixedClock
) -> None:
    submit(deps)
    internal_case(deps)
    now = datetime(2026, 9, 3, 1, 0, tzinfo=UTC)
    first = sweep_at(deps, received, now)
    assert first.handled > 0
    before = snapshot(deps)

    second = sweep_at(deps, received, now)

    assert (second.handled, dict(second.counts), second.batches) == (0, {}, 0)
    assert snapshot(deps) == before


# --- answered, stale ----------------------------------------------------------------------


def test_an_answered_complaint_gets_no_more_response_reminders(
    deps: Deps, received: FixedClock
) -> None:
    case = submit(deps)
    sweep_at(deps, received, RESPONSE_REMINDERS[P.HALF])
    received.current = RESPONSE_REMINDERS[P.HALF] + timedelta(hours=2)
    act(deps, case, Action.RESPOND, "budi")

    assert [a for a in pending(deps, case) if a[0] is K.RESPONSE] == []
    for now in moments(BREACH - timedelta(days=6), BREACH + timedelta(days=7), timedelta(hours=12)):
        sweep_at(deps, received, now)

    assert rung(deps, "budi", K.RESPONSE) == [("deadline_reminder", "response", "half")]
    assert rung(deps, "sari", K.RESPONSE) == []
    assert stored(deps, case.tracking_code).response_breached_at is None
    limits = service.get_case(deps, case.tracking_code, "budi").deadlines
    assert [d.kind for d in limits] == ["stage"]  # classification is late; the answer is not


def test_stale_alarms_are_taken_off_without_ringing(deps: Deps, received: FixedClock) -> None:
    answered = submit(deps)
    moved = submit(deps)
    withdrawn = submit(deps)
    received.current = RECEIVED + timedelta(hours=1)
    act(deps, answered, Action.RESPOND, "budi")
    act(deps, withdrawn, Action.WITHDRAW, "budi")
    at = RESPONSE_REMINDERS[P.BEFORE_1]
    leftovers = [
        # Alarms a change did not take away (an older version, a lost race): they must not ring.
        (answered, Alarm(K.RESPONSE, P.BEFORE_1, DUE, at)),
        (moved, Alarm(K.RESPONSE, P.BEFORE_1, DUE - timedelta(days=1), at)),
        (withdrawn, Alarm(K.STAGE, P.BREACH, end_of(date(2026, 8, 12)), at)),
    ]
    sweep_at(deps, received, at - timedelta(seconds=1))  # what was really due before
    with deps.uow() as uow:
        for case, alarm in leftovers:
            uow.alarms.replace(case.id, frozenset(), [alarm])
        uow.commit()
    before = {m["id"] for m in messages(deps)}

    report = sweep_at(deps, received, at, worker="sweeper-1")

    assert dict(report.counts) == {"stale": 3, "reminded": 1}
    fresh = [m for m in messages(deps) if m["id"] not in before]
    assert [
        (m["payload"]["context"]["tracking_code"], m["payload"]["context"]["point"]) for m in fresh
    ] == [
        (moved.tracking_code, "before_1")  # the real one; its leftover twin stays silent
    ]
    ringing_now = alarm_rows(deps, fire_at=at)
    assert len(ringing_now) == 4
    assert {(a["fired_at"], a["fired_by"]) for a in ringing_now} == {(at, "sweeper-1")}


# --- downtime -----------------------------------------------------------------------------


def test_after_a_week_of_downtime_one_sweep_rings_everything_missed_once_in_order(
    deps: Deps, received: FixedClock
) -> None:
    cases = [submit(deps), internal_case(deps)]
    received.current = RECEIVED + timedelta(days=1)
    cases.append(submit(deps))
    received.current = RECEIVED + timedelta(days=2, hours=5)
    cases.append(internal_case(deps))
    # Running normally: a sweep every morning until Thursday 27 August.
    down_from = datetime(2026, 8, 27, 1, tzinfo=UTC)
    for now in moments(datetime(2026, 8, 14, 1, tzinfo=UTC), down_from, timedelta(days=1)):
        sweep_at(deps, received, now)
    back = datetime(2026, 9, 7, 1, tzinfo=UTC)  # Monday, a week and a half later
    missed = [a for a in alarm_rows(deps) if a["fired_at"] is None and a["fire_at"] <= back]
    assert len(missed) >= 12
    assert {a["point"] for a in missed} >= {"before_3", "before_1", "breach"}
    assert {a["kind"] for a in missed} == {"response", "stage"}
    assert min(a["fire_at"] for a in missed) > down_from
    first_new = max((m["id"] for m in messages(deps)), default=0) + 1

    report = sweep_at(deps, received, back, batch_size=3, worker="after-downtime")

    assert report.handled == len(missed)
    assert report.counts["stale"] == 0
    assert report.counts["escalated"] >= 2
    assert report.batches >= len(missed) // 3
    by_id = {a["id"]: a for a in alarm_rows(deps)}
    assert all(
        (by_id[a["id"]]["fired_at"], by_id[a["id"]]["fired_by"]) == (back, "after-downtime")
        for a in missed
    )
    fired_now = {i for i, a in by_id.items() if a["fired_at"] == back}
    assert fired_now == {a["id"] for a in missed}  # new targets from escalations wait their turn
    new = [m for m in messages(deps) if m["id"] >= first_new]
    rung_order = list(dict.fromkeys(m["alarm_id"] for m in new))
    assert set(rung_order) == fired_now
    fire_order = [by_id[i]["fire_at"] for i in rung_order]
    assert fire_order == sorted(fire_order)  # in deadline order
    assert rung_order == [a["id"] for a in sorted(missed, key=lambda a: (a["fire_at"], a["id"]))]
    per_alarm = Counter(m["alarm_id"] for m in new)
    for a in missed:  # a reminder to the holder; a breach to the superior (and the holder)
        assert per_alarm[a["id"]] in ({1, 2} if a["point"] == "breach" else {1})
    for case in cases:
        assert stored(deps, case.tracking_code).response_breached_at == back

    again = sweep_at(deps, received, back)
    assert again.handled == 0


# --- the calendar -------------------------------------------------------------------------


def test_a_calendar_override_moves_an_open_deadline(deps: Deps, received: FixedClock) -> None:
    case = submit(deps)
    sweep_at(deps, received, datetime(2026, 8, 13, 1, tzinfo=UTC))  # the stage breach rings
    later = end_of(date(2026, 9, 3))
    regional = Override(date(2026, 8, 20), "holiday", "Hari Jadi Kabupaten Purwakarta", "admin")

    message, moves = timekeeping.set_override(deps, regional)

    assert message is None
    assert [(m.tracking_code, m.kind, m.before, m.after) for m in moves] == [
        (case.tracking_code, K.RESPONSE, DUE, later)
    ]
    after = service.get_case(deps, case.tracking_code, "budi")
    assert after.response_due_at == later
    event = after.timeline[-1]
    assert (event.action, event.actor, event.at) == ("deadlines_moved", "system", received.now())
    assert event.data == {"response": [DUE.isoformat(), later.isoformat()]}
    response = [a for a in pending(deps, case) if a[0] is K.RESPONSE]
    assert [(p, fire) for _, p, _, fire in response] == [
        (P.HALF, datetime(2026, 8, 24, 7, 30, tzinfo=WIB)),  # the 20th no longer counts
        (P.BEFORE_3, datetime(2026, 8, 31, 7, 30, tzinfo=WIB)),
        (P.BEFORE_1, datetime(2026, 9, 2, 7, 30, tzinfo=WIB)),
        (P.BREACH, later + timedelta(seconds=1)),
    ]
    # The stage target was missed already and does not move: its breach stays on record.
    assert stored(deps, case.tracking_code).stage_breached_at == datetime(
        2026, 8, 13, 1, tzinfo=UTC
    )

    assert sweep_at(deps, received, BREACH).counts["breached"] == 0  # the old deadline is gone
    assert sweep_at(deps, received, later + timedelta(seconds=1)).counts == {"breached": 1}
    assert stored(deps, case.tracking_code).response_breached_at == later + timedelta(seconds=1)
    assert rung(deps, "budi", K.RESPONSE) == [
        *(("deadline_reminder", "response", p.value) for p in RESPONSE_REMINDERS),
        ("deadline_breached", "response", "breach"),
    ]


def test_removing_the_override_moves_the_deadline_back(deps: Deps, received: FixedClock) -> None:
    case = submit(deps)
    received.current = datetime(2026, 8, 13, 1, tzinfo=UTC)
    timekeeping.set_override(deps, Override(date(2026, 8, 20), "holiday", "Hari Jadi", "admin"))

    message, moves = timekeeping.set_override(deps, date(2026, 8, 20), remove=True)

    assert message is None
    assert [(m.kind, m.before, m.after) for m in moves] == [
        (K.RESPONSE, end_of(date(2026, 9, 3)), DUE)
    ]
    assert service.get_case(deps, case.tracking_code, "budi").response_due_at == DUE
    events = [e.action for e in service.get_case(deps, case.tracking_code, "budi").timeline]
    assert events[-2:] == ["deadlines_moved", "deadlines_moved"]


def test_a_missed_deadline_moved_away_and_back_does_not_breach_twice(
    deps: Deps, received: FixedClock
) -> None:
    case = submit(deps)
    sweep_at(deps, received, BREACH)
    received.current = datetime(2026, 9, 4, 1, tzinfo=UTC)
    mistaken = Override(date(2026, 8, 20), "holiday", "Salah input", "admin")
    timekeeping.set_override(deps, mistaken)
    breaches_before = rung(deps, "sari", K.RESPONSE)

    _, moves = timekeeping.set_override(deps, mistaken.on, remove=True)  # the correction

    assert [(m.before, m.after) for m in moves] == [(end_of(date(2026, 9, 3)), DUE)]
    assert sweep_at(deps, received, received.now()).counts["breached"] == 0
    assert (
        rung(deps, "sari", K.RESPONSE)
        == breaches_before
        == [("deadline_breached", "response", "breach")]
    )
    response_breaches = alarm_rows(deps, case_id=case.id, kind="response", point="breach")
    assert [(a["due_at"], a["fired_at"]) for a in response_breaches] == [(DUE, BREACH)]


# --- the real clock, frozen -----------------------------------------------------------------


def test_the_sweep_takes_now_from_the_system_clock(
    deps: Deps, received: FixedClock, db_url: str
) -> None:
    submit(deps)
    half = RESPONSE_REMINDERS[P.HALF].astimezone(UTC)
    real = build(Settings(database_url=db_url))  # SystemClock: datetime.now(UTC)
    try:
        with freeze_time(half):
            report = timekeeping.sweep(real, worker="frozen")
        assert report.now == half
        assert dict(report.counts) == {"breached": 1, "reminded": 1}  # the stage, the half
        with freeze_time(half - timedelta(seconds=1)):
            assert timekeeping.sweep(real).handled == 0
    finally:
        engine_of(real).dispose()
    fired = {(a["point"], a["fired_at"], a["fired_by"]) for a in alarm_rows(deps) if a["fired_at"]}
    assert fired == {("breach", half, "frozen"), ("half", half, "frozen")}
