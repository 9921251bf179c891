"""The citizen's side in a real browser (issue 12 items 3-4): Debian's Chromium, headless,
against `aduan serve`.

A citizen files a complaint on /lapor and lands on the receipt (post/redirect/get), which says
it was recorded as a complaint, what happens next and the answer deadline; reloading the
receipt, and a double click on the form's button, file nothing more. On /lacak they withdraw it
(a reason, then a confirmation), see who withdrew it and until when that can be undone, and
undo it. A late submission's receipt says it was recorded as a suggestion, why, and that a
supervisor may still accept it. The satisfaction survey's public link asks for the tracking
code of a closed complaint, refuses a made-up one at the field, and leads to the form and its
thanks, all on the site's layout (issue: the survey looked like another site). Each page is
saved in ``test-artifacts/screenshots/``.
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
from aduan.workflow.states import Action
from tests.browser.conftest import serving
from tests.indonesian import leaks
from tests.integration import builders as b

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Deps]]:
    """`aduan serve` over a new SQLite file, and the service layer over the same file."""
    folder = tmp_path_factory.mktemp("public-walk")
    url = f"sqlite:///{folder / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    with serving(url, folder) as base:
        yield base, deps


PAGES: dict[str, str] = {}


def shot(page: Page, name: str) -> None:
    """Save the whole page as ``test-artifacts/screenshots/public-<name>.png``; keep its text."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"public-{name}.png"), full_page=True)
    PAGES[name] = page.locator("main").inner_text()


def fill_form(page: Page, base: str, subject: str, days_ago: int) -> None:
    """Open /lapor and fill it in as a citizen with a name and an email address."""
    page.goto(f"{base}/lapor")
    website = page.locator("select[name=website]")
    if website.count():  # the form asks which site it was opened from
        website.select_option("dpmptsp")
    page.locator("[name='complainant.name']").fill("Ahmad Fauzi")
    page.locator("[name='complainant.email']").fill("ahmad@contoh.id")
    page.locator("[name=subject]").fill(subject)
    page.locator("[name=description]").fill("Diminta biaya tambahan di loket pendaftaran")
    served = wib_date(datetime.now(UTC)) - timedelta(days=days_ago)  # the server's wall time
    page.locator("[name=service_received_on]").fill(served.isoformat())


def cases(deps: Deps) -> list[str]:
    return [c.tracking_code for c in service.list_cases(deps, CaseQuery())]


def test_a_citizen_files_once_withdraws_with_confirmation_and_undoes_it(
    site: tuple[str, Deps], browser: Browser
) -> None:
    base, deps = site
    page = browser.new_page(viewport=PHONE)

    fill_form(page, base, "Biaya tidak sesuai tarif", days_ago=3)
    shot(page, "01-form")
    page.get_by_role("button", name="Kirim").click()
    expect(page).to_have_url(re.compile(r"/lapor/tanda-terima$"))
    expect(page.locator("h1")).to_have_text("Pengaduan Anda telah diterima.")
    receipt = page.locator("main")
    expect(receipt).to_contain_text("Dicatat sebagai pengaduan.")
    expect(receipt).to_contain_text(
        "Selanjutnya petugas mengklasifikasi dan menelaah pengaduan Anda"
    )
    expect(receipt).to_contain_text("Jawaban kami sampaikan paling lambat")
    expect(receipt).to_contain_text("Batas waktu jawaban")
    code = page.locator("#tracking-code").inner_text()
    pin = page.locator("#pin").inner_text()
    shot(page, "02-receipt")

    page.reload()  # a real refresh of the receipt page
    expect(page.locator("#tracking-code")).to_have_text(code)
    expect(page.locator("#pin")).to_have_text(pin)
    assert cases(deps) == [code]

    # A double click on the button sends the form twice: one case.
    fill_form(page, base, "Antrean pendaftaran terlalu lama", days_ago=3)
    page.get_by_role("button", name="Kirim").dblclick()
    expect(page).to_have_url(re.compile(r"/lapor/tanda-terima$"))
    second = page.locator("#tracking-code").inner_text()
    assert second != code
    assert sorted(cases(deps)) == sorted([code, second])

    # Tracking: the deadline; withdrawing asks a reason, then a confirmation.
    page.goto(f"{base}/lacak")
    page.get_by_label("Kode pelacakan").fill(code)
    page.get_by_role("button", name="Lacak pengaduan").click()
    result = page.locator(".result")
    expect(result.locator(".status")).to_have_text("Dicatat")
    expect(result).to_contain_text("Batas waktu jawaban")
    shot(page, "03-tracking")
    page.get_by_label("Alasan").fill("Biaya sudah dikembalikan petugas loket")
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator("#h-confirm")).to_have_text("Yakin mencabut pengaduan ini?")
    expect(page.locator(".confirm")).to_contain_text("dalam 72 jam")
    assert service.track_case(deps, code).status == "recorded"  # nothing yet
    shot(page, "04-confirm")
    page.get_by_role("button", name="Ya, cabut pengaduan").click()
    expect(page.locator("[role=status]")).to_have_text("Pengaduan Anda telah dicabut.")
    expect(result.locator(".status")).to_have_text("Dicabut oleh pelapor")
    expect(result).to_contain_text("Pencabutan dapat dibatalkan sampai")
    shot(page, "05-withdrawn")
    page.reload()  # the page after the redirect: reloading repeats nothing
    timeline = service.get_case(deps, code, "budi").timeline
    assert [e.action for e in timeline] == ["submit", "withdraw"]

    # Undo within the window: back where it was.
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Batalkan pencabutan").click()
    expect(page.locator("[role=status]")).to_have_text(
        "Pencabutan dibatalkan; pengaduan Anda kembali ditindaklanjuti."
    )
    expect(result.locator(".status")).to_have_text("Dicatat")
    shot(page, "06-undone")
    assert service.track_case(deps, code).status == "recorded"


def test_a_late_submission_is_told_it_is_a_suggestion_and_why(
    site: tuple[str, Deps], browser: Browser
) -> None:
    base, _ = site
    page = browser.new_page(viewport=PHONE)

    fill_form(page, base, "Pelayanan lambat bulan lalu", days_ago=45)
    page.get_by_role("button", name="Kirim").click()

    expect(page.locator("h1")).to_have_text("Masukan Anda telah diterima.")
    main = page.locator("main")
    expect(main).to_contain_text(
        "Dicatat sebagai saran/masukan, bukan pengaduan, karena diajukan lebih dari 30 hari "
        "setelah layanan diterima."
    )
    expect(main).to_contain_text(
        "Atasan pengelola pengaduan masih dapat menerimanya sebagai pengaduan."
    )
    expect(main).not_to_contain_text("Batas waktu jawaban")
    shot(page, "07-receipt-suggestion")


def closed_case(deps: Deps) -> str:
    """The tracking code of a complaint closed now (the server's clock: this quarter)."""
    case = b.resolved_case(deps)
    b.act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    b.act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    return b.act(deps, case, Action.CLOSE, "agus").tracking_code


def test_a_citizen_answers_the_satisfaction_survey_on_the_sites_pages(
    site: tuple[str, Deps], browser: Browser
) -> None:
    base, deps = site
    code = closed_case(deps)
    today = wib_date(datetime.now(UTC))
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    page = browser.new_page(viewport=PHONE)
    nav = page.get_by_role("navigation", name="Navigasi utama")

    page.goto(f"{base}/survei/publik/{quarter}")
    expect(nav.get_by_role("link", name="Lacak pengaduan")).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Survei Kepuasan Masyarakat Triwulan")
    shot(page, "08-survey-proof")

    proof = page.get_by_label("Kode lacak atau nomor izin")
    proof.fill("ADN-AAAAA-BBBBB")
    page.get_by_role("button", name="Mulai survei").click()
    expect(proof).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#bukti-error")).to_contain_text("tidak cocok")
    shot(page, "09-survey-refused")

    proof.fill(code)
    page.get_by_role("button", name="Mulai survei").click()
    expect(page).to_have_url(re.compile(r"/survei/[^/]+$"))
    expect(page.locator("fieldset")).to_have_count(9)
    expect(nav).to_be_visible()
    shot(page, "10-survey-form")
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("3 · sesuai").check()
    page.get_by_label("Saran untuk perbaikan pelayanan").fill("Antrean lebih cepat")
    page.get_by_role("button", name="Kirim").click()
    expect(page.locator("h1")).to_have_text("Terima kasih")
    expect(nav).to_be_visible()
    shot(page, "11-survey-thanks")

    page.get_by_role("link", name="English").click()  # the thanks again, not the used link
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/survei/terima-kasih\?lang=en$"))
    expect(page.locator("[role=status]")).to_be_visible()
    expect(page.locator("[role=alert]")).to_have_count(0)
    page.goto(f"{base}/survei/publik/{quarter}")
    expect(page.locator("h1")).to_contain_text("Quarter")
    page.goto(f"{base}/survei/publik/{quarter}?lang=id")  # back to Indonesian for the others


def test_no_public_page_shows_a_code_or_an_english_word() -> None:
    assert set(PAGES) >= {"02-receipt", "04-confirm", "05-withdrawn", "07-receipt-suggestion"}
    assert {"08-survey-proof", "09-survey-refused", "10-survey-form", "11-survey-thanks"} <= set(
        PAGES
    )
    assert {name: leaks(text) for name, text in PAGES.items() if leaks(text)} == {}
