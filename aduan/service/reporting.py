"""Units of work that can read reports, and who may read them (DESIGN §6).

The report readers (``ports.ReportingUnitOfWork``) exist only on SQLite and PostgreSQL; a report
asked of another store (the in-memory fake) is an input error, not a crash. Every report on cases
is read as one staff user sees it: their ``Sight`` goes into each query, so an agency counts,
lists and exports only the cases that are or were on its track; the administrator, who sees no
case content, gets no report on cases at all.

The office-wide figures (the statistics, the dashboard and the recap) are for the office's
supervisors and Head (issue 16 item 1): a plain office officer, whose sight is every case of
the office, gets none of them (``figures_viewer``), while the unit-scoped staff (an agency, the
inspectorate) keep the figures of their own cases. The export stays open to every reader of
cases, an officer included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aduan.ports import ReportingUnitOfWork, UnitOfWork
from aduan.service.deps import Deps, Viewer, viewer_of
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.states import N_, Role
from aduan.workflow.visibility import Reach

REPORT_SIGHT_RULE = "case_sight"
FIGURES_RULE = "office_figures"
# Who reads the office-wide figures: the office's complaints manager and the Head of Office.
OFFICE_FIGURES_ROLES = frozenset({Role.SUPERVISOR, Role.HEAD})
# Who may open the figures at all: those two, and the unit-scoped staff on their own cases.
FIGURES_ROLES = OFFICE_FIGURES_ROLES | {Role.AGENCY_OFFICER, Role.AGENCY_HEAD, Role.APIP}


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


def figures_viewer(deps: Deps, uow: UnitOfWork, username: str) -> Viewer:
    """``username`` as a reader of figures (statistics, dashboard, recap); as ``report_viewer``.

    ``AccessDeniedError`` (``office_figures``) for a reader whose sight is the whole office
    but who is neither the complaints manager nor the Head: the office-wide dashboard is theirs.
    """
    viewer = report_viewer(deps, uow, username)
    if not reads_figures(viewer):
        raise AccessDeniedError(
            FIGURES_RULE,
            N_(
                "dasbor, statistik dan rekap seluruh kantor hanya untuk pengelola pengaduan "
                "dan Kepala Kantor; petugas pengaduan dapat mengunduh ekspor kasus"
            ),
        )
    return viewer


def reads_figures(viewer: Viewer) -> bool:
    """Whether ``viewer`` (a reader of reports) may open the figures (see ``figures_viewer``)."""
    return viewer.sight.reach is not Reach.OFFICE or viewer.actor.role in OFFICE_FIGURES_ROLES


def check_report_reader(deps: Deps, username: str) -> Viewer:
    """``report_viewer`` in a unit of work of its own, for entry points that list reports."""
    with deps.uow(readonly=True) as uow:
        return report_viewer(deps, uow, username)
