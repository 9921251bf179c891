"""ix_cases_response_due_at: answer compliance is counted in the period the deadline falls in

The reports judge a complaint on time or late in the period its answer deadline falls in, not
the one it arrived in (issue 13 item 5: an open complaint that arrived in an earlier month is
late in the month its deadline passed). The index serves that range with the answer and status
the verdict needs.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WHERE = "response_due_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_cases_response_due_at",
        "cases",
        ["response_due_at", "answered_at", "status"],
        unique=False,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_response_due_at", table_name="cases")
