"""Several sweeper processes on one PostgreSQL database: every alarm rings exactly once.

The alarms are seeded in bulk (valid ``recorded`` complaints whose answer deadline matches the
alarms, so none is stale); each sweeper is ``tests/integration/sweeper_worker.py`` in its own
process, as separate instances of Aduan would be. ``FOR UPDATE SKIP LOCKED`` keeps them apart;
a sweeper killed with SIGKILL mid-batch loses its transaction, and the others ring its alarms.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import queue
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import Engine, func, insert, select, text

from aduan.adapters.sql.codec import case_to_row
from aduan.adapters.sql.tables import alarms, case_events, cases, outbox
from aduan.escalation.deadlines import AlarmPoint, DeadlineKind
from aduan.service import Deps
from aduan.workflow.case import Case, Complainant
from aduan.workflow.intake import new_tracking_code, wib_date
from aduan.workflow.states import Channel, Kind, Status
from tests.integration.builders import engine_of

pytestmark = pytest.mark.postgres

WORKER = Path(__file__).with_name("sweeper_worker.py")
ROOT = Path(__file__).parents[2]
RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # DESIGN §3: Tuesday 10:00 WIB
DUE = datetime(2026, 9, 2, 16, 59, 59, tzinfo=UTC)  # the answer: end of 2 September, WIB
STAGE_DUE = datetime(2026, 8, 13, 16, 59, 59, tzinfo=UTC)  # a 2-day classification target
NOW = datetime(2026, 9, 10, 1, 0, tzinfo=UTC)  # everything seeded is due
A, K = AlarmPoint, DeadlineKind
# Four reminders a case: the answer's three and the classification target's one.
REMINDERS = ((K.RESPONSE, A.HALF), (K.RESPONSE, A.BEFORE_3), (K.RESPONSE, A.BEFORE_1),
             (K.STAGE, A.BEFORE_1))  # fmt: skip
# The answer's three reminders, then its breach (which writes the case and its timeline).
WITH_BREACH = ((K.RESPONSE, A.HALF), (K.RESPONSE, A.BEFORE_3), (K.RESPONSE, A.BEFORE_1),
               (K.RESPONSE, A.BREACH))  # fmt: skip
BATCH = 100
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 240  # generous: the suite may share a busy machine


# --- seeding --------------------------------------------------------------------------------


def template() -> Case:
    """A complaint recorded by the officer, under the DESIGN §3 answer deadline."""
    return Case(
        tracking_code="",
        kind=Kind.COMPLAINT,
        status=Status.RECORDED,
        channel=Channel.OFFICER,
        complainant=Complainant("Siti Aminah", email="siti.aminah@contoh.id"),
        subject="Sertifikat standar belum terbit",
        description="Sudah lewat 7 hari kerja sejak berkas lengkap",
        service_received_on=wib_date(RECEIVED) - timedelta(days=7),
        complained_at=RECEIVED,
        received_at=RECEIVED,
        intake_days=7,
        created_at=RECEIVED,
        updated_at=RECEIVED,
        assignee="budi",
        response_started_at=RECEIVED,
        response_due_at=DUE,
        stage_started_at=RECEIVED,
        stage_due_at=STAGE_DUE,
    )


def seed(
    engine: Engine, n_cases: int, points: tuple[tuple[DeadlineKind, AlarmPoint], ...]
) -> dict[int, str]:
    """``n_cases`` open complaints with one due alarm per ``points``; returns {alarm id: point}.

    Rows go in with two bulk INSERTs. The alarms' deadlines are their cases' (so none is
    stale); they are due one second apart, case by case, so each batch spans many cases.
    """
    base = template()
    rows = [
        case_to_row(dataclasses.replace(base, tracking_code=new_tracking_code()))
        for _ in range(n_cases)
    ]
    due = {K.RESPONSE: DUE, K.STAGE: STAGE_DUE}
    first = NOW - timedelta(days=6)
    with engine.begin() as conn:
        ids = (
            conn.execute(insert(cases).returning(cases.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        conn.execute(
            insert(alarms),
            [
                {
                    "case_id": case_id,
                    "kind": kind.value,
                    "point": point.value,
                    "due_at": due[kind],
                    "fire_at": first + timedelta(seconds=len(points) * i + k),
                }
                for i, case_id in enumerate(ids)
                for k, (kind, point) in enumerate(points)
            ],
        )
        seeded = conn.execute(select(alarms.c.id, alarms.c.point)).all()
    assert len(seeded) == n_cases * len(points)
    return {alarm_id: point for alarm_id, point in seeded}  # noqa: C416 - rows, not pairs


def expected_keys(seeded: dict[int, str]) -> set[str]:
    """The outbox's idempotency keys if each alarm rang once: a reminder to the holder (budi),
    a breach to his superior (sari) and to him."""
    keys = set()
    for alarm_id, point in seeded.items():
        if point == "breach":
            keys |= {f"alarm:{alarm_id}:deadline_breached:{who}:in_app" for who in ("sari", "budi")}
        else:
            keys.add(f"alarm:{alarm_id}:deadline_reminder:budi:in_app")
    return keys


def fired(engine: Engine) -> dict[int, tuple[datetime | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(alarms.c.id, alarms.c.fired_at, alarms.c.fired_by)).all()
    return {r.id: (r.fired_at, r.fired_by) for r in rows}


def outbox_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        keys = conn.execute(select(outbox.c.idempotency_key)).scalars()
        return [k for k in keys if k.startswith("alarm:")]  # not the cases' own notices


def assert_rang_exactly_once(engine: Engine, seeded: dict[int, str], workers: set[str]) -> None:
    state = fired(engine)
    assert set(state) == set(seeded)
    assert {at for at, _ in state.values()} == {NOW}
    assert {by for _, by in state.values()} <= workers
    keys = outbox_keys(engine)
    assert len(keys) == len(set(keys)) == len(expected_keys(seeded))
    assert set(keys) == expected_keys(seeded)
    with engine.connect() as conn:
        breach_events = Counter(
            conn.execute(
                select(case_events.c.case_id).where(case_events.c.action == "breach")
            ).scalars()
        )
        marked = conn.execute(
            select(func.count()).where(cases.c.response_breached_at.is_not(None))
        ).scalar_one()
    breaches = sum(1 for point in seeded.values() if point == "breach")
    assert len(breach_events) == sum(breach_events.values()) == marked == breaches


# --- sweeper processes ----------------------------------------------------------------------


class Sweeper:
    """A worker process; its stdout lines arrive on a queue, its stderr goes to a file."""

    def __init__(self, url: str, name: str, log_dir: Path, *options: str) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._stderr: IO[str] = self.log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                url,
                NOW.isoformat(),
                name,
                "--batch-size",
                str(BATCH),
                *options,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def errors(self) -> str:
        return self.log.read_text()[-3000:]

    def expect(self, timeout: float) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"{self.name}: no output in {timeout} s\n{self.errors()}")
        assert line is not None, f"{self.name} ended early:\n{self.errors()}"
        return line

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def result(self, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
        answer = json.loads(self.expect(timeout))
        assert self.proc.wait(timeout) == 0, self.errors()
        assert "Traceback" not in self.errors(), self.errors()
        assert answer["counts"].get("failed", 0) == 0 and answer["counts"].get("stale", 0) == 0
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()


@pytest.fixture
def sweepers(pg_deps: Deps, tmp_path: Path) -> Iterator[Any]:
    """Start sweeper processes on the test's database; all are stopped and reaped after."""
    url = engine_of(pg_deps).url.render_as_string(hide_password=False)
    started: list[Sweeper] = []

    def start(name: str, *options: str) -> Sweeper:
        sweeper = Sweeper(url, name, tmp_path, *options)
        started.append(sweeper)
        return sweeper

    yield start
    for sweeper in started:
        sweeper.close()


def run_together(sweepers: Any, names: list[str]) -> dict[str, dict[str, Any]]:
    """Start the sweepers, wait until all are wired, let them go at once, collect the counts."""
    group = [sweepers(name, "--wait-for-go") for name in names]
    for sweeper in group:
        assert sweeper.expect(START_TIMEOUT_S) == "ready"
    for sweeper in group:
        sweeper.go()
    return {sweeper.name: sweeper.result() for sweeper in group}


def split(results: dict[str, dict[str, Any]]) -> str:
    return ", ".join(
        f"{name} {r['handled']} in {r['batches']} batches ({r['seconds']} s)"
        for name, r in results.items()
    )


# --- the tests ------------------------------------------------------------------------------


def test_three_sweepers_ring_ten_thousand_alarms_exactly_once(pg_deps: Deps, sweepers: Any) -> None:
    engine = engine_of(pg_deps)
    seeded = seed(engine, 2_500, REMINDERS)
    assert len(seeded) == 10_000

    results = run_together(sweepers, ["sweeper-a", "sweeper-b", "sweeper-c"])

    print(f"\n10,000 alarms: {split(results)}")
    assert sum(r["handled"] for r in results.values()) == len(seeded)
    assert all(r["handled"] > 0 for r in results.values()), split(results)
    by_worker = Counter(by for _, by in fired(engine).values())
    assert by_worker == {name: r["handled"] for name, r in results.items()}
    assert_rang_exactly_once(engine, seeded, set(results))


def test_a_sweeper_killed_mid_batch_loses_nothing_and_rings_nothing_twice(
    pg_deps: Deps, sweepers: Any
) -> None:
    engine = engine_of(pg_deps)
    seeded = seed(engine, 300, WITH_BREACH)
    doomed = sweepers("doomed", "--pause-after-claim", "300", "--rings", str(BATCH // 2))
    assert doomed.expect(START_TIMEOUT_S) == "ready"
    held = json.loads(doomed.expect(START_TIMEOUT_S))
    claimed = set(held["claimed"])
    assert len(claimed) == BATCH and held["rung"] == BATCH // 2
    with engine.connect() as conn:  # the rows are locked by the doomed sweeper's transaction
        free = conn.execute(
            select(alarms.c.id).where(alarms.c.id.in_(claimed)).with_for_update(skip_locked=True)
        ).all()
        conn.rollback()
    assert free == []

    # The others skip the locked batch instead of waiting for it.
    first = run_together(sweepers, ["survivor-1", "survivor-2"])
    assert doomed.proc.poll() is None  # still holding its batch
    state = fired(engine)
    assert {i for i, (at, _) in state.items() if at is None} == claimed
    assert not [k for k in outbox_keys(engine) if int(k.split(":")[1]) in claimed]  # uncommitted
    doomed.proc.send_signal(signal.SIGKILL)
    assert doomed.proc.wait(10) == -signal.SIGKILL

    # Its transaction died with it: nothing it rang was kept, and the others ring the batch.
    second = run_together(sweepers, ["survivor-1", "survivor-2"])

    print(f"\nkilled mid-batch: before the kill {split(first)}; after it {split(second)}")
    assert sum(r["handled"] for r in second.values()) == BATCH
    assert sum(r["handled"] for r in (*first.values(), *second.values())) == len(seeded)
    state = fired(engine)
    assert {state[i][1] for i in claimed} <= {"survivor-1", "survivor-2"}
    assert_rang_exactly_once(engine, seeded, {"survivor-1", "survivor-2"})
    assert sum(r["counts"].get("breached", 0) for r in (*first.values(), *second.values())) == 300
    with engine.connect() as conn:
        leftovers = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND state = 'idle in transaction'"
            )
        )
        assert leftovers.scalar_one() == 0
