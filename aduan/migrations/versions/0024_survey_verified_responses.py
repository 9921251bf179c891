"""SKM responses name the case they speak for: the official IKM counts only verified ones

Issue 17: the public survey link handed a fresh token to every visit, so scripted answers could
set a quarter's index. ``survey_responses.case_id`` now names the case a response speaks for:
an invited complainant's case, or the case whose tracking code or licence number a public
respondent gave. One response per case and quarter (``uq_survey_responses_period_case_id``);
the index counts only responses with a case. Earlier invited responses get their case here;
earlier public responses (no proof) keep none and are not counted.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

from aduan.adapters.sql.tables import Id

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite copies the table (batch) and reflects ``cases`` for the new foreign key; that
    # reflection skips the expression index of 0009 with a warning, harmlessly: ``cases`` is
    # only read, not copied.
    with (
        warnings.catch_warnings(),
        op.batch_alter_table("survey_responses", schema=None) as batch_op,
    ):
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning
        )
        batch_op.add_column(sa.Column("case_id", Id, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_responses_case_id_cases"), "cases", ["case_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_survey_responses_period_case_id"), ["period", "case_id"]
        )
    op.execute(
        "UPDATE survey_responses SET case_id = (SELECT i.case_id FROM survey_invitations i"
        " WHERE i.id = survey_responses.invitation_id AND i.channel <> 'public')"
    )


def downgrade() -> None:
    with (
        warnings.catch_warnings(),
        op.batch_alter_table("survey_responses", schema=None) as batch_op,
    ):
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning
        )
        batch_op.drop_constraint(batch_op.f("uq_survey_responses_period_case_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_survey_responses_case_id_cases"), type_="foreignkey"
        )
        batch_op.drop_column("case_id")
