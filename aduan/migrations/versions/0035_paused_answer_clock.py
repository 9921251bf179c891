"""cases.info_requested_at: the reports judge a paused answer clock in SQL (issue 14 item 5)

While the office waits for the complainant's information the answer deadline moves later by
every working day that passes, so a complaint whose clock stopped at or before its deadline is
not late while it waits (``aduan.escalation.answer``). The reports decide that in SQL, so the
moment the clock stopped is a column again besides ``answer_clock``'s JSON: filled here from
that JSON for the cases waiting now.

The statistics rollup stores an open complaint with its deadline (``part = 'due'``), overdue
once it passes; such a waiting complaint is stored without one from now on. Those folded
already are taken out of the due rows here (downgrade: put back), so the rollup keeps equal to
the cases.

Plain ADD/DROP COLUMN on ``cases`` (never a batch copy: it would lose the expression index and
the triggers).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Json, UtcDateTime

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("answer_clock", Json),
    sa.column("info_requested_at", UtcDateTime()),
)
# The rollup rows of the deadlines of open complaints, and the state each case was folded with.
_DUE_ROWS = "INSERT INTO case_stats (part, month, due_at, n) SELECT 'due', f.month, {due}, {n} "
_TAKEN_OUT = (
    "FROM case_stats_folded f JOIN cases c ON c.id = f.case_id "
    "WHERE f.due_at IS NOT NULL AND c.info_requested_at IS NOT NULL "
    "AND c.info_requested_at <= f.due_at"
)
_PUT_BACK = (
    "FROM case_stats_folded f JOIN cases c ON c.id = f.case_id "
    "WHERE f.answer = 'open' AND f.due_at IS NULL AND c.response_due_at IS NOT NULL"
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("info_requested_at", UtcDateTime(), nullable=True))
    conn = op.get_bind()
    paused = sa.select(_cases.c.id, _cases.c.answer_clock).where(
        _cases.c.answer_clock.is_not(None)
    )
    for case_id, clock in conn.execute(paused).all():
        at = (clock or {}).get("info_requested_at")
        if at:
            conn.execute(
                sa.update(_cases)
                .where(_cases.c.id == case_id)
                .values(info_requested_at=datetime.fromisoformat(at))
            )
    op.execute(_DUE_ROWS.format(due="f.due_at", n=-1) + _TAKEN_OUT)
    op.execute(
        "UPDATE case_stats_folded SET due_at = NULL WHERE case_id IN "
        f"(SELECT f.case_id {_TAKEN_OUT})"
    )


def downgrade() -> None:
    op.execute(_DUE_ROWS.format(due="c.response_due_at", n=1) + _PUT_BACK)
    op.execute(
        "UPDATE case_stats_folded SET due_at = "
        "(SELECT c.response_due_at FROM cases c WHERE c.id = case_stats_folded.case_id) "
        f"WHERE case_id IN (SELECT f.case_id {_PUT_BACK})"
    )
    op.drop_column("cases", "info_requested_at")
