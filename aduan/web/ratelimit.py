"""Sliding-window rate limits per key (in process): the public intake, tracking-code lookups."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aduan.workflow.errors import ThrottledError


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per key; then ``ThrottledError``.

    Kept in the process: each instance behind a load balancer counts on its own, which
    bounds one address to ``limit`` × instances — enough to stop a flood of submissions.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.what = what
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one hit for ``key``, or raise ``ThrottledError`` when over the limit."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise ThrottledError(self.what, int(hits[0] + self.window - now) + 1)
            hits.append(now)
            if len(self._hits) > 10_000:  # forget quiet addresses so memory stays bounded
                for quiet in [
                    k for k, v in self._hits.items() if not v or v[-1] <= now - self.window
                ]:
                    del self._hits[quiet]


def app_limiter(state: Any, name: str, limit: int, window: float, what: str) -> RateLimiter:
    """The limiter kept on ``state`` (an app's state) as ``name``, made on first use."""
    limiter = getattr(state, name, None)
    if not isinstance(limiter, RateLimiter):
        limiter = RateLimiter(limit, window, what)
        setattr(state, name, limiter)
    return limiter
