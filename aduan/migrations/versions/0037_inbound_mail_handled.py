"""inbound_mail.handled_at/by/note: an officer marks an unmatched email followed up by hand

The "Email masuk" page lists the emails Aduan could not apply to a case. An officer who
followed one up (a new complaint recorded, an automatic reply ignored) marks it handled with a
note of what was done; the page then lists only those still to handle, and the handled ones
on their own view with who, when and the note. The emails filed before this migration wait
(NULL): nobody has said yet what became of them.

One index on (outcome, handled_at, id) serves the list and the navigation's count of those
still to handle (a seek on ``handled_at IS NULL``, however many were handled before) and the
handled ones, the latest first.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import UtcDateTime

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.add_column("inbound_mail", sa.Column("handled_at", UtcDateTime(), nullable=True))
    op.add_column("inbound_mail", sa.Column("handled_by", sa.String(64), nullable=True))
    op.add_column("inbound_mail", sa.Column("handled_note", sa.String(500), nullable=True))
    op.create_index(
        "ix_inbound_mail_outcome_handled", "inbound_mail", ["outcome", "handled_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_mail_outcome_handled", table_name="inbound_mail")
    op.drop_column("inbound_mail", "handled_note")
    op.drop_column("inbound_mail", "handled_by")
    op.drop_column("inbound_mail", "handled_at")
