"""The report pages over HTTP (a real uvicorn server, SQLite and PostgreSQL).

The dashboard with its SVG charts, the statistics as JSON, the recap and the written tier
reports as documents, the case export with the complainant masked for an agency, and the
public satisfaction survey form with its one-time token.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from pypdf import PdfReader

from aduan.catalog.orgchart import StaffUser
from aduan.service.reference import add_user
from aduan.workflow.states import Action, Role
from tests.integration import builders as b
from tests.web.conftest import Web
from tests.web.ui_support import login, set_passwords

MONTH = "2026-03"  # the test clock's month (tests.conftest.NOW: Monday 2 March 2026)
SCORES = {f"u{i}": str(score) for i, score in enumerate([4, 3, 3, 4, 2, 3, 4, 3, 4], 1)}


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (pypdf parses it back)."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def browser(web: Web) -> Iterator[httpx.Client]:
    """A cookie-keeping client, like a browser; staff passwords set for the login form."""
    set_passwords(web.deps)
    with httpx.Client(base_url=web.url, follow_redirects=False, timeout=30) as client:
        yield client


def test_the_dashboard_sends_a_visitor_to_the_login_and_shows_staff_the_charts(
    web: Web, browser: httpx.Client
) -> None:
    b.submit(web.deps)

    visitor = browser.get("/laporan", params={"month": MONTH})
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login?next=/laporan")

    login(browser, "sari")  # the complaints manager: the office-wide dashboard is theirs
    page = browser.get("/laporan", params={"month": MONTH})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "Maret 2026" in page.text
    # Without a period: the current month of the office's clock (Jakarta time).
    assert "Maret 2026" in browser.get("/laporan").text


def test_a_plain_officer_is_refused_the_office_figures_and_keeps_the_export(web: Web) -> None:
    # Issue 16 item 1: the office-wide dashboard is for the office's supervisors and head.
    b.submit(web.deps)
    budi = web.staff("budi")

    for path in ("/laporan/statistik.json", "/laporan/rekap.pdf"):
        refused = budi.get(path, params={"month": MONTH})
        assert refused.status_code == 403, path
        problem = refused.json()
        assert problem["rule"] == "office_figures", path
        assert "hanya untuk pengelola pengaduan dan Kepala Kantor" in problem["detail"], path
    # The dashboard is a page: the refusal is a page too, in words, without the rule's code.
    page = budi.get("/laporan", params={"month": MONTH})
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "hanya untuk pengelola pengaduan dan Kepala Kantor" in page.text
    assert "office_figures" not in page.text

    assert len(export_rows(web, "budi")) == 1  # their sight is the office's cases
    assert web.staff("sari").get("/laporan/rekap.pdf", params={"month": MONTH}).is_success


def test_the_statistics_come_as_json_only_to_staff(web: Web) -> None:
    b.submit(web.deps)
    b.submit(web.deps, complainant={"name": None})  # no identity: a suggestion

    refused = web.anon().get("/laporan/statistik.json", params={"month": MONTH})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")

    got = web.staff("sari").get("/laporan/statistik.json", params={"month": MONTH})
    assert got.status_code == 200
    s = got.json()
    assert (s["period"], s["total"], s["complaints"], s["suggestions"]) == (MONTH, 2, 1, 1)
    assert s["suggestion_reasons"] == {"no_identity": 1}
    assert s["compliance"]["pending"] == 1

    bad = web.staff("sari").get("/laporan/statistik.json", params={"month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "month"


def test_the_recap_is_a_pdf_with_the_period_and_its_numbers(web: Web) -> None:
    b.submit(web.deps)

    got = web.staff("dewi").get("/laporan/rekap.pdf", params={"month": MONTH})

    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert got.content.startswith(b"%PDF")
    text = pdf_text(got.content)
    assert "Rekap pengaduan 2026-03" in text, text


def test_a_written_tier_report_is_served_as_html_and_pdf(web: Web) -> None:
    case = b.internal_case(web.deps)
    b.act(web.deps, case, Action.ESCALATE, "budi", report="Perlu keputusan Kasi segera")
    base = f"/laporan/kasus/{case.tracking_code}/tertulis"
    sari = web.staff("sari")

    html = sari.get(f"{base}/1.html")
    assert html.status_code == 200
    assert "Perlu keputusan Kasi segera" in html.text and case.tracking_code in html.text

    pdf = sari.get(f"{base}/1.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Perlu keputusan Kasi segera" in pdf_text(pdf.content)

    missing = sari.get(f"{base}/2.pdf")
    assert missing.status_code == 422 and missing.json()["field"] == "report"
    assert web.anon().get(f"{base}/1.pdf").status_code == 401


def export_rows(web: Web, username: str) -> list[dict[str, str]]:
    """The CSV export of the test month as ``username`` downloads it."""
    got = web.staff(username).get("/laporan/ekspor.csv", params={"month": MONTH})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(got.text)))


def test_the_export_masks_a_confidential_complainant_for_an_agency(web: Web) -> None:
    b.agency_case(web.deps)  # confidential unless the complainant says otherwise

    manager, agency = export_rows(web, "sari"), export_rows(web, "tono")

    assert manager[0]["Nama pelapor"] == "Siti Aminah"
    assert manager[0]["Email pelapor"] == "siti.aminah@contoh.id"
    assert agency[0]["Nama pelapor"] == "(dirahasiakan)"
    assert agency[0]["Email pelapor"] == "" and agency[0]["Telepon pelapor"] == ""
    assert agency[0]["Pokok pengaduan"] == manager[0]["Pokok pengaduan"]


def test_an_unmasked_export_shows_in_the_heads_identity_report_a_masked_one_not(
    web: Web,
) -> None:
    code = b.agency_case(web.deps).tracking_code  # confidential unless said otherwise
    head = web.staff("dewi")

    export_rows(web, "tono")  # Dinas Pertanian: masked
    assert code not in head.get("/identitas").text

    export_rows(web, "sari")  # the complaints manager: unmasked, on record
    report = head.get("/identitas").text
    assert report.count(f">{code}</a>") == 1
    assert "Diekspor (berkas kasus)" in report and "Sari" in report


def test_an_agency_officer_sees_only_its_agency_on_the_dashboard_and_in_the_export(
    web: Web, browser: httpx.Client
) -> None:
    b.submit(web.deps)  # never routed: the office's alone
    ours = b.agency_case(web.deps).tracking_code  # Dinas Pertanian
    wawan = StaffUser(
        username="wawan", full_name="Wawan Gunawan", role=Role.AGENCY_OFFICER,
        position="tim-teknis-disperindag",
    )  # fmt: skip
    add_user(web.deps, wawan, by="admin")  # Disperindag's entry post is held: it can be routed to
    b.act(web.deps, b.reviewed_case(web.deps), Action.ROUTE_AGENCY, "budi", agency="disperindag")
    received = '<td id="fig-total">{}</td>\n      <td>pengaduan {}, saran/masukan 0</td>'

    login(browser, "tono")
    page = browser.get("/laporan", params={"month": MONTH})
    assert page.status_code == 200
    assert received.format(1, 1) in page.text
    tono = web.staff("tono").get("/laporan/statistik.json", params={"month": MONTH}).json()
    assert (tono["total"], tono["by_track"]) == (1, {"agency": 1})
    assert [r["Kode pelacakan"] for r in export_rows(web, "tono")] == [ours]

    head = web.staff("dewi")
    assert received.format(3, 3) in head.get("/laporan", params={"month": MONTH}).text
    assert head.get("/laporan/statistik.json", params={"month": MONTH}).json()["total"] == 3
    assert len(export_rows(web, "dewi")) == 3


def test_a_written_report_out_of_sight_answers_like_a_missing_case(web: Web) -> None:
    case = b.internal_case(web.deps)  # never routed to an agency
    b.act(web.deps, case, Action.ESCALATE, "budi", report="Perlu keputusan Kasi segera")
    tono = web.staff("tono")

    hidden = tono.get(f"/laporan/kasus/{case.tracking_code}/tertulis/1.pdf")
    missing = tono.get("/laporan/kasus/ADN-AAAAA-AAAAA/tertulis/1.pdf")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["type"] == missing.json()["type"]
    # The same answer, word for word, but for the code that was asked for.
    assert hidden.text.replace(case.tracking_code, "?") == missing.text.replace(
        "ADN-AAAAA-AAAAA", "?"
    )
    assert web.staff("sari").get(f"/laporan/kasus/{case.tracking_code}/tertulis/1.pdf").is_success


def test_the_administrator_gets_no_report_on_cases(web: Web) -> None:
    case = b.internal_case(web.deps)
    b.act(web.deps, case, Action.ESCALATE, "budi", report="Perlu keputusan Kasi segera")
    admin = web.staff("admin")

    for path in (
        "/laporan/statistik.json",
        "/laporan/rekap.pdf",
        "/laporan/ekspor.csv",
        f"/laporan/kasus/{case.tracking_code}/tertulis/1.pdf",
        "/api/v1/reports",
    ):
        refused = admin.get(path, params={"month": MONTH})
        assert refused.status_code == 403, path
        assert refused.json()["rule"] == "case_sight", path
    # The dashboard is a page: its refusal is a page too.
    page = admin.get("/laporan", params={"month": MONTH})
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "case_sight" not in page.text


def closed_code(web: Web) -> str:
    """The tracking code of a case closed in the test clock's quarter (2026Q1)."""
    case = b.resolved_case(web.deps)
    b.act(web.deps, case, Action.INFORM_COMPLAINANT, "budi")
    b.act(web.deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    return b.act(web.deps, case, Action.CLOSE, "agus").tracking_code


def start_survey(visitor: httpx.Client, proof: str, quarter: str = "2026Q1") -> httpx.Response:
    """Open the public link and give ``proof``, with the page's CSRF token, like a browser."""
    page = visitor.get(f"/survei/publik/{quarter}")
    assert page.status_code == 200 and 'name="bukti"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return visitor.post(
        f"/survei/publik/{quarter}", data={"bukti": proof, "csrf_token": token.group(1)}
    )


def test_the_public_survey_form_takes_one_answer_per_token(web: Web) -> None:
    visitor = web.anon(follow_redirects=False)
    link = start_survey(visitor, closed_code(web))
    assert link.status_code == 303
    form_url = link.headers["location"]
    assert form_url.startswith("/survei/")

    form = visitor.get(form_url)
    assert form.status_code == 200
    assert form.text.count("<fieldset") == 9 and 'name="u9"' in form.text

    first = visitor.post(form_url, data={**SCORES, "comment": "Antrean lebih cepat"})
    assert first.status_code == 200
    assert "Terima kasih" in first.text or "terima kasih" in first.text

    second = visitor.post(form_url, data=SCORES)
    assert second.status_code == 422
    assert (second.json()["field"], second.json()["rule"]) == ("token", "one_time")
    assert visitor.get(form_url).status_code == 422  # the form is gone too


def test_the_public_survey_refuses_a_made_up_code_next_to_the_field(web: Web) -> None:
    code = closed_code(web)
    visitor = web.anon(follow_redirects=False)

    refused = start_survey(visitor, "ADN-AAAAA-BBBBB")

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert 'id="bukti-error"' in refused.text and "tidak cocok" in refused.text
    assert start_survey(visitor, code).status_code == 303
    again = start_survey(web.anon(follow_redirects=False), code)  # answered or not: one case
    assert again.status_code == 303  # not answered yet: the new link replaces the first


def assert_site_page(page: httpx.Response, lang: str = "id") -> None:
    """A page of the site: its stylesheet, the public navigation and the language switch."""
    assert page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page.text
    assert 'href="/static/aduan.css"' in page.text
    assert 'class="main-nav"' in page.text and 'href="/lacak"' in page.text
    assert 'hreflang="en"' in page.text and 'hreflang="id"' in page.text
    assert "<style>" not in page.text  # no page of its own


def test_the_public_survey_pages_are_pages_of_the_site_in_the_readers_language(
    web: Web,
) -> None:
    visitor = web.anon(follow_redirects=False)

    proof = visitor.get("/survei/publik/2026Q1")
    assert proof.status_code == 200
    assert_site_page(proof)
    assert "Triwulan I 2026" in proof.text
    assert "tracking code or licence number" not in proof.text  # no English beside it
    assert 'href="/survei/publik/2026Q1?lang=en"' in proof.text

    english = visitor.get("/survei/publik/2026Q1", params={"lang": "en"})
    assert_site_page(english, "en")
    assert "Submit a complaint" in english.text and "Quarter I 2026" in english.text
    assert "Triwulan" not in english.text
    visitor.get("/survei/publik/2026Q1", params={"lang": "id"})  # back to Indonesian

    form_url = start_survey(visitor, closed_code(web)).headers["location"]
    form = visitor.get(form_url)
    assert form.status_code == 200
    assert_site_page(form)
    assert "Persyaratan" in form.text and "Requirements" not in form.text
    # The expiry in words, as the other public pages write a day (the test clock: 2 March).
    assert "Selasa, 3 Maret 2026" in form.text and "2026-03-03" not in form.text

    in_english = visitor.get(form_url, params={"lang": "en"})
    assert_site_page(in_english, "en")
    assert "Requirements" in in_english.text and "Persyaratan" not in in_english.text
    assert "Tuesday, 3 March 2026" in in_english.text
    assert in_english.text.count('type="radio"') == 36

    visitor.get(form_url, params={"lang": "id"})
    thanks = visitor.post(form_url, data=SCORES)
    assert thanks.status_code == 200
    assert_site_page(thanks)
    assert "<h1>Terima kasih</h1>" in thanks.text and 'role="status"' in thanks.text
    # Its language switch shows the thanks again, not the used link's refusal.
    assert 'href="/survei/terima-kasih?lang=en"' in thanks.text
    again = visitor.get("/survei/terima-kasih", params={"lang": "en"})
    assert again.status_code == 200
    assert_site_page(again, "en")
    assert 'role="status"' in again.text


def test_a_refused_survey_proof_is_told_at_the_field_on_the_site_page(web: Web) -> None:
    visitor = web.anon(follow_redirects=False)

    refused = start_survey(visitor, "ADN-AAAAA-BBBBB")

    assert refused.status_code == 422
    assert_site_page(refused)
    field = re.search(r'<div class="field has-error">(.*?)</div>', refused.text, re.S)
    assert field is not None
    assert re.search(
        r'<p class="error" id="bukti-error">kode lacak atau nomor izin tidak cocok', field[1]
    )
    assert 'aria-invalid="true"' in field[1]
    assert 'aria-describedby="bukti-hint bukti-error"' in field[1]
    assert 'value="ADN-AAAAA-BBBBB"' in field[1]  # what was typed stays
    assert "bukti:" not in refused.text  # the field's name is no word of the page


def test_a_browser_with_a_used_or_unknown_survey_link_is_told_so_in_words(web: Web) -> None:
    visitor = web.anon(follow_redirects=False)
    form_url = start_survey(visitor, closed_code(web)).headers["location"]
    assert visitor.post(form_url, data=SCORES).status_code == 200
    browser = {"Accept": "text/html"}

    again = visitor.post(form_url, data=SCORES, headers=browser)  # the thanks page reloaded
    used = visitor.get(form_url, headers=browser)
    unknown = visitor.get("/survei/tidak-ada-tautan-seperti-ini", headers=browser)

    assert again.status_code == used.status_code == 422
    assert unknown.status_code == 404
    for shown in (again, used, unknown):
        assert_site_page(shown)
        assert "Tautan survei tidak dapat dipakai" in shown.text
        assert "token" not in shown.text.split('<main id="main"', 1)[1]
    assert "tautan survei ini sudah dipakai; terima kasih" in used.text
    assert "Tautan survei ini tidak dikenal" in unknown.text
    # A program still gets the problem, naming the field and the rule.
    assert visitor.get(form_url).json()["rule"] == "one_time"


def test_the_public_survey_link_is_limited_per_device(web: Web) -> None:
    visitor = web.anon(follow_redirects=False)
    answers = [start_survey(visitor, "ADN-AAAAA-BBBBB").status_code for _ in range(6)]

    assert answers == [422] * 5 + [429]
    # A browser over the limit is told what was tried in its own language, not in both.
    page = visitor.post(
        "/survei/publik/2026Q1",
        data={"bukti": "ADN-AAAAA-BBBBB", "csrf_token": visitor.cookies["aduan_csrf"]},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 429 and "retry-after" in page.headers
    assert_site_page(page)
    assert "terlalu banyak percobaan (survei publik);" in page.text
    assert "public surveys" not in page.text


def test_the_survey_refuses_a_score_outside_1_to_4_naming_the_element(web: Web) -> None:
    visitor = web.anon(follow_redirects=False)
    form_url = start_survey(visitor, closed_code(web)).headers["location"]

    refused = visitor.post(form_url, data={**SCORES, "u4": "5"})
    assert refused.status_code == 422
    problem = refused.json()
    assert (problem["field"], problem["rule"]) == ("u4", "score_1_4")
    assert "1-4" in problem["detail"]

    missing = visitor.post(form_url, data={k: v for k, v in SCORES.items() if k != "u7"})
    assert missing.status_code == 422
    assert "u7" in {e["field"] for e in missing.json()["errors"]}

    # Nothing was recorded: the token still takes one valid answer.
    assert visitor.post(form_url, data=SCORES).status_code == 200


def test_the_export_refuses_an_unknown_format_naming_the_field(web: Web) -> None:
    got = web.staff("budi").get("/laporan/ekspor.pdf", params={"month": MONTH})
    assert got.status_code == 422 and got.json()["field"] == "format"
