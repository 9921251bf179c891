"""The public transparency page's figures (issue 14 item 7): anonymised, aggregated, pure.

What the page and its open-data CSV show for a period, arranged from what the office's own
reports read (``aduan.service.transparency`` gathers them in one unit of work):

- complaints received, resolved (closed by now) and suggestions received, per service and per
  standard component (a case with several components counts once under each): the same cases
  the staff statistics count, so the totals are the dashboard's (``Statistics.total``,
  ``complaints``, ``suggestions``, ``by_service``, ``by_problem_type``);
- the answer compliance (answered within 14 working days), the staff statistics' own;
- the satisfaction index (IKM) of each survey quarter the period touches, from verified
  responses only, as the official index (``aduan.service.survey.survey_results``);
- the yearly evaluation of the year before: per standard component, its cases against the year
  before that, and the suggestions the complaint staff forwarded to the evaluation.

Nothing here names a person or a case: no tracking code, name, contact or free text.

Small cells (``SMALL_CELL``): a service with fewer than 3 cases received in the period is not
shown on its own line; such services are added up in one line "other services", so every total
stays exact and no count of 1 or 2 points at the few people who used a rarely used licence.
The standard components are office-wide categories, not people, and are shown as counted. An
index computed from fewer than 3 verified respondents is not shown (its respondents' own
scores would be readable from it); the number of respondents is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aduan.ports import NO_VALUE, CaseGroup
from aduan.reports import labels
from aduan.reports.evaluation import Evaluation
from aduan.reports.export import csv_cell
from aduan.reports.ikm import Ikm
from aduan.reports.period import Period
from aduan.reports.statistics import Compliance, Statistics
from aduan.reports.survey import SurveyResult
from aduan.workflow.states import N_, Kind, Status

SMALL_CELL = 3  # fewer cases (a service) or verified respondents (an index): not shown alone
OTHER_SERVICES = "lainnya"
UNCLASSIFIED = "unclassified"
OTHER_SERVICES_LABEL = N_("Layanan lain (masing-masing kurang dari %(n)s kasus)")  # n: SMALL_CELL
UNCLASSIFIED_LABEL = N_("Belum diklasifikasi")
CSV_HEADER = ["periode", "bagian", "kode", "uraian", "ukuran", "nilai"]
_Keys = Callable[[CaseGroup], list[str]]  # the lines a group of cases counts on
_Label = Callable[[str], str]  # a line's words from its code


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a table: a service or a standard component.

    ``label`` is a msgid; ``values`` fill its ``%(placeholders)s`` (the "other services" line
    names ``SMALL_CELL``), so a label is shown as ``t(label, **values)``.
    """

    code: str
    label: str
    complaints: int
    resolved: int
    suggestions: int
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def words(self) -> str:
        """The label in Indonesian, its placeholders filled (the open data's words)."""
        return self.label % dict(self.values) if self.values else self.label

    @property
    def received(self) -> int:
        """Complaints and suggestions received."""
        return self.complaints + self.suggestions


@dataclass(frozen=True, slots=True)
class QuarterIndex:
    """The IKM of one survey quarter; ``ikm`` is None below ``SMALL_CELL`` respondents."""

    period: Period
    respondents: int
    ikm: Ikm | None


@dataclass(frozen=True, slots=True)
class ComponentChange:
    """A standard component in the yearly evaluation: its cases against the year before."""

    code: str
    label: str
    cases: int
    cases_before: int
    forwarded: int


@dataclass(frozen=True, slots=True)
class Transparency:
    """Everything the public page shows for one period."""

    period: Period
    generated_at: datetime
    total: int
    complaints: int
    resolved: int
    suggestions: int
    services: list[Row]
    merged_services: int  # how many services the "other services" line adds up
    components: list[Row]
    compliance: Compliance
    indexes: list[QuarterIndex]
    evaluation: Period
    changes: list[ComponentChange]


def arrange_transparency(
    statistics: Statistics,
    period: Period,
    now: datetime,
    groups: list[CaseGroup],
    surveys: list[SurveyResult],
    evaluation: Evaluation,
    service_names: Mapping[str, str],
) -> Transparency:
    """The public figures of ``period`` from the office's statistics and grouped cases."""
    names = labels.services(service_names)
    by_service = _rows(groups, lambda g: [g.service or NO_VALUE], lambda c: labels.label(names, c))
    kept = [r for r in by_service if r.received >= SMALL_CELL]
    small = [r for r in by_service if r.received < SMALL_CELL]
    if small:
        kept.append(_sum_rows(OTHER_SERVICES, OTHER_SERVICES_LABEL, small, {"n": SMALL_CELL}))
    components = _rows(
        groups,
        lambda g: sorted(set(g.problem_types)) or [UNCLASSIFIED],
        lambda c: (
            UNCLASSIFIED_LABEL if c == UNCLASSIFIED else labels.label(labels.PROBLEM_TYPES, c)
        ),
    )
    return Transparency(
        period=period,
        generated_at=now,
        total=statistics.total,
        complaints=statistics.complaints,
        resolved=sum(r.resolved for r in by_service),
        suggestions=statistics.suggestions,
        services=kept,
        merged_services=len(small),
        components=components,
        compliance=statistics.compliance,
        indexes=[_index(s) for s in surveys],
        evaluation=evaluation.period,
        changes=_changes(evaluation),
    )


def _component_label(code: str) -> str:
    if code == UNCLASSIFIED:
        return UNCLASSIFIED_LABEL
    return labels.label(labels.PROBLEM_TYPES, code)


def _rows(groups: list[CaseGroup], keys: _Keys, label: _Label) -> list[Row]:
    """Complaints, resolved complaints and suggestions per key, most received first."""
    counts: dict[str, list[int]] = {}
    for group in groups:
        complaint = group.kind == Kind.COMPLAINT.value
        closed = complaint and group.status == Status.CLOSED.value
        for key in keys(group):
            c = counts.setdefault(key, [0, 0, 0])
            c[0 if complaint else 2] += group.count
            c[1] += group.count if closed else 0
    rows = [Row(k, label(k), c[0], c[1], c[2]) for k, c in counts.items()]
    return sorted(rows, key=lambda r: (-r.received, r.code == UNCLASSIFIED, r.label))


def _sum_rows(code: str, label: str, rows: Iterable[Row], values: Mapping[str, object]) -> Row:
    listed = list(rows)
    return Row(
        code,
        label,
        sum(r.complaints for r in listed),
        sum(r.resolved for r in listed),
        sum(r.suggestions for r in listed),
        values,
    )


def _index(result: SurveyResult) -> QuarterIndex:
    shown = result.ikm if result.ikm.respondents >= SMALL_CELL else None
    return QuarterIndex(result.period, result.ikm.respondents, shown)


def _changes(evaluation: Evaluation) -> list[ComponentChange]:
    """Per component: the evaluated year's cases, the year before's, suggestions forwarded."""
    forwarded: dict[str, int] = {}
    for row in evaluation.rows:
        forwarded[row.component] = forwarded.get(row.component, 0) + row.forwarded
    return [
        ComponentChange(code, _component_label(code), now, before, forwarded.get(code, 0))
        for code, now, before in evaluation.top_problems
    ]


def transparency_csv(t: Transparency) -> str:
    """The page's figures as open data: one figure a row under ``CSV_HEADER`` (UTF-8 text).

    Labels are the Indonesian words; text cells a spreadsheet would run as a formula are
    quoted (``export.csv_cell``); a figure not shown on the page (a small index) is empty.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    key = t.period.key
    for row in _figures(t):
        w.writerow([csv_cell(v) for v in (key, *row)])
    return out.getvalue()


def _figures(t: Transparency) -> Iterable[tuple[str, str, str, str, object]]:
    summary = N_("Seluruh kantor")
    yield "ringkasan", "", summary, "kasus_diterima", t.total
    yield "ringkasan", "", summary, "pengaduan_diterima", t.complaints
    yield "ringkasan", "", summary, "pengaduan_selesai", t.resolved
    yield "ringkasan", "", summary, "saran_diterima", t.suggestions
    for part, rows in (("layanan", t.services), ("komponen", t.components)):
        for r in rows:
            yield part, r.code, r.words, "pengaduan_diterima", r.complaints
            yield part, r.code, r.words, "pengaduan_selesai", r.resolved
            yield part, r.code, r.words, "saran_diterima", r.suggestions
    c = t.compliance
    rate = "" if c.on_time_rate is None else round(100 * c.on_time_rate, 1)
    for measure, value in (
        ("tenggat_jatuh", c.falling_due),
        ("tepat_waktu", c.on_time),
        ("terlambat", c.late),
        ("belum_jatuh_tempo", c.pending),
        ("persen_tepat_waktu", rate),
    ):
        yield "ketepatan_waktu", "", N_("Jawaban dalam 14 hari kerja"), measure, value
    for q in t.indexes:
        ikm = q.ikm
        yield "ikm", q.period.key, q.period.label, "responden_terverifikasi", q.respondents
        yield "ikm", q.period.key, q.period.label, "nilai_ikm", _two(ikm.converted if ikm else None)
        grade = ikm.category.grade if ikm and ikm.category else ""
        yield "ikm", q.period.key, q.period.label, "mutu", grade
    year, before = t.evaluation.key, t.evaluation.previous().key
    for ch in t.changes:
        yield "evaluasi", ch.code, ch.label, f"kasus_{year}", ch.cases
        yield "evaluasi", ch.code, ch.label, f"kasus_{before}", ch.cases_before
        yield "evaluasi", ch.code, ch.label, "saran_diteruskan", ch.forwarded


def _two(value: float | None) -> object:
    return "" if value is None else round(value, 2)


def decimal_id(value: float | None, places: int = 2) -> str:
    """A number as written here: ``77,50`` (a decimal comma); ``-`` for none."""
    return "-" if value is None else f"{value:.{places}f}".replace(".", ",")
