"""Plain-text rendering of statistics and survey results for the terminal (Indonesian first)."""

from __future__ import annotations

import json
from dataclasses import asdict

from aduan.reports.charts import percent
from aduan.reports.statistics import Statistics
from aduan.reports.survey import SurveyResult


def _block(title: str, counts: dict[str, int]) -> list[str]:
    lines = [f"{title}:"]
    lines += [f"  {key:<28} {n:>9,}" for key, n in counts.items()] or ["  -"]
    return lines


def _original_lines(s: Statistics) -> list[str]:
    """Issue 14 item 5: compliance against the deadline without the extensions, separately."""
    o = s.compliance_original
    if o is None:
        return []
    return [
        f"  tenggat diperpanjang/extended {s.compliance.extended:,}; terhadap tenggat awal / "
        f"against the original deadline: tepat waktu/on time {o.on_time:,}; terlambat/late "
        f"{o.late:,}; tepat waktu {percent(o.on_time_rate)}",
    ]


def statistics_text(s: Statistics) -> str:
    """The statistics as aligned text."""
    c, a, apip = s.compliance, s.answer_days, s.apip
    rate = percent(c.on_time_rate)
    median = "-" if a.median is None else a.median
    p90 = "-" if a.p90 is None else a.p90
    lines = [
        f"Statistik {s.label} ({s.first_day} s.d. {s.last_day}), per {s.generated_at}",
        f"  total {s.total:,}: pengaduan/complaints {s.complaints:,}, "
        f"saran/suggestions {s.suggestions:,}, "
        f"terlambat diterima/late accepted {s.accepted_late:,}",
        f"Kepatuhan jawaban 14 hari kerja, tenggat pada periode ini / answers within 14 working "
        f"days, deadline in this period: {c.falling_due:,}",
        f"  tepat waktu/on time {c.on_time:,}; terlambat/late {c.late:,} "
        f"(dijawab terlambat {c.late_answered:,} + terbuka lewat tenggat {c.overdue_open:,});",
        f"  belum jatuh tempo/pending {c.pending:,}; berakhir tanpa jawaban "
        f"{c.ended_unanswered:,}; tepat waktu {rate}",
        *_original_lines(s),
        f"Hari kerja sampai jawaban / working days to answer: n={a.answered:,}, "
        f"median {median}, p90 {p90}",
        f"APIP: diminta {apip.requested}, disetujui {apip.approved}, ditolak {apip.refused}, "
        f"menunggu {apip.awaiting_approval}, ditangani {apip.handled_by_apip}",
    ]
    lines += _block("Alasan saran / suggestion reasons", s.suggestion_reasons)
    lines += _block("Layanan / service", s.by_service)
    lines += _block("Jenis masalah / problem type", s.by_problem_type)
    lines += _block("Saluran / channel", s.by_channel)
    lines += _block("Jalur / track", s.by_track)
    lines += _block("Hasil / outcome", s.by_outcome)
    lines += _block("Status", s.by_status)
    for track, levels in s.by_tier.items():
        lines += _block(f"Tingkat tertinggi / tier reached ({track})", levels)
    return "\n".join(lines)


def ikm_text(result: SurveyResult, as_json: bool) -> str:
    """The IKM of a quarter: JSON, or a table of the nine elements."""
    ikm = result.ikm
    if as_json:
        return json.dumps(
            {
                "period": result.period.key,
                **asdict(ikm),
                "unverified_responses": result.unverified,
                "counted": result.basis(),
                "comments": result.comments,
            },
            indent=2,
        )
    if ikm.category is None or ikm.converted is None or ikm.index is None:
        return (
            f"IKM {result.period.label}: belum ada responden terverifikasi / no verified "
            f"respondents yet\n  {result.basis()}"
        )
    lines = [
        f"IKM {result.period.label}: {ikm.converted:.2f} (indeks {ikm.index:.4f}), mutu "
        f"{ikm.category.grade} - {ikm.category.label_id}; {ikm.respondents} responden",
        f"  {result.basis()}",
    ]
    lines += [
        f"  {e.key.upper():<3} {e.label_id:<42} NRR {e.mean:.3f}  {e.converted:6.2f}  "
        f"{e.category.grade}"
        for e in ikm.elements
    ]
    return "\n".join(lines)
