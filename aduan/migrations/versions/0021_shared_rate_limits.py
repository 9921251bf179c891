"""rate limits in the database, the public allowance list, a login audit that can be kept small

Issue 12 item 5 and issue 17: ``rate_hits`` holds the hits of every rate-limit bucket per time
slot, so the public intake limit and the login throttle are shared by all workers and
instances; ``public_allowances`` is the administrator's list of addresses with a larger public
allowance (the MPP kiosk, the office network). ``auth_events`` gets ``count`` and ``last_at``:
repeated failures and throttled attempts are one entry, counted. Its guard now lets only those
two columns change (the count only up) and lets the retention job delete sign-in entries
(login, login_failed, login_throttled, logout); credential changes stay append-only.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import UtcDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

AUDIT = "auth_events"
SIGN_INS = "('login', 'login_failed', 'login_throttled', 'logout')"
UNCHANGED = " AND ".join(
    f"NEW.{c} = OLD.{c}" for c in ("id", "at", "event", "username", "client_ip", "detail")
)
CHANGED = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}" for c in ("id", "at", "event", "username", "client_ip", "detail")
)


def upgrade() -> None:
    op.add_column(AUDIT, sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(AUDIT, sa.Column("last_at", UtcDateTime(timezone=True), nullable=True))
    op.create_index("ix_auth_events_at", AUDIT, ["at"], unique=False)
    op.create_table(
        "rate_hits",
        sa.Column("bucket", sa.String(length=100), nullable=False),
        sa.Column("slot", UtcDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "slot", name=op.f("pk_rate_hits")),
    )
    op.create_index("ix_rate_hits_slot", "rate_hits", ["slot"], unique=False)
    op.create_table(
        "public_allowances",
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("per_hour", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("network", name=op.f("pk_public_allowances")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_append_only ON {AUDIT}")
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION aduan_auth_events_guard() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    IF OLD.event IN {SIGN_INS} THEN
                        RETURN OLD;
                    END IF;
                ELSIF {UNCHANGED} AND NEW.count >= OLD.count THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {AUDIT}_guard BEFORE UPDATE OR DELETE ON {AUDIT} "
            "FOR EACH ROW EXECUTE FUNCTION aduan_auth_events_guard()"
        )
        return
    op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_update")
    op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_delete")
    op.execute(
        f"CREATE TRIGGER {AUDIT}_no_update BEFORE UPDATE ON {AUDIT} "
        f"WHEN {CHANGED} OR NEW.count < OLD.count "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END"
    )
    op.execute(
        f"CREATE TRIGGER {AUDIT}_no_delete BEFORE DELETE ON {AUDIT} "
        f"WHEN OLD.event NOT IN {SIGN_INS} "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_guard ON {AUDIT}")
        op.execute("DROP FUNCTION IF EXISTS aduan_auth_events_guard()")
        op.execute(
            f"CREATE TRIGGER {AUDIT}_append_only BEFORE UPDATE OR DELETE ON {AUDIT} "
            "FOR EACH ROW EXECUTE FUNCTION aduan_append_only()"
        )
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_{verb}")
            op.execute(
                f"CREATE TRIGGER {AUDIT}_no_{verb} BEFORE {verb.upper()} ON {AUDIT} "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END"
            )
    op.drop_table("public_allowances")
    op.drop_index("ix_rate_hits_slot", table_name="rate_hits")
    op.drop_table("rate_hits")
    op.drop_index("ix_auth_events_at", table_name=AUDIT)
    op.drop_column(AUDIT, "last_at")
    op.drop_column(AUDIT, "count")
