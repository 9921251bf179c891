"""The time the deadline sweep trusts when the wall clock jumps forward (issue 17).

A wall clock stepped forward by mistake (a wrong manual setting, a bad time server) made the
sweep ring reminders and breaches early — a breach escalates the case to the next tier, which
cannot be taken back — and the real deadline later passed without an alarm. The watch compares
how far the wall clock moved with how far the monotonic clock moved since the last sweep. When
the wall clock ran ahead by more than ``tolerance``, the sweep keeps using the time it trusts
(the last trusted time plus the monotonic time since), until the jump has lasted ``confirm`` of
monotonic time: a clock put right within that time rings nothing early; a jump that lasts was
real (a machine resumed from suspend, a late first time sync), and the alarms ring then.
A step back needs nothing here: an alarm then rings when the (earlier) clock reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

log = structlog.get_logger()


@dataclass(slots=True)
class ClockWatch:
    """One process's view of whether the wall clock can be trusted (see the module text)."""

    tolerance: timedelta = timedelta(minutes=2)
    confirm: timedelta = timedelta(minutes=15)
    monotonic: Callable[[], float] = time.monotonic
    _trusted: datetime | None = None  # the trusted time at ``_mono``
    _mono: float = 0.0
    _ahead_since: float | None = field(default=None)  # monotonic time the jump was first seen

    def trusted(self, wall: datetime) -> datetime:
        """The time to sweep at: ``wall``, or less while a forward jump is unconfirmed."""
        mono = self.monotonic()
        if self._trusted is None:
            return self._trust(wall, mono)
        expected = self._trusted + timedelta(seconds=mono - self._mono)
        if wall - expected <= self.tolerance:
            self._ahead_since = None
            return self._trust(wall, mono)
        if self._ahead_since is None:
            self._ahead_since = mono
            log.warning("clock_jumped_forward", ahead_s=int((wall - expected).total_seconds()))
        if mono - self._ahead_since >= self.confirm.total_seconds():
            log.warning("clock_jump_accepted", ahead_s=int((wall - expected).total_seconds()))
            self._ahead_since = None
            return self._trust(wall, mono)
        return self._trust(expected, mono)

    def _trust(self, at: datetime, mono: float) -> datetime:
        self._trusted, self._mono = at, mono
        return at
