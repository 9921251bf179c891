"""Units of work that can read reports: the SQL ones (the database counts, groups and streams).

The report readers (``ports.ReportingUnitOfWork``) exist only on SQLite and PostgreSQL; a report
asked of another store (the in-memory fake) is an input error, not a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aduan.ports import ReportingUnitOfWork, UnitOfWork
from aduan.service.deps import Deps
from aduan.workflow.errors import InputError


def reporting(uow: UnitOfWork) -> ReportingUnitOfWork:
    """``uow`` with its report readers; an input error when it has none."""
    if not isinstance(uow, ReportingUnitOfWork):
        raise InputError(
            "database",
            "sql",
            "laporan memerlukan basis data SQL (SQLite atau PostgreSQL)",
            "reports need a SQL database (SQLite or PostgreSQL)",
        )
    return uow


@contextmanager
def reporting_uow(deps: Deps, *, readonly: bool = False) -> Iterator[ReportingUnitOfWork]:
    """Open a unit of work with report readers (rolled back unless committed, as any)."""
    with deps.uow(readonly=readonly) as uow:
        yield reporting(uow)
