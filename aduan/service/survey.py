"""SKM survey use cases: invite a quarter's complainants, hand out and take the form, the IKM.

What is decided and written (tokens, the invitation text, when a token is usable) is in
``aduan.reports.survey``; the invitations and their outbox messages commit together.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import structlog

from aduan.ports import Allowance, Invitation, ReportingUnitOfWork
from aduan.reports import ikm
from aduan.reports import survey as skm
from aduan.reports.period import Period, previous_quarter, quarter
from aduan.service import limits
from aduan.service.deps import Deps
from aduan.service.reporting import reporting_uow
from aduan.service.singleton import run_once
from aduan.workflow.errors import InputError, ThrottledError
from aduan.workflow.intake import wib_date
from aduan.workflow.states import N_

log = structlog.get_logger()
SURVEY_JOB = "skm_survey_dispatch"  # the office-wide run of the quarterly dispatch


def dispatch_in(
    uow: ReportingUnitOfWork, period: Period, now: datetime, base_url: str
) -> skm.Dispatch:
    """Invite (in ``uow``) the complainants whose cases closed in ``period``."""
    invited = skipped = 0
    expires_at = now + timedelta(days=skm.INVITATION_DAYS)
    for contact in uow.surveys.closed_with_contact(period.start_at, period.end_at):
        channel, _ = skm.contact_channel(contact)
        token = secrets.token_urlsafe(24)
        added = uow.surveys.add_invitation(
            period=period.key,
            token_hash=skm.token_hash(token),
            case_id=contact.case_id,
            channel=channel,
            service_code=contact.service_code,
            now=now,
            expires_at=expires_at,
        )
        if not added:
            skipped += 1
            continue
        uow.outbox.add(skm.invitation_message(period, contact, base_url, token, now, expires_at))
        invited += 1
    return skm.Dispatch(period.key, invited, skipped, skm.public_link(base_url, period))


def dispatch_survey(deps: Deps, period: Period, base_url: str) -> skm.Dispatch:
    """Invite the quarter's complainants now (safe to repeat: nobody is invited twice)."""
    with reporting_uow(deps) as uow:
        result = dispatch_in(uow, period, deps.clock.now(), base_url)
        uow.commit()
    log.info("survey_dispatched", period=period.key, invited=result.invited)
    return result


def survey_tick(deps: Deps, base_url: str) -> dict[str, Any] | None:
    """Invite the previous quarter's complainants, once per quarter office-wide."""
    last = previous_quarter(wib_date(deps.clock.now()))

    def work(uow: ReportingUnitOfWork) -> dict[str, Any]:
        return dispatch_in(uow, last, deps.clock.now(), base_url).as_dict()

    return run_once(deps, SURVEY_JOB, last.key, work)


def public_limits(
    allowance: Allowance | None,
    address: str,
    device: str | None,
    per_device: int,
    per_address: int,
) -> list[limits.Limit]:
    """The buckets a started public survey counts in (a listed address: its allowance)."""
    if allowance is not None:
        return [limits.Limit(f"survey:ip:{address}", allowance.per_hour, limits.HOUR)]
    who = f"dev:{limits.digest(device)}" if device else f"nodev:{address}"
    return [
        limits.Limit(f"survey:{who}", per_device, limits.HOUR),
        limits.Limit(f"survey:ip:{address}", per_address, limits.HOUR),
    ]


def open_public_form(
    deps: Deps,
    period_key: str,
    proof: str,
    *,
    address: str = "local",
    device: str | None = None,
    per_device: int = skm.PUBLIC_PER_DEVICE,
    per_address: int = skm.PUBLIC_PER_ADDRESS,
) -> str:
    """A one-time token for a service user who proves a case of the quarter (issue 17).

    ``proof`` is the tracking code or the licence number of a case closed or answered in the
    quarter without a response yet; anything else gets one refusal that never says which case
    exists. Every attempt counts against the device's and the address's hourly limit first
    (in the shared ``rate_hits``), so codes cannot be guessed in bulk either.
    """
    period = quarter(period_key)
    typed, code = skm.check_proof(proof)
    now = deps.clock.now()
    with deps.uow() as auth:
        allowance = limits.allowance_for(auth.accounts.allowances(), address)
        buckets = public_limits(allowance, address, device, per_device, per_address)
        wait = limits.reserve(auth.accounts, buckets, now)
        auth.commit()
    if wait:
        log.warning("public_survey_throttled", client_ip=address)
        raise ThrottledError(skm.PUBLIC_SURVEYS, wait)
    token = secrets.token_urlsafe(24)
    with reporting_uow(deps) as uow:
        found = uow.surveys.proven_cases(typed, code, period.start_at, period.end_at)
        answered = uow.surveys.answered_cases(period.key, found)
        for case_id in (c for c in found if c not in answered):
            if uow.surveys.open_public_invitation(
                period=period.key,
                case_id=case_id,
                token_hash=skm.token_hash(token),
                now=now,
                expires_at=now + timedelta(days=skm.PUBLIC_DAYS),
            ):
                uow.commit()
                return token
    log.info("public_survey_refused", period=period.key)
    raise skm.proof_refused(period)


def survey_form(deps: Deps, token: str) -> Invitation:
    """The invitation behind a token, if it may still be answered."""
    with reporting_uow(deps, readonly=True) as uow:
        found = uow.surveys.invitation(skm.token_hash(token))
    return skm.usable(found, deps.clock.now())


def submit_survey(deps: Deps, token: str, scores: list[int], comment: str | None) -> None:
    """Record one respondent's answers; the token works once, before it expires."""
    note = skm.check_answers(scores, comment)
    now = deps.clock.now()
    with reporting_uow(deps) as uow:
        found = skm.usable(uow.surveys.invitation(skm.token_hash(token)), now)
        if found.case_id is not None and uow.surveys.answered_cases(found.period, [found.case_id]):
            raise InputError(  # the case answered by its other link (invited or public)
                "token",
                "one_per_case",
                N_("pengaduan ini sudah dinilai triwulan ini; terima kasih"),
            )
        if not uow.surveys.use_invitation(found.id, now):  # a simultaneous submission won
            skm.usable(uow.surveys.invitation(skm.token_hash(token)), now)
            raise InputError("token", "one_time", N_("tautan sudah dipakai"))
        uow.surveys.add_response(found, scores, note, now)
        uow.commit()
    log.info("survey_answered", period=found.period)


def survey_results(deps: Deps, period: Period) -> skm.SurveyResult:
    """The official IKM of a quarter: verified responses only, and how many were left out.

    The database sums the scores, ``ikm`` applies the formula.
    """
    with reporting_uow(deps, readonly=True) as uow:
        return survey_results_in(uow, period)


def survey_results_in(uow: ReportingUnitOfWork, period: Period) -> skm.SurveyResult:
    """``survey_results`` read in ``uow`` (the public page reads it with the other figures)."""
    respondents, sums = uow.surveys.score_sums(period.key)
    unverified = uow.surveys.unverified_count(period.key)
    notes = uow.surveys.comments(period.key)
    return skm.SurveyResult(period, ikm.compute_ikm(respondents, sums), notes, unverified)
