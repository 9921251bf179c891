"""The rollup folded from the audit trail equals a direct scan of the cases, whatever happens.

Under concurrent writers (read at any moment, in one snapshot, and after the last fold), across
a crash between the fold and its watermark (a process that dies in the middle), with events
committed out of id order (PostgreSQL), and with two instances folding at once: on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from aduan.adapters.sql import rollup
from aduan.ports import PeriodCounts
from aduan.reports import period
from aduan.service import Deps
from aduan.service.reporting import reporting
from aduan.service.reports import fold_rollup
from aduan.workflow.states import Action
from aduan.workflow.visibility import OFFICE_SIGHT
from tests.integration import builders as b
from tests.integration.builders import engine_of

# The test clock's "now" is 2 March 2026: the cases are received in March, a whole month of
# the year, so the rollup (not the edge scans) counts them.
YEAR = period.year(2026)
LIFE: list[tuple[Action, str]] = [
    (Action.RESPOND, "budi"),
    (Action.CLASSIFY, "budi"),
    (Action.REVIEW, "budi"),
    (Action.ROUTE_INTERNAL, "budi"),
    (Action.REQUEST_APIP, "budi"),
    (Action.APPROVE_APIP, "dewi"),
]


def counts(deps: Deps, *, rollup_on: bool) -> PeriodCounts:
    with deps.uow(readonly=True) as uow:
        return _read(reporting(uow), rollup_on)


def _read(uow: Any, rollup_on: bool) -> PeriodCounts:
    now = datetime(2026, 3, 20, tzinfo=UTC)
    return uow.stats.period_counts(
        YEAR.start_at, YEAR.end_at, now, sight=OFFICE_SIGHT, rollup=rollup_on
    )


def comparable(found: PeriodCounts) -> tuple[Any, ...]:
    spans = sorted((s.started_on, s.answered_on, s.count) for s in found.spans)
    return found.dims, spans, found.apip


def mismatch_in_one_snapshot(deps: Deps) -> str | None:
    """Rollup (with what is not folded yet) against the cases, read in one snapshot."""
    with deps.uow(readonly=True) as uow:
        fast = comparable(_read(reporting(uow), True))
        slow = comparable(_read(reporting(uow), False))
    return None if fast == slow else f"rollup {fast}\n  scan {slow}"


def unfolded(deps: Deps) -> int:
    """Events past the rollup's watermark (what a report reads besides the rollup)."""
    engine = engine_of(deps)
    past = "txid >=" if engine.dialect.name == "postgresql" else "id >"
    mark = "coalesce((SELECT position FROM fold_watermarks WHERE name = 'case_stats'), 0)"
    with engine.connect() as conn:
        sql = f"SELECT count(*) FROM case_events WHERE {past} {mark}"
        return int(conn.execute(text(sql)).scalar_one())


def rollup_rows(deps: Deps) -> int:
    with engine_of(deps).connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM case_stats")).scalar_one())


def fold(deps: Deps) -> int | None:
    done = fold_rollup(deps)
    return None if done is None or "skipped" in done else done["cases"]


def fold_everything(deps: Deps) -> int:
    """Fold until no event is past the watermark; how many cases were folded (with repeats).

    PostgreSQL: the fold stops below the oldest write transaction still running on the server
    (any database: transaction ids are the cluster's), so one of another session's may hold
    it back for a moment.
    """
    folded = [0]

    def settled() -> bool:
        folded[0] += fold(deps) or 0
        return unfolded(deps) == 0

    _wait_for(settled, 60)
    return folded[0]


def assert_folded_equals_scan(deps: Deps) -> None:
    """Once everything is folded, the rollup alone gives the numbers of the cases."""
    fold_everything(deps)
    assert comparable(counts(deps, rollup_on=True)) == comparable(counts(deps, rollup_on=False))


def live_case(deps: Deps, steps: int) -> None:
    case = b.submit(deps)
    for action, user in LIFE[:steps]:
        b.act(deps, case, action, user)


def test_the_fold_equals_a_scan_under_concurrent_writers(deps: Deps) -> None:
    writers, cases_each = 3, 4
    stop = threading.Event()
    mismatches: list[str] = []
    folds: list[int | None] = []

    def write(w: int) -> None:
        for k in range(cases_each):
            live_case(deps, (w + k) % (len(LIFE) + 1))

    def keep_folding() -> None:
        while not stop.is_set():
            folds.append(fold(deps))
            time.sleep(0.01)

    def keep_checking() -> None:
        while not stop.is_set():
            found = mismatch_in_one_snapshot(deps)
            if found:
                mismatches.append(found)

    with ThreadPoolExecutor(max_workers=writers + 2) as pool:
        readers = [pool.submit(keep_folding), pool.submit(keep_checking)]
        for done in [pool.submit(write, w) for w in range(writers)]:
            done.result()
        stop.set()
        for reader in readers:
            reader.result()

    assert mismatches == []
    assert any(folds), "the fold ran while the writers wrote"
    fold(deps)
    assert_folded_equals_scan(deps)
    found = counts(deps, rollup_on=True)
    assert sum(found.dims["status"].values()) == writers * cases_each


CRASHING_FOLD = """
import os, sys
from aduan.adapters.sql import rollup
from aduan.bootstrap import build
from aduan.config import Settings
from aduan.service.reports import fold_rollup

def crash(conn, position, now):
    os._exit(3)  # the process dies: the fold is written, its watermark is not, nothing commits

rollup.advance = crash
fold_rollup(build(Settings(database_url=sys.argv[1])))
"""


def test_a_crash_between_the_fold_and_its_watermark_leaves_the_figures_exact(
    deps: Deps, db_url: str
) -> None:
    for steps in range(len(LIFE) + 1):
        live_case(deps, steps)
    before = rollup_rows(deps)
    waiting = unfolded(deps)
    assert waiting > 0

    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_FOLD, db_url], env=env, capture_output=True, timeout=60
    )

    assert done.returncode == 3, done.stderr.decode()
    assert rollup_rows(deps) == before and unfolded(deps) == waiting  # nothing of it stayed
    assert mismatch_in_one_snapshot(deps) is None
    assert fold_everything(deps) >= len(LIFE) + 1
    assert_folded_equals_scan(deps)


def test_two_instances_folding_at_once_fold_each_case_once(deps: Deps) -> None:
    for steps in range(len(LIFE) + 1):
        live_case(deps, steps)
    barrier = threading.Barrier(2, timeout=10)

    def instance(_: int) -> int | None:
        barrier.wait()
        return fold(deps)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(instance, range(2)))

    if engine_of(deps).dialect.name == "sqlite":  # PostgreSQL: see ``fold_everything``
        assert sorted(r or 0 for r in results) == [0, len(LIFE) + 1]
    assert_folded_equals_scan(deps)  # nothing counted twice


def _wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_postgres_a_second_fold_waits_for_the_first_then_leaves_the_work_to_it(
    pg_deps: Deps,
) -> None:
    deps = pg_deps
    for steps in (0, 3, len(LIFE)):
        live_case(deps, steps)
    engine = engine_of(deps)
    with engine.connect() as first, engine.connect() as watcher:
        folded = rollup.fold(first, datetime.now(UTC))  # holds the watermark row until commit
        assert folded is not None  # (how many: see ``assert_folded_equals_scan``)
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(fold_rollup, deps)
            waiting = text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            _wait_for(lambda: watcher.execute(waiting).scalar_one() == 1)
            first.commit()
            assert second.result(timeout=10) == {"skipped": 1}
    assert_folded_equals_scan(deps)


def test_postgres_an_event_committed_out_of_id_order_is_not_passed_over(pg_deps: Deps) -> None:
    """A writer inserts its event first and commits last: a fold up to the highest committed id
    would never count its change."""
    deps = pg_deps
    first, second = b.submit(deps), b.submit(deps)
    assert fold(deps) == 2
    engine = engine_of(deps)
    with engine.connect() as slow:
        slow.execute(
            text("UPDATE cases SET status = 'withdrawn', version = version + 1 WHERE id = :id"),
            {"id": first.id},
        )
        slow_event = slow.execute(
            text(
                "INSERT INTO case_events (case_id, at, actor, role, action, from_status, "
                "to_status, note, data) VALUES (:id, now(), 'pelapor', 'complainant', "
                "'withdraw', 'recorded', 'withdrawn', '', '{}') RETURNING id"
            ),
            {"id": first.id},
        ).scalar_one()
        b.act(deps, second, Action.CLASSIFY, "budi")  # its event: a higher id, committed first
        with engine.connect() as conn:
            newest = conn.execute(text("SELECT max(id) FROM case_events")).scalar_one()
        assert newest > slow_event
        fold(deps)  # while the slow writer is still open
        assert mismatch_in_one_snapshot(deps) is None
        slow.commit()
    assert mismatch_in_one_snapshot(deps) is None
    fold(deps)
    assert_folded_equals_scan(deps)
    assert counts(deps, rollup_on=True).dims["status"] == {"withdrawn": 1, "classified": 1}
