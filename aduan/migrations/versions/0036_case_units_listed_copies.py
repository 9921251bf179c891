"""case_units: copies of what a unit's list page shows, beside the deadline (migration 0020)

Issue 16 (the visibility policy at 100,000 cases within 1.2x of the unscoped reads). An agency's
list and deadline queue walked its rows of ``case_units`` in order and joined each to ``cases``
by primary key: 50 rows of a page on about 50 pages of ``cases``, against four for the unscoped
read's one index range, 1.4-1.8x the unscoped read on PostgreSQL (bench/visibility.py). Each
row of ``case_units`` now also carries its case's listed columns (those of
``codec.SUMMARY_COLUMNS``) and ``sealed`` (the visibility policy's condition), which the case
repository keeps equal to the case's on every write of a case that has rows here, with the
deadline, in the same UPDATE; the page is read from ``case_units`` alone. The copies are filled
from the cases that exist.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import UtcDateTime

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

# The columns of ``cases`` copied at this revision, with their types there.
COPIES: tuple[tuple[str, sa.types.TypeEngine[object]], ...] = (
    ("tracking_code", sa.String(20)),
    ("version", sa.Integer()),
    ("kind", sa.String(16)),
    ("status", sa.String(32)),
    ("screening_reason", sa.String(16)),
    ("channel", sa.String(16)),
    ("subject", sa.String(300)),
    ("service_code", sa.String(32)),
    ("track", sa.String(16)),
    ("assignee", sa.String(64)),
    ("received_at", UtcDateTime()),
)


def upgrade() -> None:
    for name, type_ in COPIES:
        op.add_column("case_units", sa.Column(name, type_, nullable=True))
    op.add_column(
        "case_units",
        sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    names = [name for name, _ in COPIES] + ["sealed"]
    columns = ", ".join(names)
    # One row value per row (SQLite >= 3.15 and PostgreSQL): the case's row is read once.
    op.execute(
        f"UPDATE case_units SET ({columns}) = (SELECT {columns} FROM cases "
        "WHERE cases.id = case_units.case_id)"
    )


def downgrade() -> None:
    # Not in batch mode: SQLite (>= 3.35) drops a column in place; a batch copies the table and
    # reflects ``cases`` (its foreign key), whose expression index SQLAlchemy cannot reflect.
    for name in ["sealed", *reversed([name for name, _ in COPIES])]:
        op.drop_column("case_units", name)
