"""Report use cases: statistics, the recap, the rollup's compaction, written reports, the export.

Each reads through the report readers of one unit of work (``reporting_uow``) and hands what
the database counted to ``aduan.reports`` to arrange and render. Each is read as one staff user
sees the cases (``reporting.report_viewer``, DESIGN §6): the office's complaint staff and the
Head the whole office, an agency or the inspectorate only the cases that are or were with it;
the administrator is refused. The figures (statistics, the recap and its lists) are for the
office's complaints manager and Head, and for the unit-scoped staff on their own cases
(``reporting.figures_viewer``); a plain office officer keeps the export.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, Any

import structlog

from aduan.config import Office
from aduan.escalation.deadlines import DeadlineKind, describe
from aduan.ports import CaseLine, IdentityAccess, ReportingUnitOfWork
from aduan.reports import export
from aduan.reports.documents import ReportDocument, assemble_written_report
from aduan.reports.period import Period
from aduan.reports.recap import RECAP_LIST_LIMIT, Recap
from aduan.reports.statistics import Statistics, arrange_statistics
from aduan.service.cases import get_case
from aduan.service.deps import Deps
from aduan.service.identity import shows_identity
from aduan.service.reference import list_services, show_orgchart
from aduan.service.reporting import (
    check_report_reader,
    figures_viewer,
    report_viewer,
    reporting_uow,
)
from aduan.workflow.case import Actor
from aduan.workflow.states import Role
from aduan.workflow.visibility import Sight

log = structlog.get_logger()

EXPORT = "export"  # the reason recorded for a case exported with its complainant unmasked


def compute_statistics(
    deps: Deps, period: Period, username: str, *, rollup: bool = True
) -> Statistics:
    """The statistics of the cases received in ``period`` that ``username`` sees, as of now.

    ``rollup``: read the months the period covers whole from the rollup (folded from the audit
    trail, plus what is not folded yet), the rest from the cases; ``False`` aggregates every
    case of the period (the same numbers, slower: for checks and the benchmark). The rollup is
    the office's: a narrower sight counts cases.
    """
    with reporting_uow(deps, readonly=True) as uow:
        sight = figures_viewer(deps, uow, username).sight
        return statistics_in(deps, uow, period, sight, rollup=rollup)


def statistics_in(
    deps: Deps, uow: ReportingUnitOfWork, period: Period, sight: Sight, *, rollup: bool = True
) -> Statistics:
    """The statistics of ``period`` for ``sight``, read in ``uow`` (see ``compute_statistics``).

    The public transparency page reads the office's with ``OFFICE_SIGHT`` (no user) here, so
    its figures are the office dashboard's.
    """
    now = deps.clock.now()
    start, end = period.start_at, period.end_at
    counts = uow.stats.period_counts(start, end, now, sight=sight, rollup=rollup)
    due = uow.stats.deadline_compliance(start, end, now, sight=sight)
    history = uow.stats.reopened_tier_history(start, end, sight=sight)
    calendar = deps.calendars.get(uow)
    chart = deps.reference.orgchart(uow) if history else None
    return arrange_statistics(period, now, counts, due, history, calendar, chart)


def fold_rollup(deps: Deps) -> dict[str, int] | None:
    """Fold the audit trail past the watermark into the statistics rollup (the scheduler's job).

    Exactly once across instances: a fold that finds another at work leaves it to that one
    (``{"skipped": 1}``). None when there was nothing to fold.
    """
    with reporting_uow(deps) as uow:
        folded = uow.stats.fold_rollup(deps.clock.now())  # first: it sets the isolation
        if folded is None:
            return {"skipped": 1}
        uow.commit()
    return {"cases": folded} if folded else None


def compact_rollup(deps: Deps) -> dict[str, int]:
    """Sum the statistics rollup's signed rows per group (the scheduler runs it hourly)."""
    with reporting_uow(deps) as uow:
        removed = uow.stats.compact_rollup()
        uow.commit()
    return {"rows_removed": removed}


def case_lists(
    deps: Deps, period: Period, username: str
) -> tuple[list[CaseLine], list[CaseLine], dict[int, int]]:
    """The complaints still overdue as the period closes, its APIP cases, and days late.

    The overdue complaints are those unanswered at now whose deadline passed before the
    period's end, whenever they arrived, less those waiting for the complainant's information
    since before their deadline; with each one's working days late (as the case page counts
    them). Only those ``username`` sees.
    """
    now = deps.clock.now()
    start, end = period.start_at, period.end_at
    with reporting_uow(deps, readonly=True) as uow:
        sight = figures_viewer(deps, uow, username).sight
        overdue = uow.stats.overdue_cases(start, end, now, RECAP_LIST_LIMIT, sight=sight)
        apip = uow.stats.apip_cases(start, end, RECAP_LIST_LIMIT, sight=sight)
        calendar = deps.calendars.get(uow)
    # Late until now, or until its clock stopped for the complainant's information (as the
    # queues count it: the days it waits are not the office's).
    late = {
        c.id: describe(
            DeadlineKind.RESPONSE, c.response_due_at, c.info_requested_at or now, calendar
        ).overdue_working_days
        for c in overdue
        if c.response_due_at is not None
    }
    return overdue, apip, late


def build_recap(deps: Deps, period: Period, username: str) -> Recap:
    """Gather the recap of ``period`` as ``username`` sees it (statistics as of now)."""
    overdue, apip, late = case_lists(deps, period, username)
    statistics = compute_statistics(deps, period, username)
    names = {s.code: s.title for s in list_services(deps)}
    return Recap(period, statistics, overdue, apip, late, names)


def written_report(
    deps: Deps, case_ref: str, username: str, number: int, office: Office
) -> ReportDocument:
    """The ``number``-th (1-based) written report of a case, as ``username`` may see it.

    A case out of ``username``'s sight is not found, exactly as one that does not exist.
    """
    check_report_reader(deps, username)  # the administrator: refused, whatever the case
    case = get_case(deps, case_ref, username)
    return assemble_written_report(case, show_orgchart(deps), number, office)


def export_cases(deps: Deps, period: Period, username: str, fmt: str, out: IO[bytes]) -> int:
    """Write the period's cases to ``out`` as ``fmt`` (csv or xlsx); return how many.

    Only the cases ``username`` sees; the rows stream from the database into the writer
    (memory stays flat); the complainant's identity is shown as ``username``'s role may see it.
    Every exported case whose complainant is shown unmasked is then on record in the
    identity-access log (reason ``export``, one write transaction after the read, issue 16
    item 4); a masked export writes nothing.
    """
    export.check_format(fmt)
    unmasked: list[int] = []
    now = deps.clock.now()
    names = {s.code: s.title for s in list_services(deps)}
    with reporting_uow(deps, readonly=True) as uow:
        viewer = report_viewer(deps, uow, username)
        rows = uow.listings.export_rows(period.start_at, period.end_at, sight=viewer.sight)
        lines = _export_lines(rows, viewer.actor.role, unmasked, now, names)
        count = export.write_export(lines, period, fmt, out)
    _record_export(deps, viewer.actor, unmasked)
    log.info(
        "cases_exported",
        period=period.key,
        rows=count,
        unmasked=len(unmasked),
        format=fmt,
        by=username,
    )
    return count


def _export_lines(
    rows: Iterable[Mapping[str, Any]],
    role: Role,
    unmasked: list[int],
    now: datetime,
    service_names: Mapping[str, str],
) -> Iterator[list[Any]]:
    """The export lines of ``rows``; the id of each case shown unmasked goes to ``unmasked``."""
    for row in rows:
        if shows_identity(export.export_complainant(row, role)):
            unmasked.append(row["id"])
        yield export.export_line(row, role, now, service_names)


def _record_export(deps: Deps, actor: Actor, case_ids: list[int]) -> None:
    """One identity-access entry per case of ``case_ids``, in one transaction."""
    if not case_ids:
        return
    now = deps.clock.now()
    with deps.uow() as uow:
        for case_id in case_ids:
            uow.identity.record(
                IdentityAccess(case_id, now, actor.username, actor.role.value, EXPORT)
            )
        uow.commit()
