"""Working-day calendar of Indonesia: which days count toward the 14-working-day answer deadline.

Pure: no I/O, no clock. Monday–Friday minus national holidays (hari libur nasional) and
collective leave (cuti bersama) from the ``holidays`` package (``ID``, categories ``public`` and
``government``) and the administrator's overrides (DESIGN §3), precomputed once per range of
years so a deadline is a few list look-ups, never a day-by-day loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal

import holidays

from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_

OverrideKind = Literal["holiday", "working"]
Source = Literal["weekend", "national", "cuti_bersama", "override"]

# DESIGN §3: the deadline is the end of the n-th working day, in WIB.
END_OF_DAY = time(23, 59, 59)
_WEEKEND = {5: ("Sabtu", "Saturday"), 6: ("Minggu", "Sunday")}
# Later categories win on a shared date: a national holiday outranks collective leave.
_CATEGORIES: tuple[tuple[str, Source], ...] = (
    ("government", "cuti_bersama"),
    ("public", "national"),
)


class CalendarRangeError(InputError):
    """A date, or the deadline counted from it, falls outside the years the calendar knows."""

    def __init__(self, on: date, first: date, last: date, working_days: int | None = None) -> None:
        self.on = on
        self.first = first
        self.last = last
        self.working_days = working_days
        message = (
            N_("tanggal %(on)s di luar rentang kalender hari kerja %(first)s s.d. %(last)s")
            if working_days is None
            else N_(
                "%(working_days)s hari kerja setelah %(on)s melewati akhir kalender hari kerja "
                "(%(first)s s.d. %(last)s)"
            )
        )
        facts = {"on": on, "first": first, "last": last, "working_days": working_days}
        super().__init__("date", "in_calendar_range", message, **facts)


@dataclass(frozen=True, slots=True)
class Override:
    """An administrator's correction of one day: a regional holiday, a late decree, a fixed date.

    ``holiday`` removes a working day; ``working`` turns a non-working day back into a working
    day (e.g. an estimated holiday date the decree set elsewhere).
    """

    on: date
    kind: OverrideKind
    reason: str
    entered_by: str


@dataclass(frozen=True, slots=True)
class NonWorkingDay:
    """A day that does not count toward deadlines, with its name in Indonesian and English."""

    on: date
    name_id: str
    name_en: str
    source: Source
    estimated: bool = False  # the package computed the date; the decree may set another one


class WorkingCalendar:
    """Immutable working-day calendar over ``first``..``last`` with O(1) deadline look-ups."""

    def __init__(
        self,
        listed: Mapping[date, NonWorkingDay],
        first: date,
        last: date,
        overrides: Iterable[Override] = (),
    ) -> None:
        """Build the index; prefer :meth:`for_indonesia` and :meth:`with_overrides`.

        Args:
            listed: Holidays and collective leave by date (weekends are implied).
            first: First day the calendar knows.
            last: Last day the calendar knows.
            overrides: The administrator's overrides, at most one per date.

        Raises:
            InputError: Two overrides on one date, or ``first`` after ``last``.
            CalendarRangeError: An override outside ``first``..``last``.
        """
        if first > last:
            raise InputError("years", "ordered", N_("rentang tahun terbalik"))
        self.first, self.last = first, last
        self._listed = dict(listed)
        self._overrides = self._by_date(overrides)
        self._base = first.toordinal()
        working: list[int] = []  # ordinals of working days, ascending
        counts: list[int] = []  # counts[i]: working days on or before base + i
        for ordinal in range(self._base, last.toordinal() + 1):
            if self._computes_working(date.fromordinal(ordinal)):
                working.append(ordinal)
            counts.append(len(working))
        self._working = tuple(working)
        self._counts = tuple(counts)
        self._ends = tuple(
            datetime.combine(date.fromordinal(o), END_OF_DAY, WIB).astimezone(UTC) for o in working
        )

    @classmethod
    def for_indonesia(
        cls, first_year: int = 2020, last_year: int = 2035, overrides: Iterable[Override] = ()
    ) -> WorkingCalendar:
        """Build the calendar from the ``holidays`` package for ``first_year``..``last_year``."""
        years = range(first_year, last_year + 1)
        listed: dict[date, NonWorkingDay] = {}
        for category, source in _CATEGORIES:
            # The language is explicit: without it the package follows the process locale.
            names_id, names_en = (
                holidays.country_holidays("ID", years=years, categories=category, language=lang)
                for lang in ("id", "en_US")
            )
            for on, name_id in names_id.items():
                name_en = names_en[on]
                listed[on] = NonWorkingDay(on, name_id, name_en, source, "(estimated)" in name_en)
        return cls(listed, date(first_year, 1, 1), date(last_year, 12, 31), overrides)

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The overrides in force, by date."""
        return tuple(self._overrides[on] for on in sorted(self._overrides))

    def with_overrides(self, overrides: Iterable[Override]) -> WorkingCalendar:
        """Return a new calendar whose overrides are exactly ``overrides`` (this one is kept)."""
        return WorkingCalendar(self._listed, self.first, self.last, overrides)

    def is_working_day(self, on: date) -> bool:
        """Whether ``on`` counts toward deadlines."""
        i = self._index(on.toordinal())
        return self._counts[i] != (self._counts[i - 1] if i else 0)

    def add_working_days(self, on: date, n: int) -> date:
        """Return the ``n``-th working day strictly after ``on`` (``on`` itself never counts)."""
        return date.fromordinal(self._working[self._nth(on.toordinal(), n)])

    def response_due_at(self, received_at: datetime, n: int = 14) -> datetime:
        """Deadline of the answer (seed §6 item 4): end of the n-th working day after receipt.

        Args:
            received_at: When the office received the complaint; must be aware.
            n: Working days allowed.

        Returns:
            23:59:59 WIB of the ``n``-th working day strictly after the WIB receipt date, as UTC.

        Raises:
            InputError: ``received_at`` is naive, or ``n`` < 1.
            CalendarRangeError: The receipt date or the deadline is outside the calendar.
        """
        if received_at.utcoffset() is None:
            raise InputError(
                "received_at",
                "aware",
                N_("waktu diterima harus menyertakan zona waktu"),
            )
        return self._ends[self._nth(received_at.astimezone(WIB).toordinal(), n)]

    def working_day_before(self, on: date, k: int) -> date:
        """Return the ``k``-th working day strictly before ``on`` (k ≥ 1): for reminders."""
        if k < 1:
            raise InputError("working_days", "positive", N_("minimal 1 hari kerja"))
        position = self._counts[self._index(on.toordinal() - 1)] - k
        if position < 0:
            raise CalendarRangeError(on, self.first, self.last, -k)
        return date.fromordinal(self._working[position])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (``start``, ``end``]; negative when ``end`` is before ``start``."""
        counts, index = self._counts, self._index
        return counts[index(end.toordinal())] - counts[index(start.toordinal())]

    def non_working_days(self, year: int, *, weekends: bool = False) -> list[NonWorkingDay]:
        """Holidays, collective leave and override holidays of ``year``, by date.

        Days a ``working`` override gave back are left out; weekends only when asked.
        """
        first, last = date(year, 1, 1), date(year, 12, 31)
        self._check_in_range(first)
        self._check_in_range(last)
        return [
            d
            for ordinal in range(first.toordinal(), last.toordinal() + 1)
            if (d := self._describe(date.fromordinal(ordinal))) is not None
            and (weekends or d.source != "weekend")
        ]

    def check_override(self, override: Override) -> str | None:
        """Return a bilingual message when ``override`` would change nothing, else ``None``."""
        working = self.is_working_day(override.on)
        if override.kind == "holiday" and not working:
            day = self._describe(override.on)
            name_id, name_en = (day.name_id, day.name_en) if day else ("", "")
            return (
                f"{override.on} sudah hari libur ({name_id}); penggantian tidak mengubah apa pun / "
                f"{override.on} is already a non-working day ({name_en}); the override changes "
                "nothing"
            )
        if override.kind == "working" and working:
            return (
                f"{override.on} sudah hari kerja; penggantian tidak mengubah apa pun / "
                f"{override.on} is already a working day; the override changes nothing"
            )
        return None

    def _by_date(self, overrides: Iterable[Override]) -> dict[date, Override]:
        by_date: dict[date, Override] = {}
        for o in overrides:
            self._check_in_range(o.on)
            if o.on in by_date:
                raise InputError(
                    "overrides",
                    "one_per_date",
                    N_("lebih dari satu penggantian pada %(on)s"),
                    on=o.on,
                )
            by_date[o.on] = o
        return by_date

    def _computes_working(self, on: date) -> bool:
        override = self._overrides.get(on)
        if override is not None:
            return override.kind == "working"
        return on.weekday() < 5 and on not in self._listed

    def _describe(self, on: date) -> NonWorkingDay | None:
        override = self._overrides.get(on)
        if override is not None and override.kind == "working":
            return None
        if on in self._listed:
            return self._listed[on]
        if override is not None:
            return NonWorkingDay(on, override.reason, override.reason, "override")
        if on.weekday() in _WEEKEND:
            return NonWorkingDay(on, *_WEEKEND[on.weekday()], "weekend")
        return None

    def _check_in_range(self, on: date) -> None:
        if not self.first <= on <= self.last:
            raise CalendarRangeError(on, self.first, self.last)

    def _index(self, ordinal: int) -> int:
        i = ordinal - self._base
        if not 0 <= i < len(self._counts):
            raise CalendarRangeError(date.fromordinal(ordinal), self.first, self.last)
        return i

    def _nth(self, ordinal: int, n: int) -> int:
        """Position in ``_working`` of the n-th working day strictly after ``ordinal``."""
        if n < 1:
            raise InputError(
                "working_days",
                "positive",
                N_("jumlah hari kerja harus minimal 1"),
            )
        k = self._counts[self._index(ordinal)] + n - 1
        if k >= len(self._working):
            raise CalendarRangeError(date.fromordinal(ordinal), self.first, self.last, n)
        return k
