"""Intake screening (seed §6 items 2, 3, 4, 5a–b) and tracking codes; pure, time passed in.

The rules, each with its seed item:

- item 5a–b: the record names the complainant (a name and at least one way to reach them:
  postal address, phone, email or social account) and the subject matter; without either the
  submission is a suggestion (``Complainant.identified``, ``screen``);
- items 2–3: a complaint is made within 30 calendar days of receiving the service, counted in
  WIB from the day the service was received to the day the complaint was *made* — the channel
  records that day: a box letter's drop date as the officer finds it, a letter's postmark or
  date, the day SP4N-LAPOR! received it, else the moment it reached the office (``made_at``).
  A complaint about a service not yet delivered ("belum terbit", "belum selesai") counts from
  the application date plus the service's completion time in the catalog, in working days as
  the service standards state them (``window_start``);
- item 4: the 14 working days of the answer run from the office's receipt (``received_at``),
  whatever the made-at day; ``escalation.deadlines`` counts them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aduan.workflow.case import ChannelFacts, Complainant
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_, Channel, Kind, ScreeningReason, Status

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


@dataclass(frozen=True, slots=True)
class FactRule:
    """The facts a channel takes; of each group in ``required`` at least one must be given."""

    allowed: frozenset[str]
    required: tuple[tuple[str, ...], ...] = ()


# Seed §6 item 2: what each channel records as the complaint arrives. A channel not listed
# takes no facts (its made-at moment is stated by the officer, else the moment it arrived).
CHANNEL_FACTS: dict[Channel, FactRule] = {
    # c. Surat: the reference number if it has one, and its date or postmark.
    Channel.LETTER: FactRule(
        frozenset({"letter_number", "letter_date", "postmarked_on"}),
        (("letter_date", "postmarked_on"),),
    ),
    # h, i. Twitter, Instagram: the account it came from.
    Channel.TWITTER: FactRule(frozenset({"social_handle"}), (("social_handle",),)),
    Channel.INSTAGRAM: FactRule(frozenset({"social_handle"}), (("social_handle",),)),
    # m. Kotak Pengaduan: the day the letter went into the box, as the officer finds it.
    Channel.BOX: FactRule(frozenset({"dropped_on"}), (("dropped_on",),)),
    # Forwarded by SP4N-LAPOR!: its tracking ID and the day LAPOR! received the complaint.
    Channel.LAPOR: FactRule(
        frozenset({"lapor_id", "lapor_received_on"}), (("lapor_id",), ("lapor_received_on",))
    ),
}

_REQUIRED_FACT: dict[str, str] = {
    "letter_date": N_(
        "wajib untuk surat: isi tanggal surat atau tanggal cap pos; batas 30 hari dihitung "
        "dari tanggal itu"
    ),
    "social_handle": N_("wajib untuk Twitter/Instagram: akun yang mengirim pengaduan"),
    "dropped_on": N_(
        "wajib untuk Kotak Pengaduan: tanggal surat dimasukkan ke kotak, sejauh dapat "
        "diketahui petugas; batas 30 hari dihitung dari tanggal ini, bukan dari hari kotak dibuka"
    ),
    "lapor_id": N_("wajib untuk SP4N-LAPOR!: nomor tiket LAPOR!"),
    "lapor_received_on": N_(
        "wajib untuk SP4N-LAPOR!: tanggal LAPOR! menerima pengaduan; batas 30 hari dihitung "
        "dari tanggal ini"
    ),
}


def wib_date(moment: datetime) -> date:
    """The calendar date in Asia/Jakarta of an aware datetime."""
    return moment.astimezone(WIB).date()


def wib_midnight(day: date) -> datetime:
    """00:00 WIB of ``day``: the made-at moment of a channel that records only a date."""
    return datetime.combine(day, time(0), WIB)


def check_channel_facts(channel: Channel, facts: ChannelFacts) -> None:
    """Item 2: a fact the channel does not take, or one it needs and lacks, writes nothing."""
    rule = CHANNEL_FACTS.get(channel, FactRule(frozenset()))
    given = facts.given()
    for name in given:
        if name not in rule.allowed:
            raise InputError(
                f"channel_facts.{name}",
                "not_for_channel",
                N_("keterangan ini tidak berlaku untuk saluran yang dipilih; kosongkan"),
            )
    for group in rule.required:
        if not any(name in given for name in group):
            message = _REQUIRED_FACT[group[0]]  # each an N_() msgid
            raise InputError(f"channel_facts.{group[0]}", "required_for_channel", message)


def check_reachable(complainant: Complainant) -> None:
    """Item 5a at the public form, where the person can still fix it.

    A name needs a way to reach its owner. Staff intake records what arrived (a suggestion,
    item 5b) instead.
    """
    if complainant.name and complainant.name.strip() and not complainant.identified:
        raise InputError(
            "complainant",
            "reachable",
            N_(
                "isi paling sedikit satu cara menghubungi Anda: alamat, telepon, email atau "
                "akun media sosial; atau kosongkan nama untuk mengirim tanpa identitas "
                "(dicatat sebagai saran)"
            ),
        )


def with_channel_contact(complainant: Complainant, facts: ChannelFacts) -> Complainant:
    """Item 5a: the social account a complaint came from is a way to reach its sender."""
    if facts.social_handle and not complainant.social:
        return replace(complainant, social=facts.social_handle)
    return complainant


def made_at(
    facts: ChannelFacts, stated: datetime | None, received_at: datetime, now: datetime
) -> datetime:
    """Items 2–3: when the complaint was made, as its channel records it (facts checked).

    A box letter's drop date, a letter's postmark (else its date), the day SP4N-LAPOR!
    received it — each 00:00 WIB of that day — else the moment the officer states, else the
    moment it reached the office. Raises ``InputError`` for a made-at moment in the future or
    after the office received it, and for a stated moment where the channel records the day.
    """
    if received_at > now + FUTURE_TOLERANCE:
        raise InputError(
            "received_at",
            "not_in_future",
            N_("waktu diterima tidak boleh di masa depan"),
        )
    dated = [
        (name, day)
        for name, day in (
            ("dropped_on", facts.dropped_on),
            ("postmarked_on", facts.postmarked_on),
            ("letter_date", facts.letter_date),
            ("lapor_received_on", facts.lapor_received_on),
        )
        if day is not None
    ]
    for name, day in dated:
        if day > wib_date(received_at):
            raise InputError(
                f"channel_facts.{name}",
                "not_after_received",
                N_("tanggal ini tidak boleh setelah pengaduan diterima kantor (%(received)s)"),
                received=wib_date(received_at).isoformat(),
            )
    if dated:
        if stated is not None:
            raise InputError(
                "complained_at",
                "set_by_channel",
                N_(
                    "kosongkan: untuk surat, Kotak Pengaduan dan SP4N-LAPOR! waktu pengaduan "
                    "dibuat diambil dari tanggal pada keterangan saluran"
                ),
            )
        return wib_midnight(dated[0][1])
    if stated is None:
        return received_at
    if stated > now + FUTURE_TOLERANCE:
        raise InputError(
            "complained_at",
            "not_in_future",
            N_("waktu pengaduan dibuat tidak boleh di masa depan"),
        )
    if stated > received_at:
        raise InputError(
            "complained_at",
            "not_after_received",
            N_("waktu pengaduan dibuat tidak boleh setelah waktu diterima"),
        )
    return stated


def window_start(
    service_received_on: date | None,
    pending: bool,
    applied_on: date | None,
    completion_days: int | None,
    made: datetime,
    today: date,
    add_working_days: Callable[[date, int], date],
) -> date:
    """Items 2–3: the day the 30-day window runs from.

    A delivered service: the day it was received (not after the complaint was made). A service
    not yet delivered ("belum terbit", "belum selesai"): the application date plus the
    service's completion time in the catalog, in working days as the service standards state
    them ("n hari kerja sejak diterimanya berkas"; the application day itself does not count).
    ``today`` is the WIB date now; ``add_working_days(day, n)`` is the working calendar's
    n-th working day after ``day``.
    """
    made_on = wib_date(made)
    check_service_dates(service_received_on is not None, pending, applied_on is not None)
    if not pending:
        assert service_received_on is not None
        if service_received_on > made_on:
            raise InputError(
                "service_received_on",
                "not_after_complaint",
                N_("tanggal menerima layanan tidak boleh setelah pengaduan dibuat"),
            )
        return service_received_on
    assert applied_on is not None
    if applied_on > today:
        raise InputError(
            "applied_on", "not_in_future", N_("tanggal permohonan tidak boleh di masa depan")
        )
    if applied_on > made_on:
        raise InputError(
            "applied_on",
            "not_after_complaint",
            N_("tanggal permohonan tidak boleh setelah pengaduan dibuat (%(made)s)"),
            made=made_on.isoformat(),
        )
    if completion_days is None:
        raise InputError(
            "service_code",
            "required_when_pending",
            N_(
                "pilih layanan dari katalog: jangka waktu penyelesaiannya menentukan awal "
                "batas 30 hari bagi layanan yang belum terbit/belum selesai"
            ),
        )
    try:
        return add_working_days(applied_on, completion_days)
    except InputError as exc:  # outside the working calendar's years
        raise InputError("applied_on", exc.rule, exc.msgid, **exc.facts) from None


def check_service_dates(received: bool, pending: bool, applied: bool) -> None:
    """Items 2–3: which of the service's dates a submission gives.

    A delivered service gives the day it was received and no application date; a service not
    yet delivered gives its application date and no day received.
    """
    if not pending and applied:
        raise InputError(
            "applied_on",
            "only_when_pending",
            N_("hanya diisi bila layanan belum terbit/belum selesai"),
        )
    if not pending and not received:
        raise InputError(
            "service_received_on",
            "required",
            N_("wajib diisi, kecuali bila layanan belum terbit/belum selesai"),
        )
    if pending and received:
        raise InputError(
            "service_received_on",
            "empty_when_pending",
            N_("kosongkan: layanan yang belum terbit/belum selesai belum diterima"),
        )
    if pending and not applied:
        raise InputError(
            "applied_on",
            "required_when_pending",
            N_(
                "wajib diisi bila layanan belum terbit/belum selesai: batas 30 hari dihitung "
                "dari tanggal permohonan ditambah jangka waktu penyelesaian layanan"
            ),
        )


def screen(
    complainant: Complainant,
    description: str,
    window_from: date,
    made: datetime,
    window_days: int = 30,
) -> Screening:
    """Decide complaint or suggestion, with the reason.

    Item 5b: no identity or no subject matter makes a suggestion. Items 2–3: the window counts
    calendar days in WIB from ``window_from`` (``window_start``) to the day the complaint was
    made (``made_at``); day ``window_days`` is on time, the day after is late. The days are
    negative for a complaint made before a pending service was due.
    """
    days = (wib_date(made) - window_from).days
    reason: ScreeningReason | None = None
    if not complainant.identified:  # item 5a–b: a name and a way to reach them
        reason = ScreeningReason.NO_IDENTITY
    elif not description.strip():  # item 5a–b: the subject matter
        reason = ScreeningReason.NO_SUBJECT
    elif days > window_days:  # items 2–3: "dapat diperlakukan sebagai saran"; accept_late
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
