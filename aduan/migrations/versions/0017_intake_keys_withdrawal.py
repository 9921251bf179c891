"""intake_keys and cases.withdrawal: no duplicate submissions, and a withdrawal that can be undone

Issue 12 item 4. A public form carries an idempotency key; ``intake_keys`` keeps its SHA-256
(the primary key: a second insert of the same key fails, so a refresh, a double click or two
workers file one case and the second gets the first's receipt), a fingerprint of what was
submitted and the PIN sealed with the key. ``cases.withdrawal`` records who withdrew an open
case, when and why, and the status and stage target an undo within the window restores.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Json, UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "intake_keys",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", Id, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("pin_sealed", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_intake_keys_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_intake_keys")),
    )
    # Not in batch mode: a batch would copy ``cases`` and lose the statistics triggers of 0007.
    op.add_column("cases", sa.Column("withdrawal", Json, nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "withdrawal")
    op.drop_table("intake_keys")
