"""The administrator lists the MPP kiosk and the office network in the browser (issue 12 item 5):
each address gets a larger public allowance, bad input is named at its field with nothing saved,
and every change is in the login audit. Over HTTP on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from aduan.service import Deps, accounts, limits
from tests.web.server import HTTP_TIMEOUT
from tests.web.test_admin_pages import ADMIN_PASSWORD, words
from tests.web.ui_support import PASSWORDS, csrf_of, post_form, serving, set_passwords

PAGE = "/admin/akses-publik"


@pytest.fixture
def admin(deps: Deps) -> Iterator[httpx.Client]:
    """A browser-like client logged in as the administrator."""
    set_passwords(deps)
    accounts.set_password(deps, "admin", ADMIN_PASSWORD)
    with (
        serving(deps) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        token = csrf_of(client.get("/login").text)
        form = {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 303
        yield client


def test_an_administrator_lists_an_address_and_takes_it_off(
    admin: httpx.Client, deps: Deps
) -> None:
    empty = words(admin.get(PAGE).text)
    assert "Belum ada alamat terdaftar" in empty
    assert "10 per jam per perangkat dan 30 per jam per alamat" in empty

    saved = post_form(
        admin,
        PAGE,
        PAGE,
        {"network": "203.0.113.9/24", "per_hour": "200", "label": "Anjungan MPP lantai 1"},
    )
    assert saved.status_code == 303
    listing = words(admin.get(saved.headers["location"]).text)
    assert "Batas akses tersimpan." in listing
    assert "203.0.113.0/24 200 Anjungan MPP lantai 1" in listing
    assert [(a.network, a.per_hour) for a in limits.list_allowances(deps, "admin")] == [
        ("203.0.113.0/24", 200)
    ]

    removed = post_form(admin, PAGE, PAGE, {"network": "203.0.113.0/24", "remove": "1"})
    assert removed.status_code == 303
    assert "Alamat dihapus dari daftar" in words(admin.get(removed.headers["location"]).text)
    assert limits.list_allowances(deps, "admin") == []
    audit = [(e.event, e.detail) for e in accounts.audit_trail(deps, "admin")]
    assert audit[-2:] == [
        ("allowance_set", "203.0.113.0/24 200/h Anjungan MPP lantai 1"),
        ("allowance_removed", "203.0.113.0/24"),
    ]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"network": "kantor", "per_hour": "50", "label": "x"}, "network", "tidak valid"),
        ({"network": "10.0.0.0/8", "per_hour": "0", "label": "x"}, "per_hour", "1–100000"),
        ({"network": "10.0.0.0/8", "per_hour": "banyak", "label": "x"}, "per_hour", "bulat"),
        ({"network": "10.0.0.0/8", "per_hour": "50", "label": " "}, "label", "wajib"),
    ],
)
def test_bad_input_is_named_at_its_field_and_nothing_is_saved(
    admin: httpx.Client, deps: Deps, form: dict[str, str], field: str, message: str
) -> None:
    refused = post_form(admin, PAGE, PAGE, form)

    assert refused.status_code == 422
    assert f'id="a-{field}-error"' in refused.text
    error = refused.text.split(f'id="a-{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert limits.list_allowances(deps, "admin") == []


def test_only_the_administrator_sees_the_page(deps: Deps) -> None:
    set_passwords(deps)
    with (
        serving(deps) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        token = csrf_of(client.get("/login").text)
        form = {"username": "budi", "password": PASSWORDS["budi"], "csrf_token": token}
        assert client.post("/login", data=form).status_code == 303
        page = client.get(PAGE)

    assert page.status_code == 403
