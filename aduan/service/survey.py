"""SKM survey use cases: invite a quarter's complainants, hand out and take the form, the IKM.

What is decided and written (tokens, the invitation text, when a token is usable) is in
``aduan.reports.survey``; the invitations and their outbox messages commit together.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import structlog

from aduan.ports import Invitation, ReportingUnitOfWork
from aduan.reports import ikm
from aduan.reports import survey as skm
from aduan.reports.period import Period, previous_quarter, quarter
from aduan.service.deps import Deps
from aduan.service.reporting import reporting_uow
from aduan.service.singleton import run_once
from aduan.workflow.errors import InputError
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


def open_public_form(deps: Deps, period_key: str) -> str:
    """A fresh one-time token for a visitor of the public link of a quarter."""
    period = quarter(period_key)
    now = deps.clock.now()
    token = secrets.token_urlsafe(24)
    with reporting_uow(deps) as uow:
        uow.surveys.add_invitation(
            period=period.key,
            token_hash=skm.token_hash(token),
            case_id=None,
            channel="public",
            service_code=None,
            now=now,
            expires_at=now + timedelta(days=skm.PUBLIC_DAYS),
        )
        uow.commit()
    return token


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
        if not uow.surveys.use_invitation(found.id, now):  # a simultaneous submission won
            skm.usable(uow.surveys.invitation(skm.token_hash(token)), now)
            raise InputError("token", "one_time", N_("tautan sudah dipakai"))
        uow.surveys.add_response(found, scores, note, now)
        uow.commit()
    log.info("survey_answered", period=found.period)


def survey_results(deps: Deps, period: Period) -> skm.SurveyResult:
    """The IKM of a quarter: the database sums the scores, ``ikm`` applies the formula."""
    with reporting_uow(deps, readonly=True) as uow:
        respondents, sums = uow.surveys.score_sums(period.key)
        notes = uow.surveys.comments(period.key)
    return skm.SurveyResult(period, ikm.compute_ikm(respondents, sums), notes)
