"""cases.result_position (who decided, item 8) and positions.acting (the Plt., issue 13 item 2)

Item 8 of the seed: the result is reported to the direct superior. The report went to the
superior of whoever filed it, so a section head who decided could receive her own report and
close the case herself. Cases decided before this revision keep NULL (the former rule).

positions.acting names the acting holder (Pelaksana tugas, "Plt.") of a post that has no active
holder of its own: a case routed to the post is theirs, and routing to a post with neither is
refused, so that no case runs its clock with nobody responsible.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("result_position", sa.String(length=64), nullable=True))
    op.add_column("positions", sa.Column("acting", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Not in batch mode: SQLite (>= 3.35) drops a column in place, where a batch would copy
    # the table and lose its triggers and its expression index (0009).
    op.drop_column("positions", "acting")
    op.drop_column("cases", "result_position")
