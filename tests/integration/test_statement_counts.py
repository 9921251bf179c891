"""Statements per action on the write path, counted (not timed), on SQLite and PostgreSQL.

Every statement the service sends goes through the engine's ``before_cursor_execute`` event,
the hot path's prepared statements too (``adapters/sql/prepared.py``); BEGIN and COMMIT are not
counted. The budgets are what a transition needs (issue 15): the actor and the case read, one
UPDATE of the case, the event (and written report) inserted, the alarms only where a deadline
moved (a DELETE of the ones that no longer ring and one INSERT of the new ones), the notices.
Nothing writes statistics: the rollup is folded later from the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from aduan import service
from aduan.schemas.commands import ActionCommand
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.integration.builders import engine_of

# (action, user, statements at most), the internal track of bench/lifecycle.py; each counts the
# search index's one write of the case's text (issue 14 item 2) and, when the status or a
# deadline changed, the one UPDATE of the case's deadline copy in case_units that keeps an
# agency's queue on its own index (issue 16).
TRACK: list[tuple[Action, str, int]] = [
    (Action.CLASSIFY, "budi", 8),  # user, case, UPDATE, event, alarms: DELETE + INSERT
    (Action.REVIEW, "budi", 12),  # ... and the four related-record lookups of the worksheet
    (Action.ROUTE_INTERNAL, "budi", 9),  # ... and who the case concerns (the chain skips them)
    (Action.ESCALATE, "budi", 11),  # ... a written report, two notices
    (Action.RECORD_RESULT, "sari", 8),
    (Action.INFORM_COMPLAINANT, "sari", 8),  # answered: the answer reminders go, one notice
    # No deadline moves: no alarm statement; a written report is numbered after the ones filed
    # (one read) and stored with its frozen document (issue 13 item 4).
    (Action.REPORT_TO_SUPERIOR, "sari", 8),
]
SUBMIT = 9  # the case, its event, its search text, its alarms (one INSERT), a notice, the PIN
WRITE = re.compile(r"(INSERT|UPDATE|DELETE)(?: INTO| FROM)? (\w+)")


@contextmanager
def counting(deps: Deps) -> Iterator[list[str]]:
    """The statements sent while inside (one entry per parameter set of an executemany)."""
    seen: list[str] = []

    def listen(*args: Any) -> None:
        _conn, _cursor, statement, params, _context, many = args
        seen.extend([statement] * (len(params) if many else 1))

    engine = engine_of(deps)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_statements_per_action(deps: Deps) -> None:
    b.submit(deps)  # the first of each statement compiles and reads the reference data
    with counting(deps) as seen:
        case = b.submit(deps)
    assert len(seen) <= SUBMIT, seen
    for action, user, most in TRACK:
        command = ActionCommand(
            case_ref=case.tracking_code, action=action, payload=b.PAYLOADS.get(action, {})
        )
        with counting(deps) as seen:
            service.perform_action(deps, command, user)
        assert len(seen) <= most, (action, seen)
        writes = [" ".join(m.groups()) for s in seen if (m := WRITE.match(s))]
        assert writes.count("UPDATE cases") == 1, (action, writes)
        assert writes.count("INSERT case_events") == 1, (action, writes)
        assert len([w for w in writes if w.endswith(" case_search")]) == 1, (action, writes)
        assert writes.count("UPDATE case_units") <= 1, (action, writes)
        assert not [s for s in seen if "case_stats" in s], action
        alarm_writes = [w for w in writes if w.endswith(" alarms")]
        assert len(alarm_writes) <= 2, (action, alarm_writes)
        if action is Action.REPORT_TO_SUPERIOR:
            assert alarm_writes == [], alarm_writes
