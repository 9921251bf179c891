"""The head, the auditor and the administrator walk their day in Chromium (issue 13).

The head finds an APIP request on her approval page with the officer's reason and who gave
it, opens the case and approves; the case reaches the inspectorate's entry post at once: the
auditor finds it in his queue and his inbox, with the officer's reason on the timeline. The
administrator adds a user, names an acting holder, previews a calendar override with the
deadlines it moves and sees no case content. Screenshots in ``test-artifacts/screenshots/``;
no Indonesian page shows an internal code or an English word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.service import accounts
from aduan.workflow.states import Action
from tests.browser.conftest import serving
from tests.indonesian import leaks
from tests.integration import builders as b

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORDS = {u: f"rahasia-{u}-2026" for u in ("dewi", "irfan", "admin")}
REASON = "Dugaan pungutan liar oleh petugas loket; perlu pemeriksaan Inspektorat"
PAGES: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`aduan serve` over a new SQLite file holding one request to involve APIP."""
    folder = tmp_path_factory.mktemp("roles")
    url = f"sqlite:///{folder / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    for username, password in PASSWORDS.items():
        accounts.set_password(deps, username, password)
    code = b.act(deps, b.internal_case(deps), Action.REQUEST_APIP, "budi", reason=REASON)
    with serving(url, folder) as base:
        yield base, code.tracking_code


def log_in(page: Page, base: str, username: str, lands: str = "/queue") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORDS[username])
    page.get_by_label("Kata sandi").press("Enter")
    expect(page).to_have_url(re.compile(rf"{lands}$"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"roles-{name}.png"), full_page=True)
    # What a reader of Indonesian reads: parts marked lang="en" (the language switch, a
    # channel's technical error detail) are left out; "admin" is the administrator's username.
    text = page.evaluate(
        "() => { const c = document.body.cloneNode(true);"
        " c.querySelectorAll('[lang=en]').forEach(e => e.remove()); return c.innerText; }"
    )
    PAGES[name] = str(text).replace("admin", "")


def test_the_head_approves_apip_with_the_reason_in_view_and_the_auditor_gets_it(
    server: tuple[str, str], browser: Browser
) -> None:
    base, code = server
    head = browser.new_page()
    log_in(head, base, "dewi")
    head.get_by_role("link", name="Persetujuan APIP").click()
    row = head.locator("tr", has_text=code)
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("Budi Santoso, Pejabat Pengelola Pengaduan")
    shot(head, "01-head-approvals")

    row.get_by_role("link", name=code).click()
    expect(head.locator("#last-written")).to_contain_text(REASON)
    head.locator("#act-approve_apip summary").click()
    head.locator("#form-approve_apip button[type=submit]").click()
    expect(head.locator("[role=status]")).to_contain_text("Tersimpan")
    expect(head.locator(".badges")).to_contain_text("APIP")
    expect(head.locator("#h-chain ~ ol")).to_contain_text("Auditor Inspektorat (Irfan Maulana)")
    shot(head, "02-head-approved")
    head.close()

    auditor = browser.new_page()
    log_in(auditor, base, "irfan")
    expect(auditor.locator("main")).to_contain_text(code)
    expect(auditor.get_by_role("link", name=re.compile(r"Kotak masuk \(1\)"))).to_be_visible()
    shot(auditor, "03-auditor-queue")
    auditor.goto(f"{base}/cases/{code}")
    expect(auditor.locator("#h-timeline ~ ol")).to_contain_text(REASON)
    expect(auditor.locator("#act-record_result")).to_have_count(1)
    shot(auditor, "04-auditor-case")
    auditor.close()


def test_the_administrator_manages_people_and_the_calendar_without_case_content(
    server: tuple[str, str], browser: Browser
) -> None:
    base, code = server
    admin = browser.new_page()
    log_in(admin, base, "admin", lands="/admin/pengguna")
    admin.fill("#u-username", "rudi")
    admin.fill("#u-full_name", "Rudi Hartono")
    admin.select_option("#u-role", "officer")
    admin.select_option("#u-position", "pelaksana-pengaduan")
    admin.fill("#u-nip", "12345")
    admin.get_by_role("button", name="Simpan pengguna").click()
    expect(admin.locator("#u-nip-error")).to_contain_text("NIP")
    shot(admin, "05-admin-user-refused")
    admin.fill("#u-nip", "199001012015031001")
    admin.get_by_role("button", name="Simpan pengguna").click()
    expect(admin.locator("[role=status]")).to_contain_text("Tersimpan: rudi")
    admin.locator("#plt-tim-teknis-dispertan").select_option("yuni")
    admin.locator("tr", has_text="Tim Teknis Peternakan").get_by_role(
        "button", name="Simpan"
    ).click()
    expect(admin.locator("#plt-tim-teknis-dispertan")).to_have_value("yuni")
    shot(admin, "06-admin-users")

    admin.get_by_role("link", name="Kalender").click()
    admin.fill("#c-on", "2026-12-28")
    admin.fill("#c-reason", "Hari jadi kabupaten (contoh)")
    admin.get_by_role("button", name="Pratinjau tenggat yang berpindah").click()
    expect(admin.locator("#preview")).to_contain_text("Pratinjau:")
    shot(admin, "07-admin-calendar-preview")

    admin.goto(f"{base}/cases/{code}")
    expect(admin.locator("main")).not_to_contain_text(REASON)  # no case content
    admin.get_by_role("link", name="Pengiriman gagal").click()
    shot(admin, "08-admin-deliveries")
    admin.close()

    assert {name: leaks(text) for name, text in PAGES.items() if leaks(text)} == {}
