"""Rate limits: the public intake and PIN tries in the database (shared), lookups in process.

The public intake (issue 12 item 5) counts per device (the ``aduan_device`` cookie) and per
address, with the administrator's larger allowances for listed addresses, in the database, so
every worker and instance shares one count (``service.limits``); staff are never limited.
The complainant's PIN tries are counted there too, per tracking code (they are POSTs that
write anyway). Tracking-code lookups per address stay in process (``RateLimiter``): they are
reads, and a write per lookup would cost more than the bound they keep.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from aduan.service import limits
from aduan.web.auth import DEVICE_COOKIE, client_ip, current_staff, deps_of
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


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """Public submissions per device and per address an hour (listed addresses: their own)."""

    per_device: int = limits.INTAKE_PER_DEVICE
    per_address: int = limits.INTAKE_PER_ADDRESS


def device_of(request: Request) -> str | None:
    """This browser's device cookie (a random token the pages hand out), or None."""
    device = request.cookies.get(DEVICE_COOKIE, "").strip()
    return device[:128] or None


def check_intake(request: Request) -> None:
    """Count one public submission, or raise ``ThrottledError``; staff are never limited."""
    if current_staff(request) is not None:
        return
    found = getattr(request.app.state, "intake_limits", None)
    rules = found if isinstance(found, IntakeLimits) else IntakeLimits()
    limits.count_public_submission(
        deps_of(request),
        client_ip(request),
        device_of(request),
        per_device=rules.per_device,
        per_address=rules.per_address,
    )


async def check_intake_async(request: Request) -> None:
    """``check_intake`` from an ``async`` route: the database write on a worker thread."""
    await run_in_threadpool(check_intake, request)
