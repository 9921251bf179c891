"""A mail server that is down, silent or slow: nothing lost, nothing sent twice.

The peers are real: aiosmtpd for a working (or slow) server, and plain sockets for a server
that accepts connections and never answers, or answers a line at a time just inside the
timeout. The outage runs on the service's fixed clock, stepped the way the scheduler would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from aduan import bootstrap
from aduan.config import Notify, Settings
from aduan.ports import FixedClock, OutboxEntry, SystemClock, UnitOfWorkFactory
from aduan.service import Deps, inbox
from aduan.service.dispatch import Dispatcher
from tests.conftest import NOW, wired
from tests.integration.builders import submit
from tests.integration.servers import Mailbox, free_port, smtp_server
from tests.integration.test_notifications import claim, queue

FRIDAY_4PM_WIB = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
MONDAY_9AM_WIB = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


@pytest.fixture
def deps(sqlite_url: str, clock: FixedClock) -> Iterator[Deps]:
    with wired(sqlite_url, clock) as deps:
        yield deps


def dispatcher(deps: Deps, tmp_path: Path, worker: str = "test", **notify: object) -> Dispatcher:
    settings = Settings(notify=Notify(letter_dir=str(tmp_path / "letters"), **notify))  # type: ignore[arg-type]
    return bootstrap.build_dispatcher(deps, settings, worker=worker)


def rows(deps: Deps) -> list[OutboxEntry]:
    with deps.uow(readonly=True) as uow:
        return [e for i in range(1, 200) if (e := uow.outbox.get(i)) is not None]


def test_a_mail_server_down_from_friday_afternoon_to_monday_loses_nothing(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    clock.current = FRIDAY_4PM_WIB
    submit(deps, channel="email")
    submit(deps, channel="email", complainant={"name": "Ani", "email": "ani@contoh.id"})
    port = free_port()  # nothing listens: the server is down
    sender = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port, timeout_seconds=2)

    tried = 0
    while clock.current < MONDAY_9AM_WIB:  # the scheduler's rhythm, in 5-minute steps
        tried += sender.dispatch().handled
        clock.current += timedelta(minutes=5)
    assert [r.status for r in rows(deps)] == ["pending", "pending"]
    assert inbox.dead_letters(deps.uow) == []
    # Backing off to at most 15 minutes: 65 hours took about 4 attempts an hour per message.
    assert 2 * 240 <= tried <= 2 * 280
    assert all("ConnectionRefusedError" in (r.last_error or "") for r in rows(deps))

    with smtp_server(port) as (_, mailbox):  # the server is back on Monday morning
        for _ in range(4):  # within the 15-minute cap, each goes exactly once
            clock.current += timedelta(minutes=5)
            sender.dispatch()

    assert sorted(m["To"] for m in mailbox.messages) == ["ani@contoh.id", "siti.aminah@contoh.id"]
    assert [r.status for r in rows(deps)] == ["sent", "sent"]


def test_a_message_still_failing_after_a_week_is_dead_lettered(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    start = clock.current
    submit(deps, channel="email")
    sender = dispatcher(
        deps, tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), timeout_seconds=2
    )

    while clock.current < start + timedelta(days=6, hours=23):
        sender.dispatch()
        clock.current += timedelta(minutes=15)
    assert [r.status for r in rows(deps)] == ["pending"]

    clock.current = start + timedelta(days=7, minutes=1)
    sender.dispatch()
    (dead,) = inbox.dead_letters(deps.uow)
    assert dead.attempts > 600  # every quarter of an hour for a week


def test_every_dead_letter_of_a_channel_is_queued_again_in_one_step(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    start = clock.current
    for n in range(3):
        submit(deps, channel="email", complainant={"name": f"P{n}", "email": f"p{n}@contoh.id"})
    submit(deps, channel="sms", complainant={"name": "Q", "phone": "0812-1111-2222"})
    clock.current = start + timedelta(days=2)
    submit(deps, channel="email", complainant={"name": "Baru", "email": "baru@contoh.id"})
    dispatcher(deps, tmp_path).dispatch()  # no SMTP host, no gateway: all dead
    assert len(inbox.dead_letters(deps.uow)) == 5

    # Only what was queued since yesterday, on email:
    since = start + timedelta(days=1)
    assert inbox.retry_all(deps.uow, clock, channel="email", since=since) == 1
    # Then the rest of email; the SMS stays dead.
    assert inbox.retry_all(deps.uow, clock, channel="email") == 3
    assert [e.message.channel for e in inbox.dead_letters(deps.uow)] == ["sms"]

    with smtp_server() as (port, mailbox):
        report = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()
    assert report.counts["sent"] == 4
    assert len({m["Message-ID"] for m in mailbox.messages}) == len(mailbox.messages) == 4
    assert inbox.retry_all(deps.uow, clock) == 1  # everything left: the SMS


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word (a hung mail server, a black-holing proxy)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


@contextmanager
def dripping_server(every: float) -> Iterator[int]:
    """Greets, then answers EHLO with an endless reply, one line every ``every`` seconds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.sendall(b"220 lambat.example ESMTP\r\n")
            conn.recv(1024)  # EHLO
            while not stop.wait(every):
                try:
                    conn.sendall(b"250-masih di sini\r\n")
                except OSError:
                    return

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_a_server_that_never_answers_costs_one_timeout_per_round_not_one_per_message(
    deps: Deps, tmp_path: Path
) -> None:
    for n in range(8):
        submit(deps, channel="email", complainant={"name": f"P{n}", "email": f"p{n}@contoh.id"})
    with silent_server() as port:
        sender = dispatcher(
            deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port, timeout_seconds=1
        )
        started = time.monotonic()
        report = sender.dispatch(max_rounds=1)
        took = time.monotonic() - started

    assert report.counts["retry"] == 8
    assert took < 3  # one greeting timeout, where eight were 8 s or more
    first, *rest = rows(deps)
    assert "SMTPServerDisconnected" in (first.last_error or "") or "timed out" in (
        first.last_error or ""
    )
    assert all(
        (r.last_error or "").startswith("not tried, the channel was unreachable") for r in rest
    )
    assert {r.status for r in rows(deps)} == {"pending"}


def test_a_server_answering_a_line_at_a_time_is_cut_off_after_three_timeouts(
    deps: Deps, tmp_path: Path
) -> None:
    submit(deps, channel="email")
    with dripping_server(every=0.4) as port:  # each line well inside the 1 s socket timeout
        sender = dispatcher(
            deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port, timeout_seconds=1
        )
        started = time.monotonic()
        report = sender.dispatch(max_rounds=1)
        took = time.monotonic() - started

    assert report.counts["retry"] == 1
    assert 2.5 < took < 5
    (row,) = rows(deps)
    assert row.last_error == "SMTP: no complete answer within 3 s"


class SlowMailbox(Mailbox):
    """A server that takes ``delay`` seconds to accept each message."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def test_a_round_longer_than_the_lease_keeps_its_rows_from_a_second_dispatcher(
    sqlite_url: str, tmp_path: Path
) -> None:
    """30 messages at 0.15 s each against a 3 s lease (whose channel timeout is 0.25 s):
    without renewal the second dispatcher would take rows the first is still on, and send
    them again."""
    from aiosmtpd.controller import Controller

    mailbox = SlowMailbox(delay=0.15)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    with wired(sqlite_url, SystemClock()) as deps:  # type: ignore[arg-type]
        for n in range(30):
            submit(deps, channel="email", complainant={"name": f"P{n}", "email": f"p{n}@contoh.id"})
        smtp = {"smtp_host": "127.0.0.1", "smtp_port": controller.port, "lease_seconds": 3}
        first = dispatcher(deps, tmp_path, "first", **smtp)
        second = dispatcher(deps, tmp_path, "second", **smtp)
        stop = threading.Event()
        second_sent: list[int] = []

        def keep_claiming() -> None:
            while not stop.wait(0.1):
                second_sent.append(second.dispatch(max_rounds=1).counts["sent"])

        rival = threading.Thread(target=keep_claiming)
        first_round = threading.Thread(target=first.dispatch, kwargs={"max_rounds": 1})
        first_round.start()
        time.sleep(0.05)  # the first has leased all 30 before the rival starts looking
        rival.start()
        first_round.join(timeout=30)
        stop.set()
        rival.join(timeout=30)
        statuses = [r.status for r in rows(deps)]
    controller.stop()

    keys = [m["Message-ID"] for m in mailbox.messages]
    assert len(keys) == len(set(keys)) == 30  # each exactly once
    assert sum(second_sent) == 0
    assert statuses == ["sent"] * 30


def test_a_server_slow_to_confirm_a_message_gets_it_once_not_twice(
    deps: Deps, tmp_path: Path
) -> None:
    """The final 250 comes 1.5 s after the data, past the 1 s socket timeout: the message is
    waited for (within the 3 s a message may take), not sent a second time on a fresh
    connection while the server already holds the first copy."""
    from aiosmtpd.controller import Controller

    submit(deps, channel="email")
    mailbox = SlowMailbox(delay=1.5)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        sender = dispatcher(
            deps, tmp_path, smtp_host="127.0.0.1", smtp_port=controller.port, timeout_seconds=1
        )
        report = sender.dispatch(max_rounds=1)
        time.sleep(2)  # a second copy, had one been sent, has arrived by now
    finally:
        controller.stop()

    assert report.counts["sent"] == 1
    assert len(mailbox.messages) == 1
    assert [r.status for r in rows(deps)] == ["sent"]


class GreylistingMailbox(Mailbox):
    """A server that answers RCPT with 451 (greylisting) ``refusals`` times, then accepts."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_greylisted_recipient_is_retried_not_dead_lettered(
    deps: Deps, tmp_path: Path, clock: FixedClock
) -> None:
    from aiosmtpd.controller import Controller

    submit(deps, channel="email")
    mailbox = GreylistingMailbox(refusals=1)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        sender = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=controller.port)
        first = sender.dispatch(max_rounds=1)
        ((row),) = rows(deps)
        clock.current = clock.current + timedelta(minutes=1)  # past the first retry's wait
        second = sender.dispatch(max_rounds=1)
    finally:
        controller.stop()

    assert first.counts["retry"] == 1 and first.counts["dead"] == 0
    assert row.status == "pending" and "451" in (row.last_error or "")
    assert second.counts["sent"] == 1
    assert len(mailbox.messages) == 1


# --- the outbox contract of renewal, bulk retry and the backlog (memory, SQLite, PostgreSQL) --


def test_a_lease_is_renewed_only_for_the_worker_that_holds_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    queue(uow_factory, 3)
    mine = claim(uow_factory, "w1", limit=2)
    with uow_factory(readonly=True) as uow:
        (free,) = [e for i in range(1, 10) if (e := uow.outbox.get(i)) and e not in mine]
    with uow_factory() as uow:
        assert uow.outbox.mark_sent(mine[1].id, "w1", NOW)
        renewed = uow.outbox.renew(
            [mine[0].id, mine[1].id, free.id], "w1", NOW + timedelta(minutes=19)
        )
        uow.commit()
    assert renewed == {mine[0].id}  # not the one it sent, not one it never leased

    # The first lease ran out at NOW + 10 min; the renewed one still holds at NOW + 11 min.
    assert [e.id for e in claim(uow_factory, "w2", now=NOW + timedelta(minutes=11))] == [free.id]
    assert [e.id for e in claim(uow_factory, "w3", now=NOW + timedelta(minutes=20))] == [mine[0].id]


def test_dead_rows_are_queued_again_by_channel_and_age_and_the_backlog_counts_the_rest(
    uow_factory: UnitOfWorkFactory,
) -> None:
    queue(uow_factory, 2, "sms")
    queue(uow_factory, 2, "email", recipient="a@contoh.id", at=NOW + timedelta(hours=1))
    with uow_factory() as uow:
        for e in uow.outbox.claim(NOW + timedelta(hours=1), 10, "w", NOW + timedelta(hours=2)):
            uow.outbox.mark_failed(e.id, "w", "gagal", None)
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.backlog() == []
        assert uow.outbox.retry_dead(NOW, "email", NOW + timedelta(minutes=30)) == 2
        assert uow.outbox.retry_dead(NOW, "sms", NOW + timedelta(minutes=30)) == 0
        assert uow.outbox.retry_dead(NOW) == 2
        uow.commit()
    with uow_factory() as uow:
        backlog = uow.outbox.backlog()
    assert [(b.channel, b.pending, b.oldest_created_at, b.most_attempts) for b in backlog] == [
        ("email", 2, NOW + timedelta(hours=1), 0),
        ("sms", 2, NOW, 0),
    ]
