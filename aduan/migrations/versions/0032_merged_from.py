"""cases.merged_from: the status a merged duplicate had, which undoing the merge restores

Issue 14 item 4: a merge found mistaken is undone (``undo_merge``) and the duplicate goes back
to the status it was merged from. The duplicates merged before this revision get theirs from
their audit trail (the ``from_status`` of their last ``mark_duplicate`` entry). Added in place,
not in batch mode, which would copy ``cases`` and lose its expression index and triggers.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

_BACKFILL = sa.text(
    "UPDATE cases SET merged_from = ("
    " SELECT e.from_status FROM case_events e"
    " WHERE e.case_id = cases.id AND e.action = 'mark_duplicate'"
    " ORDER BY e.id DESC LIMIT 1"
    ") WHERE status = 'merged' AND merged_from IS NULL"
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("merged_from", sa.String(length=32), nullable=True))
    op.get_bind().execute(_BACKFILL)


def downgrade() -> None:
    op.drop_column("cases", "merged_from")
