"""In a real browser, an agency officer reaches only the cases routed to their agency (DESIGN §6).

Tono (Dinas Pertanian) finds the case routed to his agency in his queue and opens it; the case
routed to Disperindag is on none of his pages, and typing its address answers the 404 page,
exactly as for a case that does not exist. Wawan (Disperindag) sees his own and not Tono's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from aduan.bootstrap import build, upgrade_database
from aduan.config import Settings
from aduan.service import accounts
from aduan.workflow.states import Action
from tests.browser.conftest import serving
from tests.integration import builders as b

PASSWORDS = {"tono": "rahasia-tono-2026", "hendra": "rahasia-hendra-2026"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`aduan serve` over a new SQLite file with one case routed to each of two agencies."""
    folder = tmp_path_factory.mktemp("visibility")
    url = f"sqlite:///{folder / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    # The sample org chart holds each agency's entry post: tono (Dispertan), hendra (Disperindag).
    for username, password in PASSWORDS.items():
        accounts.set_password(deps, username, password)
    codes = {
        "dispertan": b.agency_case(deps).tracking_code,
        "disperindag": b.act(
            deps, b.reviewed_case(deps), Action.ROUTE_AGENCY, "budi", agency="disperindag"
        ).tracking_code,
    }
    with serving(url, folder) as base:
        yield base, codes


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORDS[username])
    page.get_by_label("Kata sandi").press("Enter")
    expect(page).to_have_url(re.compile(r"/queue$"))


@pytest.mark.parametrize(("username", "own", "other"), [
    ("tono", "dispertan", "disperindag"),
    ("hendra", "disperindag", "dispertan"),
])  # fmt: skip
def test_an_agency_officer_reaches_only_their_agencys_cases(
    server: tuple[str, dict[str, str]], browser: Browser, username: str, own: str, other: str
) -> None:
    base, codes = server
    page = browser.new_page()
    log_in(page, base, username)

    # Their own agency's case is in their queue, and its link opens it.
    expect(page.get_by_role("link", name=codes[own])).to_be_visible()
    page.get_by_role("link", name=codes[own]).click()
    expect(page).to_have_url(re.compile(re.escape(codes[own])))
    expect(page.locator("body")).to_contain_text(codes[own])

    # The other agency's case is linked from none of the pages they can open.
    for path in ("/queue", "/overdue", "/supervisor"):
        page.goto(f"{base}{path}")
        assert page.locator(f"a[href*='{codes[other]}']").count() == 0, path
        expect(page.locator("body")).not_to_contain_text(codes[other])

    # Typed by hand, its address answers like a case that does not exist.
    response = page.goto(f"{base}/cases/{codes[other]}")
    assert response is not None
    assert response.status == 404
    missing = page.goto(f"{base}/cases/ADN-ZZZZZ-ZZZZZ")
    assert missing is not None
    assert missing.status == 404
    page.close()
