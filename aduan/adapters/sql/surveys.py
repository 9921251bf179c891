"""SQL of the SKM survey (invitations, responses) and of office-wide singleton runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aduan.adapters.sql.tables import (
    cases,
    singleton_runs,
    survey_invitations,
    survey_responses,
)
from aduan.ports import Invitation, SurveyContact

ELEMENT_COLUMNS = tuple(f"u{i}" for i in range(1, 10))


def _insert_ignoring_conflicts(conn: Connection, table: Any, key: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING ``key`` on either engine (no race).

    A row comes back only when one was inserted (``rowcount`` is no guide: with RETURNING,
    psycopg reports -1).
    """
    dialect = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    return dialect(table).on_conflict_do_nothing().returning(key)


class SqlSurveyRepository:
    """``SurveyRepository`` on the connection of a SQL unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def closed_with_contact(self, start: datetime, end: datetime) -> list[SurveyContact]:
        """Cases closed in ``[start, end)`` whose complainant left an e-mail address or phone."""
        stmt = (
            select(
                cases.c.id,
                cases.c.tracking_code,
                cases.c.service_code,
                cases.c.complainant_email,
                cases.c.complainant_phone,
            )
            .where(
                cases.c.status == "closed",
                cases.c.closed_at >= start,
                cases.c.closed_at < end,
                (cases.c.complainant_email.is_not(None)) | (cases.c.complainant_phone.is_not(None)),
            )
            .order_by(cases.c.id)
        )
        return [SurveyContact(*row) for row in self.conn.execute(stmt)]

    def add_invitation(
        self,
        *,
        period: str,
        token_hash: str,
        case_id: int | None,
        channel: str,
        service_code: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> bool:
        """Store an invitation; False (nothing written) when the case was invited already."""
        result = self.conn.execute(
            _insert_ignoring_conflicts(self.conn, survey_invitations, survey_invitations.c.id),
            {
                "period": period,
                "token_hash": token_hash,
                "case_id": case_id,
                "channel": channel,
                "service_code": service_code,
                "created_at": now,
                "expires_at": expires_at,
            },
        )
        return result.first() is not None

    def invitation(self, token_hash: str) -> Invitation | None:
        """The invitation of a token, or None."""
        row = self.conn.execute(
            select(
                survey_invitations.c.id,
                survey_invitations.c.period,
                survey_invitations.c.service_code,
                survey_invitations.c.expires_at,
                survey_invitations.c.used_at,
                survey_invitations.c.case_id,
            ).where(survey_invitations.c.token_hash == token_hash)
        ).first()
        return None if row is None else Invitation(*row)

    def proven_cases(self, proof: str, code: str, start: datetime, end: datetime) -> list[int]:
        """Cases closed or answered in ``[start, end)`` with tracking code or licence number.

        ``code`` is matched as the tracking code, ``proof`` as the licence number; oldest first.
        """
        stmt = (
            select(cases.c.id)
            .where(
                or_(cases.c.tracking_code == code, cases.c.licence_number == proof),
                or_(
                    and_(cases.c.closed_at >= start, cases.c.closed_at < end),
                    and_(cases.c.answered_at >= start, cases.c.answered_at < end),
                ),
            )
            .order_by(cases.c.id)
            .limit(50)
        )
        return [int(i) for i in self.conn.execute(stmt).scalars()]

    def answered_cases(self, period: str, case_ids: Sequence[int]) -> set[int]:
        """Those of ``case_ids`` that have a response (invited or public) for ``period``."""
        if not case_ids:
            return set()
        stmt = select(survey_responses.c.case_id).where(
            survey_responses.c.period == period, survey_responses.c.case_id.in_(list(case_ids))
        )
        return {int(i) for i in self.conn.execute(stmt).scalars()}

    def open_public_invitation(
        self, *, period: str, case_id: int, token_hash: str, now: datetime, expires_at: datetime
    ) -> bool:
        """The case's public invitation for ``period`` with this token; False if used already.

        An unused earlier public invitation of the case gets the new token (one row per case).
        """
        if self.add_invitation(
            period=period,
            token_hash=token_hash,
            case_id=case_id,
            channel="public",
            service_code=self.conn.execute(
                select(cases.c.service_code).where(cases.c.id == case_id)
            ).scalar_one_or_none(),
            now=now,
            expires_at=expires_at,
        ):
            return True
        result = self.conn.execute(
            update(survey_invitations)
            .where(
                survey_invitations.c.period == period,
                survey_invitations.c.case_id == case_id,
                survey_invitations.c.channel == "public",
                survey_invitations.c.used_at.is_(None),
            )
            .values(token_hash=token_hash, created_at=now, expires_at=expires_at)
        )
        return result.rowcount == 1

    def use_invitation(self, invitation_id: int, now: datetime) -> bool:
        """Mark the invitation used if it is still unused and unexpired; False otherwise.

        One conditional UPDATE: of two simultaneous submissions, exactly one sees a row changed.
        """
        result = self.conn.execute(
            update(survey_invitations)
            .where(
                survey_invitations.c.id == invitation_id,
                survey_invitations.c.used_at.is_(None),
                survey_invitations.c.expires_at > now,
            )
            .values(used_at=now)
        )
        return result.rowcount == 1

    def add_response(
        self,
        invitation: Invitation,
        scores: Sequence[int],
        comment: str | None,
        now: datetime,
    ) -> None:
        """Store one respondent's nine scores."""
        values: dict[str, Any] = dict(zip(ELEMENT_COLUMNS, scores, strict=True))
        self.conn.execute(
            insert(survey_responses).values(
                invitation_id=invitation.id,
                case_id=invitation.case_id,
                period=invitation.period,
                service_code=invitation.service_code,
                submitted_at=now,
                comment=comment,
                **values,
            )
        )

    def score_sums(self, period: str) -> tuple[int, list[int]]:
        """Verified respondents of a period (with a case) and their score sums, summed in SQL."""
        cols = [func.coalesce(func.sum(survey_responses.c[c]), 0) for c in ELEMENT_COLUMNS]
        row = self.conn.execute(
            select(func.count(), *cols).where(
                survey_responses.c.period == period, survey_responses.c.case_id.is_not(None)
            )
        ).one()
        return int(row[0]), [int(v) for v in row[1:]]

    def unverified_count(self, period: str) -> int:
        """Public responses of a period without a case (not counted in the index)."""
        return int(
            self.conn.execute(
                select(func.count()).where(
                    survey_responses.c.period == period, survey_responses.c.case_id.is_(None)
                )
            ).scalar_one()
        )

    def comments(self, period: str, limit: int = 500) -> list[str]:
        """Respondents' free-text suggestions of a period, oldest first."""
        stmt = (
            select(survey_responses.c.comment)
            .where(
                and_(survey_responses.c.period == period, survey_responses.c.comment.is_not(None))
            )
            .order_by(survey_responses.c.id)
            .limit(limit)
        )
        return [str(c) for c in self.conn.execute(stmt).scalars() if str(c).strip()]


class SqlSingletonRuns:
    """``SingletonRuns`` on the connection of a SQL unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def claim(self, job: str, period: str, instance: str, now: datetime) -> bool:
        """Claim the run of ``job`` for ``period``; False when another instance has it.

        The row commits with the job's work, in the same transaction. A concurrent claimer's
        INSERT waits on the unique key (PostgreSQL) or on the write lock (SQLite ``BEGIN
        IMMEDIATE``), then finds the row and does nothing; if the first rolls back, it proceeds.
        """
        result = self.conn.execute(
            _insert_ignoring_conflicts(self.conn, singleton_runs, singleton_runs.c.job),
            {"job": job, "period": period, "ran_at": now, "instance": instance, "result": {}},
        )
        return result.first() is not None

    def record_result(self, job: str, period: str, result: dict[str, Any]) -> None:
        """Store what the run did, for the administrator."""
        self.conn.execute(
            update(singleton_runs)
            .where(singleton_runs.c.job == job, singleton_runs.c.period == period)
            .values(result=result)
        )

    def runs_of(self, job: str) -> list[tuple[str, datetime, str]]:
        """(period, ran_at, instance) of every run of ``job``."""
        stmt = (
            select(singleton_runs.c.period, singleton_runs.c.ran_at, singleton_runs.c.instance)
            .where(singleton_runs.c.job == job)
            .order_by(singleton_runs.c.period)
        )
        return [(str(p), r, str(i)) for p, r, i in self.conn.execute(stmt)]
