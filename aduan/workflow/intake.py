"""Intake screening (seed §6 items 2, 3, 5a–b) and tracking codes; pure, time passed in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aduan.workflow.case import Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_, Kind, ScreeningReason, Status

WIB = ZoneInfo("Asia/Jakarta")
# Clocks of a phone, a mail server and the office PC disagree a little; more is a typing error.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Crockford's base32 without 0/O, 1/I/L and U: readable aloud and over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class Screening:
    """The intake decision, recorded with its reason."""

    kind: Kind
    status: Status
    reason: ScreeningReason | None
    intake_days: int


def wib_date(moment: datetime) -> date:
    """The calendar date in Asia/Jakarta of an aware datetime."""
    return moment.astimezone(WIB).date()


def check_times(
    service_received_on: date, complained_at: datetime, received_at: datetime, now: datetime
) -> None:
    """Reject impossible dates: nothing is written for them."""
    if received_at > now + FUTURE_TOLERANCE:
        raise InputError(
            "received_at",
            "not_in_future",
            N_("waktu diterima tidak boleh di masa depan"),
        )
    if complained_at > received_at:
        raise InputError(
            "complained_at",
            "not_after_received",
            N_("waktu pengaduan dibuat tidak boleh setelah waktu diterima"),
        )
    if service_received_on > wib_date(complained_at):
        raise InputError(
            "service_received_on",
            "not_after_complaint",
            N_("tanggal menerima layanan tidak boleh setelah pengaduan dibuat"),
        )


def screen(
    complainant: Complainant,
    description: str,
    service_received_on: date,
    received_at: datetime,
    window_days: int = 30,
) -> Screening:
    """Decide complaint or suggestion.

    Item 5b: no identity or no subject matter makes a suggestion. Item 2–3: the window counts
    calendar days in WIB from the day the service was received to the day the office received
    the complaint; day ``window_days`` is on time, the day after is late.
    """
    days = (wib_date(received_at) - service_received_on).days
    reason: ScreeningReason | None = None
    if not complainant.identified:
        reason = ScreeningReason.NO_IDENTITY
    elif not description.strip():
        reason = ScreeningReason.NO_SUBJECT
    elif days > window_days:
        reason = ScreeningReason.LATE
    if reason is None:
        return Screening(Kind.COMPLAINT, Status.RECORDED, None, days)
    return Screening(Kind.SUGGESTION, Status.SUGGESTION, reason, days)


def new_tracking_code() -> str:
    """An unguessable (about 49 bits), human-friendly code: ``ADN-XXXXX-XXXXX``."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"ADN-{chars[:5]}-{chars[5:]}"


def normalise_tracking_code(text: str) -> str:
    """Accept what people type: lower case, spaces, missing dashes."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) > 10:  # a body may itself begin with "ADN": strip only a typed prefix
        cleaned = cleaned.removeprefix("ADN")
    return f"ADN-{cleaned[:5]}-{cleaned[5:]}"
