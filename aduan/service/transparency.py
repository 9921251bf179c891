"""The public transparency page's use case (issue 14 item 7): the office's figures, no user.

Read in one unit of work with the office's sight (``OFFICE_SIGHT``: every case of the office,
sealed ones included, as the Head of Office's dashboard counts them), through the same
readers as the staff reports (``statistics_in``, ``evaluation_in``, ``survey_results_in``),
so no figure on the public page disagrees with the staff pages; ``aduan.reports.transparency``
keeps only the aggregated, anonymised part of them.
"""

from __future__ import annotations

from datetime import timedelta

from aduan.reports.period import Period, quarter_of, year
from aduan.reports.transparency import Transparency, arrange_transparency
from aduan.service.deps import Deps
from aduan.service.evaluation import evaluation_in
from aduan.service.reporting import reporting_uow
from aduan.service.reports import statistics_in
from aduan.service.survey import survey_results_in
from aduan.workflow.visibility import OFFICE_SIGHT


def survey_quarters(period: Period) -> list[Period]:
    """The survey quarters ``period`` touches (a month: its quarter; a year: its four)."""
    found = [quarter_of(period.first)]
    while found[-1].last < period.last:
        found.append(quarter_of(found[-1].last + timedelta(days=1)))
    return found


def public_figures(deps: Deps, period: Period) -> Transparency:
    """The public figures of ``period`` as of now; the evaluation shown is the year before's."""
    evaluated = year(period.first.year - 1)
    with reporting_uow(deps, readonly=True) as uow:
        names = {s.code: s.title for s in uow.reference.services()}
        statistics = statistics_in(deps, uow, period, OFFICE_SIGHT)
        groups = uow.listings.case_groups(period.start_at, period.end_at, sight=OFFICE_SIGHT)
        surveys = [survey_results_in(uow, q) for q in survey_quarters(period)]
        evaluation = evaluation_in(uow, evaluated, OFFICE_SIGHT)
    now = deps.clock.now()
    return arrange_transparency(statistics, period, now, groups, surveys, evaluation, names)
