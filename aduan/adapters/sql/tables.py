"""The database schema (SQLAlchemy Core), shared by the repositories and Alembic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    case,
    false,
    literal_column,
    or_,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.expression import Grouping

from aduan.workflow.states import OPEN_STATUSES


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite keeps no zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC (without zone on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json: Any = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(
    Integer(), "sqlite"
)  # SQLite autoincrements INTEGER PRIMARY KEY only

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

services = Table(
    "services",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("title", String(500), nullable=False),
    Column("data", Json, nullable=False),  # the whole catalog entry, validated by catalog.Service
    Column("updated_at", UtcDateTime, nullable=False),
)

units = Table(
    "units",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("entry_position", String(64)),
)

positions = Table(
    "positions",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("unit", String(64), ForeignKey("units.code"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("reports_to", String(64), ForeignKey("positions.code")),
    Column("acting", String(64)),  # the acting holder's username (Plt.), issue 13 item 2
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("full_name", String(300), nullable=False),
    Column("role", String(32), nullable=False),
    Column("position", String(64), ForeignKey("positions.code")),
    Column("email", String(320)),
    Column("nip", String(32)),
    Column("active", Boolean, nullable=False, default=True),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tracking_code", String(20), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("screening_reason", String(16)),
    Column("channel", String(16), nullable=False),
    Column("complainant_name", String(300)),
    Column("complainant_email", String(320)),
    Column("complainant_phone", String(32)),
    Column("complainant_social", String(100)),
    Column("complainant_address", Text),
    Column("confidential", Boolean, nullable=False),
    Column("subject", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("service_code", String(32)),
    Column("service_text", String(500)),
    Column("licence_number", String(100)),
    # The day the 30-day window runs from (seed §6 items 2–3): the day the service was
    # received, or for a service not yet delivered (service_pending, migration 0018) the day
    # it was due, its application date (applied_on) plus its completion time in working days.
    Column("service_received_on", Date, nullable=False),
    Column("service_pending", Boolean, nullable=False, server_default=false()),
    Column("applied_on", Date),
    Column("channel_facts", Json),  # what the channel recorded (ChannelFacts), else NULL
    Column("complained_at", UtcDateTime, nullable=False),  # made-at: as the channel records
    Column("received_at", UtcDateTime, nullable=False),
    Column("intake_days", Integer, nullable=False),
    Column("problem_types", Json, nullable=False),
    Column("worksheet", Json),
    Column("track", String(16), index=True),
    Column("apip_origin", String(32)),
    Column("result_position", String(64)),  # who decided (item 8); their superior closes
    Column("agency_unit", String(64)),
    Column("chain", Json, nullable=False),
    Column("tier", Integer, nullable=False),
    Column("assignee", String(64), index=True),
    # Written reports the tiers passed over by the deadline sweep still owe (issue 13 item 3,
    # migration 0025): JSON of ``OverdueReport``s, NULL when none.
    Column("overdue_reports", Json),
    Column("outcome", String(32)),
    Column("result_summary", Text),
    Column("corrective_actions", Json, nullable=False),
    Column("answered_at", UtcDateTime),
    Column("informed_at", UtcDateTime),
    Column("reported_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("late_acceptance_reason", Text),
    Column("referred_to", String(300)),
    Column("reopen_count", Integer, nullable=False),
    # The main case a duplicate was merged into (issue 14 item 4, migration 0028).
    Column("merged_into", Id),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Deadlines (DESIGN §3): the database owns them; the scheduler is only an alarm clock.
    Column("response_started_at", UtcDateTime),
    Column("response_due_at", UtcDateTime),
    Column("response_breached_at", UtcDateTime),
    Column("stage_started_at", UtcDateTime),
    Column("stage_due_at", UtcDateTime),
    Column("stage_breached_at", UtcDateTime),
    # Related records (item 6c): equality on the column, newest first.
    Index("ix_cases_complainant_email_id", "complainant_email", "id"),
    Index("ix_cases_complainant_phone_id", "complainant_phone", "id"),
    Index("ix_cases_service_code_id", "service_code", "id"),
    Index("ix_cases_licence_number_id", "licence_number", "id"),
    Index(
        "ix_cases_open_response_due_at",
        "response_due_at",
        sqlite_where=text("response_due_at IS NOT NULL AND answered_at IS NULL"),
        postgresql_where=text("response_due_at IS NOT NULL AND answered_at IS NULL"),
    ),
    Index(
        "ix_cases_merged_into",
        "merged_into",
        sqlite_where=text("merged_into IS NOT NULL"),
        postgresql_where=text("merged_into IS NOT NULL"),
    ),
    Index(
        "ix_cases_open_stage_due_at",
        "stage_due_at",
        sqlite_where=text("stage_due_at IS NOT NULL"),
        postgresql_where=text("stage_due_at IS NOT NULL"),
    ),
)

# The soonest deadline of a case still in progress: its answer deadline until it is answered
# (seed §6 item 4) or its current stage's target, whichever comes first; NULL once the case
# is no longer in progress (as ``views.soonest_due``). The deadline queue filters and orders
# by it, so it reads its page from the index below; a query must use this very expression.
# The statuses are literals, not parameters, so that a query's expression is the index's; and
# equalities, not an IN list, which costs SQLite several times as much on every UPDATE of a
# status or deadline (numbers in migration 0009).
_IN_PROGRESS = or_(
    *(cases.c.status == literal_column(f"'{s.value}'") for s in sorted(OPEN_STATUSES))
)
_ANSWER_FIRST = (
    cases.c.response_due_at.is_not(None)
    & cases.c.answered_at.is_(None)
    & (cases.c.stage_due_at.is_(None) | (cases.c.response_due_at < cases.c.stage_due_at))
)
open_due_at = case(
    (
        _IN_PROGRESS,
        case((_ANSWER_FIRST, cases.c.response_due_at), else_=cases.c.stage_due_at),
    )
)
Index(
    "ix_cases_open_due_at_id",
    Grouping(open_due_at),  # PostgreSQL takes an expression other than a call in parentheses
    cases.c.id,
    sqlite_where=open_due_at.is_not(None),
    postgresql_where=open_due_at.is_not(None),
)

# One row per reminder or breach still to ring, or already rung (fired_at): exactly once each.
alarms = Table(
    "alarms",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # (case_id, ...) is led by the unique constraint's index: no index of its own (one page
    # less written per alarm change on the lifecycle's hot path).
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("point", String(16), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("fire_at", UtcDateTime, nullable=False),
    Column("fired_at", UtcDateTime),
    Column("fired_by", String(64)),
    UniqueConstraint("case_id", "kind", "point", "due_at"),
    Index(
        "ix_alarms_pending_fire_at",
        "fire_at",
        "id",
        sqlite_where=text("fired_at IS NULL"),
        postgresql_where=text("fired_at IS NULL"),
    ),
)

# Notifications, written in the same transaction as what causes them (the outbox).
outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("event", String(64), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id")),
    Column("recipient", String(320), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("payload", Json, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | dead
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime),
    # Delivery (issue 4): a dispatcher leases a row, delivers it, then marks it sent or failed.
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime),
    Column("claimed_by", String(128)),
    Column("claimed_until", UtcDateTime),
    Column("last_error", Text),
    Column("sent_at", UtcDateTime),
    Column("purged_at", UtcDateTime),
    Index(
        "ix_outbox_pending_next_attempt_at",
        "next_attempt_at",
        "id",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
    Index("ix_outbox_recipient_channel_id", "recipient", "channel", "id"),
    Index("ix_outbox_case_id", "case_id"),  # a case page's deliveries
)

# The administrator's corrections of the working-day calendar, with who and why.
calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("on", Date, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("entered_by", String(64), nullable=False),
    Column("entered_at", UtcDateTime, nullable=False),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", String(32)),
    Column("to_status", String(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("data", Json, nullable=False),
    Index("ix_case_events_case_id_id", "case_id", "id"),
)

# The units a case has been with (DESIGN §6): the agencies it was routed to and the inspectorate
# once APIP involvement was approved. The visibility policy reads it through the unit-led index
# (an agency's list is read from (unit, case_id) and (unit, due_at, case_id), below); rows are
# only ever added, and only their copy of the case's deadline (``due_at``) changes.
case_units = Table(
    "case_units",
    metadata,
    Column("case_id", Id, ForeignKey("cases.id"), primary_key=True),
    Column("unit", String(64), primary_key=True),
    Column("since", UtcDateTime, nullable=False),
    Index("ix_case_units_unit_case_id", "unit", "case_id"),
)

# Answer templates (templat jawaban, issue 14 item 3), kept by supervisors in the browser.
answer_templates = Table(
    "answer_templates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("service_code", String(32)),
    Column("problem_type", String(32)),
    Column("text", Text, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

written_reports = Table(
    "written_reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("author", String(64), nullable=False),
    Column("addressee", String(300), nullable=False),
    Column("from_position", String(64)),
    Column("to_position", String(64)),
    Column("text", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    # The document as filed (issue 13 item 4): what its PDF prints, frozen, with its SHA-256.
    Column("document", Json),
)

APPEND_ONLY = ("case_events", "written_reports")

# --- web: staff credentials, API tokens, sessions, Open311 keys and the login audit ---------
# No foreign keys to users: loading a new org chart replaces the users table as a whole, and a
# password must survive that (a removed user simply cannot log in: ``active`` is checked).

credentials = Table(
    "credentials",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),  # argon2id, self-describing
    Column("updated_at", UtcDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of a random token
    Column("username", String(64), nullable=False, index=True),
    Column("label", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's random token
    Column("username", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("client_ip", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

client_keys = Table(
    "client_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key_hash", String(64), nullable=False, unique=True),  # Open311 api_key, sha256
    Column("label", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

# Logins, failed logins, throttled attempts, logouts and credential changes (the audit log).
# Repeated failures and throttled attempts of one username from one address are one entry,
# counted (``count``, ``last_at``; migration 0019); an unknown username is never stored ("?").
# Only ``count`` and ``last_at`` may change, and only sign-in entries may be deleted (the
# retention job); credential changes stay.
auth_events = Table(
    "auth_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("event", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("client_ip", String(64), nullable=False),
    Column("detail", String(300), nullable=False),
    Column("count", Integer, nullable=False, server_default=text("1")),
    Column("last_at", UtcDateTime),
    Index("ix_auth_events_username_client_ip_at", "username", "client_ip", "at"),
    Index("ix_auth_events_at", "at"),
)

# Rate limits shared by every worker and instance (issue 12 item 5, migration 0019): hits per
# bucket (a device, an address, a username at an address) and time slot; the sliding window
# sums the slots inside it. Slots older than a day are purged.
rate_hits = Table(
    "rate_hits",
    metadata,
    Column("bucket", String(100), primary_key=True),
    Column("slot", UtcDateTime, primary_key=True),
    Column("hits", Integer, nullable=False),
    Index("ix_rate_hits_slot", "slot"),
)

# Addresses the administrator lists for a larger public allowance: the MPP kiosk, the
# office network behind one NAT (issue 12 item 5). Changes are in the login audit.
public_allowances = Table(
    "public_allowances",
    metadata,
    Column("network", String(64), primary_key=True),  # a CIDR, normalised
    Column("per_hour", Integer, nullable=False),
    Column("label", String(100), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# --- reports (issue 6): the SKM survey, office-wide singleton runs, indexes for statistics -----

# Statistics select a period by the receipt instant (reports.statistics).
Index("ix_cases_received_at", cases.c.received_at)
# APIP involvement counts only these three actions: a small partial index, not a scan of the trail.
Index(
    "ix_case_events_apip_action",
    case_events.c.action,
    case_events.c.case_id,
    sqlite_where=text("action IN ('request_apip', 'approve_apip', 'refuse_apip')"),
    postgresql_where=text("action IN ('request_apip', 'approve_apip', 'refuse_apip')"),
)
# Answer compliance judges a complaint in the period its deadline falls in
# (escalation.answer): the deadline range, and the answer and status the verdict needs, so
# PostgreSQL answers from the index alone. Complaints only (suggestions have no deadline).
Index(
    "ix_cases_response_due_at",
    cases.c.response_due_at,
    cases.c.answered_at,
    cases.c.status,
    sqlite_where=text("response_due_at IS NOT NULL"),
    postgresql_where=text("response_due_at IS NOT NULL"),
)
# The highest tier a reopened case reached is in its history (reports.statistics): only the
# reopened cases of a period, a small partial index.
Index(
    "ix_cases_reopened_received_at",
    cases.c.received_at,
    sqlite_where=text("reopen_count > 0"),
    postgresql_where=text("reopen_count > 0"),
)

# One row per one-time survey link (SKM, PermenPAN-RB 14/2017); only the token's hash is kept.
survey_invitations = Table(
    "survey_invitations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False),  # the quarter surveyed, e.g. 2026Q1
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex
    Column("case_id", Id, ForeignKey("cases.id")),  # None for the public link's visitors
    Column("channel", String(16), nullable=False),  # email | sms | public
    Column("service_code", String(32)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    UniqueConstraint("period", "case_id", "channel"),
)

# The nine elements (unsur) scored 1..4, one column each so the database averages them.
# ``case_id`` is the case a response speaks for (the invited complainant's, or the one whose
# tracking code or licence number a public respondent gave; migration 0024): one response per
# case and quarter, and the official IKM counts only responses with a case (issue 17).
survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("invitation_id", Id, ForeignKey("survey_invitations.id"), nullable=False, unique=True),
    Column("period", String(8), nullable=False, index=True),
    Column("service_code", String(32)),
    Column("submitted_at", UtcDateTime, nullable=False),
    *(Column(f"u{i}", Integer, nullable=False) for i in range(1, 10)),
    Column("comment", Text),
    Column("case_id", Id, ForeignKey("cases.id")),  # None: a public answer without proof
    UniqueConstraint("period", "case_id"),
)

# Office-wide jobs that must run exactly once per period, whatever the number of instances:
# the row is inserted in the same transaction as the job's work (reports.singleton).
singleton_runs = Table(
    "singleton_runs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("ran_at", UtcDateTime, nullable=False),
    Column("instance", String(128), nullable=False),
    Column("result", Json, nullable=False),
)

# The statistics rollup (reports.statistics): a year of a million cases would take seconds to
# aggregate at every request, so the scheduler folds the audit trail into signed counts here,
# per WIB month of receipt (``adapters.sql.rollup``; migration 0016 replaced the triggers of
# 0007), and a compaction sums them up. Insert only (+1 for a case's new state, -1 for the one
# folded before). ``part`` says which columns a row uses:
#   dims   - kind .. problem_types, answer (the answer bucket that does not depend on "now")
#   answer - started_on, answered_on (WIB days) of an answered complaint
#   due    - due_at of an open, unanswered complaint (overdue or pending is decided at read)
#   apip   - answer = the APIP action a case had at least once
case_stats = Table(
    "case_stats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("part", String(8), nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM of received_at in WIB
    Column("kind", String(16)),
    Column("screening_reason", String(16)),
    Column("service_code", String(32)),
    Column("channel", String(16)),
    Column("track", String(16)),
    Column("tier", Integer),
    Column("outcome", String(32)),
    Column("status", String(32)),
    Column("problem_types", Json),
    Column("answer", String(16)),
    Column("started_on", Date),
    Column("answered_on", Date),
    Column("due_at", UtcDateTime),
    Column("n", Integer, nullable=False),
    Index("ix_case_stats_month_part", "month", "part"),
)

# --- identity on record and the complainant's second factor (issue 16 items 4-5) -------------

# Every reveal of a complainant's identity and every view of an unmasked one (DESIGN §6): who,
# when, which case, why ("view" for a plain view). Append-only, like the audit trail.
identity_access = Table(
    "identity_access",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_identity_access_at", "at"),
    Index("ix_identity_access_case_id_id", "case_id", "id"),
)

IDENTITY_APPEND_ONLY = ("identity_access",)

# The complainant's PIN (argon2id; NULL for cases from before it existed: those cannot be
# withdrawn or disputed by code at all) and the Open311 client that filed the case, whose
# list shows only its own requests (NULL: any other channel).
cases.append_column(Column("pin_hash", String(200)))
cases.append_column(Column("open311_client", Id))
Index("ix_cases_open311_client_id", cases.c.open311_client, cases.c.id)
# The id the public Open311 list shows for a request instead of its tracking code (migration
# 0030): random, unique, set when an Open311 client files the case (NULL for other channels).
# It opens neither the tracking page nor an action; a look-up by it is one seek.
cases.append_column(Column("public_id", String(24)))
Index("ix_cases_public_id", cases.c.public_id, unique=True)

# The staff a case concerns (terlapor, DESIGN §6, issue 16 item 3): they neither see nor act on
# it and its tier chain skips them. Read per viewer through the primary key (case_id, username)
# in a NOT EXISTS; "which cases name me" through the username-led index. Rows are only added.
case_concerns = Table(
    "case_concerns",
    metadata,
    Column("case_id", Id, ForeignKey("cases.id"), primary_key=True),
    Column("username", String(64), primary_key=True),
    Column("named_by", String(64), nullable=False),
    Column("named_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_case_concerns_username_case_id", "username", "case_id"),
)

# A complaint about the conduct of the office's own staff sealed to the Head of Office and APIP.
cases.append_column(Column("sealed", Boolean, nullable=False, server_default=false()))
# Partial: only the (few) sealed cases, so "is any case sealed?" is one seek, and the lists'
# "not sealed" condition never leads the planner away from the indexes it reads in order.
Index(
    "ix_cases_sealed_id",
    cases.c.id,
    sqlite_where=text("sealed = 1"),
    postgresql_where=text("sealed"),
)

# --- the statistics rollup folded off the write path (issue 15, migration 0016) --------------

# Which transaction wrote an event (PostgreSQL: ``pg_current_xact_id()``, filled by the
# server; NULL on SQLite, whose event ids already come in commit order, and for the events
# folded by migration 0016). The fold takes the events of the transactions that have all ended
# (below the oldest one still running), so an event committed out of id order is never passed
# over; partial: SQLite never writes an entry.
case_events.append_column(Column("txid", BigInteger))
Index(
    "ix_case_events_txid",
    case_events.c.txid,
    sqlite_where=text("txid IS NOT NULL"),
    postgresql_where=text("txid IS NOT NULL"),
)

# Each case as the rollup counts it now (one row per case): what the fold takes back out of
# ``case_stats`` when the case changes again. ``answer`` is the answer bucket that does not
# depend on "now"; ``started_on``/``answered_on`` only for an answered complaint, ``due_at``
# only for an open, unanswered one; the flags: the case had that APIP action at least once.
case_stats_folded = Table(
    "case_stats_folded",
    metadata,
    Column("case_id", Id, primary_key=True, autoincrement=False),
    Column("month", String(7), nullable=False),
    Column("kind", String(16)),
    Column("screening_reason", String(16)),
    Column("service_code", String(32)),
    Column("channel", String(16)),
    Column("track", String(16)),
    Column("tier", Integer),
    Column("outcome", String(32)),
    Column("status", String(32)),
    Column("problem_types", Json),
    Column("answer", String(16)),
    Column("started_on", Date),
    Column("answered_on", Date),
    Column("due_at", UtcDateTime),
    Column("request_apip", Boolean, nullable=False),
    Column("approve_apip", Boolean, nullable=False),
    Column("refuse_apip", Boolean, nullable=False),
)

# How far a fold of the audit trail has come, per fold (``case_stats``): SQLite the last event
# id folded, PostgreSQL the transaction id below which every event is folded.
fold_watermarks = Table(
    "fold_watermarks",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("folded_at", UtcDateTime),
)

# Issue 12 item 4. Who withdrew an open case, when, why and what undoing it restores (JSON of
# ``Withdrawal``; NULL unless withdrawn). And the idempotency keys of public submissions: a
# refresh, a double click or two workers given the same form file one case. Only the key's
# SHA-256 is kept (unique: the second insert fails, and gets the first's receipt), with a
# fingerprint of what was submitted and the complainant's PIN sealed with the key itself, so
# the receipt can be shown again to whoever holds the key and to nobody who reads the table.
cases.append_column(Column("withdrawal", Json))
intake_keys = Table(
    "intake_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("pin_sealed", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Issue 16, migration 0020. The visibility policy's order, copied onto ``case_units``: each row
# carries its case's ``open_due_at`` (NULL once the case is no longer in progress), kept equal to
# the case's on every write of it (``SqlCaseRepository.save`` and ``add_unit``). A unit's
# deadline queue is then read from this index in order (the unit's first entries, a primary-key
# probe of ``cases`` each) instead of walking the office's whole queue and probing the unit for
# every case; its newest-first list likewise walks ix_case_units_unit_case_id backwards.
case_units.append_column(Column("due_at", UtcDateTime))
Index(
    "ix_case_units_unit_due_at_case_id",
    case_units.c.unit,
    case_units.c.due_at,
    case_units.c.case_id,
    sqlite_where=text("due_at IS NOT NULL"),
    postgresql_where=text("due_at IS NOT NULL"),
)

# Issue 14 item 1, migration 0027. The evidence files of a case: each row names a file kept in
# the content-addressed file store by its SHA-256 (indexed: a file is deleted only when no row
# names it any more), with the name it was uploaded under (no path), the type read from its
# content, and whether it is an identity document (KTP), shown under the identity masking rule.
attachments = Table(
    "attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("identity", Boolean, nullable=False),
    Column("action", String(32), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
)

# Issue 14 item 5 (migration 0029): the answer clock paused for missing information and
# extended. ``answer_clock`` is JSON (``info_requested_at`` while paused, the working days
# paused and extended; NULL when none), ``response_original_due_at`` the answer deadline
# without the extensions, which the statistics judge compliance against besides the one in force.
cases.append_column(Column("answer_clock", Json))
cases.append_column(Column("response_original_due_at", UtcDateTime))

# Issue 14 item 4 (migration 0032): the status a merged duplicate was merged from, which
# undoing the merge restores (NULL for every case not merged).
cases.append_column(Column("merged_from", String(32)))

# Issue 14 item 1 (migration 0033): when the retention purge erased the complainant's personal
# data (NULL: kept). The daily purge reads the closed cases still holding it, by closing time,
# from the partial index.
cases.append_column(Column("personal_data_erased_at", UtcDateTime))
Index(
    "ix_cases_kept_closed_at",
    cases.c.closed_at,
    sqlite_where=text("personal_data_erased_at IS NULL AND closed_at IS NOT NULL"),
    postgresql_where=text("personal_data_erased_at IS NULL AND closed_at IS NOT NULL"),
)

# Issue 14 item 5 (migration 0031): the emails read from the office's mailbox, one row per
# Message-ID (unique: two pollers, or one restarted, never handle a message twice), with what
# became of each: the reply applied, a note on its case, or unmatched (listed for staff).
inbound_mail = Table(
    "inbound_mail",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(255), nullable=False, unique=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(40)),
    Column("case_id", Id, ForeignKey("cases.id"), index=True),
    Column("matched_by", String(16)),
    Column("sender", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_inbound_mail_outcome_id", "outcome", "id"),
)
# Migration 0037: an unmatched message an officer followed up by hand — when, who, and their
# note of what was done (NULL while it waits). One index serves both views and the
# navigation's count: those still to handle (handled_at IS NULL, newest id first) and the
# handled ones, the latest first.
inbound_mail.append_column(Column("handled_at", UtcDateTime))
inbound_mail.append_column(Column("handled_by", String(64)))
inbound_mail.append_column(Column("handled_note", String(500)))
Index(
    "ix_inbound_mail_outcome_handled",
    inbound_mail.c.outcome,
    inbound_mail.c.handled_at,
    inbound_mail.c.id,
)

# Issue 14 item 7 (migration 0034): the complainant's consent to a public Q&A (default no) and
# the entry staff published (JSON of ``PublicAnswer``; NULL when none). The public page reads
# only ``public_answers``, its copy kept by the save path (``aduan.service.saving``): the
# anonymised texts, the service and the month, newest first; never anything else of a case.
cases.append_column(Column("qa_consent", Boolean, nullable=False, server_default=false()))
cases.append_column(Column("public_qa", Json))
public_answers = Table(
    "public_answers",
    metadata,
    Column("case_id", Id, ForeignKey("cases.id"), primary_key=True, autoincrement=False),
    Column("service_code", String(32)),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM (WIB): the page shows no finer date
    Column("published_at", UtcDateTime, nullable=False),
    Index("ix_public_answers_published_at_case_id", "published_at", "case_id"),
    Index("ix_public_answers_service_code_published_at", "service_code", "published_at"),
)

# Migration 0035: when the answer clock stopped for the complainant's information (NULL: it
# runs), a copy of ``answer_clock``'s ``info_requested_at`` written in the same UPDATE, so the
# reports decide in SQL that a case paused before its deadline is not late while it waits
# (``aduan.escalation.answer``). A filter on the rows the deadline indexes find, not indexed.
cases.append_column(Column("info_requested_at", UtcDateTime))

# Issue 16, migration 0036: what a unit's list page shows, copied onto ``case_units`` beside the
# deadline (migration 0020), so an agency's list and deadline queue are read from its rows of
# case_units alone, in index order, without a primary-key probe of ``cases`` per row (50 rows on
# as many pages of cases). The copies are the list's columns (``codec.SUMMARY_COLUMNS`` but the
# id, which is ``case_id``) and ``sealed`` (the visibility policy's condition); the case
# repository writes them with the deadline, from the case's row, on every write of a case that
# has rows here (``SqlCaseRepository``: save, seal, add_unit; the retention purge's erase).
UNIT_COPIES = (
    "tracking_code", "version", "kind", "status", "screening_reason", "channel", "subject",
    "service_code", "track", "assignee", "received_at", "sealed",
)  # fmt: skip
# Nullable (the case's row is the record; a copy is filled as the row is inserted), but sealed.
for _name in UNIT_COPIES:
    _sealed = _name == "sealed"
    case_units.append_column(
        Column(
            _name,
            cases.c[_name].type,
            nullable=not _sealed,
            server_default=false() if _sealed else None,
        )
    )
