"""inbound_mail.handled_at/by/note: an officer marks an unmatched email followed up by hand

The "Email masuk" page lists the emails Aduan could not apply to a case. An officer who
followed one up (a new complaint recorded, an automatic reply ignored) marks it handled with a
note of what was done; the page then lists only those still to handle, and the handled ones
on their own view with who, when and the note. The emails filed before this migration wait
(NULL): nobody has said yet what became of them.

A partial index keeps the list and the navigation's count of those still to handle small
whatever the table holds; the handled ones are read latest first by ``handled_at``.

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

TO_HANDLE = "outcome = 'unmatched' AND handled_at IS NULL"


def upgrade() -> None:
    op.add_column("inbound_mail", sa.Column("handled_at", UtcDateTime(), nullable=True))
    op.add_column("inbound_mail", sa.Column("handled_by", sa.String(64), nullable=True))
    op.add_column("inbound_mail", sa.Column("handled_note", sa.String(500), nullable=True))
    op.create_index(
        "ix_inbound_mail_to_handle",
        "inbound_mail",
        ["id"],
        sqlite_where=sa.text(TO_HANDLE),
        postgresql_where=sa.text(TO_HANDLE),
    )
    op.create_index("ix_inbound_mail_handled_at", "inbound_mail", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_mail_handled_at", table_name="inbound_mail")
    op.drop_index("ix_inbound_mail_to_handle", table_name="inbound_mail")
    op.drop_column("inbound_mail", "handled_note")
    op.drop_column("inbound_mail", "handled_by")
    op.drop_column("inbound_mail", "handled_at")
