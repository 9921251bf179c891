"""PostgreSQL: an action waits for the server a few times, not once per statement (issue 15).

The writes of a unit of work whose result nothing reads are sent in pipeline mode with the next
statement that needs an answer, or with the COMMIT (``adapters/sql/runner.py``). Counted from
libpq's own trace of the protocol: a round trip is a Sync (extended protocol) or a simple Query
(psycopg's BEGIN and COMMIT). What must not change with it: a statement sees every write before
it, and a write that fails leaves nothing of its unit of work, which raises the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from aduan import service
from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import case_events, outbox
from aduan.ports import OutboxMessage
from aduan.schemas.commands import ActionCommand
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import PAYLOADS, act, submit

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@contextmanager
def round_trips(deps: Deps, tmp_path: Path) -> Iterator[list[int]]:
    """How many times the writing connection waited for the server while inside."""
    with deps.uow() as uow:  # the connection the next writing unit of work gets back
        pgconn = uow.cases.conn.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
    trace = tmp_path / "libpq.trace"
    counted: list[int] = []
    with trace.open("w") as out:
        pgconn.trace(out.fileno())
        try:
            yield counted
        finally:
            pgconn.untrace()
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    counted.append(sum(1 for f in sent if len(f) > 3 and f[1] == "F" and f[3] in ("Sync", "Query")))


def message(key: str) -> OutboxMessage:
    return OutboxMessage(f"test:{key}:ping:complainant:sms", "x", f"0812{key}", "sms", {}, AT)


def test_an_action_waits_four_times_whatever_it_writes(pg_deps: Deps, tmp_path: Path) -> None:
    first = submit(pg_deps)
    act(pg_deps, first, Action.CLASSIFY, "budi")  # budi's sight is known from now on
    case = submit(pg_deps)

    # The UPDATE, the audit entry and two alarm statements: BEGIN, read, UPDATE, the rest.
    command = ActionCommand(
        case_ref=case.tracking_code, action=Action.CLASSIFY, payload=PAYLOADS[Action.CLASSIFY]
    )
    with round_trips(pg_deps, tmp_path) as classify:
        service.perform_action(pg_deps, command, "budi")
    assert classify == [4]


def test_a_statement_sees_the_writes_deferred_before_it(pg_deps: Deps) -> None:
    with pg_deps.uow() as uow:
        uow.outbox.add_all([message("1")])  # deferred: nothing needs an answer yet
        assert Runner.of(uow.cases.conn).deferred
        # A statement SQLAlchemy runs itself sends them first.
        assert [m.recipient for m in uow.outbox.for_recipient("08121")] == ["08121"]
        uow.outbox.add_all([message("2")])
        # So does one of the runner's own.
        ours = Prepared(select(outbox.c.recipient).order_by(outbox.c.id))
        seen = Runner.of(uow.cases.conn).all(ours, {})
        assert [r["recipient"] for r in seen] == ["08121", "08122"]


def test_a_deferred_write_that_fails_leaves_nothing_of_its_unit(pg_deps: Deps) -> None:
    keys = ["case_id", "at", "actor", "role", "action", "to_status", "note", "data"]
    bad = Prepared(insert(case_events).inline(), keys)
    with pytest.raises(IntegrityError), pg_deps.uow() as uow:  # noqa: PT012
        uow.outbox.add_all([message("1")])
        row = dict.fromkeys(keys, "x") | {"case_id": 999_999, "at": AT, "data": {}}
        Runner.of(uow.cases.conn).defer(bad, row)  # no such case: the foreign key refuses it
        uow.commit()

    with pg_deps.uow() as uow:  # the connection is fine, and nothing was written
        assert uow.outbox.for_recipient("08121") == []
        uow.outbox.add_all([message("2")])
        uow.commit()
    with pg_deps.uow(readonly=True) as uow:
        assert [m.recipient for m in uow.outbox.for_recipient("08122")] == ["08122"]


def test_writes_deferred_in_a_unit_that_does_not_commit_are_dropped(pg_deps: Deps) -> None:
    with pg_deps.uow() as uow:
        uow.outbox.add_all([message("1")])  # and no commit
    with pg_deps.uow() as uow:
        assert not Runner.of(uow.cases.conn).deferred
        uow.commit()
    with pg_deps.uow(readonly=True) as uow:
        assert uow.outbox.for_recipient("08121") == []
