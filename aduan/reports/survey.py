"""The quarterly satisfaction survey (SKM, seed component 14): tokens, invitations, the results.

Invitations go through the notification outbox, written in the same transaction as the
invitation rows, with one idempotency key per case and channel and quarter
(``survey:2026Q1:<case_id>:<channel>``): dispatching twice sends nothing twice. Each link
carries a random one-time token; only its SHA-256 is stored. The public link (for service
users who were not invited) first asks for proof of a real service (issue 17): the tracking
code or the licence number of a case closed or answered in that quarter, checked in the
database; then it hands out a one-time token for that case. One response per case and
quarter; starting public surveys is limited per device and per address. The official IKM
counts only verified responses (invited, or public with a case) and says so (``basis``). The
use cases are in ``aduan.service.survey``; this module holds what they decide and write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from aduan.ports import Invitation, OutboxMessage, SurveyContact
from aduan.reports import ikm
from aduan.reports.period import Period, day_words
from aduan.workflow.errors import InputError, NotFoundError, Wording
from aduan.workflow.intake import normalise_tracking_code, wib_date
from aduan.workflow.states import N_

INVITATION_DAYS = 30  # how long a link stays valid
PUBLIC_DAYS = 1  # a token drawn from the public link is for filling in the form now
COMMENT_LIMIT = 2000
PROOF_LIMIT = 100  # a licence number is at most 100 characters (cases.licence_number)
PUBLIC_PER_DEVICE = 5  # public surveys started per device and hour
PUBLIC_PER_ADDRESS = 20  # … per address and hour, every device behind it
PUBLIC_SURVEYS = Wording({"id": "survei publik", "en": "public surveys"})


def check_proof(text: str) -> tuple[str, str]:
    """The proof as typed (a licence number) and as a tracking code, or an input error."""
    proof = (text or "").strip()
    if not proof:
        raise InputError(
            "bukti",
            "required",
            N_("isi kode lacak pengaduan atau nomor izin Anda"),
        )
    if len(proof) > PROOF_LIMIT:
        raise InputError(
            "bukti", "max_length", N_("paling panjang %(limit)s karakter"), limit=PROOF_LIMIT
        )
    return proof, normalise_tracking_code(proof)


def proof_refused(period: Period) -> InputError:
    """One refusal for every proof that does not open a form: it never says which case exists."""
    return InputError(
        "bukti",
        "tidak_cocok",
        N_(
            "kode lacak atau nomor izin tidak cocok dengan pengaduan yang selesai atau dijawab "
            "pada %(period)s, atau sudah dipakai untuk survei triwulan ini"
        ),
        period=Wording({"id": period.label, "en": period.key}),
    )


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(base_url: str, token: str) -> str:
    """The form's address for a token."""
    return f"{base_url.rstrip('/')}/survei/{token}"


def public_link(base_url: str, period: Period) -> str:
    """The quarter's public link (each visit draws a fresh one-time token)."""
    return f"{base_url.rstrip('/')}/survei/publik/{period.key}"


@dataclass(frozen=True, slots=True)
class Dispatch:
    """What one dispatch wrote."""

    period: str
    invited: int
    already_invited: int
    public_link: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "period": self.period,
            "invited": self.invited,
            "already_invited": self.already_invited,
            "public_link": self.public_link,
        }


def contact_channel(contact: SurveyContact) -> tuple[str, str]:
    """The channel and address a complainant is invited by: e-mail if given, else SMS."""
    return ("email", contact.email) if contact.email else ("sms", contact.phone or "")


def invitation_message(
    period: Period,
    contact: SurveyContact,
    base_url: str,
    token: str,
    now: datetime,
    expires_at: datetime,
) -> OutboxMessage:
    """The invitation to one complainant, keyed so that a repeat sends nothing twice."""
    channel, recipient = contact_channel(contact)
    link = survey_link(base_url, token)
    code = contact.tracking_code
    return OutboxMessage(
        idempotency_key=f"survey:{period.key}:{contact.case_id}:{channel}",
        event="survey_invitation",
        recipient=recipient,
        channel=channel,
        # Rendered at delivery from ``templates/survey_invitation.j2`` (Indonesian first, then
        # English), like every other notice: the row keeps the language and the context
        # (``notifications.outbox.payload``).
        payload={
            "lang": "id",
            "context": {
                "link": link,
                "period": period.key,
                "period_label": period.label,
                "tracking_code": code,
                "expires_at": expires_at.isoformat(),
            },
        },
        created_at=now,
        case_id=contact.case_id,
    )


def usable(found: Invitation | None, now: datetime) -> Invitation:
    """The invitation if it may still be answered; else why not, as an error."""
    if found is None:
        raise NotFoundError("survei/survey", "token")
    if found.used_at is not None:
        raise InputError(
            "token",
            "one_time",
            N_("tautan survei ini sudah dipakai; terima kasih"),
        )
    if found.expires_at <= now:
        raise InputError(
            "token",
            "not_expired",
            N_("tautan survei ini kedaluwarsa pada %(expires_on)s"),
            expires_on=day_words(wib_date(found.expires_at)),
        )
    return found


def check_answers(scores: list[int], comment: str | None) -> str | None:
    """Valid scores and comment; the comment stripped, or None when empty."""
    ikm.check_scores(scores)
    if comment is not None and len(comment) > COMMENT_LIMIT:
        raise InputError("comment", "max_2000", N_("saran paling banyak 2000 karakter"))
    return (comment or "").strip() or None


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """The IKM of a quarter with the respondents' suggestions."""

    period: Period
    ikm: ikm.Ikm  # verified responses only: invited, or public with a case's proof
    comments: list[str]
    unverified: int = 0  # public responses without proof, not counted

    def basis(self) -> str:
        """Which responses the index counts, in words (Indonesian / English)."""
        return (
            f"dihitung dari {self.ikm.respondents} responden terverifikasi; {self.unverified} "
            f"tanggapan publik tanpa bukti tidak dihitung / computed from "
            f"{self.ikm.respondents} verified respondents; {self.unverified} public responses "
            "without proof not counted"
        )
