"""The public Q&A entries' repository contract (issue 14 item 7), over memory, SQLite and
PostgreSQL: newest first, a service's own, replaced in place, removed, kept only on commit;
and a case keeps its consent and published entry through storage.
"""

from __future__ import annotations

from datetime import timedelta

from aduan.ports import PublishedAnswer, UnitOfWorkFactory
from aduan.workflow.case import PublicAnswer
from tests.integration.test_repository_contract import AT, a_case, reloaded, stored


def entry(n: int, service: str | None = "15121") -> PublishedAnswer:
    return PublishedAnswer(f"Pertanyaan {n}", f"Jawaban {n}", service, "2026-03")


def test_entries_are_listed_newest_first_by_service_and_replaced_or_removed(
    uow_factory: UnitOfWorkFactory,
) -> None:
    cases = stored(uow_factory, *(a_case() for _ in range(3)))
    ids = [c.id for c in cases]
    assert None not in ids
    with uow_factory() as uow:
        for i, case_id in enumerate(ids):
            assert case_id is not None
            service = "71204" if i == 1 else "15121"
            uow.public_answers.put(case_id, entry(i, service), AT + timedelta(minutes=i))
        uow.commit()

    with uow_factory(readonly=True) as uow:
        listed, total = uow.public_answers.page(None, 0, 10)
        assert ([e.question for e in listed], total) == (
            ["Pertanyaan 2", "Pertanyaan 1", "Pertanyaan 0"], 3,
        )  # fmt: skip
        assert uow.public_answers.page(None, 1, 1) == ([entry(1, "71204")], 3)
        assert uow.public_answers.page("15121", 0, 10)[1] == 2
        assert uow.public_answers.services() == ["15121", "71204"]

    first = ids[0]
    assert first is not None
    with uow_factory() as uow:  # not committed: nothing changes
        uow.public_answers.remove(first)
    with uow_factory() as uow:
        uow.public_answers.put(first, entry(9), AT + timedelta(hours=1))  # replaced, now newest
        uow.public_answers.remove(ids[2] or 0)
        uow.commit()
    with uow_factory(readonly=True) as uow:
        listed, total = uow.public_answers.page(None, 0, 10)
    assert ([e.question for e in listed], total) == (["Pertanyaan 9", "Pertanyaan 1"], 2)


def test_a_case_keeps_its_consent_and_its_published_entry(
    uow_factory: UnitOfWorkFactory,
) -> None:
    qa = PublicAnswer("Pertanyaan umum?", "Jawaban umum.", "15121", AT, "agus")
    (case,) = stored(uow_factory, a_case(qa_consent=True, public_qa=qa))
    back = reloaded(uow_factory, case.tracking_code)
    assert (back.qa_consent, back.public_qa) == (True, qa)
    (plain,) = stored(uow_factory, a_case())
    assert (reloaded(uow_factory, plain.tracking_code).qa_consent, plain.public_qa) == (False, None)
