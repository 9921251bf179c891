"""The public intake limit per device and address, and never for staff (issue 12 item 5)."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.service import limits
from aduan.web.auth import DEVICE_COOKIE
from aduan.web.ratelimit import IntakeLimits
from tests.web.conftest import Web

FORM: dict[str, Any] = {
    "complainant": {"name": "Siti Aminah", "email": "siti@contoh.id"},
    "subject": "Izin usaha belum terbit",
    "description": "Sudah tiga minggu sejak berkas lengkap",
    "service_code": "15121",
    "service_received_on": "2026-02-23",
}
URL = "/api/v1/public/complaints"


@pytest.fixture
def strict(sqlite_web: Web) -> Web:
    """The app with small limits: 2 an hour per device, 5 per address."""
    assert sqlite_web.app is not None
    sqlite_web.app.state.intake_limits = IntakeLimits(per_device=2, per_address=5)
    return sqlite_web


def test_another_device_behind_the_same_address_is_not_refused(strict: Web) -> None:
    kiosk_a = strict.anon(cookies={DEVICE_COOKIE: "perangkat-a"})
    kiosk_b = strict.anon(cookies={DEVICE_COOKIE: "perangkat-b"})
    kiosk_c = strict.anon(cookies={DEVICE_COOKIE: "perangkat-c"})
    kiosk_d = strict.anon(cookies={DEVICE_COOKIE: "perangkat-d"})

    a = [kiosk_a.post(URL, json=FORM).status_code for _ in range(3)]
    b = [kiosk_b.post(URL, json=FORM).status_code for _ in range(2)]
    c = kiosk_c.post(URL, json=FORM).status_code  # the address's fifth
    d = kiosk_d.post(URL, json=FORM)  # a sixth from the address, from yet another device

    assert a == [201, 201, 429]
    assert b == [201, 201]
    assert c == 201
    assert d.status_code == 429 and d.json()["code"] == "throttled"
    assert 3300 < int(d.headers["retry-after"]) <= 3600


def test_the_form_hands_out_a_device_cookie_once(strict: Web) -> None:
    browser = strict.anon()

    first = browser.get("/lapor")
    again = browser.get("/lapor")

    assert first.status_code == 200
    assert DEVICE_COOKIE in first.cookies
    assert "max-age=31536000" in first.headers["set-cookie"].lower()
    assert DEVICE_COOKIE not in again.cookies  # kept, not replaced


def test_staff_intake_is_never_limited(strict: Web) -> None:
    officer = strict.staff("budi")
    public = strict.anon()

    staff_codes = [officer.post(URL, json=FORM).status_code for _ in range(4)]
    public_codes = [public.post(URL, json=FORM).status_code for _ in range(3)]

    assert staff_codes == [201, 201, 201, 201]
    assert public_codes == [201, 201, 429]  # the staff's submissions counted for nobody


def test_an_address_the_administrator_lists_has_its_larger_allowance(strict: Web) -> None:
    limits.set_allowance(strict.deps, "127.0.0.0/8", 7, "Anjungan MPP", by="admin")
    kiosk = strict.anon(cookies={DEVICE_COOKIE: "anjungan"})

    codes = [kiosk.post(URL, json=FORM).status_code for _ in range(8)]

    # One device, one address: 7 an hour instead of 2 per device and 5 per address.
    assert codes == [201] * 7 + [429]
    limits.remove_allowance(strict.deps, "127.0.0.0/8", by="admin")
    other = strict.anon(cookies={DEVICE_COOKIE: "lain"})
    assert other.post(URL, json=FORM).status_code == 429  # the address is over its 5 again
