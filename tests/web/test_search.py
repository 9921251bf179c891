"""Search over HTTP (issue 14 item 2): ``GET /api/v1/cases?q=`` and the staff page ``/cari``.

On SQLite and PostgreSQL through the running app: hits in the caller's sight with a snippet
whose only markup is ``<mark>``, a search box in every staff header (not the administrator's),
and a search with no word named at its field — in the API as problem+json, on the page next to
the box — never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration.builders import act, reviewed_case, submit
from tests.web.conftest import Web
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import login, serving, set_passwords


def test_the_api_finds_by_stem_in_the_callers_sight(web: Web) -> None:
    deps = web.deps
    routed = act(deps, reviewed_case(deps), Action.ROUTE_AGENCY, "budi")
    kept = submit(deps, subject="Pelayanan loket lambat", description="Antre tiga jam")

    office = web.staff("budi").get("/api/v1/cases", params={"q": "layanan"})
    agency = web.staff("tono").get("/api/v1/cases", params={"q": "sertifikat"})
    hidden = web.staff("tono").get("/api/v1/cases", params={"q": "pelayanan"})

    assert office.status_code == 200, office.text
    body = office.json()
    assert body["q"] == "layanan"
    assert [h["tracking_code"] for h in body["hits"]] == [kept.tracking_code]
    assert body["hits"][0]["snippet"].startswith("<mark>Pelayanan</mark> loket lambat")
    assert [h["tracking_code"] for h in agency.json()["hits"]] == [routed.tracking_code]
    assert hidden.json()["hits"] == []


def test_the_api_takes_a_tracking_code_in_any_spelling(web: Web) -> None:
    case = submit(web.deps)
    typed = case.tracking_code.lower().replace("-", "")

    found = web.staff("budi").get("/api/v1/cases", params={"q": typed}).json()

    assert found["hits"][0]["tracking_code"] == case.tracking_code


@pytest.mark.parametrize("q", ['"*"', "( ) : -", "x" * 201])
def test_the_api_refuses_a_search_without_words_naming_q(web: Web, q: str) -> None:
    response = web.staff("budi").get("/api/v1/cases", params={"q": q})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "q" in response.text


def test_the_api_searches_operators_as_words_never_a_500(web: Web) -> None:
    submit(web.deps, subject="Izin usaha belum keluar", description="Sudah sebulan")

    for q in ['izin" OR "*', "izin AND (usaha", "izin:*", "NEAR(izin", "izin & !usaha |"]:
        response = web.staff("budi").get("/api/v1/cases", params={"q": q})
        assert response.status_code == 200, (q, response.text)


def test_the_api_refuses_q_with_other_filters(web: Web) -> None:
    response = web.staff("budi").get("/api/v1/cases", params={"q": "izin", "status": "recorded"})

    assert response.status_code == 422, response.text
    assert "q" in response.text


@pytest.fixture
def browser(deps: Deps) -> Iterator[httpx.Client]:
    set_passwords(deps)
    with (
        serving(deps) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT) as client,
    ):
        yield client


def test_the_search_page_marks_the_words_and_escapes_the_rest(
    deps: Deps, browser: httpx.Client
) -> None:
    case = submit(deps, subject="Izin <b>usaha</b> & lain", description="Sudah sebulan")

    queue = login(browser, "budi").text
    page = browser.get("/cari", params={"q": "perizinan"})

    assert 'action="/cari"' in queue  # the box in the header of a staff page
    assert page.status_code == 200
    assert f'href="/cases/{case.tracking_code}"' in page.text
    assert "<mark>Izin</mark> &lt;b&gt;usaha&lt;/b&gt; &amp; lain" in page.text
    assert "<b>usaha</b>" not in page.text
    assert "1 kasus ditemukan" in page.text


def test_the_search_page_names_a_search_without_words_at_the_field(
    deps: Deps, browser: httpx.Client
) -> None:
    login(browser, "budi")

    page = browser.get("/cari", params={"q": '"*"'})

    assert page.status_code == 422
    error = re.search(r'<p class="error" id="cari-q-error">(.*?)</p>', page.text)
    assert error is not None
    assert "Kata kunci" in error.group(1)
    assert "setidaknya satu huruf atau angka" in error.group(1)
    assert 'aria-invalid="true"' in page.text


def test_no_search_box_for_those_not_logged_in(browser: httpx.Client) -> None:
    assert 'action="/cari"' not in browser.get("/login").text
    assert browser.get("/cari", params={"q": "izin"}).status_code == 303
