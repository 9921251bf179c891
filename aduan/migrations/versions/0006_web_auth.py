"""web: staff auth, tokens, sessions, login audit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aduan.adapters.sql.tables

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The login audit is append-only, like the case audit (0001, 0002).
AUDIT = "auth_events"


def upgrade() -> None:
    op.create_table(
        'credentials',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('updated_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_credentials')),
    )
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    op.create_index(op.f('ix_api_tokens_username'), 'api_tokens', ['username'], unique=False)
    op.create_table(
        'web_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('client_ip', sa.String(length=64), nullable=False),
        sa.Column('created_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_web_sessions')),
    )
    op.create_index(op.f('ix_web_sessions_username'), 'web_sessions', ['username'], unique=False)
    op.create_table(
        'client_keys',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_client_keys')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_client_keys_key_hash')),
    )
    op.create_table(
        'auth_events',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('at', aduan.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('client_ip', sa.String(length=64), nullable=False),
        sa.Column('detail', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_events')),
    )
    op.create_index(
        'ix_auth_events_username_client_ip_at',
        'auth_events',
        ['username', 'client_ip', 'at'],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {AUDIT}_append_only BEFORE UPDATE OR DELETE ON {AUDIT} "
            "FOR EACH ROW EXECUTE FUNCTION aduan_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {AUDIT}_no_truncate BEFORE TRUNCATE ON {AUDIT} "
            "FOR EACH STATEMENT EXECUTE FUNCTION aduan_append_only()"
        )
    else:
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {AUDIT}_no_{verb} BEFORE {verb.upper()} ON {AUDIT} "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_append_only ON {AUDIT}")
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_truncate ON {AUDIT}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_delete")
    op.drop_index('ix_auth_events_username_client_ip_at', table_name='auth_events')
    op.drop_table('auth_events')
    op.drop_table('client_keys')
    op.drop_index(op.f('ix_web_sessions_username'), table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_index(op.f('ix_api_tokens_username'), table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_table('credentials')
