"""case_units: the units each case has been with, for the visibility policy (DESIGN §6)

An agency's staff see the cases that are or were on their agency's track, APIP the cases
referred to it: the policy is an indexed EXISTS on (unit, case_id). The table is filled from the
audit trail of the cases that exist: every ``route_agency`` event names its agency in its data;
an ``approve_apip`` event names no unit, so it stands for the org chart's unit of kind ``apip``
as it is now (none: nothing is recorded for those cases).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from aduan.adapters.sql.tables import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json: Any = sa.JSON().with_variant(JSONB(), "postgresql")
BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "case_units",
        sa.Column("case_id", Id, nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_units_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "unit", name=op.f("pk_case_units")),
    )
    with op.batch_alter_table("case_units", schema=None) as batch_op:
        batch_op.create_index("ix_case_units_unit_case_id", ["unit", "case_id"], unique=False)
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    events = sa.table(
        "case_events",
        sa.column("id", Id),
        sa.column("case_id", Id),
        sa.column("at", UtcDateTime()),
        sa.column("action", sa.String),
        sa.column("data", Json),
    )
    units = sa.table("units", sa.column("code", sa.String), sa.column("kind", sa.String))
    apip = conn.execute(
        sa.select(units.c.code).where(units.c.kind == "apip").order_by(units.c.code).limit(1)
    ).scalar()
    first: dict[tuple[int, str], datetime] = {}
    rows = conn.execute(
        sa.select(events.c.case_id, events.c.at, events.c.action, events.c.data)
        .where(events.c.action.in_(["route_agency", "approve_apip"]))
        .order_by(events.c.id)
    )
    for case_id, at, action, data in rows:
        unit = (data or {}).get("agency") if action == "route_agency" else apip
        if unit:
            first.setdefault((case_id, unit), at)
    table = sa.table(
        "case_units",
        sa.column("case_id", Id),
        sa.column("unit", sa.String),
        sa.column("since", UtcDateTime()),
    )
    values = [{"case_id": c, "unit": u, "since": at} for (c, u), at in first.items()]
    for start in range(0, len(values), BATCH):
        conn.execute(sa.insert(table), values[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("case_units", schema=None) as batch_op:
        batch_op.drop_index("ix_case_units_unit_case_id")
    op.drop_table("case_units")
