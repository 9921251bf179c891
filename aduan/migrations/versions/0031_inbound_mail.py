"""inbound_mail: the emails read from the office's mailbox (issue 14 item 5)

A complainant's reply by email to a request for information resumes the answer clock; every
message read is recorded once, by its Message-ID, with what became of it.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import UtcDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inbound_mail",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("case_id", Id, nullable=True),
        sa.Column("matched_by", sa.String(length=16), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_inbound_mail_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbound_mail_message_id")),
    )
    op.create_index(op.f("ix_inbound_mail_case_id"), "inbound_mail", ["case_id"])
    op.create_index(op.f("ix_inbound_mail_outcome_id"), "inbound_mail", ["outcome", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_mail_outcome_id"), table_name="inbound_mail")
    op.drop_index(op.f("ix_inbound_mail_case_id"), table_name="inbound_mail")
    op.drop_table("inbound_mail")
