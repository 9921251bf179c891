"""statistics off the write path: the rollup is folded from the audit trail, not kept by triggers

The triggers of 0007 ran on every case write (51 trigger programs per case on SQLite, most of
the server's CPU per step on PostgreSQL: issue 15). From here the scheduler folds the events
past a watermark into ``case_stats`` (``aduan.adapters.sql.rollup``), and a report adds the
events not folded yet. This revision drops the triggers, adds what the fold keeps (each case
as folded, the watermark, which transaction wrote each event on PostgreSQL) and counts the
existing cases once: the rollup is rebuilt from the folded cases, so the two agree exactly.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

import aduan.adapters.sql.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = aduan.adapters.sql.tables.UtcDateTime(timezone=True)
HAS_TXID = sa.text("txid IS NOT NULL")
ROLLUP = "case_stats"

# Frozen copies of what the fold computes (aduan.adapters.sql.rollup; tests compare both ways).
OPEN = (
    "'recorded', 'classified', 'reviewed', 'internal_handling', 'agency_handling', "
    "'apip_pending', 'apip_handling', 'resolved'"
)
APIP = ("request_apip", "approve_apip", "refuse_apip")
DIMS = (
    "kind", "screening_reason", "service_code", "channel", "track", "tier", "outcome", "status",
    "problem_types",
)  # fmt: skip
SQLITE_TRIGGERS = (
    "case_stats_apip", "case_stats_insert", "case_stats_delete", "case_stats_update_dims",
    "case_stats_update_answer", "case_stats_update_due",
)  # fmt: skip


def _state_sql(pg: bool) -> str:
    """Every case as the rollup counts it (the columns of ``case_stats_folded``)."""
    if pg:
        month = "to_char(c.received_at AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM')"
        day = "(({}) AT TIME ZONE 'UTC' + interval '7 hours')::date"
    else:
        month = "strftime('%Y-%m', c.received_at, '+7 hours')"
        day = "date({}, '+7 hours')"
    answered = "c.response_due_at IS NOT NULL AND c.answered_at IS NOT NULL"
    due = f"c.response_due_at IS NOT NULL AND c.answered_at IS NULL AND c.status IN ({OPEN})"
    answer = (
        "CASE WHEN c.response_due_at IS NULL THEN 'not_applicable' "
        "WHEN c.answered_at IS NOT NULL AND c.answered_at <= c.response_due_at THEN 'on_time' "
        "WHEN c.answered_at IS NOT NULL THEN 'late' "
        f"WHEN c.status IN ({OPEN}) THEN 'open' ELSE 'ended_unanswered' END"
    )
    flags = ", ".join(
        f"EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = '{a}')"
        for a in APIP
    )
    started = day.format("coalesce(c.response_started_at, c.received_at)")
    return (
        f"SELECT c.id, {month}, {', '.join(f'c.{d}' for d in DIMS)}, {answer}, "
        f"CASE WHEN {answered} THEN {started} END, "
        f"CASE WHEN {answered} THEN {day.format('c.answered_at')} END, "
        f"CASE WHEN {due} THEN c.response_due_at END, {flags} FROM cases c"
    )


def _rebuild_rollup() -> None:
    """``case_stats`` from ``case_stats_folded``: one row per group."""
    op.execute("DELETE FROM case_stats")
    dims = ", ".join(DIMS)
    op.execute(
        f"INSERT INTO case_stats (part, month, {dims}, answer, n) "
        f"SELECT 'dims', month, {dims}, answer, count(*) FROM case_stats_folded "
        f"GROUP BY month, {dims}, answer"
    )
    op.execute(
        "INSERT INTO case_stats (part, month, started_on, answered_on, n) "
        "SELECT 'answer', month, started_on, answered_on, count(*) FROM case_stats_folded "
        "WHERE answered_on IS NOT NULL GROUP BY month, started_on, answered_on"
    )
    op.execute(
        "INSERT INTO case_stats (part, month, due_at, n) "
        "SELECT 'due', month, due_at, count(*) FROM case_stats_folded "
        "WHERE due_at IS NOT NULL GROUP BY month, due_at"
    )
    for action in APIP:
        op.execute(
            "INSERT INTO case_stats (part, month, answer, n) "
            f"SELECT 'apip', month, '{action}', count(*) FROM case_stats_folded "
            f"WHERE {action} GROUP BY month"
        )


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("DROP TRIGGER IF EXISTS case_stats_apip ON case_events")
        op.execute("DROP TRIGGER IF EXISTS case_stats_update ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_stats_insert_delete ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_stats_apip()")
        op.execute("DROP FUNCTION IF EXISTS case_stats_cases()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    # Not in batch mode: a batch would copy case_events and lose its append-only triggers.
    op.add_column("case_events", sa.Column("txid", sa.BigInteger(), nullable=True))
    if pg:
        # Only new rows: the events already there are folded below (NULL: before any fold).
        op.execute(
            "ALTER TABLE case_events ALTER COLUMN txid "
            "SET DEFAULT pg_current_xact_id()::text::bigint"
        )
    op.create_index(
        "ix_case_events_txid",
        "case_events",
        ["txid"],
        unique=False,
        sqlite_where=HAS_TXID,
        postgresql_where=HAS_TXID,
    )
    op.create_table(
        "case_stats_folded",
        sa.Column("case_id", Id, autoincrement=False, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("screening_reason", sa.String(length=16), nullable=True),
        sa.Column("service_code", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("track", sa.String(length=16), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("problem_types", aduan.adapters.sql.tables.Json, nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("due_at", Utc, nullable=True),
        sa.Column("request_apip", sa.Boolean(), nullable=False),
        sa.Column("approve_apip", sa.Boolean(), nullable=False),
        sa.Column("refuse_apip", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_stats_folded")),
    )
    op.create_table(
        "fold_watermarks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("folded_at", Utc, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_fold_watermarks")),
    )
    # The watermark before the cases are read: a case a transaction still running changes is
    # folded again from its event (PostgreSQL: that transaction's id is at or above it).
    position = (
        "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
        if pg
        else "(SELECT coalesce(max(id), 0) FROM case_events)"
    )
    op.execute(f"INSERT INTO fold_watermarks (name, position) SELECT '{ROLLUP}', {position}")
    columns = (
        "case_id, month, kind, screening_reason, service_code, channel, track, tier, outcome, "
        "status, problem_types, answer, started_on, answered_on, due_at, request_apip, "
        "approve_apip, refuse_apip"
    )
    op.execute(f"INSERT INTO case_stats_folded ({columns}) {_state_sql(pg)}")
    _rebuild_rollup()


def _migration_0007() -> Any:
    path = Path(__file__).with_name("0007_reports_survey.py")
    spec = importlib.util.spec_from_file_location("aduan_migration_0007", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.drop_table("fold_watermarks")
    op.drop_table("case_stats_folded")
    op.drop_index("ix_case_events_txid", table_name="case_events")
    op.drop_column("case_events", "txid")  # in place (SQLite >= 3.35), keeping its triggers
    # Back to the triggers of 0007, on a rollup counted afresh from the cases.
    m0007 = _migration_0007()
    op.execute("DELETE FROM case_stats")
    for statement in m0007._backfill(pg):
        op.execute(statement)
    if pg:
        m0007._create_rollup_triggers_pg()
    else:
        m0007._create_rollup_triggers_sqlite()
