"""The public Q&A in the pure lifecycle (issue 14 item 7): offered and refused by the consent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aduan.workflow.case import Actor, Case, Complainant, PublicAnswer
from aduan.workflow.errors import InputError, RuleViolationError
from aduan.workflow.lifecycle import perform, permitted_actions
from aduan.workflow.states import Action, Channel, Kind, Role, Status

A = Action
NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
SUPERVISOR = Actor("agus", Role.SUPERVISOR, position="kabid")
COMPLAINANT = Actor("complainant", Role.COMPLAINANT)
TEXTS = {
    "public_question": "Bagaimana bila sertifikat belum terbit?",
    "public_answer": "Sertifikat terbit setelah verifikasi berkas selesai.",
    "reason": "Sering ditanyakan",
    "anonymised": True,
}


def closed(*, consent: bool, published: bool = False) -> Case:
    case = Case(
        tracking_code="ADN-QACON-SENT1",
        kind=Kind.COMPLAINT,
        status=Status.CLOSED,
        channel=Channel.EMAIL,
        complainant=Complainant("Sari", email="sari@example.id"),
        subject="Izin belum terbit",
        description="Izin usaha belum terbit setelah 20 hari kerja",
        service_received_on=date(2026, 8, 20),
        complained_at=NOW,
        received_at=NOW,
        intake_days=12,
        created_at=NOW,
        updated_at=NOW,
        closed_at=NOW,
        qa_consent=consent,
    )
    if published:
        case.public_qa = PublicAnswer("q" * 10, "a" * 10, None, NOW, "agus")
    return case


@pytest.mark.parametrize(
    ("consent", "published", "offered"),
    [
        (False, False, set()),
        (True, False, {A.PUBLISH_QA}),
        (True, True, {A.PUBLISH_QA, A.UNPUBLISH_QA}),
    ],
)
def test_publishing_is_offered_only_with_consent(
    consent: bool, published: bool, offered: set[Action]
) -> None:
    case = closed(consent=consent, published=published)
    qa = {A.PUBLISH_QA, A.UNPUBLISH_QA, A.WITHDRAW_QA_CONSENT}
    assert set(permitted_actions(case, SUPERVISOR, NOW)) & qa == offered
    complainant_may = A.WITHDRAW_QA_CONSENT in permitted_actions(case, COMPLAINANT, NOW)
    assert complainant_may is consent


def test_publishing_without_consent_is_refused_and_changes_nothing() -> None:
    case = closed(consent=False)
    with pytest.raises(RuleViolationError) as refused:
        perform(case, A.PUBLISH_QA, SUPERVISOR, TEXTS, NOW)
    assert refused.value.rule == "qa_consent"
    assert case.public_qa is None and case.version == 1


def test_an_unconfirmed_text_is_refused_naming_the_confirmation() -> None:
    case = closed(consent=True)
    with pytest.raises(InputError) as refused:
        perform(case, A.PUBLISH_QA, SUPERVISOR, {**TEXTS, "anonymised": False}, NOW)
    assert refused.value.field == "anonymised"
    assert case.public_qa is None


def test_publishing_keeps_the_texts_as_written_and_withdrawal_clears_them() -> None:
    case = closed(consent=True)
    perform(case, A.PUBLISH_QA, SUPERVISOR, TEXTS, NOW)
    assert case.public_qa == PublicAnswer(
        TEXTS["public_question"], TEXTS["public_answer"], None, NOW, "agus"
    )
    perform(case, A.WITHDRAW_QA_CONSENT, COMPLAINANT, {}, NOW)
    assert (case.qa_consent, case.public_qa, case.status) == (False, None, Status.CLOSED)
