"""ix_cases_open_due_at_id: the deadline queue reads its page in index order

An open case's soonest deadline (the answer until answered, or the current stage's target if
sooner; NULL once the case is no longer in progress) and the id, for the cases that have one:
``GET /api/v1/cases?sort=deadline`` and the overdue board read their page from it instead of
sorting every open case.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# aduan.adapters.sql.tables.open_due_at at this revision, as SQLAlchemy writes it (SQLite keeps the
# text; tests/integration/test_migrations.py compares it with the code's). The open statuses
# are equalities, not an IN list: with an IN list, an UPDATE of a case's status or deadlines
# cost SQLite 15-75 µs more (it builds the list's lookup table again), with equalities ~5 µs,
# as an index on a plain column does (2,000 cases, 10,000 updates, 2-core machine).
OPEN = " OR ".join(
    f"status = '{status}'"
    for status in (
        'agency_handling', 'apip_handling', 'apip_pending', 'classified',
        'internal_handling', 'recorded', 'resolved', 'reviewed',
    )
)
OPEN_DUE_AT = (
    f"CASE WHEN ({OPEN}) THEN CASE WHEN (response_due_at IS NOT NULL AND answered_at IS NULL "
    "AND (stage_due_at IS NULL OR response_due_at < stage_due_at)) THEN response_due_at "
    "ELSE stage_due_at END END"
)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cases_open_due_at_id',
            [sa.text(f'({OPEN_DUE_AT})'), 'id'],
            unique=False,
            sqlite_where=sa.text(f'{OPEN_DUE_AT} IS NOT NULL'),
            postgresql_where=sa.text(f'{OPEN_DUE_AT} IS NOT NULL'),
        )


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_due_at_id')
