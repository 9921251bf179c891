"""The transparency figures' open data: a header row, and no formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from aduan.reports.period import month, year
from aduan.reports.statistics import Compliance
from aduan.reports.transparency import CSV_HEADER, Row, Transparency, transparency_csv


def figures(service_label: str) -> Transparency:
    compliance = Compliance(
        falling_due=0, on_time=0, late_answered=0, overdue_open=0, late=0, pending=0,
        ended_unanswered=0, on_time_rate=None,
    )  # fmt: skip
    return Transparency(
        period=month("2026-02"),
        generated_at=datetime(2026, 3, 2, 3, tzinfo=UTC),
        total=3, complaints=3, resolved=0, suggestions=0,
        services=[Row("99999", service_label, 3, 0, 0)], merged_services=0,
        components=[], compliance=compliance, indexes=[], evaluation=year(2025), changes=[],
    )  # fmt: skip


def test_a_service_title_that_looks_like_a_formula_is_quoted() -> None:
    data = transparency_csv(figures('=HYPERLINK("http://x","Perizinan")'))
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == CSV_HEADER
    labels = {r[3] for r in rows[1:] if r[1] == "layanan"}
    assert labels == {'\'=HYPERLINK("http://x","Perizinan")'}
    assert [
        "2026-02",
        "ketepatan_waktu",
        "",
        "Jawaban dalam 14 hari kerja",
        "persen_tepat_waktu",
        "",
    ] in rows
