"""One time-limited cache: values kept ``max_age`` seconds, optionally at most ``max_size`` of them.

The calendar, the reference data and the web app's callers are kept this way
(``aduan.service.deps.CalendarCache``, ``ReferenceCache``, ``aduan.web.auth.StaffCache``). Time
comes from ``time.monotonic`` unless a test passes its own clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def monotonic() -> float:
    """``time.monotonic()``, looked up on each call (so freezegun's clock reaches the caches)."""
    return time.monotonic()


class Expiring(Generic[K, V]):
    """Values by key, each forgotten ``max_age`` seconds after it was put.

    When ``max_size`` values are held, putting a new key forgets every value first: the
    callers (a burst of logins) are looked up again once, and no per-key bookkeeping is paid
    on each read. Not thread-safe beyond what a ``dict`` gives: a lost race costs one lookup.

    Args:
        max_age: Seconds a value is returned after it was put.
        max_size: The most values held at once; None for no limit.
        clock: Seconds on a monotonic clock (``monotonic``; tests pass their own).
    """

    __slots__ = ("_clock", "_values", "max_age", "max_size")

    def __init__(
        self,
        max_age: float,
        max_size: int | None = None,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.max_age = max_age
        self.max_size = max_size
        self._clock = clock
        self._values: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        """The value put under ``key`` less than ``max_age`` seconds ago, or None."""
        found = self._values.get(key)
        if found is None or self._clock() - found[0] > self.max_age:
            return None
        return found[1]

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` under ``key`` from now; return it."""
        full = self.max_size is not None and len(self._values) >= self.max_size
        if full and key not in self._values:
            self._values.clear()
        self._values[key] = (self._clock(), value)
        return value

    def forget(self, key: K) -> None:
        """Stop returning the value under ``key`` (nothing happens if there is none)."""
        self._values.pop(key, None)

    def clear(self) -> None:
        """Forget every value."""
        self._values.clear()

    def __len__(self) -> int:
        """How many values are held (expired ones included until replaced or cleared)."""
        return len(self._values)
