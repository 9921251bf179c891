"""The rollup folded from the audit trail gives the numbers the cases give, on both engines."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from aduan import service
from aduan.adapters.sql import migrate, rollup
from aduan.bootstrap import build, seed_reference_data
from aduan.config import Settings
from aduan.ports import FixedClock
from aduan.reports import period
from aduan.service import Deps
from aduan.service.reporting import reporting
from aduan.service.reports import compact_rollup, compute_statistics
from aduan.workflow.states import OPEN_STATUSES, Action
from aduan.workflow.visibility import OFFICE_SIGHT
from tests.integration import builders as b
from tests.integration.builders import engine_of
from tests.reports.test_rollup_fold import fold_everything
from tests.reports.test_statistics import (
    FRI_20_FEB,
    MON_19_JAN,
    fixed_data_set,
    internal_with_pin,
    respond_at,
)

HEAD = "dewi"  # the Head of Office: the whole office, which the rollup counts
PERIODS = [
    period.between(date(2026, 1, 1), date(2026, 2, 28)),  # two whole months
    period.month("2026-01"),
    period.quarter("2026Q1"),  # March: no cases
    period.between(date(2026, 1, 19), date(2026, 2, 12)),  # no whole month: the cases only
    period.between(date(2026, 1, 20), date(2026, 3, 3)),  # an edge, February, an edge
    period.year(2025),
]


def same_both_ways(deps: Deps) -> None:
    for chosen in PERIODS:
        fast = compute_statistics(deps, chosen, HEAD)
        slow = compute_statistics(deps, chosen, HEAD, rollup=False)
        assert fast.model_dump(exclude={"generated_at"}) == slow.model_dump(
            exclude={"generated_at"}
        ), chosen.key


def compact(deps: Deps) -> int:
    return compact_rollup(deps)["rows_removed"]


def fold(deps: Deps) -> int:
    return fold_everything(deps)


def test_the_rollup_and_the_cases_agree_through_changes_and_compaction(
    deps: Deps, clock: FixedClock
) -> None:
    fixed_data_set(deps, clock)
    same_both_ways(deps)  # nothing folded yet: the rollup's months come from the audit trail

    assert fold(deps) >= 8  # every case of the data set (PostgreSQL: some maybe twice)
    same_both_ways(deps)
    assert fold(deps) == 0  # nothing new

    # More changes after the fold: APIP approved, a case closed and reopened.
    clock.current = MON_19_JAN + timedelta(days=1)
    pending = b.apip_pending_case(deps).tracking_code
    b.act(deps, pending, Action.APPROVE_APIP, "dewi")
    case, pin = internal_with_pin(deps)
    respond_at(deps, case, clock.now())
    b.act(deps, case, Action.RECORD_RESULT, "sari")
    b.act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    b.act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    b.act(deps, case, Action.CLOSE, "agus")
    service.act_as_complainant(deps, case, Action.REOPEN, {"reason": "Belum saya terima"}, pin)
    clock.current = FRI_20_FEB
    same_both_ways(deps)
    s = compute_statistics(deps, period.month("2026-01"), "dewi")
    assert s.apip.approved == 1 and s.by_status.get("reviewed") == 1
    assert fold(deps) >= 2  # the two cases made since the first fold
    same_both_ways(deps)
    assert compact(deps) > 0  # the second fold took back (-1) what the first counted (+1)
    same_both_ways(deps)
    assert compact(deps) == 0  # nothing left to sum


def test_an_open_complaint_in_the_rollup_turns_overdue_when_its_deadline_passes(
    deps: Deps, clock: FixedClock
) -> None:
    clock.current = MON_19_JAN
    b.submit(deps)
    fold(deps)
    january = period.month("2026-01")

    def rolled_up(now: datetime) -> dict[str, int]:
        """The rollup's own buckets of January's cases (the reports judge by deadline)."""
        with deps.uow(readonly=True) as uow:
            found = reporting(uow).stats.period_counts(
                january.start_at, january.end_at, now, sight=OFFICE_SIGHT
            )
        return found.dims["compliance"]

    assert rolled_up(datetime(2026, 2, 6, 16, 59, tzinfo=MON_19_JAN.tzinfo)) == {"pending": 1}
    assert rolled_up(datetime(2026, 2, 6, 17, 0, 1, tzinfo=MON_19_JAN.tzinfo)) == {
        "overdue_open": 1
    }


def downgrade(engine: Engine, revision: str) -> None:
    cfg = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        conn.commit()


def test_the_migration_counts_the_cases_that_existed_before_it(
    empty_db_url: str, clock: FixedClock
) -> None:
    deps = build(Settings(database_url=empty_db_url), clock=clock)
    engine = engine_of(deps)
    try:
        # Cases written by today's code need today's schema: write them, then take the schema
        # back to before the rollup (the cases stay) and up again.
        migrate.upgrade(engine)
        seed_reference_data(deps)
        fixed_data_set(deps, clock)
        downgrade(engine, "0006")  # before the rollup
        migrate.upgrade(engine)  # 0007 fills the rollup from the cases, 0016 counts them again

        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*), sum(n) FROM case_stats")).one()
        assert rows[0] < rows[1]  # one row per group, not per case
        same_both_ways(deps)
        assert fold(deps) == 0  # the migration counted every case there was
        assert compute_statistics(deps, PERIODS[0], "dewi").apip.requested == 1
    finally:
        engine.dispose()


def test_a_period_splits_into_whole_months_and_edges() -> None:
    chosen = period.between(date(2026, 1, 15), date(2026, 3, 31))
    months, edges = rollup.split(chosen.start_at, chosen.end_at)
    assert months == ["2026-02", "2026-03"]
    assert [(a.date(), b.date()) for a, b in edges] == [(date(2026, 1, 15), date(2026, 2, 1))]
    whole = period.year(2026)
    assert rollup.split(whole.start_at, whole.end_at) == (
        [f"2026-{m:02d}" for m in range(1, 13)],
        [],
    )


@pytest.mark.parametrize("migration", ["0007_reports_survey.py", "0016_rollup_fold.py"])
def test_the_migrations_know_the_open_statuses_of_the_workflow(migration: str) -> None:
    path = Path(__file__).parents[2] / "aduan" / "migrations" / "versions" / migration
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    listed = {s.strip().strip("'") for s in module.OPEN.split(",")}
    assert listed == {s.value for s in OPEN_STATUSES}
