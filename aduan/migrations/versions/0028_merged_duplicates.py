"""cases.merged_into: the main case a duplicate was merged into (issue 14 item 4)

A duplicate complaint is merged into its main case (``mark_duplicate``): it ends as ``merged``,
its complainant receives the main case's result, and the statistics count the main case once
with its complainants. The link is the main case's id, NULL for every other case; a partial
index serves "the duplicates of this case".

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_WHERE = sa.text("merged_into IS NOT NULL")


def upgrade() -> None:
    # Plain add_column (never a batch on ``cases``: it would lose its expression index).
    op.add_column(
        "cases",
        sa.Column("merged_into", sa.BigInteger().with_variant(sa.Integer(), "sqlite")),
    )
    op.create_index(
        "ix_cases_merged_into",
        "cases",
        ["merged_into"],
        sqlite_where=_WHERE,
        postgresql_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_merged_into", table_name="cases")
    op.drop_column("cases", "merged_into")
