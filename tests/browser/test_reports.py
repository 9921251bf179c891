"""Reports as each role finds them, in Chromium (issue 13 item 5), over the hand-worked data set.

The complaints manager and the Head find "Laporan" in the menu, pick a period, read the
February figures worked out by hand in ``tests.web.test_report_figures`` and follow the links to
the recap and the export; an agency head sees only her agency's cases (none here); a plain
officer has the export in the menu and is told, in words, that the office's figures are not his.
Screenshots in ``test-artifacts/screenshots/reports-*.png``.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from aduan.ports import FixedClock
from aduan.service import accounts
from tests.web.conftest import Web, sqlite_web
from tests.web.test_report_figures import hand_worked

__all__ = ["sqlite_web"]  # the fixture: the app over SQLite on the test's fixed clock
PASSWORDS = {user: f"rahasia-{user}-2026" for user in ("sari", "dewi", "rina", "budi")}

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reports-{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORDS[username])
    page.get_by_label("Kata sandi").press("Enter")
    expect(page).to_have_url(re.compile(r"/queue$"))


def test_reports_are_found_from_the_menu_and_tell_the_hand_worked_figures(
    sqlite_web: Web, clock: FixedClock, browser: Browser
) -> None:
    cases = hand_worked(sqlite_web.deps, clock)
    for user, password in PASSWORDS.items():
        accounts.set_password(sqlite_web.deps, user, password)
    base = sqlite_web.url

    for user in ("sari", "dewi"):
        page = browser.new_page()
        log_in(page, base, user)
        page.get_by_role("navigation", name="Navigasi utama").get_by_role(
            "link", name="Laporan"
        ).click()
        expect(page.locator("h1")).to_contain_text("Maret 2026")  # the current month
        page.get_by_role("link", name="Periode sebelumnya").click()
        expect(page.locator("h1")).to_contain_text("Februari 2026")
        expect(page.locator("#fig-on-time")).to_have_text("2")
        expect(page.locator("#fig-late")).to_have_text("2")
        expect(page.locator("#fig-rate")).to_have_text("50,0 %")
        expect(page.locator("#overdue")).to_contain_text(cases.c)
        expect(page.locator("#overdue")).to_contain_text("terlambat 14 hari kerja")
        shot(page, f"{user}-february")

        # The picker: a quarter, then a month typed in.
        page.get_by_label("Triwulan").select_option("2026Q1")
        page.get_by_role("button", name="Tampilkan triwulan").click()
        expect(page.locator("h1")).to_contain_text("Triwulan I 2026")
        page.get_by_label("Bulan").fill("2026-01")
        page.get_by_role("button", name="Tampilkan bulan").click()
        expect(page.locator("h1")).to_contain_text("Januari 2026")
        expect(page.locator("#fig-rate")).to_have_text("-")  # nothing judged in January

        # The links lead to the documents.
        with page.expect_download() as exported:
            page.get_by_role("link", name="XLSX").click()
        assert exported.value.suggested_filename == "kasus-2026-01.xlsx"
        recap = page.get_by_role("link", name=re.compile("Rekap untuk Kepala Kantor"))
        assert recap.get_attribute("href") == "/laporan/rekap.pdf?month=2026-01"
        page.close()

    agency = browser.new_page()
    log_in(agency, base, "rina")
    agency.get_by_role("link", name="Laporan").click()
    agency.get_by_role("link", name="Periode sebelumnya").click()
    expect(agency.locator("#fig-total")).to_have_text("0")  # none of the six is her agency's
    expect(agency.locator("#overdue")).to_have_count(0)
    shot(agency, "rina-february")
    agency.close()

    officer = browser.new_page()
    log_in(officer, base, "budi")
    menu = officer.get_by_role("navigation", name="Navigasi utama")
    expect(menu.get_by_role("link", name="Ekspor kasus")).to_be_visible()
    expect(menu.get_by_role("link", name="Laporan", exact=True)).to_have_count(0)
    officer.goto(f"{base}/laporan")
    expect(officer.locator("main")).to_contain_text("hanya untuk pengelola pengaduan")
    shot(officer, "budi-refused")
    officer.close()
