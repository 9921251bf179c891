"""The deadline alarms over SQL: replanned per case, claimed by the sweep exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aduan.adapters.sql.prepared import Prepared, Runner
from aduan.adapters.sql.tables import (
    alarms,
)
from aduan.escalation.deadlines import Alarm, AlarmPoint, DeadlineKind
from aduan.ports import (
    DueAlarm,
)

_ALARM_KEYS = ("case_id", "kind", "point", "due_at", "fire_at")
_INSERT_ALARM = {
    "sqlite": Prepared(sqlite_insert(alarms).inline().on_conflict_do_nothing(), _ALARM_KEYS),
    "postgresql": Prepared(
        postgresql_insert(alarms).inline().on_conflict_do_nothing(), _ALARM_KEYS
    ),
}

_PENDING_OF_CASE = delete(alarms).where(
    alarms.c.case_id == bindparam("case_id"), alarms.c.fired_at.is_(None)
)
# Pending alarms of some deadline kinds: every kind needs no kind filter (no IN list to expand).
_DROP_PENDING = {
    frozenset(DeadlineKind): Prepared(_PENDING_OF_CASE),
    **{
        frozenset({kind}): Prepared(_PENDING_OF_CASE.where(alarms.c.kind == kind.value))
        for kind in DeadlineKind
    },
}


class SqlAlarmRepository:
    """Alarms over one connection; the sweep's claim skips rows other workers hold."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def replace(self, case_id: int, kinds: frozenset[DeadlineKind], items: Sequence[Alarm]) -> None:
        runner = Runner(self.conn)
        if kinds:
            runner.execute(_DROP_PENDING[kinds], {"case_id": case_id})
        if items:
            # An alarm that rang already (a deadline moved away and back) never rings twice:
            # the unique (case, kind, point, due_at) row is kept as it is.
            runner.execute_many(
                _INSERT_ALARM[self.conn.dialect.name],
                [
                    {
                        "case_id": case_id,
                        "kind": a.kind.value,
                        "point": a.point.value,
                        "due_at": a.due_at,
                        "fire_at": a.fire_at,
                    }
                    for a in items
                ],
            )

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        stmt = (
            select(alarms)
            .where(alarms.c.fired_at.is_(None), alarms.c.fire_at <= now)
            .order_by(alarms.c.fire_at, alarms.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers instead
        )
        return [_due(r) for r in self.conn.execute(stmt).mappings()]

    def mark_fired(self, ids: Sequence[int], now: datetime, worker: str) -> None:
        self.conn.execute(
            update(alarms)
            .where(alarms.c.id.in_(list(ids)), alarms.c.fired_at.is_(None))
            .values(fired_at=now, fired_by=worker)
        )

    def pending(self, case_id: int) -> list[DueAlarm]:
        stmt = (
            select(alarms)
            .where(alarms.c.case_id == case_id, alarms.c.fired_at.is_(None))
            .order_by(alarms.c.fire_at, alarms.c.id)
        )
        return [_due(r) for r in self.conn.execute(stmt).mappings()]


def _due(r: Any) -> DueAlarm:
    return DueAlarm(
        r["id"],
        r["case_id"],
        DeadlineKind(r["kind"]),
        AlarmPoint(r["point"]),
        r["due_at"],
        r["fire_at"],
    )
