"""qa_consent, public_qa, public_answers: a closed case's Q&A published with consent (issue 14 item 7)

The complainant may agree, at intake, that the question and answer of their complaint be
published without their identity (``cases.qa_consent``, default no: every existing case says
no); a supervisor or the Head publishes an anonymised version (``cases.public_qa``, JSON), and
the public page reads only its copy in ``public_answers``.

Plain ADD COLUMN on ``cases`` (never a batch copy: it would lose the expression index and the
triggers).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Json, UtcDateTime

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column("qa_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("cases", sa.Column("public_qa", Json, nullable=True))
    op.create_table(
        "public_answers",
        sa.Column("case_id", Id, autoincrement=False, nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_public_answers_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_public_answers")),
    )
    op.create_index(
        "ix_public_answers_published_at_case_id", "public_answers", ["published_at", "case_id"]
    )
    op.create_index(
        "ix_public_answers_service_code_published_at",
        "public_answers",
        ["service_code", "published_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_public_answers_service_code_published_at", table_name="public_answers")
    op.drop_index("ix_public_answers_published_at_case_id", table_name="public_answers")
    op.drop_table("public_answers")
    op.drop_column("cases", "public_qa")
    op.drop_column("cases", "qa_consent")
