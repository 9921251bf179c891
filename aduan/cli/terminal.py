"""Plain-text rendering of read models for the terminal (Bahasa Indonesia first)."""

from __future__ import annotations

from datetime import datetime

from aduan.schemas.views import CaseDetail, CaseSummary, TrackingView
from aduan.workflow.intake import WIB


def when(moment: datetime | None) -> str:
    """A moment in WIB, to the minute."""
    return "-" if moment is None else moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _header(case: CaseDetail) -> list[str]:
    c = case.complainant
    contact = ", ".join(x for x in (c.email, c.phone, c.social) if x) or "-"
    secret = " [rahasia/confidential]" if c.confidential else ""
    reason = f" ({case.screening_reason})" if case.screening_reason else ""
    service = case.service_code or case.service_text or "-"
    tier = f"; tingkat {case.tier + 1}/{len(case.chain)}: {case.holder}" if case.chain else ""
    lines = [
        f"{case.tracking_code}  (#{case.id}, versi/version {case.version})",
        f"  status      : {case.status} — {case.status_label}",
        f"  jenis/kind  : {case.kind}{reason}",
        f"  perihal     : {case.subject}",
        f"  pelapor     : {c.name or '-'} <{contact}>{secret}",
        f"  saluran     : {case.channel}; diterima {when(case.received_at)}; "
        f"hari ke-{case.intake_days} sejak layanan",
        f"  layanan     : {service}; masalah: {', '.join(case.problem_types) or '-'}",
        f"  jalur/track : {case.track or '-'}{tier}",
        f"  pemegang    : {case.assignee or '-'}",
    ]
    if case.personal_data_erased_at:
        erased = when(case.personal_data_erased_at)
        lines.append(f"  data pribadi: dihapus (retensi)/erased (retention) {erased}")
    if case.outcome:
        lines.append(f"  hasil       : {case.outcome} — {case.result_summary}")
    lines.append(
        f"  dijawab     : {when(case.answered_at)}; diinformasikan {when(case.informed_at)}; "
        f"dilaporkan {when(case.reported_at)}"
    )
    for d in case.deadlines:
        label = "jawaban/answer" if d.kind == "response" else "tahap/stage"
        state = (
            f"TERLAMBAT/OVERDUE {d.overdue_working_days} hari kerja"
            if d.overdue
            else f"sisa/left {d.working_days_left} hari kerja"
        )
        lines.append(f"  tenggat {label}: {when(d.due_at)} — {state}")
    lines.append(f"  tindakan/next: {', '.join(case.allowed_actions) or '-'}")
    return lines


def case_text(case: CaseDetail) -> str:
    """A case with its timeline and written reports."""
    lines = [*_header(case), "  riwayat/timeline:"]
    for e in case.timeline:
        move = (
            e.to_status
            if e.from_status == e.to_status
            else f"{e.from_status or '∅'} → {e.to_status}"
        )
        note = f"  — {e.note}" if e.note else ""
        lines.append(f"    {when(e.at)}  {e.action:<18} {e.actor} ({e.role})  {move}{note}")
    lines.extend(
        f"  laporan {r.kind}: {r.author} → {r.addressee} ({when(r.at)}): {r.text}"
        for r in case.reports
    )
    return "\n".join(lines)


def rows_text(rows: list[CaseSummary]) -> str:
    """One line per case."""
    if not rows:
        return "(tidak ada kasus / no cases)"
    return "\n".join(
        f"{r.tracking_code}  #{r.id:<5} {r.kind:<10} {r.status:<18} {r.track or '-':<8} "
        f"{r.assignee or '-':<8} {r.subject}"
        for r in rows
    )


def tracking_text(view: TrackingView) -> str:
    """The public view of a case."""
    lines = [
        f"{view.tracking_code}: {view.status_label} / {view.status_label_en}",
        f"  diterima/received: {when(view.received_at)}; "
        f"dijawab/answered: {when(view.answered_at)}",
    ]
    if view.response_due_at:
        lines.append(f"  tenggat jawaban/answer due: {when(view.response_due_at)}")
    if view.answer:
        lines.append(f"  jawaban/answer ({view.answer_kind}): {view.answer}")
    if view.referred_to:
        lines.append(f"  dilimpahkan ke/referred to: {view.referred_to}")
    lines.extend(f"    {when(at)}  {label}" for at, label in view.history)
    return "\n".join(lines)
