"""cases.personal_data_erased_at: when the retention purge erased the complainant's data

Issue 14 item 1: a case ended more than ``ADUAN_RETENTION_YEARS`` ago loses its complainant's
personal data (``aduan retention purge`` and the scheduler's daily run); the case, its timeline
and its statistics stay. The column says when, for the case page, and keeps a purge from doing
it twice. The partial index holds only the closed cases not purged yet, by closing time: what
the daily run looks for. Added in place, not in batch mode, which would copy ``cases`` and lose
its expression index and triggers.

Revision ID: 0033
Revises: 0030
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aduan.adapters.sql.tables

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

KEPT = "personal_data_erased_at IS NULL AND closed_at IS NOT NULL"


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column(
            "personal_data_erased_at", aduan.adapters.sql.tables.UtcDateTime(), nullable=True
        ),
    )
    op.create_index(
        "ix_cases_kept_closed_at",
        "cases",
        ["closed_at"],
        sqlite_where=sa.text(KEPT),
        postgresql_where=sa.text(KEPT),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_kept_closed_at", table_name="cases")
    op.drop_column("cases", "personal_data_erased_at")
