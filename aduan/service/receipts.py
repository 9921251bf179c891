"""Public submissions that file once, and the receipt shown again to whoever sent them.

Issue 12 item 4. A public form (and an API client, with the ``Idempotency-Key`` header) sends a
random key with the submission. The first submission with a key files the case and keeps the
key's SHA-256 in the same transaction (``intake_keys``, unique); a refresh, a double click or a
second worker given the same key files nothing and gets the first one's receipt — also when
both arrive at once: the database's unique index lets one insert win, the other transaction
rolls back and reads the winner's.

The receipt carries the complainant's PIN, which is otherwise kept only as a hash. So that the
receipt can be shown again to whoever holds the key, the PIN is stored sealed with the key
(a one-time pad of digits drawn from an HMAC of the key); the table alone reveals nothing. The
key is the only way to a receipt: a tracking code is not a secret (issue 16 item 5).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aduan.locale import translate
from aduan.ports import IntakeKey, UnitOfWork
from aduan.schemas.commands import SubmitCommand
from aduan.schemas.views import CaseDetail
from aduan.service.deps import Deps
from aduan.workflow.case import Actor
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, Kind, Role, ScreeningReason

if TYPE_CHECKING:
    from aduan.service.attachments import Prepared

KEY_BYTES = 24  # 192 random bits, URL-safe text of 32 characters
KEY_MAX_LENGTH = 200  # what a client may send as a key


class KeyTaken(Exception):
    """Another submission with the same key was recorded first (raised to roll back)."""


def new_key() -> str:
    """A fresh idempotency key for one form."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key: str) -> str:
    """What is stored of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def fingerprint(cmd: SubmitCommand) -> str:
    """What was submitted, as a digest: the same key with other content is not a resubmission."""
    return hashlib.sha256(cmd.model_dump_json().encode()).hexdigest()


def _pad(key: str, n: int) -> list[int]:
    digest = hmac.new(key.encode(), b"aduan-receipt-pin", hashlib.sha256).digest()
    return [b % 10 for b in digest[:n]]  # 6 of 256 values: the bias (6/256) reveals nothing useful


def seal(pin: str, key: str) -> str:
    """The PIN sealed with the key (digit-wise, modulo 10)."""
    return "".join(str((int(d) + p) % 10) for d, p in zip(pin, _pad(key, len(pin)), strict=True))


def unseal(sealed: str, key: str) -> str:
    """The PIN back from its sealed form and the key."""
    pad = _pad(key, len(sealed))
    return "".join(str((int(d) - p) % 10) for d, p in zip(sealed, pad, strict=True))


def check_key(key: str) -> str:
    """A key as a client sent it, or an ``InputError`` naming it."""
    text = key.strip()
    if not 16 <= len(text) <= KEY_MAX_LENGTH or not text.isascii() or not text.isprintable():
        raise InputError(
            "Idempotency-Key",
            "key_format",
            N_("kunci idempotensi: 16–200 karakter ASCII yang dapat dicetak"),
        )
    return text


@dataclass(frozen=True, slots=True)
class Claim:
    """The key a submission claims, with the digest of what it submits."""

    key: str
    fingerprint: str

    def record(self, uow: UnitOfWork, case_id: int, pin: str, deps: Deps) -> None:
        """Keep the key with the new case, or raise ``KeyTaken`` when another got it first."""
        stored = IntakeKey(
            key_hash(self.key), case_id, self.fingerprint, seal(pin, self.key), deps.clock.now()
        )
        if not uow.identity.claim_intake_key(stored):
            raise KeyTaken


def submit_once(
    deps: Deps, cmd: SubmitCommand, key: str, files: Sequence[Prepared] = ()
) -> tuple[CaseDetail, bool]:
    """File ``cmd`` once per ``key``: (the receipt, whether it was filed before).

    The same key with other content is refused (``submission_key``): it is not a resubmission,
    and answering it with the first receipt would hide that nothing new was filed.
    """
    from aduan.service.cases import submit_complaint

    claim = Claim(key, fingerprint(cmd))
    earlier = receipt(deps, key, claim.fingerprint)
    if earlier is not None:
        from aduan.service.attachments import close_all

        close_all(files)  # the form sent again: its files were kept the first time
        return earlier, True
    try:
        return submit_complaint(deps, cmd, intake_claim=claim, files=files), False
    except KeyTaken:
        won = receipt(deps, key, claim.fingerprint)
        assert won is not None  # the transaction that took the key has committed
        return won, True


def receipt(deps: Deps, key: str, expected: str | None = None) -> CaseDetail | None:
    """The receipt of the submission made with ``key`` (PIN included), or None.

    With ``expected``, a submission of other content under the key is refused.
    """
    from aduan.service.cases import public_detail

    with deps.uow(readonly=True) as uow:
        stored = uow.identity.intake_key(key_hash(key))
        if stored is None:
            return None
        if expected is not None and not hmac.compare_digest(stored.fingerprint, expected):
            raise InputError(
                "submission_key",
                "same_submission",
                N_(
                    "formulir ini sudah dikirim dengan isi lain; muat ulang formulir untuk "
                    "menyampaikan pengaduan baru"
                ),
            )
        case = uow.cases.get(str(stored.case_id))
        detail = public_detail(deps, uow, case, Actor("public", Role.COMPLAINANT))
    return detail.model_copy(update={"pin": unseal(stored.pin_sealed, key)})


# --- what the receipt says (issue 12 item 3) -----------------------------------------------

_WHY = {
    ScreeningReason.LATE.value: N_("diajukan lebih dari 30 hari setelah layanan diterima"),
    ScreeningReason.NO_IDENTITY.value: N_("identitas pelapor tidak lengkap"),
    ScreeningReason.NO_SUBJECT.value: N_("pokok permasalahan tidak jelas"),
}
_RESUBMIT = {
    ScreeningReason.NO_IDENTITY.value: N_(
        "Bila Anda ingin masukan ini ditindaklanjuti sebagai pengaduan, sampaikan kembali "
        "dengan nama dan kontak Anda (alamat, telepon, atau email)."
    ),
    ScreeningReason.NO_SUBJECT.value: N_(
        "Bila Anda ingin masukan ini ditindaklanjuti sebagai pengaduan, sampaikan kembali "
        "dengan menjelaskan pokok permasalahannya."
    ),
}


@dataclass(frozen=True, slots=True)
class ReceiptText:
    """The receipt in words: its heading, then what was recorded, why, and what happens next."""

    heading: str
    lines: list[str]


def receipt_text(
    kind: str, reason: str | None, response_due_at: datetime | None, lang: str
) -> ReceiptText:
    """What the receipt tells the complainant, in ``lang`` (the page and the API say the same).

    A complaint: recorded as one, what the office does next and the answer deadline. A
    suggestion: recorded as one and why, what becomes of it, and for a late one that a
    supervisor may still accept it as a complaint (seed §6 item 3).
    """
    if kind == Kind.COMPLAINT.value:
        lines = [
            translate(N_("Dicatat sebagai pengaduan."), lang),
            translate(
                N_(
                    "Selanjutnya petugas mengklasifikasi dan menelaah pengaduan Anda, lalu "
                    "menindaklanjutinya di DPMPTSP, bersama Tim Teknis/Perangkat Daerah terkait, "
                    "atau bersama APIP."
                ),
                lang,
            ),
        ]
        if response_due_at is not None:
            lines.append(
                translate(N_("Jawaban kami sampaikan paling lambat %(due)s (14 hari kerja)."), lang)
                % {"due": wib_text(response_due_at)}
            )
        return ReceiptText(translate(N_("Pengaduan Anda telah diterima."), lang), lines)
    why = _WHY.get(reason or "")
    recorded = (
        translate(N_("Dicatat sebagai saran/masukan, bukan pengaduan, karena %(why)s."), lang)
        % {"why": translate(why, lang)}
        if why
        else translate(N_("Dicatat sebagai saran/masukan, bukan pengaduan."), lang)
    )
    lines = [
        recorded,
        translate(
            N_(
                "Saran dipertimbangkan dalam evaluasi standar pelayanan; saran tidak dijawab "
                "dalam batas waktu 14 hari kerja seperti pengaduan."
            ),
            lang,
        ),
    ]
    if reason == ScreeningReason.LATE.value:
        lines.append(
            translate(
                N_(
                    "Atasan pengelola pengaduan masih dapat menerimanya sebagai pengaduan. Bila "
                    "demikian, Anda diberi tahu dan batas waktu jawaban 14 hari kerja dihitung "
                    "sejak diterima."
                ),
                lang,
            )
        )
    elif reason in _RESUBMIT:
        lines.append(translate(_RESUBMIT[reason], lang))
    return ReceiptText(translate(N_("Masukan Anda telah diterima."), lang), lines)


def wib_text(moment: datetime) -> str:
    """A moment as Jakarta wall-clock time, as the pages show it."""
    return moment.astimezone(WIB).strftime("%d/%m/%Y %H:%M WIB")
