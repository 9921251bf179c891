"""Reading GeoReport v2 parameters: comma lists, statuses, dates and a request's attributes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from aduan.web.api.open311_models import PENDING, QA_CONSENT
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_, OPEN_STATUSES, Status


def service_dates(
    received_on: date | None, pending: str | None, applied_on: date | None, today: date
) -> dict[str, Any]:
    """The intake's service dates from the attributes: received (today if not said) or pending."""
    if pending not in (None, "", "true", "false"):
        raise InputError(f"attribute[{PENDING}]", "true_or_false", N_("isi true atau false"))
    if pending == "true":
        return {
            "service_pending": True,
            "service_received_on": received_on,
            "applied_on": applied_on,
        }
    return {"service_received_on": received_on or today, "applied_on": applied_on}


def consent(value: str | None) -> bool:
    """The ``attribute[qa_consent]`` of a request (issue 14 item 7): true or false, default no."""
    if value not in (None, "", "true", "false"):
        raise InputError(f"attribute[{QA_CONSENT}]", "true_or_false", N_("isi true atau false"))
    return value == "true"


def point(lat: float | None, long: float | None) -> str | None:
    """``lat,long`` to six places, or None without both."""
    return f"{lat:.6f},{long:.6f}" if lat is not None and long is not None else None


def listed(value: str | None) -> frozenset[str]:
    """A GeoReport comma list (``a,b``) as a set; empty when not given."""
    return frozenset(p.strip() for p in (value or "").split(",") if p.strip())


def statuses(value: str | None) -> frozenset[Status]:
    """GeoReport's ``status`` list (``open``, ``closed``) as the statuses it stands for."""
    wanted = listed(value)
    if not wanted <= {"open", "closed"}:
        raise InputError("status", "open_or_closed", N_("status harus open dan/atau closed"))
    open_ = frozenset(OPEN_STATUSES)
    return frozenset().union(*(open_ if w == "open" else frozenset(Status) - open_ for w in wanted))


def aware(value: datetime | None, field: str) -> datetime | None:
    """A date-time without a zone is read as UTC; years outside 2000-2100 are refused."""
    if value is None:
        return None
    if not 2000 <= value.year <= 2100:  # (0001-01-01 minus 90 days does not exist)
        raise InputError(
            field, "2000_2100", N_("tahun tidak masuk akal: %(year)s"), year=value.year
        )
    return value if value.tzinfo else value.replace(tzinfo=UTC)
