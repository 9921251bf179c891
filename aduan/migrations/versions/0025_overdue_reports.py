"""cases.overdue_reports: the written reports a tier still owes after a breach escalation

Issue 13 item 3: the deadline sweep no longer files a machine sentence as the "written report"
of the tier that missed its deadline. Its escalation is a system notice on the timeline, and the
tier passed over keeps a task, "laporan tertulis belum dibuat", until its holder files the report
(``file_overdue_report``). The tasks are JSON on the case, NULL when none.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Json

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("overdue_reports", Json, nullable=True))


def downgrade() -> None:
    # Not in batch mode: SQLite (>= 3.35) drops a column in place, where a batch would copy
    # ``cases`` and lose its expression index (0009) and triggers.
    op.drop_column("cases", "overdue_reports")
