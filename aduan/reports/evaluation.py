"""The yearly evaluation of the service standard (seed component 14, issue 6 item 5).

Complaints and suggestions per service × standard component against the previous year, the
most frequent problems, and every suggestion (late complaints treated as suggestions
included) for the revision of the standard; PDF and CSV; announced to all staff in the app.
The use cases (gathering, announcing) are in ``aduan.service.evaluation``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.units import cm
from reportlab.platypus import Flowable

from aduan.config import Office
from aduan.ports import OutboxMessage
from aduan.reports import pdf
from aduan.reports.documents import day_id
from aduan.reports.period import Period
from aduan.reports.recap import problem_labels
from aduan.workflow.states import Status

REASONS = {"late": "Lewat 30 hari", "no_identity": "Tanpa identitas", "no_subject": "Tanpa materi"}
FORWARDED = Status.SUGGESTION_FORWARDED.value


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    """One service × standard component: this year's and last year's counts."""

    service: str
    component: str
    complaints: int
    suggestions: int
    complaints_before: int
    suggestions_before: int
    forwarded: int = 0  # this year's suggestions the complaint staff forwarded to the evaluation


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The evaluation of one year."""

    period: Period
    rows: list[EvaluationRow]
    top_problems: list[tuple[str, int, int]]  # component, this year, last year
    suggestions: list[dict[str, Any]]


Counted = dict[tuple[str, str, str], int]  # (service, kind, problem type) -> cases


def arrange_evaluation(
    period: Period, now: Counted, then: Counted, notes: list[dict[str, Any]]
) -> Evaluation:
    """The evaluation of a year from its counts, the previous year's and its suggestions.

    A suggestion the complaint staff classified counts under its service and standard
    components like a complaint; ``forwarded`` counts those they forwarded to the evaluation.
    """
    forwarded = forwarded_counts(notes)
    keys = sorted({(s, p) for s, _, p in now} | {(s, p) for s, _, p in then} | set(forwarded))
    rows = [
        EvaluationRow(
            s, p,
            now.get((s, "complaint", p), 0), now.get((s, "suggestion", p), 0),
            then.get((s, "complaint", p), 0), then.get((s, "suggestion", p), 0),
            forwarded.get((s, p), 0),
        )
        for s, p in keys
    ]  # fmt: skip
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.component, [0, 0])
        t[0] += r.complaints + r.suggestions
        t[1] += r.complaints_before + r.suggestions_before
    top = sorted(((c, a, b) for c, (a, b) in totals.items()), key=lambda x: (-x[1], x[0]))
    return Evaluation(period, rows, top, notes)


def forwarded_counts(notes: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Suggestions forwarded to the evaluation by (service, standard component)."""
    found: dict[tuple[str, str], int] = {}
    for note in notes:
        if note.get("status") != FORWARDED:
            continue
        for problem in set(note.get("problem_types") or []) or {"unclassified"}:
            key = (note["service_code"] or "-", problem)
            found[key] = found.get(key, 0) + 1
    return found


def evaluation_csv(e: Evaluation) -> str:
    """Two tables in one CSV: the counts per service × component, then every suggestion."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    prev = e.period.previous().key
    w.writerow(["service", "component", "complaints", "suggestions",
                f"complaints_{prev}", f"suggestions_{prev}", "suggestions_forwarded"])  # fmt: skip
    for r in e.rows:
        w.writerow([r.service, r.component, r.complaints, r.suggestions,
                    r.complaints_before, r.suggestions_before, r.forwarded])  # fmt: skip
    w.writerow([])
    w.writerow(["tracking_code", "received_at", "service", "reason", "subject", "description",
                "components", "forwarded"])  # fmt: skip
    for s in e.suggestions:
        w.writerow([s["tracking_code"], s["received_at"].isoformat(), s["service_code"] or "-",
                    s["screening_reason"] or "-", s["subject"], s["description"],
                    ";".join(s.get("problem_types") or []) or "-",
                    "yes" if s.get("status") == FORWARDED else "no"])  # fmt: skip
    return out.getvalue()


def evaluation_pdf(e: Evaluation, office: Office) -> bytes:
    """The evaluation as a PDF for all staff."""
    labels = problem_labels()
    prev = e.period.previous().key
    story: list[Flowable] = [*pdf.letterhead(office)]
    story += [pdf.para(f"EVALUASI STANDAR PELAYANAN {e.period.label.upper()}", pdf.TITLE)]
    story += [pdf.para("Masalah paling sering", pdf.HEADING)]
    story += [pdf.grid_table(
        ["Komponen standar", str(e.period.key), prev],
        [[labels.get(c, c), a, b] for c, a, b in e.top_problems],
        [9 * cm, 3 * cm, 3 * cm],
    )]  # fmt: skip
    story += [pdf.bar_drawing("Pengaduan dan saran per komponen",
                              {c: a for c, a, _ in e.top_problems}, labels)]  # fmt: skip
    story += [pdf.para("Per layanan dan komponen (pengaduan/saran)", pdf.HEADING)]
    story += [pdf.grid_table(
        ["Layanan", "Komponen", f"{e.period.key}", prev, "Saran diteruskan"],
        [[r.service, labels.get(r.component, r.component),
          f"{r.complaints}/{r.suggestions}", f"{r.complaints_before}/{r.suggestions_before}",
          r.forwarded]
         for r in e.rows],
        [2.5 * cm, 6 * cm, 2.5 * cm, 2.5 * cm, 3 * cm],
    )]  # fmt: skip
    story += [pdf.para(f"Seluruh saran/masukan ({len(e.suggestions)})", pdf.HEADING)]
    story += [pdf.grid_table(
        ["Nomor", "Diterima", "Alasan", "Perihal dan isi"],
        [[s["tracking_code"], day_id(s["received_at"]),
          REASONS.get(s["screening_reason"] or "", "Saran"),
          f"{s['subject']}: {s['description']}"] for s in e.suggestions],
        [3.2 * cm, 2.6 * cm, 2.6 * cm, 8 * cm],
    )]  # fmt: skip
    return pdf.build(story, f"Evaluasi standar pelayanan {e.period.key}")


def announcement(period: Period, username: str, now: datetime) -> OutboxMessage:
    """The in-app notice to one staff member that the evaluation is out (component 14.3)."""
    return OutboxMessage(
        idempotency_key=f"evaluation:{period.key}:{username}",
        event="evaluation_published",
        recipient=username,
        channel="in_app",
        payload={
            "subject": f"Evaluasi standar pelayanan {period.label}",
            "text": (
                f"Hasil evaluasi standar pelayanan dan SOP {period.label} tersedia: "
                f"aduan report evaluation --year {period.key}. Mohon dipelajari untuk "
                "merumuskan perbaikan. / The yearly evaluation is out."
            ),
            "period": period.key,
        },
        created_at=now,
    )
