"""The deadline alarms over SQL: replanned per case, claimed by the sweep exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aduan.adapters.sql.cases import SqlCaseRepository
from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import (
    alarms,
    cases,
)
from aduan.escalation.deadlines import Alarm, AlarmPoint, DeadlineKind
from aduan.ports import (
    DueAlarm,
)
from aduan.workflow.states import OPEN_STATUSES

_ALARM_KEYS = ("case_id", "kind", "point", "due_at", "fire_at")
_INSERTS: dict[str, Any] = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
_UPSERTS: dict[tuple[str, int], Prepared] = {}  # per (dialect, rows): one statement for all
_DROPS: dict[tuple[DeadlineKind, tuple[str, ...]], Prepared] = {}  # per (kind, points kept)
_OPEN = frozenset(s.value for s in OPEN_STATUSES)


def _upsert(dialect: str, n: int) -> Prepared:
    """INSERT of ``n`` alarms in one statement; a pending one already there takes the new time.

    An alarm that rang already (a deadline moved away and back) never rings twice: the unique
    (case, kind, point, due_at) row is kept as it is.
    """
    found = _UPSERTS.get((dialect, n))
    if found is None:
        rows = [
            {k: bindparam(f"{k}_{i}", type_=alarms.c[k].type) for k in _ALARM_KEYS}
            for i in range(n)
        ]
        stmt: Any = _INSERTS[dialect](alarms).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["case_id", "kind", "point", "due_at"],
            set_={"fire_at": stmt.excluded.fire_at},
            where=and_(alarms.c.fired_at.is_(None), alarms.c.fire_at != stmt.excluded.fire_at),
        )
        found = _UPSERTS[(dialect, n)] = Prepared(stmt)
    return found


def _drop(kind: DeadlineKind, points: tuple[str, ...]) -> Prepared:
    """DELETE of a case's pending alarms of ``kind`` but those of ``points`` at ``due_at``."""
    found = _DROPS.get((kind, points))
    if found is None:
        stmt = delete(alarms).where(
            alarms.c.case_id == bindparam("case_id"),
            alarms.c.fired_at.is_(None),
            alarms.c.kind == literal_column(f"'{kind.value}'"),
        )
        if points:
            kept = alarms.c.point.in_([literal_column(f"'{p}'") for p in points])
            stmt = stmt.where(~and_(alarms.c.due_at == bindparam("due_at"), kept))
        found = _DROPS[(kind, points)] = Prepared(stmt)
    return found


def _deadline(row: dict[str, Any], kind: DeadlineKind) -> tuple[Any, ...]:
    """What the pending alarms of ``kind`` follow: nothing when that deadline is not running."""
    running = row["status"] in _OPEN
    # Issue 14 item 5: a paused answer clock rings nothing but the end of its wait.
    paused = (row.get("answer_clock") or {}).get("info_requested_at")
    if kind is DeadlineKind.INFO_WAIT:
        return (paused,) if running and paused else ()
    if kind is DeadlineKind.RESPONSE:
        due, answered = row["response_due_at"], row["answered_at"]
        if running and due is not None and answered is None and not paused:
            return (row["response_started_at"], due)
        return ()
    if running and row["stage_due_at"] is not None and not paused:
        return (row["stage_started_at"], row["stage_due_at"])
    return ()


class SqlAlarmRepository:
    """Alarms over one connection; the sweep's claim skips rows other workers hold.

    ``cases``: the unit of work's case repository, which knows each case it saved as it was
    before and after; a deadline that did not move keeps its alarms without a statement.
    """

    def __init__(self, conn: Connection, cases: SqlCaseRepository | None = None) -> None:
        self.conn = conn
        self.cases = cases

    def replace(self, case_id: int, kinds: frozenset[DeadlineKind], items: Sequence[Alarm]) -> None:
        # Only where a deadline moved: the alarms it no longer has go, the new ones are upserted
        # (the unchanged ones stay as they are): a DELETE per kind that moved, one INSERT.
        saved = self.cases.saved.get(case_id) if self.cases is not None else None
        runner = Runner.of(self.conn)
        upserted: list[Alarm] = []
        for kind in DeadlineKind:
            mine = [a for a in items if a.kind is kind]
            if kind not in kinds and not mine:
                continue
            before: tuple[Any, ...] = (None,)  # unknown: there may be pending alarms
            if saved is not None:
                before = () if saved[0] is None else _deadline(saved[0], kind)
                if before == _deadline(saved[1], kind):
                    continue  # this deadline did not move
            if kind in kinds and before:
                points = tuple(sorted(a.point.value for a in mine))
                due = {"due_at": mine[0].due_at} if mine else {}
                runner.defer(_drop(kind, points), {"case_id": case_id, **due})
            upserted += mine
        if upserted:  # the new alarms of every kind that moved, in one statement
            values = {
                f"{key}_{i}": value
                for i, a in enumerate(upserted)
                for key, value in (
                    ("case_id", case_id),
                    ("kind", a.kind.value),
                    ("point", a.point.value),
                    ("due_at", a.due_at),
                    ("fire_at", a.fire_at),
                )
            }
            runner.defer(_upsert(self.conn.dialect.name, len(upserted)), values)

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        stmt = (
            select(alarms)
            .where(alarms.c.fired_at.is_(None), alarms.c.fire_at <= now)
            .order_by(alarms.c.fire_at, alarms.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers instead
        )
        due = [_due(r) for r in self.conn.execute(stmt).mappings()]
        if not due or self.conn.dialect.name != "postgresql":
            return due
        # A staff action locks the case (saving it) and then its alarms (replanning them); the
        # sweep locked the alarms and then waited for the case, and the two deadlocked under
        # load. The sweep now never waits for a case while it holds alarms: it locks the cases
        # it can at once (FOR NO KEY UPDATE, as an UPDATE does) and leaves the alarms of a case
        # someone is saving to the next sweep (the staff action waits for this batch instead).
        free = set(
            self.conn.execute(
                select(cases.c.id)
                .where(cases.c.id.in_(sorted({a.case_id for a in due})))
                .order_by(cases.c.id)
                .with_for_update(skip_locked=True, key_share=True)
            ).scalars()
        )
        return [a for a in due if a.case_id in free]

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
