"""The time-limited cache and the three caches built on it, on a clock the test moves."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from aduan.escalation.calendar import Override
from aduan.ports import UnitOfWork
from aduan.service.accounts import Staff
from aduan.service.cache import Expiring
from aduan.service.deps import CalendarCache, ReferenceCache
from aduan.web.auth import StaffCache
from aduan.workflow.states import Role


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_returned_until_it_is_older_than_max_age() -> None:
    clock = Clock()
    cache: Expiring[str, int] = Expiring(10, clock=clock)
    assert cache.put("a", 1) == 1
    clock.now += 10
    assert cache.get("a") == 1
    clock.now += 0.5
    assert cache.get("a") is None
    assert cache.get("missing") is None


def test_putting_again_restarts_the_age() -> None:
    clock = Clock()
    cache: Expiring[str, int] = Expiring(10, clock=clock)
    cache.put("a", 1)
    clock.now += 8
    cache.put("a", 2)
    clock.now += 8
    assert cache.get("a") == 2


def test_forget_and_clear_drop_values_at_once() -> None:
    cache: Expiring[str, int] = Expiring(10, clock=Clock())
    cache.put("a", 1)
    cache.put("b", 2)
    cache.forget("a")
    cache.forget("never-put")
    assert (cache.get("a"), cache.get("b")) == (None, 2)
    cache.clear()
    assert cache.get("b") is None
    assert len(cache) == 0


def test_a_full_cache_starts_again_empty_for_a_new_key() -> None:
    cache: Expiring[int, int] = Expiring(10, max_size=3, clock=Clock())
    for key in range(3):
        cache.put(key, key)
    cache.put(2, 20)  # a known key replaces its value and keeps the others
    assert [cache.get(k) for k in range(3)] == [0, 1, 20]
    cache.put(3, 3)
    assert len(cache) == 1
    assert [cache.get(k) for k in range(4)] == [None, None, None, 3]


def test_without_a_clock_the_cache_keeps_values_for_max_age_of_real_time() -> None:
    cache: Expiring[str, int] = Expiring(60)
    cache.put("a", 1)
    assert cache.get("a") == 1


def _holiday(day: int) -> Override:
    return Override(date(2024, 8, day), "holiday", "regional holiday", "admin")


class _Overrides:
    def __init__(self) -> None:
        self.current: tuple[Override, ...] = ()
        self.reads = 0

    def overrides(self) -> tuple[Override, ...]:
        self.reads += 1
        return self.current


def test_the_calendar_is_read_again_after_max_age_and_rebuilt_only_when_changed() -> None:
    clock, overrides = Clock(), _Overrides()
    uow = cast(UnitOfWork, SimpleNamespace(calendar=overrides))
    cache = CalendarCache(60, 2024, 2024, clock=clock)
    first = cache.get(uow)
    clock.now += 30
    assert cache.get(uow) is first
    assert overrides.reads == 1
    clock.now += 31
    assert cache.get(uow) is first  # read again, unchanged: the same calendar
    assert overrides.reads == 2
    overrides.current = (_holiday(19),)
    cache.invalidate()  # a change made in this process takes effect at once
    changed = cache.get(uow)
    assert changed.overrides == (_holiday(19),)
    assert not changed.is_working_day(date(2024, 8, 19))


class _Reference:
    def __init__(self) -> None:
        self.chart: object = object()
        self.codes = ["A"]
        self.reads = 0

    def orgchart(self) -> object:
        self.reads += 1
        return self.chart

    def services(self) -> list[Any]:
        self.reads += 1
        return [SimpleNamespace(code=code) for code in self.codes]


def test_reference_data_is_kept_for_max_age_and_cleared_by_a_local_change() -> None:
    clock, reference = Clock(), _Reference()
    uow = cast(UnitOfWork, SimpleNamespace(reference=reference))
    cache = ReferenceCache(60, clock=clock)
    chart = cache.orgchart(uow)
    assert cache.service(uow, "A") is not None
    reference.chart, reference.codes = object(), ["B"]
    assert cache.orgchart(uow) is chart
    assert cache.service(uow, "B") is None
    assert reference.reads == 2
    clock.now += 61
    assert cache.orgchart(uow) is reference.chart
    assert cache.service(uow, "B") is not None
    generation = cache.generation
    cache.invalidate()
    assert cache.generation == generation + 1
    assert reference.reads == 4
    cache.orgchart(uow)
    cache.service(uow, "B")
    assert reference.reads == 6


STAFF = Staff("siti", "Siti", Role.OFFICER, None, None)


def test_a_caller_is_remembered_only_at_the_same_generation_and_for_max_age() -> None:
    clock = Clock()
    cache = StaffCache(5, clock=clock)
    cache.put("s:digest", 7, STAFF)
    assert cache.get("s:digest", 7) is STAFF
    assert cache.get("s:digest", 8) is None  # users changed in this process: look up again
    clock.now += 5.5
    assert cache.get("s:digest", 7) is None


def test_a_logged_out_caller_is_forgotten_at_once() -> None:
    cache = StaffCache(5, clock=Clock())
    cache.put("s:digest", 0, STAFF)
    cache.forget("s:digest")
    assert cache.get("s:digest", 0) is None


def test_a_burst_of_callers_past_max_entries_empties_the_staff_cache() -> None:
    cache = StaffCache(5, max_entries=2, clock=Clock())
    cache.put("a", 0, STAFF)
    cache.put("b", 0, STAFF)
    cache.put("c", 0, STAFF)
    assert [cache.get(k, 0) for k in "abc"] == [None, None, STAFF]
