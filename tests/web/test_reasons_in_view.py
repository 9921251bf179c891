"""Decisions are not made blind (issue 13 item 1): the reason a person wrote is shown where the
next person decides — the case page, the approval queue, the inbox notice — with the writer's
name and position, never a bare username or a role code."""

from __future__ import annotations

import html
import re

from aduan.workflow.intake import WIB
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web

REASON = "Dugaan pungli oleh staf loket; perlu pemeriksaan Inspektorat"


def text_of(page: str) -> str:
    """The page's words, tags removed and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_head_sees_the_officers_reason_for_apip_before_deciding(web: Web) -> None:
    case = b.act(web.deps, b.internal_case(web.deps), Action.REQUEST_APIP, "budi", reason=REASON)
    head = web.staff("dewi")

    case_page = text_of(head.get(f"/cases/{case.tracking_code}").text)
    approvals = text_of(head.get("/approvals").text)
    inbox = text_of(head.get("/inbox").text)

    # On the case page, above the approve/refuse forms, and on the timeline.
    assert (
        f"Terakhir ditulis pada kasus ini {case.timeline[-1].at.astimezone(WIB):%d/%m/%Y %H:%M} "
        f"WIB · Ajukan pelibatan APIP · Budi Santoso, Pejabat Pengelola Pengaduan "
        f"Alasan {REASON}" in case_page
    )
    assert "Setujui pelibatan APIP" in case_page
    assert "Ajukan pelibatan APIP oleh Budi Santoso, Pejabat Pengelola Pengaduan" in case_page
    assert "oleh budi" not in case_page  # never a bare username
    # In the approval queue, the reason and who gave it.
    assert f"{REASON} — Budi Santoso, Pejabat Pengelola Pengaduan" in approvals
    # In the head's inbox notice.
    assert f"Alasan dari Budi Santoso, Pejabat Pengelola Pengaduan: {REASON}" in inbox


def test_written_reports_and_results_name_people_by_name_and_position(web: Web) -> None:
    case = b.internal_case(web.deps)
    b.act(web.deps, case, Action.ESCALATE, "budi", report="Mohon arahan Kepala Seksi")
    b.act(
        web.deps,
        case,
        Action.RECORD_RESULT,
        "sari",
        outcome="substantiated",
        summary="Sertifikat diterbitkan hari ini",
    )

    page = text_of(web.staff("agus").get(f"/cases/{case.tracking_code}").text)

    assert (
        "dari Budi Santoso, Pejabat Pengelola Pengaduan kepada "
        "Sari Wulandari, Kepala Seksi Pengaduan" in page
    )
    assert "Laporan tertulis Mohon arahan Kepala Seksi" in page  # on the timeline
    assert "oleh Sari Wulandari, Kepala Seksi Pengaduan: Ditindaklanjuti internal" in page
    assert "Ringkasan hasil Sertifikat diterbitkan hari ini" in page
    assert "Kepala Seksi Pengaduan (Sari Wulandari) — tingkat saat ini" in page
