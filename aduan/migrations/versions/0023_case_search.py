"""case_search: full-text search over cases (issue 14 item 2)

One row per case with its searchable text (subject, description, plan steps, the answer; the
notes and written reports; the complainant's name and contacts apart), written on the save path
by ``adapters/sql/search.py`` (no trigger). On SQLite an FTS5 table (``unicode61
remove_diacritics 2``) holding the Snowball stems of the words, the text as written unindexed;
on PostgreSQL the text and a generated ``tsvector`` with the built-in ``indonesian``
configuration under a GIN index. Existing cases are indexed here.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from aduan.adapters.sql.search import rebuild

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SQLITE = """
CREATE VIRTUAL TABLE case_search USING fts5(
    facts, log, people,
    facts_text UNINDEXED, log_text UNINDEXED, people_text UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
)
"""
POSTGRESQL = """
CREATE TABLE case_search (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    facts TEXT NOT NULL,
    log TEXT NOT NULL,
    people TEXT NOT NULL,
    doc TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('indonesian'::regconfig, facts), 'A')
        || setweight(to_tsvector('indonesian'::regconfig, log), 'B')
        || setweight(to_tsvector('indonesian'::regconfig, people), 'D')
    ) STORED
)
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(SQLITE)
    else:
        op.execute(POSTGRESQL)
        op.execute("CREATE INDEX ix_case_search_doc ON case_search USING gin (doc)")
    rebuild(bind)


def downgrade() -> None:
    op.execute("DROP TABLE case_search")
