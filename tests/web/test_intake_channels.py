"""Intake that loses nothing (issue 12, parts 1 and 6) over HTTP: the public form and the staff
intake form (a real uvicorn server), the staff API and the public API.

The clock stands at Monday 2 March 2026, 10:00 WIB; every expected day is counted by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aduan import service
from aduan.ports import CaseQuery
from aduan.service import Deps
from aduan.workflow.states import Role
from tests.integration.builders import row_counts
from tests.web.conftest import Web
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import login, post_form, serving, set_passwords


@pytest.fixture
def browser(deps: Deps) -> Iterator[httpx.Client]:
    """A cookie-keeping HTTP client on the app over the test's database."""
    set_passwords(deps)
    with (
        serving(deps) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        yield client


def public_form(**changes: Any) -> dict[str, Any]:
    """A complete public form from the DPMPTSP website."""
    form = {
        "website": "dpmptsp",
        "complainant.name": "Ahmad Fauzi",
        "complainant.email": "ahmad@contoh.id",
        "subject": "Biaya tidak sesuai",
        "description": "Diminta biaya tambahan di loket",
        "service_received_on": "2026-02-27",
        **changes,
    }
    return {k: v for k, v in form.items() if v is not None}


def staff_form(**changes: Any) -> dict[str, Any]:
    """A complete staff intake form."""
    return {
        "channel": "box",
        "complainant.name": "Ujang Suryana",
        "complainant.address": "Kp. Cibodas RT 03/02, Wanayasa, Purwakarta",
        "complainant.confidential": "on",
        "subject": "Diminta uang pelicin",
        "description": "Petugas loket meminta uang agar berkas cepat diproses",
        "service_code": "15121",
        "service_received_on": "2026-01-27",
        **changes,
    }


def error_of(html: str, field_id: str) -> str:
    """The text of the error shown next to the field with HTML id ``field_id``."""
    found = re.search(rf'id="{field_id}-error">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", found.group(1))


# --- the public form ----------------------------------------------------------------------


def test_each_office_website_links_to_the_form_with_itself_chosen(browser: httpx.Client) -> None:
    page = browser.get("/lapor?situs=mpp").text
    assert re.search(r'<option value="mpp" selected>Situs MPP', page)
    assert not re.search(r'<option value="dpmptsp" selected>', page)
    plain = browser.get("/lapor").text
    assert not re.search(r'<option value="(mpp|dpmptsp)" selected>', plain)


def test_a_complaint_from_the_mpp_website_is_recorded_as_web_mpp(
    deps: Deps, browser: httpx.Client
) -> None:
    done = post_form(browser, "/lapor?situs=mpp", "/lapor", public_form(website="mpp"))
    assert done.status_code == 303
    stored = service.list_cases(deps, CaseQuery())
    assert [(c.channel, c.kind) for c in stored] == [("web_mpp", "complaint")]


def test_the_description_is_asked_for_and_the_reason_given(
    deps: Deps, browser: httpx.Client
) -> None:
    page = browser.get("/lapor").text
    assert re.search(r'for="f-description">Uraian <span class="req">\(wajib\)', page)
    assert "tidak dapat ditelaah" in page  # the hint says why

    shown = post_form(browser, "/lapor", "/lapor", public_form(description="   "))

    assert shown.status_code == 422
    assert "tidak dapat ditelaah" in error_of(shown.text, "f-description")
    assert row_counts(deps)["cases"] == 0


def test_a_name_with_no_way_to_reach_the_person_is_asked_to_be_completed(
    deps: Deps, browser: httpx.Client
) -> None:
    form = public_form(**{"complainant.email": None})
    shown = post_form(browser, "/lapor", "/lapor", form)
    assert shown.status_code == 422
    message = error_of(shown.text, "f-complainant")
    assert "alamat, telepon, email atau akun media sosial" in message
    assert row_counts(deps)["cases"] == 0


def test_a_name_and_a_postal_address_make_a_complaint(deps: Deps, browser: httpx.Client) -> None:
    form = public_form(
        **{"complainant.email": None, "complainant.address": "Jl. Veteran No. 10, Purwakarta"}
    )
    assert post_form(browser, "/lapor", "/lapor", form).status_code == 303
    [stored] = service.list_cases(deps, CaseQuery())
    assert (stored.kind, stored.screening_reason) == ("complaint", None)


def test_every_problem_of_the_public_form_is_shown_at_once(
    deps: Deps, browser: httpx.Client
) -> None:
    form = public_form(
        website="facebook",
        description="",
        service_received_on=None,
        **{"complainant.email": None},
    )
    shown = post_form(browser, "/lapor", "/lapor", form)
    assert shown.status_code == 422
    assert "DPMPTSP atau MPP" in error_of(shown.text, "f-website")
    assert "wajib diisi" in error_of(shown.text, "f-description")
    assert "cara menghubungi" in error_of(shown.text, "f-complainant")
    assert "belum terbit" in error_of(shown.text, "f-service_received_on")
    assert row_counts(deps)["cases"] == 0


def test_a_licence_not_yet_issued_is_submitted_with_its_application_date(
    deps: Deps, browser: httpx.Client
) -> None:
    # Applied Monday 23 February; 7 working days after: 24, 25, 26, 27 Feb, 2, 3, 4 March.
    form = public_form(service_received_on=None, service_pending="on", applied_on="2026-02-23")
    form["service_code"] = "15121"
    assert post_form(browser, "/lapor", "/lapor", form).status_code == 303
    [stored] = service.list_cases(deps, CaseQuery())
    case = service.get_case(deps, stored.tracking_code, "sari")
    assert (case.kind, case.service_pending, case.service_received_on) == ("complaint", True, None)
    assert str(case.window_from) == "2026-03-04"
    assert case.intake_days == -2  # complained of two days before it was due


# --- the staff intake form ----------------------------------------------------------------


def test_a_box_letter_without_its_drop_date_is_refused_at_the_field(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")
    shown = post_form(browser, "/cases/new", "/cases/new", staff_form())
    assert shown.status_code == 422
    assert "Kotak Pengaduan" in error_of(shown.text, "f-channel_facts-dropped_on")
    assert row_counts(deps)["cases"] == 0


def test_a_box_letter_dropped_on_day_30_and_opened_on_day_34_is_a_complaint(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")
    form = staff_form(**{"channel_facts.dropped_on": "2026-02-26"})
    done = post_form(browser, "/cases/new", "/cases/new", form)
    assert done.status_code == 303
    page = browser.get(done.headers["location"]).text
    assert re.search(r'<span class="badge">Pengaduan</span>', page)
    assert re.search(r"<dt>Tanggal dimasukkan ke kotak</dt><dd>26/02/2026</dd>", page)
    assert "hari ke-30 dihitung dari 27/01/2026" in page


def test_a_fact_of_another_channel_is_refused_at_its_field(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")
    form = staff_form(channel="phone", **{"channel_facts.lapor_id": "LPR-1"})
    shown = post_form(browser, "/cases/new", "/cases/new", form)
    assert shown.status_code == 422
    assert "tidak berlaku untuk saluran" in error_of(shown.text, "f-channel_facts-lapor_id")
    assert row_counts(deps)["cases"] == 0


# --- the APIs -----------------------------------------------------------------------------


def api_case(**changes: Any) -> dict[str, Any]:
    return {
        "channel": "lapor",
        "complainant": {"name": "Rina", "phone": "081234567890"},
        "subject": "Izin belum terbit",
        "description": "Sudah lewat jangka waktu",
        "service_code": "15121",
        "service_received_on": "2026-01-27",
        "channel_facts": {"lapor_id": "LPR-2602-88123", "lapor_received_on": "2026-02-26"},
        **changes,
    }


def test_the_staff_api_records_the_lapor_ticket(web: Web) -> None:
    officer = web.role(Role.OFFICER)
    created = officer.post("/api/v1/cases", json=api_case())
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["kind"], body["intake_days"]) == ("complaint", 30)
    assert body["channel_facts"] == {
        "lapor_id": "LPR-2602-88123",
        "lapor_received_on": "2026-02-26",
    }


@pytest.mark.parametrize(
    ("facts", "field", "rule"),
    [
        ({"lapor_id": "LPR-1"}, "channel_facts.lapor_received_on", "required_for_channel"),
        (
            {"lapor_id": "LPR-1", "lapor_received_on": "2026-02-26", "dropped_on": "2026-02-20"},
            "channel_facts.dropped_on",
            "not_for_channel",
        ),
        ({"lapor_id": "LPR-1", "fax_number": "0264-1"}, "channel_facts.fax_number", None),
    ],
    ids=["missing", "other-channel", "unknown"],
)
def test_the_staff_api_names_a_bad_channel_fact(
    web: Web, facts: dict[str, str], field: str, rule: str | None
) -> None:
    refused = web.role(Role.OFFICER).post("/api/v1/cases", json=api_case(channel_facts=facts))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["field"] == field
    if rule:
        assert problem["rule"] == rule
    assert row_counts(web.deps)["cases"] == 0


def test_the_public_api_records_the_website(web: Web) -> None:
    public = web.anon()
    body = {
        "website": "mpp",
        "complainant": {"name": "Rina", "phone": "081234567890"},
        "subject": "Antrean MPP",
        "description": "Nomor antrean dilewati",
        "service_received_on": "2026-02-27",
    }
    created = public.post("/api/v1/public/complaints", json=body)
    assert created.status_code == 201, created.text
    [stored] = service.list_cases(web.deps, CaseQuery())
    assert stored.channel == "web_mpp"
    refused = public.post("/api/v1/public/complaints", json={**body, "website": "facebook"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "website"
