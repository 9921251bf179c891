"""Units of work that can read reports, and who may read them (DESIGN §6).

The report readers (``ports.ReportingUnitOfWork``) exist only on SQLite and PostgreSQL; a report
asked of another store (the in-memory fake) is an input error, not a crash. Every report on cases
is read as one staff user sees it: their ``Sight`` goes into each query, so an agency counts,
lists and exports only the cases that are or were on its track; the administrator, who sees no
case content, gets no report on cases at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aduan.ports import ReportingUnitOfWork, UnitOfWork
from aduan.service.deps import Deps, Viewer, viewer_of
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.states import N_
from aduan.workflow.visibility import Reach

REPORT_SIGHT_RULE = "case_sight"


def reporting(uow: UnitOfWork) -> ReportingUnitOfWork:
    """``uow`` with its report readers; an input error when it has none."""
    if not isinstance(uow, ReportingUnitOfWork):
        raise InputError(
            "database",
            "sql",
            N_("laporan memerlukan basis data SQL (SQLite atau PostgreSQL)"),
        )
    return uow


@contextmanager
def reporting_uow(deps: Deps, *, readonly: bool = False) -> Iterator[ReportingUnitOfWork]:
    """Open a unit of work with report readers (rolled back unless committed, as any)."""
    with deps.uow(readonly=readonly) as uow:
        yield reporting(uow)


def report_viewer(deps: Deps, uow: UnitOfWork, username: str) -> Viewer:
    """``username`` as a reader of reports on cases; refused when they see no case at all.

    An input error for an unknown or inactive user (as ``actor_of``); ``AccessDeniedError``
    for a user without sight of any case (the administrator: operational views only).
    """
    viewer = viewer_of(deps, uow, username)
    if viewer.sight.reach is Reach.NONE:
        raise AccessDeniedError(
            REPORT_SIGHT_RULE,
            N_(
                "peran '%(role)s' tidak melihat isi kasus: laporan, statistik dan ekspor kasus "
                "hanya untuk petugas yang menangani kasus"
            ),
            role=viewer.actor.role.value,
        )
    return viewer


def check_report_reader(deps: Deps, username: str) -> Viewer:
    """``report_viewer`` in a unit of work of its own, for entry points that list reports."""
    with deps.uow(readonly=True) as uow:
        return report_viewer(deps, uow, username)
