"""The administrator needs no terminal (issue 13 item 7): users are added, changed, deactivated
and given a new password in the browser, and calendar overrides are previewed with the
deadlines they move before they are saved — each change on record, refused input shown next
to its field with nothing saved. Over HTTP on both engines."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aduan.config import Notify, Settings
from aduan.service import Deps, accounts, timekeeping
from aduan.service.reference import show_orgchart
from tests.integration import builders as b
from tests.integration.servers import free_port
from tests.integration.test_delivery import dispatcher
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import PASSWORDS, csrf_of, login, post_form, serving, set_passwords

ADMIN_PASSWORD = "rahasia-admin-2026"


# The server's settings name a mail server: its email may be sent again, its WhatsApp not.
SERVER = Settings(notify=Notify(smtp_host="127.0.0.1"))


@pytest.fixture
def admin(deps: Deps) -> Iterator[httpx.Client]:
    """A browser-like client logged in as the administrator."""
    set_passwords(deps)
    accounts.set_password(deps, "admin", ADMIN_PASSWORD)
    with (
        serving(deps, SERVER) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        token = csrf_of(client.get("/login").text)
        form = {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 303
        yield client


def words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


NEW_USER = {
    "username": "rudi",
    "full_name": "Rudi Hartono",
    "role": "officer",
    "position": "pelaksana-pengaduan",
    "email": "rudi@dpmptsp.go.id",
    "nip": "199001012015031001",
    "active": "on",
}


def test_an_administrator_adds_a_user_who_can_then_log_in(admin: httpx.Client, deps: Deps) -> None:
    saved = post_form(admin, "/admin/pengguna", "/admin/pengguna", NEW_USER)
    assert saved.status_code == 303
    listing = words(admin.get(saved.headers["location"]).text)
    assert "Tersimpan: rudi" in listing
    assert "Rudi Hartono rudi Petugas pengaduan Pejabat Pengelola Pengaduan" in listing

    reset = post_form(admin, "/admin/pengguna/rudi", "/admin/pengguna/rudi/kata-sandi", {})
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    password = re.search(r'<code id="new-password">([^<]+)</code>', reset.text)
    assert password
    with httpx.Client(base_url=str(admin.base_url), timeout=HTTP_TIMEOUT) as rudi:
        token = csrf_of(rudi.get("/login").text)
        form = {"username": "rudi", "password": password.group(1), "csrf_token": token}
        assert rudi.post("/login", data=form).headers["location"] == "/queue"
    trail = [(e.event, e.detail) for e in accounts.audit_trail(deps, "rudi")]
    assert ("user_saved", "added by admin: role=officer position=pelaksana-pengaduan "
            "active=True") in trail  # fmt: skip
    assert any(event == "password_set" for event, _ in trail)


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("email", "bukan-email", "Email"),
        ("nip", "12345", "NIP"),
        ("role", "raja", "Peran"),
        ("full_name", "", "Nama lengkap"),
    ],
)
def test_bad_user_input_is_shown_next_to_its_field_and_nothing_is_saved(
    admin: httpx.Client, deps: Deps, field: str, value: str, label: str
) -> None:
    refused = post_form(admin, "/admin/pengguna", "/admin/pengguna", {**NEW_USER, field: value})

    assert refused.status_code == 422
    assert f'id="u-{field}-error"' in refused.text
    assert f"<strong>{label}:</strong>" in refused.text
    assert "rudi" not in show_orgchart(deps).users


def test_deactivating_a_user_ends_their_logins(admin: httpx.Client, deps: Deps) -> None:
    budi = {**NEW_USER, "username": "budi", "full_name": "Budi Santoso", "active": ""}
    budi.pop("active")
    budi.pop("nip")
    budi.pop("email")
    saved = post_form(admin, "/admin/pengguna/budi", "/admin/pengguna", budi)

    assert saved.status_code == 303
    assert show_orgchart(deps).users["budi"].active is False
    with httpx.Client(base_url=str(admin.base_url), timeout=HTTP_TIMEOUT) as client:
        token = csrf_of(client.get("/login").text)
        form = {"username": "budi", "password": PASSWORDS["budi"], "csrf_token": token}
        assert client.post("/login", data=form).status_code != 303


def test_a_calendar_override_is_previewed_with_the_deadlines_it_moves_then_saved(
    admin: httpx.Client, deps: Deps
) -> None:
    # Received Monday 2 March 2026: 14 working days (Nyepi, Idul Fitri and their cuti bersama
    # skipped) end on Friday 27 March. A regional holiday on Wednesday 4 March moves the
    # answer deadline one working day, to Monday 30 March.
    case = b.submit(deps)
    form = {"on": "2026-03-04", "kind": "holiday", "reason": "Hari jadi kabupaten"}

    preview = post_form(admin, "/admin/kalender", "/admin/kalender", form)

    shown = words(preview.text)
    assert "Pratinjau: 1 tenggat akan dipindahkan" in shown
    assert (
        f"{case.tracking_code} — Tanggapan (14 hari kerja): 27/03/2026 23:59 WIB → "
        "30/03/2026 23:59 WIB" in shown
    )
    assert timekeeping.calendar(deps).overrides == ()  # previewing stores nothing

    saved = post_form(admin, "/admin/kalender", "/admin/kalender", {**form, "confirm": "1"})
    assert saved.status_code == 303
    assert "done=1" in saved.headers["location"]
    assert [o.reason for o in timekeeping.calendar(deps).overrides] == ["Hari jadi kabupaten"]
    after = b.service.get_case(deps, case.tracking_code, "sari")
    assert after.response_due_at is not None
    assert after.response_due_at.isoformat() == "2026-03-30T16:59:59+00:00"


def test_an_override_without_a_reason_is_refused_next_to_the_field(admin: httpx.Client) -> None:
    refused = post_form(
        admin, "/admin/kalender", "/admin/kalender", {"on": "2026-12-10", "kind": "holiday"}
    )
    assert refused.status_code == 422
    assert 'id="c-reason-error"' in refused.text


def test_staff_cannot_open_the_admin_pages(deps: Deps) -> None:
    set_passwords(deps)
    with serving(deps) as url, httpx.Client(base_url=url, timeout=HTTP_TIMEOUT) as client:
        login(client, "sari")
        assert client.get("/admin/pengguna").status_code == 403
        assert client.get("/admin/kalender").status_code == 403


def test_an_administrator_names_an_acting_holder_for_a_post(
    admin: httpx.Client, deps: Deps
) -> None:
    saved = post_form(
        admin, "/admin/pengguna", "/admin/jabatan/tim-teknis-dispertan/plt", {"acting": "yuni"}
    )

    assert saved.status_code == 303
    assert show_orgchart(deps).positions["tim-teknis-dispertan"].acting == "yuni"
    page = admin.get("/admin/pengguna").text
    assert '<option value="yuni" selected>Yuni Rahmawati</option>' in page


def test_failed_deliveries_are_listed_masked_and_retried_in_the_browser(
    admin: httpx.Client, deps: Deps, tmp_path: Path
) -> None:
    b.submit(deps, channel="email")
    dispatcher(
        deps, tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), max_attempts=1
    ).dispatch()

    page = words(admin.get("/admin/pengiriman").text)
    assert "Pengiriman gagal (1)" in page
    assert "Tanda terima pengaduan" in page and "s•••@contoh.id" in page
    assert "siti.aminah@contoh.id" not in page  # no case content for the administrator
    assert "refused" in page.lower()  # the reason the channel gave

    retried = post_form(admin, "/admin/pengiriman", "/admin/pengiriman", {})
    assert retried.headers["location"] == "/admin/pengiriman?done=1"
    with deps.uow(readonly=True) as uow:
        assert uow.outbox.counts()["pending"] == 1 and uow.outbox.counts()["dead"] == 0


def test_a_failed_message_of_a_channel_the_server_lacks_is_not_offered_again(
    admin: httpx.Client, deps: Deps, tmp_path: Path
) -> None:
    b.submit(deps, channel="whatsapp")  # the acknowledgement goes by WhatsApp: no gateway here
    dispatcher(deps, tmp_path, max_attempts=1).dispatch()

    shown = admin.get("/admin/pengiriman").text
    page = words(shown)
    assert "Pengiriman gagal (1)" in page
    assert "belum diatur di server ini: WhatsApp" in page and "ADUAN_WHATSAPP_WEBHOOK_URL" in page
    assert (
        'name="id"' not in shown and "Kirim ulang semua" not in page
    )  # nothing that can only fail

    retried = post_form(admin, "/admin/pengiriman", "/admin/pengiriman", {})
    assert retried.headers["location"] == "/admin/pengiriman?done=0"
    with deps.uow(readonly=True) as uow:
        assert uow.outbox.counts()["dead"] == 1


def test_an_administrator_changes_a_services_completion_time(
    admin: httpx.Client, deps: Deps
) -> None:
    page = admin.get("/admin/katalog?kode=15121").text
    assert 'name="code" value="15121"' in page and "readonly" in page
    form = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input id="s-\w+" name="(\w+)" value="([^"]*)"', page)
    }
    basis = re.search(
        r'<textarea id="s-legal_basis" name="legal_basis"[^>]*>(.*?)</textarea>', page, re.S
    )
    assert basis
    form["legal_basis"] = html.unescape(basis.group(1))

    refused = post_form(admin, "/admin/katalog", "/admin/katalog", {**form, "completion_days": "0"})
    assert refused.status_code == 422 and 'id="s-completion_days-error"' in refused.text

    saved = post_form(admin, "/admin/katalog", "/admin/katalog", {**form, "completion_days": "5"})
    assert saved.headers["location"] == "/admin/katalog?done=15121"
    (service,) = [s for s in b.service.list_services(deps) if s.code == "15121"]
    assert service.completion_days == 5
    assert service.legal_basis  # kept from the form
