"""The public Q&A in Chromium (issue 14 item 7), against `aduan serve` over SQLite.

A citizen agrees on /lapor that the question and answer may be published without their name;
once the case is closed, a supervisor opens the publish form on the case page (prefilled, with
the warning), removes the name, confirms and publishes; anyone finds the entry from the
public menu, on a phone too; the citizen withdraws the consent on /lacak with the PIN and the
entry is gone. Screenshots in ``test-artifacts/screenshots/qa-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.browser.conftest import serving
from tests.browser.test_public_walk import fill_form
from tests.indonesian import leaks
from tests.integration import builders as b
from tests.web.ui_support import PASSWORDS, set_passwords

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
QUESTION = "Biaya tambahan diminta di loket pendaftaran; apakah biaya itu resmi?"
ANSWER = "Layanan ini tanpa biaya. Petugas yang meminta biaya telah ditegur dan uang dikembalikan."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Deps]]:
    """`aduan serve` over a new SQLite file, and the service layer over the same file."""
    folder = tmp_path_factory.mktemp("qa-walk")
    url = f"sqlite:///{folder / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    set_passwords(deps)
    with serving(url, folder) as base:
        yield base, deps


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"qa-{name}.png"), full_page=True)


def close_it(deps: Deps, code: str) -> None:
    """The office handles the complaint to its end, and answers the complainant by name."""
    b.act(deps, code, Action.CLASSIFY, "budi")
    b.act(deps, code, Action.REVIEW, "budi")
    b.act(deps, code, Action.ROUTE_INTERNAL, "budi")
    b.act(deps, code, Action.RECORD_RESULT, "sari")
    b.act(deps, code, Action.INFORM_COMPLAINANT, "budi",
          text="Bapak Ahmad Fauzi, layanan ini tanpa biaya; uang Anda dikembalikan.")  # fmt: skip
    b.act(deps, code, Action.REPORT_TO_SUPERIOR, "budi")
    b.act(deps, code, Action.CLOSE, "agus")


def test_consent_publish_read_and_withdraw(site: tuple[str, Deps], browser: Browser) -> None:
    base, deps = site
    citizen = browser.new_page(viewport=PHONE)
    fill_form(citizen, base, "Biaya tambahan di loket", days_ago=3)
    consent = citizen.get_by_label(
        "Saya setuju pertanyaan dan jawaban atas pengaduan ini diterbitkan tanpa identitas saya"
    )
    expect(consent).not_to_be_checked()  # no is the default
    consent.check()
    shot(citizen, "01-form-consent")
    citizen.get_by_role("button", name="Kirim").click()
    expect(citizen).to_have_url(re.compile(r"/lapor/tanda-terima$"))
    code = citizen.locator("#tracking-code").inner_text()
    pin = citizen.locator("#pin").inner_text()
    close_it(deps, code)

    staff = browser.new_page(viewport={"width": 1280, "height": 900})
    staff.goto(f"{base}/login")
    staff.get_by_label("Nama pengguna").fill("agus")
    staff.get_by_label("Kata sandi").fill(PASSWORDS["agus"])
    staff.get_by_label("Kata sandi").press("Enter")
    expect(staff).to_have_url(re.compile(r"/queue$"))
    staff.goto(f"{base}/cases/{code}")
    expect(staff.locator("#qa-consent")).to_have_text("Ya")
    staff.locator("#act-publish_qa summary").click()
    form = staff.locator("#form-publish_qa")
    expect(form.locator("#qa-warning")).to_contain_text("Hapus identitas sebelum menerbitkan.")
    expect(form.locator("[name=public_question]")).to_have_value(re.compile("Biaya tambahan"))
    expect(form.locator("[name=public_answer]")).to_have_value(re.compile("Ahmad Fauzi"))
    shot(staff, "02-publish-form")
    form.locator("[name=reason]").fill("Pertanyaan tentang biaya sering diajukan")
    form.get_by_role("button", name="Terbitkan sebagai tanya jawab publik").click()  # unconfirmed
    expect(staff.locator("#f-anonymised-error")).to_be_visible()
    shot(staff, "03-publish-refused")
    form = staff.locator("#form-publish_qa")
    expect(form.locator("[name=reason]")).to_have_value("Pertanyaan tentang biaya sering diajukan")
    form.locator("[name=public_question]").fill(QUESTION)
    form.locator("[name=public_answer]").fill(ANSWER)
    form.locator("[name=anonymised]").check()
    form.get_by_role("button", name="Terbitkan sebagai tanya jawab publik").click()
    expect(staff.locator("#published-qa")).to_contain_text(QUESTION)
    expect(staff.locator(".timeline")).to_contain_text("Terbitkan sebagai tanya jawab publik")

    reader = browser.new_page(viewport=PHONE)
    reader.goto(f"{base}/")
    reader.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name="Tanya jawab"
    ).click()
    expect(reader.locator("h1")).to_have_text("Tanya jawab pengaduan")
    entry = reader.locator(".qa-entry")
    expect(entry).to_have_count(1)
    expect(entry.locator(".qa-question")).to_have_text(QUESTION)
    expect(entry.locator(".qa-answer")).to_have_text(ANSWER)
    text = reader.locator("main").inner_text()
    assert code not in text and "Ahmad" not in text and leaks(text) == []
    wide = reader.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the page is {wide}px wide on a {PHONE['width']}px phone"
    shot(reader, "04-public-page")
    reader.get_by_label("Layanan", exact=True).select_option(index=1)
    reader.get_by_role("button", name="Tampilkan").click()
    expect(reader.locator(".qa-entry")).to_have_count(1)
    reader.goto(f"{base}/tanya-jawab?lang=en")
    expect(reader.locator("html")).to_have_attribute("lang", "en")
    shot(reader, "05-public-page-en")

    citizen.goto(f"{base}/lacak")
    citizen.get_by_label("Kode pelacakan").fill(code)
    citizen.get_by_role("button", name="Lacak pengaduan").click()
    section = citizen.locator(".qa-consent")
    expect(section).to_contain_text("sedang diterbitkan")
    shot(citizen, "06-lacak-consent")
    section.get_by_label("PIN").fill(pin)
    section.get_by_role("button", name="Cabut persetujuan").click()
    expect(citizen.locator("[role=status]")).to_have_text(
        "Persetujuan Anda dicabut; tanya jawab pengaduan ini tidak diterbitkan."
    )
    expect(citizen.locator(".qa-consent")).to_have_count(0)
    shot(citizen, "07-lacak-withdrawn")

    reader.goto(f"{base}/tanya-jawab?lang=id")  # the reader chose English above: back
    expect(reader.locator(".qa-entry")).to_have_count(0)
    expect(reader.locator("#qa-none")).to_have_text("Belum ada tanya jawab yang diterbitkan.")
    shot(reader, "08-public-page-empty")
    for page in (citizen, staff, reader):
        page.close()
