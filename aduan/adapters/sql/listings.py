"""SQL of the case listings behind exports and the yearly evaluation (streamed, grouped).

Each lists only the cases the reader's ``Sight`` reaches (DESIGN §6), in the query itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, String, cast, func, select

from aduan.adapters.sql.stats import in_scope
from aduan.adapters.sql.tables import cases
from aduan.ports import EXPORT_COLUMNS, CaseGroup
from aduan.workflow.visibility import Sight


class SqlCaseListingReader:
    """``CaseListingReader`` on the connection of a SQL unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def export_rows(self, start: datetime, end: datetime, *, sight: Sight) -> Iterator[RowMapping]:
        """The period's cases in id order, streamed in batches (memory stays flat)."""
        stmt = (
            select(*(cases.c[c] for c in EXPORT_COLUMNS))
            .where(in_scope(start, end, sight))
            .order_by(cases.c.id)
            # On the statement, not the connection: ``Connection.execution_options`` changes
            # the connection in place, and a later statement on it (``SET LOCAL`` of the
            # statistics) would run through a server-side cursor and fail on PostgreSQL.
            .execution_options(yield_per=2_000)
        )
        yield from self.conn.execute(stmt).mappings()

    def service_problem_counts(
        self, start: datetime, end: datetime, *, sight: Sight
    ) -> dict[tuple[str, str, str], int]:
        """Cases of the period by (service, kind, problem type): ``case_groups`` summed."""
        found: dict[tuple[str, str, str], int] = {}
        for group in self.case_groups(start, end, sight=sight):
            for problem in set(group.problem_types) or {"unclassified"}:
                k = (group.service or "-", group.kind, problem)
                found[k] = found.get(k, 0) + group.count
        return found

    def case_groups(self, start: datetime, end: datetime, *, sight: Sight) -> list[CaseGroup]:
        """The period's cases by (service, kind, stored problem types, status), grouped in SQL."""
        key = cast(cases.c.problem_types, String)
        cols = (cases.c.service_code, cases.c.kind, key, cases.c.status)
        stmt = select(*cols, func.count()).where(in_scope(start, end, sight)).group_by(*cols)
        return [
            CaseGroup(service, str(kind), tuple(json.loads(stored or "[]")), str(status), int(n))
            for service, kind, stored, status, n in self.conn.execute(stmt)
        ]

    def suggestions(
        self, start: datetime, end: datetime, *, sight: Sight, limit: int = 10_000
    ) -> list[dict[str, Any]]:
        """Every suggestion of the period (late complaints treated as suggestions included).

        With its status (forwarded to the evaluation or not) and its classification.
        """
        stmt = (
            select(
                cases.c.tracking_code,
                cases.c.received_at,
                cases.c.service_code,
                cases.c.screening_reason,
                cases.c.subject,
                cases.c.description,
                cases.c.status,
                cases.c.problem_types,
            )
            .where(in_scope(start, end, sight), cases.c.kind == "suggestion")
            .order_by(cases.c.received_at, cases.c.id)
            .limit(limit)
        )
        return [dict(r) for r in self.conn.execute(stmt).mappings()]
