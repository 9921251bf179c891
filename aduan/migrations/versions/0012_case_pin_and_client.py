"""cases.pin_hash and cases.open311_client: the tracking code is not a key on its own

Issue 16 item 5: withdrawing or disputing by tracking code needs the PIN shown once on the
receipt, kept here as an argon2id hash; cases from before this revision have none, and their
complainants are asked to contact the office instead. ``open311_client`` is the Open311 client
key that filed a case (NULL for every other channel): a client lists only its own requests,
through the (client, id) index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("open311_client", Id, nullable=True))
        batch_op.create_index("ix_cases_open311_client_id", ["open311_client", "id"], unique=False)


def downgrade() -> None:
    # Not in batch mode: SQLite (>= 3.35) drops a column in place, where a batch would copy
    # the table and lose the statistics triggers of migration 0007.
    op.drop_index("ix_cases_open311_client_id", table_name="cases")
    op.drop_column("cases", "open311_client")
    op.drop_column("cases", "pin_hash")
