"""The public Q&A (issue 14 item 7), on SQLite and PostgreSQL: nothing of a case reaches the
public page without the complainant's consent and a supervisor's anonymised text, and the
complainant's withdrawal takes it down at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from aduan import service
from aduan.adapters.sql.tables import case_events, public_answers
from aduan.ports import FixedClock
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.service.public_answers import PER_PAGE, published_page
from aduan.workflow.errors import (
    InputError,
    PermissionDeniedError,
    RuleViolationError,
)
from aduan.workflow.intake import wib_date
from aduan.workflow.states import Action
from tests.integration.builders import act, engine_of, reviewed_case, submit

A = Action
QUESTION = (
    "Sertifikat standar saya belum terbit setelah tujuh hari kerja; apa yang harus saya lakukan?"
)
ANSWER = "Sertifikat standar terbit setelah verifikasi; bila lewat tujuh hari kerja, hubungi loket."


def publish(**changes: Any) -> dict[str, Any]:
    return {
        "public_question": QUESTION,
        "public_answer": ANSWER,
        "reason": "Pertanyaan yang sering diajukan pemohon",
        "anonymised": True,
        **changes,
    }


def closed_case(deps: Deps, *, consent: bool) -> CaseDetail:
    """A complaint answered, reported and closed; ``consent`` as the complainant chose."""
    case = submit(deps, qa_consent=consent)
    act(deps, case, A.CLASSIFY, "budi")
    act(deps, case, A.REVIEW, "budi")
    act(deps, case, A.ROUTE_INTERNAL, "budi")
    act(deps, case, A.RECORD_RESULT, "sari")
    act(deps, case, A.INFORM_COMPLAINANT, "budi")
    act(deps, case, A.REPORT_TO_SUPERIOR, "budi")
    closed = act(deps, case, A.CLOSE, "agus")
    return closed.model_copy(update={"pin": case.pin})


def stored_entries(deps: Deps) -> list[dict[str, Any]]:
    with engine_of(deps).connect() as conn:
        return [dict(r) for r in conn.execute(select(public_answers)).mappings()]


def test_consent_is_no_by_default_and_kept_as_given(deps: Deps) -> None:
    assert submit(deps).qa_consent is False
    agreed = submit(deps, qa_consent=True)
    assert service.get_case(deps, agreed.tracking_code, "budi").qa_consent is True
    assert service.track_case(deps, agreed.tracking_code).qa_consent is True
    with engine_of(deps).connect() as conn:
        data = (
            conn.execute(select(case_events.c.data).where(case_events.c.action == "submit"))
            .scalars()
            .all()
        )
    assert [d["qa_consent"] for d in data] == [False, True]


def test_without_consent_nothing_can_be_published(deps: Deps) -> None:
    case = closed_case(deps, consent=False)
    assert A.PUBLISH_QA.value not in case.allowed_actions  # not offered either

    with pytest.raises(RuleViolationError) as refused:
        act(deps, case, A.PUBLISH_QA, "agus", **publish())

    assert refused.value.rule == "qa_consent"
    assert "tidak menyetujui" in str(refused.value.text("id"))
    assert stored_entries(deps) == []
    assert published_page(deps, None, 1).entries == []


def test_a_case_not_yet_closed_cannot_be_published(deps: Deps) -> None:
    case = reviewed_case(deps)
    with pytest.raises(RuleViolationError) as refused:
        act(deps, case, A.PUBLISH_QA, "agus", **publish())
    assert refused.value.rule == "qa_case_closed"
    assert stored_entries(deps) == []


def test_only_a_supervisor_or_the_head_publishes(deps: Deps) -> None:
    case = closed_case(deps, consent=True)
    with pytest.raises(PermissionDeniedError):
        act(deps, case, A.PUBLISH_QA, "budi", **publish())
    assert A.PUBLISH_QA.value in service.get_case(deps, case.tracking_code, "dewi").allowed_actions
    act(deps, case, A.PUBLISH_QA, "dewi", **publish())
    assert len(stored_entries(deps)) == 1


def test_publishing_shows_only_the_text_staff_wrote_with_the_month(
    deps: Deps, clock: FixedClock
) -> None:
    case = closed_case(deps, consent=True)
    done = act(deps, case, A.PUBLISH_QA, "agus", **publish(service_code="15121"))

    assert done.public_qa is not None and done.public_qa["question"] == QUESTION
    assert [e.action for e in done.timeline][-1] == "publish_qa"
    assert done.timeline[-1].data["public_answer"] == ANSWER  # on the audit trail
    page = published_page(deps, None, 1)
    (entry,) = page.entries
    assert (entry.question, entry.answer, entry.service_code) == (QUESTION, ANSWER, "15121")
    assert entry.month == wib_date(clock.now()).strftime("%Y-%m")  # no finer date
    shown = repr(entry)
    for private in (case.tracking_code, "Siti", "0812", "siti.aminah", case.subject):
        assert private not in shown
    assert published_page(deps, "15121", 1).total == 1
    assert published_page(deps, "71204", 1).total == 0


def test_the_complainants_withdrawal_takes_the_entry_down_at_once(deps: Deps) -> None:
    case = closed_case(deps, consent=True)
    act(deps, case, A.PUBLISH_QA, "agus", **publish())
    assert service.track_case(deps, case.tracking_code).qa_published

    with pytest.raises(InputError):  # the PIN is the second factor
        service.act_as_complainant(deps, case.tracking_code, A.WITHDRAW_QA_CONSENT, {}, "0")
    assert len(stored_entries(deps)) == 1

    view = service.act_as_complainant(deps, case.tracking_code, A.WITHDRAW_QA_CONSENT, {}, case.pin)

    assert (view.qa_consent, view.qa_published) == (False, False)
    assert stored_entries(deps) == []
    assert published_page(deps, None, 1).total == 0
    after = service.get_case(deps, case.tracking_code, "agus")
    assert after.public_qa is None and after.qa_consent is False
    assert after.timeline[-1].action == "withdraw_qa_consent"
    assert after.timeline[-1].role == "complainant"
    with pytest.raises(RuleViolationError) as refused:  # and it cannot be published again
        act(deps, case, A.PUBLISH_QA, "agus", **publish())
    assert refused.value.rule == "qa_consent"


def test_staff_unpublish_and_a_reopened_case_leaves_the_page(deps: Deps) -> None:
    case = closed_case(deps, consent=True)
    act(deps, case, A.PUBLISH_QA, "agus", **publish())
    act(deps, case, A.UNPUBLISH_QA, "agus", reason="Jawaban perlu diperbarui")
    assert stored_entries(deps) == []
    with pytest.raises(RuleViolationError) as refused:
        act(deps, case, A.UNPUBLISH_QA, "agus", reason="Lagi")
    assert refused.value.rule == "qa_published"

    act(deps, case, A.PUBLISH_QA, "agus", **publish())
    reopened = act(deps, case, A.REOPEN, "budi")  # the complainant disputes the answer
    assert reopened.public_qa is None and stored_entries(deps) == []
    assert reopened.qa_consent is True  # the consent itself stands


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"anonymised": False}, "anonymised", id="not-confirmed"),
        pytest.param({"public_question": "pendek"}, "public_question", id="question-short"),
        pytest.param({"public_answer": ""}, "public_answer", id="answer-empty"),
        pytest.param({"reason": " "}, "reason", id="no-reason"),
        pytest.param({"service_code": "99999"}, "service_code", id="unknown-service"),
    ],
)
def test_bad_input_names_the_field_and_publishes_nothing(
    deps: Deps, changes: dict[str, Any], field: str
) -> None:
    case = closed_case(deps, consent=True)
    with pytest.raises(InputError) as refused:
        act(deps, case, A.PUBLISH_QA, "agus", **publish(**changes))
    assert refused.value.field == field
    assert stored_entries(deps) == []
    assert service.get_case(deps, case.tracking_code, "agus").public_qa is None


def test_the_page_lists_newest_first_in_pages_of_ten(deps: Deps, clock: FixedClock) -> None:
    for i in range(PER_PAGE + 2):
        case = closed_case(deps, consent=True)
        clock.current += timedelta(minutes=1)
        act(deps, case, A.PUBLISH_QA, "agus", **publish(public_question=f"{QUESTION} #{i:02d}"))
    first = published_page(deps, None, 1)
    assert (first.total, first.pages, len(first.entries)) == (PER_PAGE + 2, 2, PER_PAGE)
    assert first.entries[0].question.endswith(f"#{PER_PAGE + 1:02d}")
    second = published_page(deps, None, 2)
    assert [e.question[-3:] for e in second.entries] == ["#01", "#00"]
    assert published_page(deps, None, 99).page == 2  # past the end: the last page
    with pytest.raises(InputError) as bad:
        published_page(deps, "nope", 1)
    assert bad.value.field == "layanan"
    with pytest.raises(RuleViolationError) as refused:  # nothing to withdraw
        act(deps, closed_case(deps, consent=False), A.WITHDRAW_QA_CONSENT, "budi")
    assert refused.value.rule == "qa_consent"
