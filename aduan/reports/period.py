"""Reporting periods (a date range, a month, a quarter, a year) in Jakarta time (WIB)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from aduan.workflow.errors import InputError, Wording
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$", re.IGNORECASE)
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``first``..``last`` (both included), counted in WIB; ``key`` names it (2026Q1)."""

    first: date
    last: date
    key: str
    label: str

    @property
    def start_at(self) -> datetime:
        """00:00 WIB of the first day."""
        return datetime.combine(self.first, time(0), WIB)

    @property
    def end_at(self) -> datetime:
        """00:00 WIB of the day after the last (the period is ``[start_at, end_at)``)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), WIB)

    def previous(self) -> Period:
        """The period of the same length just before (the year before, for a year)."""
        if self.key.isdigit():
            return year(int(self.key) - 1)
        length = (self.last - self.first).days + 1
        last = self.first - timedelta(days=1)
        return between(last - timedelta(days=length - 1), last)


def between(first: date, last: date) -> Period:
    """An arbitrary range of days; ``first`` must not be after ``last``."""
    _sensible_year(first.year, "from")
    _sensible_year(last.year, "to")
    if first > last:
        raise InputError(
            "to",
            "not_before_from",
            N_("tanggal akhir %(last)s sebelum tanggal awal %(first)s"),
            last=last,
            first=first,
        )
    key = f"{first.isoformat()}..{last.isoformat()}"
    return Period(first, last, key, f"{_day_id(first)} s.d. {_day_id(last)}")


def month(text: str) -> Period:
    """``YYYY-MM``."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InputError("month", "yyyy_mm", N_("bulan YYYY-MM, bukan %(text)r"), text=text)
    y, m = int(match[1]), int(match[2])
    _sensible_year(y, "month")
    first = date(y, m, 1)
    last = date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)
    return Period(first, last, f"{y}-{m:02d}", f"{MONTHS_ID[m - 1]} {y}")


def quarter(text: str) -> Period:
    """``YYYYQn`` (n = 1..4), e.g. ``2026Q1``."""
    match = _QUARTER.match(text.strip())
    if not match:
        raise InputError(
            "quarter", "yyyyqn", N_("triwulan YYYYQn, mis. 2026Q1, bukan %(text)r"), text=text
        )
    y, q = int(match[1]), int(match[2])
    _sensible_year(y, "quarter")
    first = date(y, 3 * q - 2, 1)
    last = date(y + q // 4, (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return Period(first, last, f"{y}Q{q}", f"Triwulan {('I', 'II', 'III', 'IV')[q - 1]} {y}")


def _sensible_year(value: int, field: str) -> None:
    # Year 0 or 9999 is nobody's report, and the day after 9999-12-31 does not exist.
    if not 2000 <= value <= 2100:
        raise InputError(field, "2000_2100", N_("tahun tidak masuk akal: %(year)s"), year=value)


def year(value: int) -> Period:
    """A calendar year."""
    _sensible_year(value, "year")
    return Period(date(value, 1, 1), date(value, 12, 31), str(value), f"Tahun {value}")


def choose_period(
    first: str | None, last: str | None, month_: str | None, quarter_: str | None, year_: int | None
) -> Period:
    """Exactly one of: ``--from``/``--to`` (ISO days), ``--month``, ``--quarter``, ``--year``."""
    given = [x for x in (first or last, month_, quarter_, year_) if x]
    if len(given) != 1:
        raise InputError(
            "period",
            "exactly_one",
            N_("sebutkan satu periode: --from/--to, --month, --quarter atau --year"),
        )
    if month_:
        return month(month_)
    if quarter_:
        return quarter(quarter_)
    if year_:
        return year(year_)
    if not (first and last):
        raise InputError("to" if first else "from", "both", N_("--from dan --to"))
    return between(_iso_day(first, "from"), _iso_day(last, "to"))


def _iso_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            field,
            "iso_date",
            N_("tanggal YYYY-MM-DD, bukan %(text)r"),
            text=text,
        ) from None


def from_key(text: str, field: str = "periode") -> Period:
    """A month (``YYYY-MM``), a quarter (``YYYYQn``) or a year (``YYYY``) by its key.

    An input error names ``field`` (the one parameter of the public page and its CSV).
    """
    text = text.strip()
    try:
        if _QUARTER.match(text):
            return quarter(text)
        if text.isdigit() and len(text) == 4:
            return year(int(text))
        if re.match(r"^\d{4}-\d{1,2}$", text):
            return month(text)
    except InputError as exc:
        raise InputError(field, exc.rule, exc.msgid, **exc.facts) from None
    raise InputError(
        field,
        "period_key",
        N_("bulan YYYY-MM, triwulan YYYYQn atau tahun YYYY, bukan %(text)r"),
        text=text,
    )


def quarter_of(day: date) -> Period:
    """The quarter a day is in."""
    return quarter(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def previous_quarter(day: date) -> Period:
    """The quarter before the one ``day`` is in."""
    return quarter_of(quarter_of(day).first - timedelta(days=1))


def kind_of(p: Period) -> str:
    """Which kind of period ``p`` is: ``month``, ``quarter``, ``year`` or ``range``."""
    if _MONTH.match(p.key):
        return "month"
    if _QUARTER.match(p.key):
        return "quarter"
    return "year" if p.key.isdigit() else "range"


def query_of(p: Period) -> dict[str, str]:
    """The query parameters that ask for ``p`` again (``?month=2026-02``, ``?from=..&to=..``)."""
    kind = kind_of(p)
    if kind == "range":
        return {"from": p.first.isoformat(), "to": p.last.isoformat()}
    return {kind: p.key}


def step(p: Period, by: int) -> Period:
    """The period of the same kind ``by`` (-1 or 1) before or after ``p``.

    A calendar month, quarter or year moves to the one before or after it; a range of days
    moves by its own length.
    """
    kind = kind_of(p)
    if kind == "year":
        return year(int(p.key) + by)
    if kind == "month":
        y, m = divmod(p.first.year * 12 + p.first.month - 1 + by, 12)
        return month(f"{y}-{m + 1:02d}")
    if kind == "quarter":
        day = p.first - timedelta(days=1) if by < 0 else p.last + timedelta(days=1)
        return quarter_of(day)
    length = timedelta(days=(p.last - p.first).days + 1)
    return between(p.first + by * length, p.last + by * length)


def _day_id(day: date) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def day_words(day: date) -> Wording:
    """A day as a letter writes it, in each language: ``3 Maret 2026`` / ``3 March 2026``."""
    return Wording(
        {
            "id": _day_id(day),
            "en": f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}",
        }
    )
