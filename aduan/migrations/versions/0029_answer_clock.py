"""answer_clock, response_original_due_at: the answer clock paused and extended (issue 14 item 5)

An officer may ask the complainant for missing information: the 14-working-day clock stands
still until the reply or the end of the wait (``answer_clock``: JSON, NULL for a clock never
paused or extended); a supervisor may extend the deadline with a written reason. The statistics
judge compliance against the deadline in force and, separately, against the deadline without
the extensions (``response_original_due_at``). Existing complaints: their deadline never moved,
so the original deadline is the one in force.

Plain ADD/DROP COLUMN on ``cases`` (never a batch copy: it would lose the expression index and
the triggers).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Json, UtcDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("answer_clock", Json, nullable=True))
    op.add_column("cases", sa.Column("response_original_due_at", UtcDateTime(), nullable=True))
    op.execute("UPDATE cases SET response_original_due_at = response_due_at")


def downgrade() -> None:
    op.drop_column("cases", "response_original_due_at")
    op.drop_column("cases", "answer_clock")
