"""The inbound mail repository's contract, on every implementation (memory, SQLite, PostgreSQL).

One row per Message-ID: a second claim of the same id stores nothing and says so; the
unmatched rows are listed newest first. An officer marks one handled once: a second mark
changes nothing and says so, and the lists and counts split the waiting from the handled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aduan.ports import InboundRecord, UnitOfWorkFactory
from aduan.workflow.visibility import OFFICE_SIGHT

AT = datetime(2026, 8, 18, 3, 0, tzinfo=UTC)


def record(n: int, outcome: str = "unmatched", case_id: int | None = None) -> InboundRecord:
    return InboundRecord(
        message_id=f"m{n}@contoh.id",
        received_at=AT + timedelta(minutes=n),
        outcome=outcome,
        reason="no_case" if outcome == "unmatched" else None,
        case_id=case_id,
        sender="warga@contoh.id",
        subject=f"Perihal {n}",
        text=f"Isi {n}",
    )


def test_a_message_id_is_claimed_once(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.inbound.claim(record(1))
        uow.commit()
    with uow_factory() as uow:
        assert not uow.inbound.claim(record(1, outcome="applied"))
        uow.commit()
    with uow_factory(readonly=True) as uow:
        (stored,) = uow.inbound.unmatched(10, sight=OFFICE_SIGHT)
    assert stored.id is not None
    assert stored.outcome == "unmatched" and stored.received_at == AT + timedelta(minutes=1)


def test_a_claim_rolled_back_leaves_the_id_free(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.inbound.claim(record(2))  # no commit: the use case failed
    with uow_factory() as uow:
        assert uow.inbound.claim(record(2))
        uow.commit()


def test_unmatched_newest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        for n in (1, 2, 3):
            uow.inbound.claim(record(n))
        uow.commit()
    with uow_factory(readonly=True) as uow:
        newest = uow.inbound.unmatched(2, sight=OFFICE_SIGHT)
    assert [r.subject for r in newest] == ["Perihal 3", "Perihal 2"]


def test_an_email_is_marked_handled_once_and_the_first_note_stays(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        for n in (1, 2, 3):
            uow.inbound.claim(record(n))
        uow.inbound.claim(record(4, outcome="applied"))
        uow.commit()
    with uow_factory(readonly=True) as uow:
        ids = {r.subject: r.id for r in uow.inbound.unmatched(10, sight=OFFICE_SIGHT)}
    first, second = ids["Perihal 1"], ids["Perihal 3"]
    assert first is not None and second is not None
    with uow_factory() as uow:
        assert uow.inbound.mark_handled(first, "budi", "balasan otomatis", AT + timedelta(hours=1))
        assert uow.inbound.mark_handled(second, "sari", "pengaduan baru", AT + timedelta(hours=2))
        uow.commit()
    with uow_factory() as uow:  # a second officer, later: nothing changes
        assert not uow.inbound.mark_handled(first, "sari", "lain", AT + timedelta(hours=3))
        uow.commit()

    with uow_factory(readonly=True) as uow:
        waiting = uow.inbound.unmatched(10, sight=OFFICE_SIGHT)
        handled = uow.inbound.unmatched(10, sight=OFFICE_SIGHT, handled=True)
        counts = (
            uow.inbound.count_unmatched(sight=OFFICE_SIGHT),
            uow.inbound.count_unmatched(sight=OFFICE_SIGHT, handled=True),
        )
        kept = uow.inbound.unmatched_one(first)
    assert [r.subject for r in waiting] == ["Perihal 2"]
    assert [r.subject for r in handled] == ["Perihal 3", "Perihal 1"]  # the latest handled first
    assert counts == (1, 2)
    assert kept is not None
    assert (kept.handled_by, kept.handled_note) == ("budi", "balasan otomatis")
    assert kept.handled_at == AT + timedelta(hours=1)
