"""cases: a service not yet delivered and the channel's facts (seed §6 items 2–3, issue 12)

A complaint that a licence is still not issued ("belum terbit", "belum selesai") has no
service date: its 30-day window runs from the application date (``applied_on``) plus the
service's completion time in working days. ``service_pending`` marks it, and
``service_received_on`` then keeps the day the window runs from (the day the service was due)
— the column stays NOT NULL, so SQLite needs no copy of the table. ``channel_facts`` keeps what
the channel recorded: a box letter's drop date, a letter's number, date and postmark, the
social account, SP4N-LAPOR!'s tracking ID and the day LAPOR! received it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Json

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: batch mode would copy the cases table on SQLite (and lose the deadline
    # queue's expression index, which it cannot reflect).
    op.add_column(
        "cases",
        sa.Column("service_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("cases", sa.Column("applied_on", sa.Date(), nullable=True))
    op.add_column("cases", sa.Column("channel_facts", Json, nullable=True))


def downgrade() -> None:
    for column in ("channel_facts", "applied_on", "service_pending"):  # SQLite 3.35+ drops
        op.drop_column("cases", column)
