"""reports: survey tokens and responses, singleton runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aduan.adapters.sql.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APIP_ACTIONS = sa.text("action IN ('request_apip', 'approve_apip', 'refuse_apip')")
REOPENED = sa.text("reopen_count > 0")

# --- the statistics rollup (case_stats): triggers keep signed counts per WIB month ---------
# Frozen copies of what the statistics read (aduan.adapters.sql.stats; tests compare both ways).
OPEN = (
    "'recorded', 'classified', 'reviewed', 'internal_handling', 'agency_handling', "
    "'apip_pending', 'apip_handling', 'resolved'"
)
APIP = "'request_apip', 'approve_apip', 'refuse_apip'"
DIMS = (
    "kind", "screening_reason", "service_code", "channel", "track", "tier", "outcome", "status",
    "problem_types",
)  # fmt: skip
# The columns each part's row depends on: an update touching none of a part's columns writes
# nothing for that part. A typical action changes the status: -1/+1 for ``dims`` only (and
# ``due`` when the case closes or opens). ``received_at`` (the month) never changes in
# practice; it is watched all the same.
WATCHED = {
    "dims": ("received_at", *DIMS, "answered_at", "response_due_at"),
    "answer": ("received_at", "answered_at", "response_due_at", "response_started_at"),
    "due": ("received_at", "answered_at", "response_due_at", "status"),
}
KEYS = ("part", "month", *DIMS, "answer", "started_on", "answered_on", "due_at")


def _exprs(r: str, pg: bool) -> dict[str, str]:
    """SQL for the month, the WIB days and the answer bucket of row ``r`` (NEW, OLD, a table)."""
    if pg:
        wib = "({} AT TIME ZONE 'UTC' + interval '7 hours')"
        month = f"to_char({wib.format(f'{r}.received_at')}, 'YYYY-MM')"
        day = "(" + wib + ")::date"
    else:
        month = f"strftime('%Y-%m', {r}.received_at, '+7 hours')"
        day = "date({}, '+7 hours')"
    answer = (
        f"CASE WHEN {r}.response_due_at IS NULL THEN 'not_applicable' "
        f"WHEN {r}.answered_at IS NOT NULL AND {r}.answered_at <= {r}.response_due_at "
        "THEN 'on_time' "
        f"WHEN {r}.answered_at IS NOT NULL THEN 'late' "
        f"WHEN {r}.status IN ({OPEN}) THEN 'open' ELSE 'ended_unanswered' END"
    )
    return {
        "month": month,
        "started": day.format(f"coalesce({r}.response_started_at, {r}.received_at)"),
        "answered": day.format(f"{r}.answered_at"),
        "answer": answer,
        "answered_cond": f"{r}.response_due_at IS NOT NULL AND {r}.answered_at IS NOT NULL",
        "due_cond": (
            f"{r}.response_due_at IS NOT NULL AND {r}.answered_at IS NULL "
            f"AND {r}.status IN ({OPEN})"
        ),
    }


def _inserts(r: str, sign: str, pg: bool, source: str = "") -> dict[str, tuple[str, str]]:
    """Per part, ``(INSERT INTO ... (columns), SELECT ...)`` adding row ``r`` with ``sign``.

    ``source``: a table to read ``r`` from, grouped (the backfill of existing cases).
    """
    e = _exprs(r, pg)
    dims = ", ".join(f"{r}.{c}" for c in DIMS)
    n, frm = ("count(*)", f" FROM {source}") if source else (sign, "")

    def grouped(columns: int) -> str:
        return " GROUP BY " + ", ".join(str(i) for i in range(1, columns + 1)) if source else ""

    into = "INSERT INTO case_stats "
    return {
        "dims": (
            into + f"(part, month, {', '.join(DIMS)}, answer, n) ",
            f"SELECT 'dims', {e['month']}, {dims}, {e['answer']}, {n}{frm}"
            + grouped(3 + len(DIMS)),
        ),
        "answer": (
            into + "(part, month, started_on, answered_on, n) ",
            f"SELECT 'answer', {e['month']}, {e['started']}, {e['answered']}, {n}{frm} "
            f"WHERE {e['answered_cond']}{grouped(4)}",
        ),
        "due": (
            into + "(part, month, due_at, n) ",
            f"SELECT 'due', {e['month']}, {r}.response_due_at, {n}{frm} "
            f"WHERE {e['due_cond']}{grouped(3)}",
        ),
    }


def _add(r: str, sign: str, pg: bool) -> list[str]:
    """The INSERTs that add row ``r`` (NEW or OLD) to every part of the rollup."""
    return [into + select for into, select in _inserts(r, sign, pg).values()]


def _move(part: str, pg: bool) -> str:
    """One INSERT taking an updated case out of its old group and into its new one."""
    into, old = _inserts("OLD", "-1", pg)[part]
    return f"{into}{old} UNION ALL {_inserts('NEW', '1', pg)[part][1]}"


def _backfill(pg: bool) -> list[str]:
    """The existing cases and APIP actions, grouped (one row per group, as compacted)."""
    month = _exprs("c", pg)["month"]
    apip = (
        f"INSERT INTO case_stats (part, month, answer, n) "
        f"SELECT 'apip', {month}, e.action, count(*) "
        f"FROM (SELECT DISTINCT case_id, action FROM case_events WHERE action IN ({APIP})) e "
        "JOIN cases c ON c.id = e.case_id GROUP BY 1, 2, 3"
    )
    cases = [into + select for into, select in _inserts("c", "", pg, "cases c").values()]
    return [*cases, apip]


def _changed(part: str, pg: bool) -> str:
    if pg:
        old = ", ".join(f"OLD.{c}" for c in WATCHED[part])
        new = ", ".join(f"NEW.{c}" for c in WATCHED[part])
        return f"({old}) IS DISTINCT FROM ({new})"
    return "(" + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED[part]) + ")"


def _row(r: str, sign: str, part: str, when: str = "") -> str:
    """PostgreSQL: ``SELECT`` of every rollup column for row ``r`` in ``part`` (NULL if unused)."""
    e = _exprs(r, True)
    typed = {"tier": "integer", "problem_types": "jsonb", "started_on": "date",
             "answered_on": "date", "due_at": "timestamptz"}  # fmt: skip
    values = {k: f"NULL::{typed.get(k, 'text')}" for k in KEYS[2:]}
    cond = {"dims": "", "answer": e["answered_cond"], "due": e["due_cond"]}[part]
    if part == "dims":
        values.update({c: f"{r}.{c}" for c in DIMS}, answer=e["answer"])
    elif part == "answer":
        values.update(started_on=e["started"], answered_on=e["answered"])
    else:
        values.update(due_at=f"{r}.response_due_at")
    where = " AND ".join(f"({c})" for c in (cond, when) if c)
    listed = ", ".join(values.values())
    return f"SELECT '{part}', {e['month']}, {listed}, {sign}" + (f" WHERE {where}" if where else "")


def _create_rollup_triggers_pg() -> None:
    # One INSERT per change, whatever the parts touched: a statement costs more than its rows.
    into = f"INSERT INTO case_stats ({', '.join(KEYS)}, n) "
    moved = " UNION ALL ".join(
        _row(r, sign, p, _changed(p, True))
        for p in WATCHED
        for r, sign in (("OLD", "-1"), ("NEW", "1"))
    )
    added = " UNION ALL ".join(_row("NEW", "1", p) for p in WATCHED)
    removed = " UNION ALL ".join(_row("OLD", "-1", p) for p in WATCHED)
    op.execute(
        f"""
CREATE FUNCTION case_stats_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        {into}{moved};
    ELSIF TG_OP = 'INSERT' THEN
        {into}{added};
    ELSE
        {into}{removed};
    END IF;
    RETURN NULL;
END $$"""
    )
    anything = " OR ".join(_changed(p, True) for p in WATCHED)
    op.execute(
        "CREATE TRIGGER case_stats_insert_delete AFTER INSERT OR DELETE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION case_stats_cases()"
    )
    op.execute(
        "CREATE TRIGGER case_stats_update AFTER UPDATE ON cases FOR EACH ROW "
        f"WHEN ({anything}) EXECUTE FUNCTION case_stats_cases()"
    )
    month = _exprs("c", True)["month"]
    op.execute(
        f"""
CREATE FUNCTION case_stats_apip() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = NEW.case_id
                   AND e.action = NEW.action AND e.id <> NEW.id) THEN
        INSERT INTO case_stats (part, month, answer, n)
        SELECT 'apip', {month}, NEW.action, 1 FROM cases c WHERE c.id = NEW.case_id;
    END IF;
    RETURN NULL;
END $$"""
    )
    op.execute(
        "CREATE TRIGGER case_stats_apip AFTER INSERT ON case_events FOR EACH ROW "
        f"WHEN (NEW.action IN ({APIP})) EXECUTE FUNCTION case_stats_apip()"
    )


def _create_rollup_triggers_sqlite() -> None:
    every = "; ".join(_add("NEW", "1", False))
    op.execute(f"CREATE TRIGGER case_stats_insert AFTER INSERT ON cases BEGIN {every}; END")
    gone = "; ".join(_add("OLD", "-1", False))
    op.execute(f"CREATE TRIGGER case_stats_delete AFTER DELETE ON cases BEGIN {gone}; END")
    for part in WATCHED:
        op.execute(
            f"CREATE TRIGGER case_stats_update_{part} AFTER UPDATE ON cases "
            f"WHEN {_changed(part, False)} BEGIN {_move(part, False)}; END"
        )
    month = _exprs("c", False)["month"]
    op.execute(
        f"CREATE TRIGGER case_stats_apip AFTER INSERT ON case_events WHEN NEW.action IN ({APIP}) "
        "AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = NEW.case_id "
        "AND e.action = NEW.action AND e.id <> NEW.id) BEGIN "
        f"INSERT INTO case_stats (part, month, answer, n) SELECT 'apip', {month}, NEW.action, 1 "
        "FROM cases c WHERE c.id = NEW.case_id; END"
    )


def upgrade() -> None:
    op.create_table(
        "survey_invitations",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", Id, nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_survey_invitations_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_invitations_token_hash")),
        sa.UniqueConstraint(
            "period",
            "case_id",
            "channel",
            name=op.f("uq_survey_invitations_period_case_id_channel"),
        ),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("invitation_id", Id, nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=True),
        sa.Column("submitted_at", aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        *(sa.Column(f"u{i}", sa.Integer(), nullable=False) for i in range(1, 10)),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["survey_invitations.id"],
            name=op.f("fk_survey_responses_invitation_id_survey_invitations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_survey_responses_invitation_id")),
    )
    op.create_index(
        op.f("ix_survey_responses_period"), "survey_responses", ["period"], unique=False
    )
    op.create_table(
        "singleton_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("ran_at", aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("instance", sa.String(length=128), nullable=False),
        sa.Column("result", aduan.adapters.sql.tables.Json, nullable=False),
        sa.PrimaryKeyConstraint("job", "period", name=op.f("pk_singleton_runs")),
    )
    # Plain CREATE INDEX (no batch): case_events carries the append-only triggers of 0002.
    op.create_index("ix_cases_received_at", "cases", ["received_at"], unique=False)
    op.create_index(
        "ix_case_events_apip_action",
        "case_events",
        ["action", "case_id"],
        unique=False,
        sqlite_where=APIP_ACTIONS,
        postgresql_where=APIP_ACTIONS,
    )
    op.create_index(
        "ix_cases_reopened_received_at",
        "cases",
        ["received_at"],
        unique=False,
        sqlite_where=REOPENED,
        postgresql_where=REOPENED,
    )

    op.create_table(
        "case_stats",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("part", sa.String(length=8), nullable=False),
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
        sa.Column("due_at", aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_stats")),
    )
    op.create_index("ix_case_stats_month_part", "case_stats", ["month", "part"], unique=False)
    pg = op.get_bind().dialect.name == "postgresql"
    for statement in _backfill(pg):
        op.execute(statement)
    if pg:
        _create_rollup_triggers_pg()
    else:
        _create_rollup_triggers_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_stats_apip ON case_events")
        op.execute("DROP TRIGGER IF EXISTS case_stats_update ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_stats_insert_delete ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_stats_apip()")
        op.execute("DROP FUNCTION IF EXISTS case_stats_cases()")
    else:
        for name in ("case_stats_apip", "case_stats_insert", "case_stats_delete",
                     *(f"case_stats_update_{part}" for part in WATCHED)):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_case_stats_month_part", table_name="case_stats")
    op.drop_table("case_stats")
    op.drop_index("ix_cases_reopened_received_at", table_name="cases")
    op.drop_index("ix_case_events_apip_action", table_name="case_events")
    op.drop_index("ix_cases_received_at", table_name="cases")
    op.drop_table("singleton_runs")
    op.drop_index(op.f("ix_survey_responses_period"), table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_table("survey_invitations")
