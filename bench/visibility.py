"""The visibility policy's cost at scale: scoped against unscoped lists, with the query plans.

Seeds N open cases (``bench/_seed.py``: executemany on SQLite, COPY on PostgreSQL) and routes every
``--agency-every``-th one to Dinas Pertanian (rows in ``case_units`` with their copy of the case's
deadline, as routing writes them), ANALYZE (and on PostgreSQL VACUUM case_units, as autovacuum
leaves a settled table), then times the repository's list reads in the same process, interleaved:

- ``list``: the newest 50 cases (``GET /api/v1/cases``), as the office (no condition) and as an
  agency officer (read from the unit's rows of case_units in id order, from their copies of the
  listed columns, migration 0036, plus the conflict-of-interest and sealing conditions every
  named viewer carries);
- ``queue``: the 50 open cases with the soonest deadline (the deadline queue), likewise; the
  agency's from ix_case_units_unit_due_at_case_id (migration 0020).

It prints p50/p99 per read and the ratio scoped / unscoped (target <= 1.2x, issue 16), and the
EXPLAIN of each scoped statement, as the adapter prepares it. It asserts nothing::

    .venv/bin/python bench/visibility.py --n 100000 --db both
    .venv/bin/python bench/visibility.py --n 1000000 --db postgres

At 100,000 cases, 9,999 routed, agency officer / unscoped p50 (p99), 2-core machine shared with
other work (load 4-6, so single numbers move by 20% or more between runs):

- before migration 0020 (an EXISTS on case_units per case, walking the office's order):
  SQLite list 2.16x (1.05x), queue 3.59x (1.91x); PostgreSQL list 1.67x (1.71x), queue 2.62x
  (3.63x);
- after: SQLite list 1.14x (0.92x), queue 1.09x (1.12x), within the target; PostgreSQL list
  1.95x (1.58x), queue 1.73x (1.54x), still above it. What remains on PostgreSQL is per
  statement, not per case: the two-table plan costs 0.2-0.3 ms more to plan (custom plans: the
  LIMIT is a parameter) and 50 primary-key probes of cases cost ~0.2 ms more to execute than
  the unscoped read's one index range (EXPLAIN ANALYZE, minimum of 150 runs), against a whole
  read of ~0.6 ms. The office officer's reads are 1.05-1.14x on both engines.

Issue 16, the planning part: psycopg deallocates every prepared statement on ROLLBACK, and read
units of work ended with one, so no listing was ever prepared from one read to the next ("0
listings prepared" at the end of a PostgreSQL run before). Read-only units of work now commit
on PostgreSQL, and the listings have a literal LIMIT and the deadline bound as an InitPlan, so
the server keeps one generic plan for each: "6 listings prepared: 1575 runs on a generic plan,
25 planned anew". The fastest unscoped read went from 0.51-0.55 ms (list) and 0.67-0.97 ms
(queue), four runs, to 0.41-0.45 and 0.40-0.45 ms (load 8-10, so p50 and p99 were mostly other
work: the "fastest" line is the one to compare). The agency officer's queue is then 1.17x the
unscoped one at the fastest read (1.52-2.30x before); the agency officer's list stays at 1.8x:
its generic plan merges the unit's rows of case_units with cases' primary key backwards (about
500 rows of cases for 50 of the unit), and 50 rows spread over 50 pages of cases cost more than
the unscoped read's 50 rows on four. Closing that would need the listed columns on case_units
(a covering copy kept by every save), not done.

Migration 0036 did that: each row of case_units carries copies of the listed columns and
``sealed``, written with the deadline by the UPDATE that copies it (now on every save of a
routed case: the version is copied), and an agency's list and queue are read from case_units
alone, with no row of cases. EXPLAIN (ANALYZE, BUFFERS) at 100,000 cases, fastest of 150
executions: the agency officer's list 0.196 ms and 30 buffers before, 0.037 ms and 4 after
(the unscoped read 0.031 ms, 4); the queue 0.159 ms and 153 buffers before, 0.072 ms and 52
after (unscoped 0.052 ms, 53). Agency officer / unscoped, p50 (p99) ["fastest"], each tree's
runs alternated (SQLite three each, PostgreSQL five) on the 2-core machine at load 5-14, so p99
is mostly other work:

- SQLite list 1.13x/1.13x/1.12x (0.70x/0.11x/0.78x) [1.12-1.13x] -> 1.04x/1.04x/1.06x
  (1.04x/0.98x/2.70x) [1.04-1.05x]; queue 1.10x/1.10x/1.08x (0.90x/1.48x/1.63x) [1.10x] ->
  1.02x/1.02x/1.01x (0.65x/0.97x/1.57x) [1.02-1.03x];
- PostgreSQL list 1.38x/1.50x/1.49x/1.58x/1.67x (1.16x/1.36x/2.28x/1.10x/1.33x) [1.44-1.50x]
  -> 0.99x/0.95x/0.84x/1.08x/1.05x (0.95x/0.51x/0.77x/0.95x/0.84x) [1.02-1.07x]; queue
  1.12x/1.42x/1.28x/1.27x/1.22x (0.93x/1.40x/1.29x/0.70x/0.98x) [1.23-1.37x] ->
  1.06x/1.29x/0.98x/1.02x/0.96x (0.92x/1.67x/1.32x/1.09x/1.23x) [1.04-1.07x].

The office officer's reads (not changed) were 1.02-1.32x p50 before and 1.00-1.40x after, the
same spread.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _seed  # noqa: E402
from sqlalchemy import bindparam, insert, select, text  # noqa: E402
from sweep import _engine, postgres_database, sqlite_database  # noqa: E402

from aduan.adapters.sql import cases as sql_cases  # noqa: E402
from aduan.adapters.sql.tables import UNIT_COPIES, case_units, cases, open_due_at  # noqa: E402
from aduan.ports import CaseQuery  # noqa: E402
from aduan.service import Deps  # noqa: E402
from aduan.workflow.states import Role  # noqa: E402
from aduan.workflow.visibility import OFFICE_SIGHT, Sight, sight_of  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
AGENCY = "dispertan"


def routed(i: int, every: int) -> bool:
    """Whether case ``i`` went to the agency: one in ``every``, spread by a multiplicative hash
    so the choice does not follow the seeded deadlines (which repeat with ``i % 20``)."""
    return (i * 2_654_435_761 >> 7) % every == 0


def route_every(deps: Deps, n: int, every: int) -> int:
    """Rows in ``case_units`` for one case in ``every``, as routing to the agency writes them.

    Each row carries its case's deadline and listed columns, as ``add_unit`` copies them
    (migrations 0020 and 0036).
    """
    ids = [i for i in range(1, n + 1) if routed(i, every)]
    unit = bindparam("unit", AGENCY, type_=case_units.c.unit.type)
    since = bindparam("since", NOW, type_=case_units.c.since.type)
    with _engine(deps).begin() as conn:
        for start in range(0, len(ids), 10_000):
            copies = [cases.c[name] for name in UNIT_COPIES]
            batch = select(cases.c.id, unit, since, open_due_at, *copies).where(
                cases.c.id.in_(ids[start : start + 10_000])
            )
            columns = ["case_id", "unit", "since", "due_at", *UNIT_COPIES]
            conn.execute(insert(case_units).from_select(columns, batch))
    return len(ids)


def queries(sight: Sight) -> dict[str, CaseQuery]:
    """The two reads, for one sight."""
    return {
        "list": CaseQuery(limit=50, newest_first=True, sight=sight),
        "queue": CaseQuery(
            open_only=True, due_before=NOW + timedelta(days=400), limit=50, sight=sight
        ),
    }


def timed(deps: Deps, query: CaseQuery, rounds: int) -> list[float]:
    """Milliseconds of ``rounds`` reads, each in its own read-only unit of work."""
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        with deps.uow(readonly=True) as uow:
            found = uow.cases.summary_fields(query)
        spent.append((time.perf_counter() - started) * 1000)
        assert found is not None
    return spent


def plan(deps: Deps, query: CaseQuery) -> str:
    """The EXPLAIN of ``query``'s statement as the adapter prepares it."""
    engine = _engine(deps)
    prepared, values = sql_cases._listing("summary", query)
    compiled = prepared.compiled(engine.dialect)
    params = compiled.params(values)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(prefix + compiled.sql, params)
        rows = cursor.fetchall()
    finally:
        raw.close()
    if engine.dialect.name == "sqlite":
        return "\n".join(f"    {r[-1]}" for r in rows)
    return "\n".join(f"    {r[0]}" for r in rows)


def plans_made(deps: Deps) -> str:
    """PostgreSQL: how the listings prepared on the bench's connection were planned.

    psycopg prepares a statement on the server from its fifth run; the server then either
    reuses one generic plan or plans each run anew with its values (a custom plan).
    """
    with deps.uow(readonly=True) as uow:  # the session the timed reads ran on
        row = uow.cases.conn.execute(
            text(
                "SELECT count(*), coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)"
                " FROM pg_prepared_statements WHERE statement LIKE :listing"
                " OR statement LIKE :unit_listing"
            ),
            # A unit's summary page reads case_units alone (migration 0036).
            {"listing": "SELECT cases.id, %", "unit_listing": "SELECT case_units.case_id AS id, %"},
        ).one()
    return f"{row[0]} listings prepared: {row[1]} runs on a generic plan, {row[2]} planned anew"


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(kind: str, args: argparse.Namespace) -> None:
    """Seed, route, analyse, time and explain on one engine."""
    opener = sqlite_database(None) if kind == "sqlite" else postgres_database(args.pg_url)
    with contextlib.ExitStack() as stack:
        deps, label = stack.enter_context(opener)
        engine = _engine(deps)
        started = time.perf_counter()
        _seed.seed(engine, _seed.SeedPlan(args.n, NOW), lambda *a: None)
        routed = route_every(deps, args.n, args.agency_every)
        _seed.analyze(engine)
        if kind == "postgres":  # a settled table, as autovacuum leaves it: index-only scans
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM case_units")
        print(
            f"{kind}: {args.n:,} open cases, {routed:,} routed to {AGENCY} "
            f"(seeded in {time.perf_counter() - started:.0f} s; {label}; "
            f"load {os.getloadavg()[0]:.1f})"
        )
        # The baseline is the unscoped read (no condition at all, as before the policy); the
        # scoped ones are an agency officer's and a named office officer's (who carries the
        # conflict-of-interest and sealing conditions).
        sights = {
            "agency officer": sight_of(Role.AGENCY_OFFICER, AGENCY, "tono"),
            "office officer": sight_of(Role.OFFICER, "dpmptsp", "budi"),
        }
        for name, base_query in queries(OFFICE_SIGHT).items():
            timed(deps, base_query, 5)  # warm the caches and the prepared statements
            for who, sight in sights.items():
                scoped = queries(sight)[name]
                timed(deps, scoped, 5)
                base: list[float] = []
                mine: list[float] = []
                for _ in range(args.rounds):  # interleaved, so load hits both alike
                    base += timed(deps, base_query, 10)
                    mine += timed(deps, scoped, 10)
                p50, p99 = pct(base, 0.5), pct(base, 0.99)
                s50, s99 = pct(mine, 0.5), pct(mine, 0.99)
                print(
                    f"  {name:<6} unscoped p50 {p50:6.2f} ms p99 {p99:6.2f} ms | {who} p50 "
                    f"{s50:6.2f} ms p99 {s99:6.2f} ms | ratio p50 {s50 / p50:4.2f}x "
                    f"p99 {s99 / p99:4.2f}x (mean {statistics.fmean(mine):.2f} ms)"
                )
                # The fastest read of each is the least disturbed by other work on the machine.
                print(f"  {name:<6} fastest: {min(mine) / min(base):4.2f}x ({min(base):.2f} ms)")
                print(f"  plan of the {who}'s {name}:\n{plan(deps, scoped)}")
        if kind == "postgres":
            print(f"  {plans_made(deps)}")


def main() -> None:
    """Parse the options and run each engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--agency-every", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20, help="rounds of 10 reads each")
    parser.add_argument("--pg-url", default=os.environ.get("ADUAN_BENCH_PG_URL", DEFAULT_PG_URL))
    args = parser.parse_args()
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        run(kind, args)


if __name__ == "__main__":
    main()
