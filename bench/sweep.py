"""Deadline sweep benchmark for Aduan; for now only its first section, the calendar.

Section ``calendar``: deadline computations per second. Builds the working-day calendar once
(printing the build time and the time to rebuild it with overrides), then times
``WorkingCalendar.response_due_at`` over varied receipt instants in 2024–2030 against a naive
baseline in the same process: a loop stepping day by day over the same non-working days.

It prints numbers; it asserts nothing. Usage::

    .venv/bin/python bench/sweep.py --calendar-only
    .venv/bin/python bench/sweep.py --calendar-only --n 2000000 --naive-n 200000

The last line of the output is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from aduan.escalation.calendar import END_OF_DAY, Override, WorkingCalendar  # noqa: E402
from aduan.workflow.intake import WIB  # noqa: E402

TARGET_DEADLINES_PER_SECOND = 200_000
RESPONSE_WORKING_DAYS = 14  # seed §6 item 4
SPAN_START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_END = datetime(2031, 1, 1, tzinfo=UTC)

# --- section: calendar --------------------------------------------------------------------


def receipt_instants(n: int, seed: int) -> list[datetime]:
    """``n`` aware instants spread over 2024–2030, at any second of the day (WIB midnights too)."""
    rng = random.Random(seed)
    span = int((SPAN_END - SPAN_START).total_seconds())
    return [SPAN_START + timedelta(seconds=rng.randrange(span)) for _ in range(n)]


def naive_due_at(received_at: datetime, n: int, non_working: frozenset[date]) -> datetime:
    """The baseline: step one day at a time, skipping weekends and listed days."""
    day = received_at.astimezone(WIB).date()
    left = n
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in non_working:
            left -= 1
    return datetime.combine(day, END_OF_DAY, WIB).astimezone(UTC)


def rate(fn: Callable[[datetime, int], datetime], instants: list[datetime]) -> float:
    """Calls per second of ``fn`` over ``instants``."""
    n = RESPONSE_WORKING_DAYS
    started = time.perf_counter()
    for received_at in instants:
        fn(received_at, n)
    return len(instants) / (time.perf_counter() - started)


def bench_calendar(args: argparse.Namespace) -> dict[str, Any]:
    """Deadline computations per second: the precomputed index against a day-by-day loop."""
    started = time.perf_counter()
    calendar = WorkingCalendar.for_indonesia()
    build_ms = (time.perf_counter() - started) * 1000
    regional = [Override(date(2026, 8, 12), "holiday", "Hari Jadi Kabupaten", "bench")]
    started = time.perf_counter()
    calendar.with_overrides(regional)
    rebuild_ms = (time.perf_counter() - started) * 1000
    print(
        f"calendar {calendar.first}..{calendar.last}: built in {build_ms:.1f} ms "
        f"(holidays package + index), rebuilt with overrides in {rebuild_ms:.1f} ms"
    )

    non_working = frozenset(
        d.on
        for year in range(calendar.first.year, calendar.last.year + 1)
        for d in calendar.non_working_days(year)
    )
    instants = receipt_instants(args.n, args.seed)
    naive_instants = instants[: args.naive_n]
    mismatches = sum(
        calendar.response_due_at(t, RESPONSE_WORKING_DAYS)
        != naive_due_at(t, RESPONSE_WORKING_DAYS, non_working)
        for t in naive_instants[:10_000]
    )
    indexed = rate(calendar.response_due_at, instants)
    naive = rate(lambda t, n: naive_due_at(t, n, non_working), naive_instants)
    verdict = "meets" if indexed >= TARGET_DEADLINES_PER_SECOND else "MISSES"
    print(f"response_due_at (index):   {indexed:12,.0f} /s over {len(instants):,} receipts")
    print(f"naive day-by-day baseline: {naive:12,.0f} /s over {len(naive_instants):,} receipts")
    print(
        f"ratio index/naive: {indexed / naive:.1f}x; "
        f"target >= {TARGET_DEADLINES_PER_SECOND:,}/s: {verdict}"
    )
    print(f"agreement on {min(len(naive_instants), 10_000):,} receipts: {mismatches} mismatches")
    return {
        "calendar_build_ms": round(build_ms, 2),
        "calendar_rebuild_ms": round(rebuild_ms, 2),
        "deadlines_per_second": round(indexed),
        "naive_deadlines_per_second": round(naive),
        "ratio": round(indexed / naive, 2),
        "target_deadlines_per_second": TARGET_DEADLINES_PER_SECOND,
        "mismatches": mismatches,
    }


# --- driver -------------------------------------------------------------------------------

# Sections run in this order; later sections of the sweep benchmark are added here.
SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "calendar": bench_calendar,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--calendar-only", action="store_true", help="run only the calendar section")
    p.add_argument("--n", type=int, default=1_000_000, help="response_due_at calls to time")
    p.add_argument("--naive-n", type=int, default=100_000, help="baseline calls to time")
    p.add_argument("--seed", type=int, default=20260811)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    names = ["calendar"] if args.calendar_only else list(SECTIONS)
    summary: dict[str, Any] = {}
    for name in names:
        print(f"== {name} ==", flush=True)
        summary[name] = SECTIONS[name](args)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
