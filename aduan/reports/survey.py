"""The quarterly satisfaction survey (SKM, seed component 14): invitations, the form, the IKM.

Invitations go through the notification outbox, written in the same transaction as the
invitation rows, with one idempotency key per case and channel and quarter
(``survey:2026Q1:<case_id>:<channel>``): dispatching twice sends nothing twice. Each link
carries a random one-time token; only its SHA-256 is stored. The public link (for service
users who did not complain) hands out a fresh one-time token per visit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from aduan.adapters.sql import surveys
from aduan.adapters.sql.stats import sql_connection
from aduan.ports import OutboxMessage, UnitOfWork
from aduan.reports import ikm
from aduan.reports.period import Period, quarter
from aduan.service import Deps
from aduan.workflow.errors import InputError, NotFoundError

log = structlog.get_logger()
INVITATION_DAYS = 30  # how long a link stays valid
PUBLIC_DAYS = 1  # a token drawn from the public link is for filling in the form now


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(base_url: str, token: str) -> str:
    """The form's address for a token."""
    return f"{base_url.rstrip('/')}/survei/{token}"


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


def dispatch_in(uow: UnitOfWork, period: Period, now: datetime, base_url: str) -> Dispatch:
    """Invite (in ``uow``) the complainants whose cases closed in ``period``."""
    conn = sql_connection(uow)
    invited = skipped = 0
    expires_at = now + timedelta(days=INVITATION_DAYS)
    for contact in surveys.closed_with_contact(conn, period.start_at, period.end_at):
        channel, recipient = (
            ("email", contact.email) if contact.email else ("sms", contact.phone or "")
        )
        token = secrets.token_urlsafe(24)
        added = surveys.add_invitation(
            conn,
            period=period.key,
            token_hash=token_hash(token),
            case_id=contact.case_id,
            channel=channel,
            service_code=contact.service_code,
            now=now,
            expires_at=expires_at,
        )
        if not added:
            skipped += 1
            continue
        uow.outbox.add(
            OutboxMessage(
                idempotency_key=f"survey:{period.key}:{contact.case_id}:{channel}",
                event="survey_invitation",
                recipient=recipient,
                channel=channel,
                payload=_invitation_text(
                    period, contact.tracking_code, base_url, token, expires_at
                ),
                created_at=now,
                case_id=contact.case_id,
            )
        )
        invited += 1
    public = f"{base_url.rstrip('/')}/survei/publik/{period.key}"
    return Dispatch(period.key, invited, skipped, public)


def _invitation_text(
    period: Period, code: str, base_url: str, token: str, expires_at: datetime
) -> dict[str, object]:
    link = survey_link(base_url, token)
    return {
        "subject": f"Survei Kepuasan Masyarakat {period.label} / Satisfaction survey",
        "text": (
            f"Pengaduan Anda {code} telah selesai. Mohon nilai pelayanan kami (9 pertanyaan, "
            f"2 menit): {link}\nYour complaint {code} is closed. Please rate our service: {link}"
        ),
        "link": link,
        "period": period.key,
        "tracking_code": code,
        "expires_at": expires_at.isoformat(),
    }


def dispatch_survey(deps: Deps, period: Period, base_url: str) -> Dispatch:
    """Invite the quarter's complainants now (safe to repeat: nobody is invited twice)."""
    with deps.uow() as uow:
        result = dispatch_in(uow, period, deps.clock.now(), base_url)
        uow.commit()
    log.info("survey_dispatched", period=period.key, invited=result.invited)
    return result


def open_public_form(deps: Deps, period_key: str) -> str:
    """A fresh one-time token for a visitor of the public link of a quarter."""
    period = quarter(period_key)
    now = deps.clock.now()
    token = secrets.token_urlsafe(24)
    with deps.uow() as uow:
        surveys.add_invitation(
            sql_connection(uow),
            period=period.key,
            token_hash=token_hash(token),
            case_id=None,
            channel="public",
            service_code=None,
            now=now,
            expires_at=now + timedelta(days=PUBLIC_DAYS),
        )
        uow.commit()
    return token


def survey_form(deps: Deps, token: str) -> surveys.Invitation:
    """The invitation behind a token, if it may still be answered."""
    with deps.uow(readonly=True) as uow:
        found = surveys.invitation(sql_connection(uow), token_hash(token))
    return _usable(found, deps.clock.now())


def _usable(found: surveys.Invitation | None, now: datetime) -> surveys.Invitation:
    if found is None:
        raise NotFoundError("survei/survey", "token")
    if found.used_at is not None:
        raise InputError(
            "token",
            "one_time",
            "tautan survei ini sudah dipakai; terima kasih",
            "this survey link was used already; thank you",
        )
    if found.expires_at <= now:
        raise InputError(
            "token",
            "not_expired",
            f"tautan survei ini kedaluwarsa pada {found.expires_at:%Y-%m-%d}",
            f"this survey link expired on {found.expires_at:%Y-%m-%d}",
        )
    return found


def submit_survey(deps: Deps, token: str, scores: list[int], comment: str | None) -> None:
    """Record one respondent's answers; the token works once, before it expires."""
    ikm.check_scores(scores)
    if comment is not None and len(comment) > 2000:
        raise InputError(
            "comment", "max_2000", "saran paling banyak 2000 karakter", "at most 2000 characters"
        )
    now = deps.clock.now()
    with deps.uow() as uow:
        conn = sql_connection(uow)
        found = _usable(surveys.invitation(conn, token_hash(token)), now)
        if not surveys.use_invitation(conn, found.id, now):  # a simultaneous submission won
            _usable(surveys.invitation(conn, token_hash(token)), now)
            raise InputError("token", "one_time", "tautan sudah dipakai", "link used already")
        surveys.add_response(conn, found, scores, (comment or "").strip() or None, now)
        uow.commit()
    log.info("survey_answered", period=found.period)


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """The IKM of a quarter with the respondents' suggestions."""

    period: Period
    ikm: ikm.Ikm
    comments: list[str]


def survey_results(deps: Deps, period: Period) -> SurveyResult:
    """The IKM of a quarter: the database sums the scores, ``ikm`` applies the formula."""
    with deps.uow(readonly=True) as uow:
        conn = sql_connection(uow)
        respondents, sums = surveys.score_sums(conn, period.key)
        notes = surveys.comments(conn, period.key)
    return SurveyResult(period, ikm.compute_ikm(respondents, sums), notes)
