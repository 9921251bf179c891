"""The case page and the queues after a breach escalation (issue 13 item 3).

The sweep's escalation is shown as a system notice, never as a person's written report; the
holder of the tier that missed its deadline sees the report they still owe, in their queue and
on the case page, with the form to file it; once filed, it is a written report like any other.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aduan.service import timekeeping
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web
from tests.web.test_reasons_in_view import text_of

RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)  # Tuesday, 10:00 WIB
STAGE_BREACH = datetime(2026, 8, 14, 17, 0, tzinfo=UTC)  # tier 1's 3 working days are over
NOTICE = (
    "Pemberitahuan sistem: tenggat tingkat 1 (Pejabat Pengelola Pengaduan) terlewati (tenggat "
    "tahap, 2026-08-14 23:59 WIB); kasus dinaikkan otomatis ke tingkat 2 (Kepala Seksi "
    "Pengaduan). Laporan tertulis tingkat 1 belum dibuat."
)


def escalated(web: Web) -> str:
    web.deps.clock.current = RECEIVED  # type: ignore[attr-defined]
    code = b.internal_case(web.deps).tracking_code
    web.deps.clock.current = STAGE_BREACH  # type: ignore[attr-defined]
    assert timekeeping.sweep(web.deps).counts["escalated"] == 1
    return code


def test_the_case_page_shows_a_system_notice_and_the_report_still_owed(web: Web) -> None:
    code = escalated(web)
    budi = web.staff("budi")

    page = text_of(budi.get(f"/cases/{code}").text)

    assert "Pemberitahuan sistem: dinaikkan otomatis karena tenggat terlewati oleh Sistem" in page
    assert f"Pemberitahuan sistem {NOTICE}" in page  # labelled a notice on the timeline
    assert f"Laporan tertulis {NOTICE}" not in page  # not a person's written report
    assert "Laporan tertulis (0) Tidak ada." in page
    assert (
        "Laporan tertulis belum dibuat (1) Pemberitahuan sistem: tenggat tingkat 1 (Pejabat "
        "Pengelola Pengaduan) terlewati; kasus dinaikkan otomatis pada 15/08/2026 00:00 WIB ke "
        "tingkat 2 (Kepala Seksi Pengaduan). Laporan tertulis tingkat 1 kepada Sari Wulandari, "
        "Kepala Seksi Pengaduan belum dibuat oleh Budi Santoso, Pejabat Pengelola Pengaduan. "
        "Buat laporan tertulis sekarang" in page
    )
    assert "Buat laporan tertulis yang belum dibuat" in page  # the form, for budi
    assert "Buat laporan tertulis sekarang" not in text_of(
        web.staff("sari").get(f"/cases/{code}").text
    )
    queue = text_of(budi.get("/queue").text)
    assert (
        "Laporan tertulis belum dibuat: tenggat tingkat Anda terlewati dan kasus dinaikkan "
        "otomatis" in queue
    )
    desk = text_of(budi.get("/supervisor").text)
    assert "Laporan tertulis yang belum Anda buat (1)" in desk


def test_once_filed_the_report_is_a_written_report_to_the_new_holder(web: Web) -> None:
    code = escalated(web)
    b.act(web.deps, code, Action.FILE_OVERDUE_REPORT, "budi", report="Berkas tertahan verifikasi")

    page = text_of(web.staff("sari").get(f"/cases/{code}").text)

    assert "Laporan tertulis belum dibuat" not in page
    assert (
        "dari Budi Santoso, Pejabat Pengelola Pengaduan kepada Sari Wulandari, Kepala Seksi "
        "Pengaduan Berkas tertahan verifikasi" in page
    )
    assert "Laporan tertulis yang belum Anda buat (0)" in text_of(
        web.staff("budi").get("/supervisor").text
    )
