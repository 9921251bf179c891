"""Suggestions in a real browser (issue 12 item 2): Debian's Chromium, headless, `aduan serve`.

A supervisor finds a suggestion screened by mistake in the suggestion queue, is told at the
field that a conversion needs a reason, and converts it with one; an officer takes a late
suggestion up, classifies it by service and standard component and forwards it to the yearly
evaluation. Each page is saved in ``test-artifacts/screenshots/``; the Indonesian pages show no
raw codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from aduan import service
from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.schemas.commands import SubmitCommand
from aduan.service import accounts
from aduan.workflow.intake import WIB
from tests.browser.conftest import serving
from tests.indonesian import leaks

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORDS = {"budi": "rahasia-budi-2026", "sari": "rahasia-sari-2026"}
REASON = "Nama dan nomor telepon pelapor tertulis di lampiran surat; terlewat saat dicatat"
PAGES: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`aduan serve` over a new SQLite file holding two suggestions; passwords set."""
    folder = tmp_path_factory.mktemp("suggestions")
    url = f"sqlite:///{folder / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    for username, password in PASSWORDS.items():
        accounts.set_password(deps, username, password)
    today = datetime.now(WIB).date()
    base = {
        "channel": "phone",
        "description": "Antrean di loket perizinan memakan waktu dua jam",
        "service_code": "15121",
    }
    anonymous = service.submit_complaint(
        deps,
        SubmitCommand.model_validate(
            {
                **base,
                "complainant": {"name": None},
                "subject": "Antrean loket terlalu lama",
                "service_received_on": today - timedelta(days=3),
            }
        ),
        "budi",
    )
    late = service.submit_complaint(
        deps,
        SubmitCommand.model_validate(
            {
                **base,
                "complainant": {"name": "Rahmat Hidayat", "phone": "0812-1111-2222"},
                "subject": "Ruang tunggu kurang kursi",
                "service_received_on": today - timedelta(days=60),
            }
        ),
        "budi",
    )
    assert (anonymous.status, late.screening_reason) == ("suggestion", "late")
    with serving(url, folder) as running:
        yield running, {"anonymous": anonymous.tracking_code, "late": late.tracking_code}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"suggestions-{name}.png"), full_page=True)
    if page.evaluate("document.documentElement.lang") == "id":
        PAGES[name] = page.locator("main").inner_text()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORDS[username])
    page.get_by_label("Kata sandi").press("Enter")
    expect(page).to_have_url(re.compile(r"/queue$"))


def open_action(page: Page, action: str) -> None:
    page.locator(f"#act-{action} summary").click()


def submit_action(page: Page, action: str) -> None:
    page.locator(f"#form-{action} button[type=submit]").click()


def test_a_supervisor_converts_and_an_officer_forwards(
    server: tuple[str, dict[str, str]], browser: Browser
) -> None:
    base, codes = server
    supervisor = browser.new_page()
    log_in(supervisor, base, "sari")

    # The menu leads to the suggestion queue; both suggestions wait there, reasons in words.
    supervisor.get_by_role("link", name="Saran/masukan").click()
    expect(supervisor).to_have_url(re.compile(r"/saran$"))
    queue = supervisor.locator("#suggestion-queue")
    expect(queue).to_contain_text(codes["anonymous"])
    expect(queue).to_contain_text(codes["late"])
    expect(queue).to_contain_text("tanpa identitas")
    expect(queue).to_contain_text("lebih dari 30 hari setelah layanan")
    shot(supervisor, "01-queue")

    # Filtered by screening reason: only the one recorded without identity.
    supervisor.get_by_label("Alasan dicatat sebagai saran").select_option("no_identity")
    supervisor.get_by_role("button", name="Saring").click()
    expect(queue).to_contain_text(codes["anonymous"])
    expect(queue).not_to_contain_text(codes["late"])
    shot(supervisor, "02-filtered")

    # An unknown service in the address: said at the field, nothing listed.
    supervisor.goto(f"{base}/saran?service_code=99999")
    expect(supervisor.locator("#f-service_code-error")).to_contain_text("tidak ada dalam katalog")
    expect(supervisor.locator("#f-service_code-error")).not_to_contain_text("Layanan: Layanan")
    shot(supervisor, "03-bad-filter")

    # The supervisor opens the suggestion screened by mistake and converts it.
    supervisor.goto(f"{base}/saran")
    supervisor.get_by_role("link", name=codes["anonymous"]).click()
    open_action(supervisor, "convert_suggestion")
    submit_action(supervisor, "convert_suggestion")
    expect(supervisor.locator("#f-reason-error")).to_be_visible()
    expect(supervisor.locator("#f-reason-error")).to_contain_text("Alasan")
    shot(supervisor, "04-convert-without-reason")
    supervisor.locator("#form-convert_suggestion [name='reason']").fill(REASON)
    submit_action(supervisor, "convert_suggestion")
    expect(supervisor.locator("[role=status]")).to_contain_text("Tersimpan")
    badges = supervisor.locator(".badges")
    expect(badges).to_contain_text("Dicatat")
    expect(badges).to_contain_text("Pengaduan")
    timeline = supervisor.locator(".timeline")
    expect(timeline).to_contain_text("Jadikan pengaduan (kesalahan penyaringan)")
    expect(timeline).to_contain_text(REASON)
    expect(supervisor.locator("#h-deadlines + ul")).to_contain_text("Tanggapan (14 hari kerja)")
    shot(supervisor, "05-converted")
    supervisor.get_by_role("button", name="Keluar").click()

    # The officer takes the late one up, classifies it and forwards it to the evaluation.
    officer = supervisor
    log_in(officer, base, "budi")
    officer.get_by_role("link", name="Saran/masukan").click()
    expect(officer.locator("#suggestion-queue")).not_to_contain_text(codes["anonymous"])
    officer.get_by_role("link", name=codes["late"]).click()
    expect(officer.locator("#act-convert_suggestion")).to_have_count(0)  # a supervisor's
    open_action(officer, "acknowledge_suggestion")
    submit_action(officer, "acknowledge_suggestion")
    expect(officer.locator(".badges")).to_contain_text("Saran/masukan diterima petugas")
    open_action(officer, "classify")
    form = officer.locator("#form-classify")
    form.locator("[name='service_code']").select_option("15121")
    form.get_by_label("Sarana, prasarana, dan/atau fasilitas").check()
    submit_action(officer, "classify")
    expect(officer.locator("[role=status]")).to_contain_text("Tersimpan")
    shot(officer, "06-classified")
    open_action(officer, "forward_suggestion")
    submit_action(officer, "forward_suggestion")
    expect(officer.locator(".badges")).to_contain_text(
        "Saran/masukan diteruskan ke evaluasi standar pelayanan"
    )
    expect(officer.locator("[aria-labelledby=h-details] .facts")).to_contain_text(
        "Sarana, prasarana, dan/atau fasilitas"
    )
    shot(officer, "07-forwarded")
    officer.get_by_role("link", name="Saran/masukan").click()
    expect(officer.locator("main")).to_contain_text("Tidak ada saran/masukan yang menunggu.")
    shot(officer, "08-queue-empty")

    assert {name: leaks(text) for name, text in PAGES.items() if leaks(text)} == {}
