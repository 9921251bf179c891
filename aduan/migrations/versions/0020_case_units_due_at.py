"""case_units.due_at: a unit's deadline queue read in index order; case_concerns append-only

Issue 16 (the visibility policy at 100,000 cases within 1.2x of the unscoped reads). Each row of
``case_units`` carries a copy of its case's soonest open deadline (``open_due_at`` of the
cases table: NULL once the case is no longer in progress), which the case repository keeps
equal to the case's on every write. An agency's deadline queue is read from
ix_case_units_unit_due_at_case_id in order, LIMIT the page, a primary-key probe of ``cases``
per row; before, it walked the office's whole queue and probed ``case_units`` for each case
(3.6x the unscoped read on SQLite, 2.6x on PostgreSQL at 100,000 cases, bench/visibility.py).
The copy is filled from the cases that exist.

The staff a case names (``case_concerns``, migration 0013) are a record like the audit trail:
the database refuses to change or delete a row, with the triggers of the audit tables
(migrations 0001 and 0002).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import UtcDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

WHERE = "due_at IS NOT NULL"
# aduan.adapters.sql.tables.open_due_at at this revision (as migration 0009 wrote it).
OPEN = " OR ".join(
    f"status = '{status}'"
    for status in (
        "agency_handling", "apip_handling", "apip_pending", "classified",
        "internal_handling", "recorded", "resolved", "reviewed",
    )
)  # fmt: skip
OPEN_DUE_AT = (
    f"CASE WHEN ({OPEN}) THEN CASE WHEN (response_due_at IS NOT NULL AND answered_at IS NULL "
    "AND (stage_due_at IS NULL OR response_due_at < stage_due_at)) THEN response_due_at "
    "ELSE stage_due_at END END"
)
APPEND_ONLY = "case_concerns"


def upgrade() -> None:
    op.add_column("case_units", sa.Column("due_at", UtcDateTime(), nullable=True))
    op.execute(
        f"UPDATE case_units SET due_at = (SELECT {OPEN_DUE_AT} FROM cases "
        "WHERE cases.id = case_units.case_id)"
    )
    op.create_index(
        "ix_case_units_unit_due_at_case_id",
        "case_units",
        ["unit", "due_at", "case_id"],
        unique=False,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )
    table = APPEND_ONLY
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION aduan_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION aduan_append_only()"
        )
        return
    for verb in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def downgrade() -> None:
    table = APPEND_ONLY
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_index("ix_case_units_unit_due_at_case_id", table_name="case_units")
    # Not in batch mode: SQLite (>= 3.35) drops a column in place; a batch copies the table and
    # reflects ``cases`` (its foreign key), whose expression index SQLAlchemy cannot reflect.
    op.drop_column("case_units", "due_at")
