"""A citizen sends evidence with the public form in a real browser (issue 14 item 1).

Debian's Chromium, headless, against `aduan serve`: the form takes a photo and a PDF, refuses a
file whose content does not match its name (the message next to the file input, nothing filed),
and files the complaint with its evidence once corrected. Screenshots go to
``test-artifacts/screenshots/attachments-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from aduan import service
from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.ports import CaseQuery
from aduan.service import Deps
from aduan.workflow.intake import wib_date
from tests.attachment_files import exif_of, jpeg_with_gps, pdf
from tests.browser.conftest import serving

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Deps, Path]]:
    """`aduan serve` over a new SQLite file (files beside it), and the service layer too."""
    folder = tmp_path_factory.mktemp("attachments")
    url = f"sqlite:///{folder / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    with serving(url, folder) as base:
        yield base, deps, folder


def fill(page: Page, base: str) -> None:
    page.goto(f"{base}/lapor")
    website = page.locator("select[name=website]")
    if website.count():
        website.select_option("dpmptsp")
    page.locator("[name='complainant.name']").fill("Ahmad Fauzi")
    page.locator("[name='complainant.email']").fill("ahmad@contoh.id")
    page.locator("[name=subject]").fill("Pungutan di loket")
    page.locator("[name=description]").fill("Diminta biaya tambahan, foto kuitansi terlampir")
    served = wib_date(datetime.now(UTC)) - timedelta(days=2)
    page.locator("[name=service_received_on]").fill(served.isoformat())


def test_a_citizen_sends_a_photo_and_a_pdf_with_the_public_form(
    site: tuple[str, Deps, Path], browser: Browser
) -> None:
    base, deps, folder = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = {"name": "kuitansi.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    fake = {"name": "surat.pdf", "mimeType": "application/pdf", "buffer": jpeg_with_gps()}

    fill(page, base)
    page.locator("#f-lampiran").set_input_files([photo, fake])
    page.get_by_role("button", name="Kirim").click()

    error = page.locator("#f-lampiran-error")
    expect(error).to_contain_text("surat.pdf")
    expect(error).to_contain_text("tidak sesuai dengan namanya")
    page.screenshot(path=str(SHOTS / "attachments-01-refused.png"), full_page=True)
    assert service.list_cases(deps, CaseQuery()) == []
    assert not [p for p in (folder / "files").rglob("*") if p.is_file()]

    fill(page, base)
    good = {"name": "surat.pdf", "mimeType": "application/pdf", "buffer": pdf()}
    page.locator("#f-lampiran").set_input_files([photo, good])
    page.screenshot(path=str(SHOTS / "attachments-02-form.png"), full_page=True)
    page.get_by_role("button", name="Kirim").click()
    expect(page).to_have_url(re.compile(r"/lapor/tanda-terima$"))
    page.screenshot(path=str(SHOTS / "attachments-03-receipt.png"), full_page=True)

    (case,) = service.list_cases(deps, CaseQuery())
    shown = service.attachments.list_attachments(deps, str(case.id), "sari")
    assert [(a.name, a.type_label) for a in shown] == [
        ("kuitansi.jpg", "Foto (JPEG)"),
        ("surat.pdf", "Dokumen PDF"),
    ]
    kept = service.attachments.open_attachment(deps, str(case.id), shown[0].id, "sari")
    with kept.file as file:
        assert exif_of(file.read()) == {}
