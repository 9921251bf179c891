"""reports: survey tokens and responses, singleton runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aduan.models.tables

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
APIP_ACTIONS = sa.text("action IN ('request_apip', 'approve_apip', 'refuse_apip')")
REOPENED = sa.text("reopen_count > 0")


def upgrade() -> None:
    op.create_table(
        'survey_invitations',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('case_id', Id, nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('service_code', sa.String(length=32), nullable=True),
        sa.Column('created_at', aduan.models.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', aduan.models.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('used_at', aduan.models.tables.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_survey_invitations_case_id_cases')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash')),
        sa.UniqueConstraint(
            'period',
            'case_id',
            'channel',
            name=op.f('uq_survey_invitations_period_case_id_channel'),
        ),
    )
    op.create_table(
        'survey_responses',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        sa.Column('invitation_id', Id, nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('service_code', sa.String(length=32), nullable=True),
        sa.Column('submitted_at', aduan.models.tables.UtcDateTime(timezone=True), nullable=False),
        *(sa.Column(f'u{i}', sa.Integer(), nullable=False) for i in range(1, 10)),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['invitation_id'],
            ['survey_invitations.id'],
            name=op.f('fk_survey_responses_invitation_id_survey_invitations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
        sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id')),
    )
    op.create_index(
        op.f('ix_survey_responses_period'), 'survey_responses', ['period'], unique=False
    )
    op.create_table(
        'singleton_runs',
        sa.Column('job', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('ran_at', aduan.models.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('instance', sa.String(length=128), nullable=False),
        sa.Column('result', aduan.models.tables.Json, nullable=False),
        sa.PrimaryKeyConstraint('job', 'period', name=op.f('pk_singleton_runs')),
    )
    # Plain CREATE INDEX (no batch): case_events carries the append-only triggers of 0002.
    op.create_index('ix_cases_received_at', 'cases', ['received_at'], unique=False)
    op.create_index(
        'ix_case_events_apip_action',
        'case_events',
        ['action', 'case_id'],
        unique=False,
        sqlite_where=APIP_ACTIONS,
        postgresql_where=APIP_ACTIONS,
    )
    op.create_index(
        'ix_cases_reopened_received_at',
        'cases',
        ['received_at'],
        unique=False,
        sqlite_where=REOPENED,
        postgresql_where=REOPENED,
    )


def downgrade() -> None:
    op.drop_index('ix_cases_reopened_received_at', table_name='cases')
    op.drop_index('ix_case_events_apip_action', table_name='case_events')
    op.drop_index('ix_cases_received_at', table_name='cases')
    op.drop_table('singleton_runs')
    op.drop_index(op.f('ix_survey_responses_period'), table_name='survey_responses')
    op.drop_table('survey_responses')
    op.drop_table('survey_invitations')
