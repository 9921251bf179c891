"""written_reports.document: the document as filed, frozen (issue 13 item 4)

A written report printed later re-rendered from the case as it stood then: report 001, filed
at the first escalation, showed the next tier, the result and the corrective actions that came
after it. The facts printed on the document (number, date, addressee, subject, case facts,
steps, result, signatory with NIP) are stored with it when it is filed, with the SHA-256 of
that content printed on the PDF, so a PDF rendered at any later time is the same document.
Reports filed before this revision keep NULL and are rendered from the case as before.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

Json: Any = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    # Not in batch mode: SQLite adds the column in place, keeping the append-only triggers.
    op.add_column("written_reports", sa.Column("document", Json, nullable=True))


def downgrade() -> None:
    op.drop_column("written_reports", "document")
