"""The public transparency page in Chromium (issue 14 item 7): found from the home page's menu,
the period picker, the hand-worked February figures, and a phone's width without sideways
scrolling. Screenshots in ``test-artifacts/screenshots/transparency-*.png``.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from aduan.ports import FixedClock
from tests.web.conftest import Web, sqlite_web
from tests.web.test_transparency import worked_out

__all__ = ["sqlite_web"]  # the fixture: the app over SQLite on the test's fixed clock
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"transparency-{name}.png"), full_page=True)


def test_anyone_finds_the_figures_and_reads_them_on_a_phone(
    sqlite_web: Web, clock: FixedClock, browser: Browser
) -> None:
    worked_out(sqlite_web.deps, clock)
    page = browser.new_page()
    page.goto(sqlite_web.url + "/")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name="Transparansi"
    ).click()
    expect(page.locator("h1")).to_contain_text("Maret 2026")  # the current month
    page.get_by_role("link", name="Periode sebelumnya").click()
    expect(page.locator("h1")).to_contain_text("Februari 2026")
    expect(page.locator("#fig-rate")).to_have_text("50,0 %")
    expect(page.locator("#by-service")).to_contain_text("Layanan lain")
    expect(page.locator("#ikm")).to_contain_text("86,11")
    shot(page, "february")

    page.get_by_label("Triwulan").select_option("2026Q1")
    page.get_by_role("button", name="Tampilkan triwulan").click()
    expect(page.locator("h1")).to_contain_text("Triwulan I 2026")
    with page.expect_download() as saved:
        page.get_by_role("link", name="Unduh data terbuka (CSV)").click()
    assert saved.value.suggested_filename == "transparansi-2026Q1.csv"
    page.close()

    phone = browser.new_page(viewport=PHONE)
    phone.goto(sqlite_web.url + "/transparansi?periode=2026-02")
    expect(phone.locator("#by-component")).to_contain_text("Jangka waktu penyelesaian")
    wide = phone.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the page is {wide}px wide on a {PHONE['width']}px phone"
    shot(phone, "phone")
    phone.close()
