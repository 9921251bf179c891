"""The SKM survey: invitations through the outbox, a one-time token that expires, the IKM."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from aduan.ports import FixedClock
from aduan.reports import period
from aduan.reports.survey import PUBLIC_DAYS, token_hash
from aduan.reports.text import ikm_text
from aduan.service import Deps, survey
from aduan.workflow.errors import InputError, NotFoundError, ThrottledError
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
    code = closed_case(deps)
    token = survey.open_public_form(deps, "2026Q1", code)
    assert survey.survey_form(deps, token).period == "2026Q1"

    survey.submit_survey(deps, token, [4, 3, 3, 4, 3, 3, 4, 3, 3], "Ruang tunggu panas")

    with pytest.raises(InputError, match="sudah dipakai"):
        survey.submit_survey(deps, token, [4] * 9, None)
    result = survey.survey_results(deps, period.quarter("2026Q1"))
    assert result.ikm.respondents == 1
    assert result.comments == ["Ruang tunggu panas"]
    assert result.ikm.converted == pytest.approx(30 / 9 * 25)


def test_a_token_expires_and_an_unknown_token_is_not_found(deps: Deps, clock: FixedClock) -> None:
    token = survey.open_public_form(deps, "2026Q1", closed_case(deps))
    clock.current += timedelta(days=PUBLIC_DAYS, seconds=1)

    # The day in words in each language (Jakarta's date), as the pages write a day.
    with pytest.raises(InputError, match="kedaluwarsa pada 3 Maret 2026 /") as expired:
        survey.submit_survey(deps, token, [4] * 9, None)
    assert expired.value.text("en").endswith("expired on 3 March 2026")
    with pytest.raises(NotFoundError):
        survey.survey_form(deps, "no-such-token")
    assert survey.survey_results(deps, period.quarter("2026Q1")).ikm.respondents == 0


def test_only_the_hash_of_a_token_is_stored(deps: Deps) -> None:
    token = survey.open_public_form(deps, "2026Q1", closed_case(deps))
    with b.engine_of(deps).connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM survey_invitations")).scalar_one()
    assert stored == token_hash(token) and token not in stored


# --- issue 17: the public link cannot rig the index ----------------------------------------


def add_unproven_responses(deps: Deps, count: int) -> None:
    """``count`` all-ones answers through public tokens without proof (as the old link made)."""
    now = deps.clock.now()
    with b.engine_of(deps).begin() as conn:
        for i in range(count):
            invitation = conn.execute(
                text(
                    "INSERT INTO survey_invitations (period, token_hash, case_id, channel,"
                    " created_at, expires_at) VALUES ('2026Q1', :h, NULL, 'public', :now, :exp)"
                    " RETURNING id"
                ),
                {"h": f"{i:064d}", "now": now, "exp": now + timedelta(days=1)},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO survey_responses (invitation_id, period, submitted_at,"
                    " u1, u2, u3, u4, u5, u6, u7, u8, u9) VALUES (:inv, '2026Q1', :now,"
                    " 1, 1, 1, 1, 1, 1, 1, 1, 1)"
                ),
                {"inv": invitation, "now": now},
            )


def test_thirty_public_answers_without_proof_leave_the_official_index_alone(deps: Deps) -> None:
    code = closed_case(deps)
    survey.submit_survey(deps, survey.open_public_form(deps, "2026Q1", code), [4] * 9, None)

    add_unproven_responses(deps, 30)

    result = survey.survey_results(deps, period.quarter("2026Q1"))
    assert result.ikm.respondents == 1
    assert result.ikm.converted == pytest.approx(100.0)  # 4 × 25, not the 25.00 of the script
    assert result.unverified == 30
    said = "dihitung dari 1 responden terverifikasi; 30 tanggapan publik tanpa bukti tidak dihitung"
    assert result.basis().startswith(said)
    assert said in ikm_text(result, as_json=False).splitlines()[1]
    as_json = json.loads(ikm_text(result, as_json=True))
    assert (as_json["respondents"], as_json["unverified_responses"]) == (1, 30)
    assert as_json["counted"].startswith(said)


def test_a_made_up_code_or_an_open_case_is_refused_with_one_message(deps: Deps) -> None:
    open_case = b.submit(deps).tracking_code  # received, not closed nor answered
    closed_case(deps)

    for proof in ("ADN-AAAAA-BBBBB", "nomor-karangan", open_case, "   "):
        with pytest.raises(InputError) as refused:
            survey.open_public_form(deps, "2026Q1", proof)
        assert refused.value.field == "bukti"
        if proof.strip():
            assert refused.value.rule == "tidak_cocok"
            assert "tidak cocok" in str(refused.value.text("id"))
    with pytest.raises(InputError, match="tidak cocok"):  # a real case, another quarter
        survey.open_public_form(deps, "2026Q2", closed_case(deps))
    with b.engine_of(deps).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM survey_invitations")).scalar_one() == 0


def test_one_real_code_gives_one_counted_response_and_a_second_use_is_refused(
    deps: Deps,
) -> None:
    code = closed_case(deps)
    first = survey.open_public_form(deps, "2026Q1", code.lower().replace("-", " "))
    again = survey.open_public_form(deps, "2026Q1", code)  # a lost page: the new link replaces
    with pytest.raises(NotFoundError):
        survey.survey_form(deps, first)
    survey.submit_survey(deps, again, [3] * 9, None)

    with pytest.raises(InputError, match="tidak cocok") as refused:
        survey.open_public_form(deps, "2026Q1", code)
    assert refused.value.rule == "tidak_cocok"
    with pytest.raises(InputError, match="tidak cocok"):  # the licence number: the same case
        survey.open_public_form(deps, "2026Q1", "SS-2026-000123")
    result = survey.survey_results(deps, period.quarter("2026Q1"))
    assert (result.ikm.respondents, result.unverified) == (1, 0)
    assert result.ikm.converted == pytest.approx(75.0)


def test_a_licence_number_proves_a_case_and_the_invitation_then_says_it_is_answered(
    deps: Deps,
) -> None:
    closed_case(deps)
    quarter = period.quarter_of(b.today(deps))
    survey.dispatch_survey(deps, quarter, BASE)  # the complainant's invitation, unused
    token = survey.open_public_form(deps, quarter.key, "  SS-2026-000123 ")
    survey.submit_survey(deps, token, [2] * 9, "Loket kurang")

    with b.engine_of(deps).connect() as conn:
        payload = conn.execute(
            text("SELECT payload FROM outbox WHERE idempotency_key LIKE 'survey:%'")
        ).scalar_one()
    link = (json.loads(payload) if isinstance(payload, str) else payload)["context"]["link"]
    invited = link.rsplit("/", 1)[1]
    assert survey.survey_form(deps, invited).period == quarter.key  # still opens …
    with pytest.raises(InputError, match="sudah dinilai") as refused:  # … but counts once
        survey.submit_survey(deps, invited, [4] * 9, None)
    assert refused.value.rule == "one_per_case"
    result = survey.survey_results(deps, quarter)
    assert (result.ikm.respondents, result.ikm.converted) == (1, pytest.approx(50.0))


def test_starting_public_surveys_is_limited_per_device_and_per_address(deps: Deps) -> None:
    closed_case(deps)
    for _ in range(2):
        with pytest.raises(InputError, match="tidak cocok"):
            survey.open_public_form(
                deps,
                "2026Q1",
                "ADN-AAAAA-BBBBB",
                address="203.0.113.9",
                device="hp-1",
                per_device=2,
                per_address=3,
            )
    with pytest.raises(ThrottledError):  # this phone: two tries an hour
        survey.open_public_form(
            deps,
            "2026Q1",
            "SS-2026-000123",
            address="203.0.113.9",
            device="hp-1",
            per_device=2,
            per_address=3,
        )
    with pytest.raises(InputError, match="tidak cocok"):  # another phone behind the address
        survey.open_public_form(
            deps,
            "2026Q1",
            "ADN-AAAAA-CCCCC",
            address="203.0.113.9",
            device="hp-2",
            per_device=2,
            per_address=3,
        )
    with pytest.raises(ThrottledError):  # the address: three tries an hour, every device
        survey.open_public_form(
            deps,
            "2026Q1",
            "SS-2026-000123",
            address="203.0.113.9",
            device="hp-3",
            per_device=2,
            per_address=3,
        )
    token = survey.open_public_form(  # elsewhere the real proof still opens the form
        deps,
        "2026Q1",
        "SS-2026-000123",
        address="198.51.100.4",
        device="hp-4",
        per_device=2,
        per_address=3,
    )
    assert survey.survey_form(deps, token).period == "2026Q1"
