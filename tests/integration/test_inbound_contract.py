"""The inbound mail repository's contract, on every implementation (memory, SQLite, PostgreSQL).

One row per Message-ID: a second claim of the same id stores nothing and says so; the
unmatched rows are listed newest first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aduan.ports import InboundRecord, UnitOfWorkFactory

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
        (stored,) = uow.inbound.unmatched(10)
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
        assert [r.subject for r in uow.inbound.unmatched(2)] == ["Perihal 3", "Perihal 2"]
