"""cases.public_id: the id the public Open311 list shows instead of the tracking code

Issue 16 item 5: the tracking page shows the answer to whoever has the tracking code, so the
keyless Open311 list must not hand out codes. Each request filed through Open311 gets a random
public id (96 bits, hex); the requests filed before this revision get theirs here. Added in
place, not in batch mode, which would copy ``cases`` and lose its expression index and triggers.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("public_id", sa.String(length=24), nullable=True))
    op.create_index("ix_cases_public_id", "cases", ["public_id"], unique=True)
    conn = op.get_bind()
    filed = sa.text("SELECT id FROM cases WHERE open311_client IS NOT NULL AND public_id IS NULL")
    give = sa.text("UPDATE cases SET public_id = :public_id WHERE id = :id")
    for (case_id,) in conn.execute(filed).all():
        conn.execute(give, {"public_id": secrets.token_hex(12), "id": case_id})


def downgrade() -> None:
    op.drop_index("ix_cases_public_id", table_name="cases")
    op.drop_column("cases", "public_id")
