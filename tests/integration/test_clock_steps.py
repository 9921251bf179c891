"""A wall clock that steps back or jumps forward (issue 17).

A one-hour step back froze the dispatcher and the sweep for an hour even after the clock was
fixed; a step forward rang reminders and breaches early and the real deadline later passed with
no alarm. The fixed clock plays the wall clock; a counter plays the monotonic clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from aduan.jobs.periodic import SteadyBackgroundScheduler
from aduan.jobs.scheduler import _sweep
from aduan.ports import DeliveryError, FixedClock, OutboxEntry, RenderedMessage
from aduan.service import Deps
from aduan.service.clockwatch import ClockWatch
from aduan.service.dispatch import Dispatcher
from tests.conftest import NOW
from tests.integration import builders as b
from tests.integration.test_sweep import stored


class Mailbox:
    """An email channel that keeps what it is given, or fails while ``down``."""

    name = "email"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.down = False

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        if self.down:
            raise DeliveryError("server down", unreachable=True)
        self.sent.append(entry.message.idempotency_key)

    def close(self) -> None:
        pass


def dispatcher(deps: Deps, clock: FixedClock, mailbox: Mailbox) -> Dispatcher:
    return Dispatcher(deps.uow, clock, {"email": mailbox}, worker="steady")


def test_a_lease_taken_before_the_clock_stepped_back_does_not_hold_its_row_an_hour(
    deps: Deps, clock: FixedClock
) -> None:
    b.submit(deps, channel="email")
    with deps.uow() as uow:  # a dispatcher leases the row for 10 minutes, then dies
        (leased,) = uow.outbox.claim(NOW, 10, "died", NOW + timedelta(minutes=10))
        uow.commit()
    mailbox = Mailbox()
    clock.current = NOW + timedelta(minutes=1)
    assert dispatcher(deps, clock, mailbox).dispatch().counts["sent"] == 0  # the lease holds

    clock.current = NOW - timedelta(hours=1)  # the clock steps back an hour
    report = dispatcher(deps, clock, mailbox).dispatch()

    assert report.counts["sent"] == 1
    assert mailbox.sent == [leased.message.idempotency_key]


def test_a_retry_set_before_the_clock_stepped_back_goes_at_once_not_an_hour_later(
    deps: Deps, clock: FixedClock
) -> None:
    b.submit(deps, channel="email")
    mailbox = Mailbox()
    mailbox.down = True
    assert dispatcher(deps, clock, mailbox).dispatch().counts["retry"] == 1  # again in 30 s
    mailbox.down = False
    clock.current = NOW + timedelta(seconds=10)
    assert dispatcher(deps, clock, mailbox).dispatch().counts["sent"] == 0  # not before its time

    clock.current = NOW - timedelta(hours=1)
    assert dispatcher(deps, clock, mailbox).dispatch().counts["sent"] == 1
    assert len(mailbox.sent) == 1


def test_the_scheduler_runs_a_job_an_earlier_clock_had_set_an_hour_ahead() -> None:
    ran = threading.Event()
    scheduler = SteadyBackgroundScheduler(timezone="UTC")
    # What a one-hour step back leaves: the next run of a 1-second job an hour ahead.
    scheduler.add_job(
        ran.set,
        "interval",
        seconds=1,
        next_run_time=datetime.now(UTC) + timedelta(hours=1),
    )
    scheduler.start()
    try:
        assert ran.wait(10)
    finally:
        scheduler.shutdown(wait=False)


class Monotonic:
    """The monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def test_a_forward_jump_put_right_in_time_rings_no_breach_and_the_real_deadline_still_does(
    deps: Deps, clock: FixedClock
) -> None:
    case = b.submit(deps)
    due = case.response_due_at
    assert due is not None
    mono = Monotonic()
    watch = ClockWatch(monotonic=mono)
    _sweep(deps, watch)

    clock.current, mono.seconds = due + timedelta(days=1), 60  # a wrong clock, a minute later
    _sweep(deps, watch)
    assert stored(deps, case.tracking_code).response_breached_at is None

    clock.current, mono.seconds = NOW + timedelta(minutes=2), 120  # put right
    _sweep(deps, watch)
    assert stored(deps, case.tracking_code).response_breached_at is None

    clock.current = due + timedelta(minutes=1)  # the real deadline passes
    mono.seconds = 120 + (clock.current - NOW - timedelta(minutes=2)).total_seconds()
    _sweep(deps, watch)
    assert stored(deps, case.tracking_code).response_breached_at == clock.current


def test_a_forward_jump_that_lasts_is_believed_after_the_confirmation_time(
    deps: Deps, clock: FixedClock
) -> None:
    case = b.submit(deps)
    due = case.response_due_at
    assert due is not None
    mono = Monotonic()
    watch = ClockWatch(monotonic=mono, confirm=timedelta(minutes=15))
    _sweep(deps, watch)

    jumped = due + timedelta(days=1)  # e.g. a machine resumed after a long suspend
    clock.current, mono.seconds = jumped, 60
    _sweep(deps, watch)
    assert stored(deps, case.tracking_code).response_breached_at is None

    clock.current, mono.seconds = jumped + timedelta(minutes=15), 60 + 15 * 60
    _sweep(deps, watch)
    assert stored(deps, case.tracking_code).response_breached_at == clock.current
