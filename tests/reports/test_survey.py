"""The SKM survey: invitations through the outbox, a one-time token that expires, the IKM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from aduan.ports import FixedClock
from aduan.reports import period
from aduan.reports.survey import PUBLIC_DAYS, token_hash
from aduan.service import Deps, survey
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import Action
from tests.integration import builders as b

BASE = "https://aduan.example.go.id"


def closed_case(deps: Deps) -> str:
    case = b.resolved_case(deps)
    b.act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    b.act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    return b.act(deps, case, Action.CLOSE, "agus").tracking_code


def outbox_keys(deps: Deps) -> list[str]:
    with b.engine_of(deps).connect() as conn:
        return list(conn.execute(text("SELECT idempotency_key FROM outbox ORDER BY id")).scalars())


def test_dispatch_invites_each_closed_case_once_through_the_outbox(deps: Deps) -> None:
    closed_case(deps)
    b.submit(deps)  # still open: not invited
    quarter = period.quarter_of(b.today(deps))

    first = survey.dispatch_survey(deps, quarter, BASE)
    again = survey.dispatch_survey(deps, quarter, BASE)

    assert (first.invited, again.invited, again.already_invited) == (1, 0, 1)
    keys = [k for k in outbox_keys(deps) if k.startswith("survey:")]
    assert keys == [f"survey:{quarter.key}:1:email"]
    assert first.public_link == f"{BASE}/survei/publik/{quarter.key}"


def test_a_token_works_once(deps: Deps) -> None:
    token = survey.open_public_form(deps, "2026Q1")
    assert survey.survey_form(deps, token).period == "2026Q1"

    survey.submit_survey(deps, token, [4, 3, 3, 4, 3, 3, 4, 3, 3], "Ruang tunggu panas")

    with pytest.raises(InputError, match="sudah dipakai"):
        survey.submit_survey(deps, token, [4] * 9, None)
    result = survey.survey_results(deps, period.quarter("2026Q1"))
    assert result.ikm.respondents == 1
    assert result.comments == ["Ruang tunggu panas"]
    assert result.ikm.converted == pytest.approx(30 / 9 * 25)


def test_a_token_expires_and_an_unknown_token_is_not_found(deps: Deps, clock: FixedClock) -> None:
    token = survey.open_public_form(deps, "2026Q1")
    clock.current += timedelta(days=PUBLIC_DAYS, seconds=1)

    with pytest.raises(InputError, match="kedaluwarsa"):
        survey.submit_survey(deps, token, [4] * 9, None)
    with pytest.raises(NotFoundError):
        survey.survey_form(deps, "no-such-token")
    assert survey.survey_results(deps, period.quarter("2026Q1")).ikm.respondents == 0


def test_only_the_hash_of_a_token_is_stored(deps: Deps) -> None:
    token = survey.open_public_form(deps, "2026Q1")
    with b.engine_of(deps).connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM survey_invitations")).scalar_one()
    assert stored == token_hash(token) and token not in stored
