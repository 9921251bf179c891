"""In a real browser: a HEIC photo sent with the public form, and a case past the retention.

Debian's Chromium, headless, against `aduan serve` (issue 14 item 1). A citizen attaches an
iPhone photo (HEIC, with GPS) to the public form; the Head of Office finds it on the case page
as a JPEG without its EXIF. A case closed six years ago, purged under the retention policy,
shows no complainant and says when the data was erased. Screenshots go to
``test-artifacts/screenshots/retention-*.png``.
"""

from __future__ import annotations

import dataclasses
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from aduan import service
from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.ports import CaseQuery, FixedClock, SystemClock
from aduan.service import Deps, accounts, attachments, retention
from aduan.service.attachments import Upload
from aduan.workflow.intake import wib_date
from aduan.workflow.states import Action
from tests.attachment_files import exif_of, heic_with_gps, pdf
from tests.browser.conftest import serving
from tests.integration import builders as b

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "rahasia-dewi-2026"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Deps, str]]:
    """`aduan serve` over a new SQLite file, and a case closed six years ago, purged."""
    folder = tmp_path_factory.mktemp("retention")
    url = f"sqlite:///{folder / 'aduan.db'}"
    past = FixedClock(datetime.now(UTC) - timedelta(days=365 * 6))
    deps = build(Settings(database_url=url), clock=past)
    upgrade_database(deps)
    accounts.set_password(deps, "dewi", PASSWORD)
    old = b.reviewed_case(deps)
    ktp = Upload("ktp", "ktp.pdf", io.BytesIO(pdf()), identity=True)
    attachments.add_attachments(deps, old.tracking_code, "budi", [ktp])
    for action, user in [
        (Action.ROUTE_INTERNAL, "budi"),
        (Action.RECORD_RESULT, "sari"),
        (Action.INFORM_COMPLAINANT, "budi"),
        (Action.REPORT_TO_SUPERIOR, "budi"),
        (Action.CLOSE, "agus"),
    ]:
        b.act(deps, old, action, user)
    now = dataclasses.replace(deps, clock=SystemClock())
    with serving(url, folder) as base:
        yield base, now, old.tracking_code


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill("dewi")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Kata sandi").press("Enter")
    expect(page).to_have_url(re.compile(r"/queue$"))


def test_a_heic_photo_from_the_public_form_is_kept_as_a_jpeg_without_gps(
    site: tuple[str, Deps, str], browser: Browser
) -> None:
    base, deps, _ = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/lapor")
    expect(page.locator("#f-files-hint")).to_contain_text("JPEG, HEIC, PNG")
    website = page.locator("select[name=website]")
    if website.count():
        website.select_option("dpmptsp")
    page.locator("[name='complainant.name']").fill("Ahmad Fauzi")
    page.locator("[name='complainant.email']").fill("ahmad@contoh.id")
    page.locator("[name=subject]").fill("Antrean loket tidak tertib")
    page.locator("[name=description]").fill("Foto antrean dari ponsel terlampir")
    served = wib_date(datetime.now(UTC)) - timedelta(days=2)
    page.locator("[name=service_received_on]").fill(served.isoformat())
    photo = {"name": "IMG_0042.HEIC", "mimeType": "image/heic", "buffer": heic_with_gps()}
    page.locator("#f-lampiran").set_input_files([photo])
    page.get_by_role("button", name="Kirim").click()
    expect(page).to_have_url(re.compile(r"/lapor/tanda-terima$"))

    code = service.list_cases(deps, CaseQuery(newest_first=True, limit=1))[0].tracking_code
    log_in(page, base)
    page.goto(f"{base}/cases/{code}")
    files = page.locator("section[aria-labelledby=h-attachments]")
    expect(files).to_contain_text("IMG_0042.jpg")
    expect(files).to_contain_text("Foto (JPEG)")
    page.screenshot(path=str(SHOTS / "retention-01-heic-as-jpeg.png"), full_page=True)
    link = files.get_by_role("link", name="IMG_0042.jpg").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    photo_back = httpx.get(f"{base}{link}", cookies=cookies)
    assert photo_back.headers["content-type"] == "image/jpeg"
    assert exif_of(photo_back.content) == {}


def test_the_servers_daily_purge_erases_a_case_past_the_retention_and_its_page_says_so(
    site: tuple[str, Deps, str], browser: Browser
) -> None:
    base, deps, code = site
    # `aduan serve` runs the daily purge when it starts: the case closed six years ago is due.
    deadline = time.monotonic() + 20
    while service.get_case(deps, code, "dewi").personal_data_erased_at is None:
        assert time.monotonic() < deadline, "the scheduler did not purge the case"
        time.sleep(0.2)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base)
    page.goto(f"{base}/cases/{code}")

    section = page.locator("section[aria-labelledby=h-complainant]")
    expect(section.locator("#erased")).to_contain_text(
        "Data pribadi pelapor telah dihapus sesuai kebijakan retensi pada"
    )
    expect(section).not_to_contain_text("Siti Aminah")
    expect(page.locator("section[aria-labelledby=h-attachments]")).not_to_contain_text("ktp.pdf")
    expect(page.locator("section[aria-labelledby=h-timeline]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "retention-02-erased.png"), full_page=True)
    purges = [e for e in accounts.audit_trail(deps, "system") if e.event == "retention_purge"]
    assert [e.detail[:17] for e in purges] == ["1 kasus, 1 berkas"]
    assert retention.purge_personal_data(deps, 5, by="admin").cases == []  # nothing left to do
