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

# (action, user, statements at most, the search index written), the internal track of
# bench/lifecycle.py. The search index is written only when the case's searchable text changed
# (its facts or people rewritten, or notes and reports added to its log); the copies in
# case_units (issue 16) only for a case that was routed or referred, which none of these is.
TRACK: list[tuple[Action, str, int, bool]] = [
    (Action.CLASSIFY, "budi", 6, False),  # user, case (budi's first: apart), UPDATE, event, alarms
    (Action.REVIEW, "budi", 7, True),  # ... and the related records of the worksheet (one read)
    (Action.ROUTE_INTERNAL, "budi", 6, False),  # ... and who the case concerns (for the chain)
    (Action.ESCALATE, "budi", 9, True),  # ... reports filed (a count), a written report, notices
    (Action.RECORD_RESULT, "sari", 7, True),  # sari's first action: user and case apart
    (Action.INFORM_COMPLAINANT, "sari", 6, True),  # answered: the answer reminders go, a notice
    # No deadline moves: no alarm statement; a written report is numbered after the ones filed
    # (one count) and stored with its frozen document (issue 13 item 4).
    (Action.REPORT_TO_SUPERIOR, "sari", 7, True),
]
# The code's uniqueness, the case, its event, its search text, its alarms (one INSERT), a
# notice, the PIN; the answer's timeline is the event just stored, not read back.
SUBMIT = 7
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
    for action, user, most, indexed in TRACK:
        command = ActionCommand(
            case_ref=case.tracking_code, action=action, payload=b.PAYLOADS.get(action, {})
        )
        with counting(deps) as seen:
            service.perform_action(deps, command, user)
        assert len(seen) <= most, (action, seen)
        writes = [" ".join(m.groups()) for s in seen if (m := WRITE.match(s))]
        assert writes.count("UPDATE cases") == 1, (action, writes)
        assert writes.count("INSERT case_events") == 1, (action, writes)
        searched = [w for w in writes if w.endswith(" case_search")]
        assert len(searched) == int(indexed), (action, writes)
        assert writes.count("UPDATE case_units") == 0, (action, writes)
        assert not [s for s in seen if "case_stats" in s], action
        alarm_writes = [w for w in writes if w.endswith(" alarms")]
        assert len(alarm_writes) <= 2, (action, alarm_writes)
        if action is Action.REPORT_TO_SUPERIOR:
            assert alarm_writes == [], alarm_writes
