"""case_concerns and cases.sealed: the staff a complaint concerns, and sealing

Issue 16 item 3 (DESIGN §6): a case can name the staff members it concerns (terlapor). They
neither see nor act on it: the visibility policy adds ``NOT EXISTS`` on this table through its
primary key (case_id, username); the username-led index answers "which cases name me". A
complaint about the conduct of the office's own staff can be sealed to the Head of Office and
APIP (``cases.sealed``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_concerns",
        sa.Column("case_id", Id, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("named_by", sa.String(length=64), nullable=False),
        sa.Column("named_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_concerns_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "username", name=op.f("pk_case_concerns")),
    )
    with op.batch_alter_table("case_concerns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_concerns_username_case_id", ["username", "case_id"], unique=False
        )
    # Not in batch mode: a batch would copy ``cases`` and lose the statistics triggers of 0007.
    op.add_column(
        "cases", sa.Column("sealed", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index(
        "ix_cases_sealed_id",
        "cases",
        ["id"],
        unique=False,
        sqlite_where=sa.text("sealed = 1"),
        postgresql_where=sa.text("sealed"),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_sealed_id", table_name="cases")
    op.drop_column("cases", "sealed")
    with op.batch_alter_table("case_concerns", schema=None) as batch_op:
        batch_op.drop_index("ix_case_concerns_username_case_id")
    op.drop_table("case_concerns")
