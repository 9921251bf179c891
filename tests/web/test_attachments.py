"""Evidence files over HTTP (issue 14 item 1), on SQLite and PostgreSQL: the public form, the
staff intake form, the case page and the API; downloads only within sight, as attachments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from aduan import service
from aduan.adapters.files import FilesystemFileStore
from aduan.ports import CaseQuery
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.attachment_files import exif_of, jpeg_with_gps, pdf, png
from tests.integration.builders import act, agency_case, submit, today
from tests.web.conftest import Web, serving
from tests.web.ui_support import csrf_of, login, set_passwords

Files = list[tuple[str, tuple[str, bytes, str]]]


@pytest.fixture
def web(deps: Deps, db_url: str, tmp_path: Path) -> Iterator[Web]:
    """The app with its files in this test's own folder."""
    with_files = replace(deps, files=FilesystemFileStore(tmp_path / "files"))
    set_passwords(with_files)
    with serving(with_files, db_url) as running:
        yield running


def stored(web: Web) -> list[Path]:
    assert isinstance(web.deps.files, FilesystemFileStore)
    return [p for p in web.deps.files.root.rglob("*") if p.is_file()]


def attachment_count(web: Web) -> int:
    cases = service.list_cases(web.deps, CaseQuery(limit=100), "sari")
    return sum(
        len(service.attachments.list_attachments(web.deps, str(c.id), "sari")) for c in cases
    )


# --- the API ------------------------------------------------------------------------------


def test_the_api_uploads_lists_and_serves_a_photo_without_its_exif(web: Web) -> None:
    case = submit(web.deps)
    budi = web.staff("budi")

    made = budi.post(
        f"/api/v1/cases/{case.id}/attachments",
        files=[("file", ("lokasi.jpg", jpeg_with_gps(), "image/jpeg"))],
    )
    listed = budi.get(f"/api/v1/cases/{case.tracking_code}/attachments")
    (only,) = listed.json()
    got = budi.get(f"/api/v1/cases/{case.id}/attachments/{only['id']}")

    assert made.status_code == 201, made.text
    assert (only["name"], only["type_label"], only["uploaded_by"]) == (
        "lokasi.jpg",
        "Foto (JPEG)",
        "budi",
    )
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"].startswith('attachment; filename="lokasi.jpg"')
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert exif_of(got.content) == {}


def test_the_api_answers_404_for_a_case_out_of_sight(web: Web) -> None:
    case = submit(web.deps)
    web.staff("budi").post(
        f"/api/v1/cases/{case.id}/attachments",
        files=[("file", ("a.pdf", pdf(), "application/pdf"))],
    )
    tono = web.staff("tono")

    answers = [
        tono.get(f"/api/v1/cases/{case.id}/attachments"),
        tono.get(f"/api/v1/cases/{case.id}/attachments/1"),
        tono.post(
            f"/api/v1/cases/{case.id}/attachments",
            files=[("file", ("b.pdf", pdf(1), "application/pdf"))],
        ),
        web.staff("budi").get(f"/api/v1/cases/{case.id}/attachments/999"),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert len(stored(web)) == 1


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("foto.png", pdf(), "type_matches_name"),
        ("skrip.html", b"<script>alert(1)</script>", "allowed_type"),
        ("../rahasia.pdf", pdf(), "no_path"),
        ("besar.pdf", pdf(padding=11 * 1024 * 1024), "max_size"),
    ],
)
def test_a_refused_api_upload_names_the_field_and_rule_and_keeps_nothing(
    web: Web, name: str, content: bytes, rule: str
) -> None:
    case = submit(web.deps)

    answer = web.staff("budi").post(
        f"/api/v1/cases/{case.id}/attachments",
        files=[("file", ("baik.png", png(), "image/png")), ("file", (name, content, "x/y"))],
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["field"], answer.json()["rule"]) == ("file", rule)
    assert stored(web) == []
    assert attachment_count(web) == 0


# --- the pages ----------------------------------------------------------------------------


def public_fields(deps: Deps) -> dict[str, Any]:
    return {
        "complainant.name": "Ahmad Fauzi",
        "complainant.email": "ahmad@contoh.id",
        "subject": "Biaya tidak sesuai",
        "description": "Diminta biaya tambahan di loket",
        "service_received_on": (today(deps) - timedelta(days=2)).isoformat(),
    }


def send_public_form(client: httpx.Client, deps: Deps, files: Files) -> httpx.Response:
    html = client.get("/lapor").text
    key = re.search(r'name="submission_key" value="([^"]+)"', html)
    assert key
    data = {"csrf_token": csrf_of(html), "submission_key": key.group(1), **public_fields(deps)}
    return client.post("/lapor", data=data, files=files)


def test_the_public_form_files_a_complaint_with_evidence_and_a_ktp(web: Web) -> None:
    files: Files = [
        ("lampiran", ("foto loket.jpg", jpeg_with_gps(), "image/jpeg")),
        ("lampiran", ("kuitansi.pdf", pdf(), "application/pdf")),
        ("ktp", ("ktp.png", png(), "image/png")),
    ]
    public = web.anon()

    answer = send_public_form(public, web.deps, files)

    assert answer.status_code == 303, answer.text
    (case,) = service.list_cases(web.deps, CaseQuery(), "sari")
    for_sari = service.attachments.list_attachments(web.deps, str(case.id), "sari")
    for_budi = service.attachments.list_attachments(web.deps, str(case.id), "budi")
    assert [(a.name, a.identity) for a in for_sari] == [
        ("foto loket.jpg", False),
        ("kuitansi.pdf", False),
        ("ktp.png", True),
    ]
    assert [a.masked for a in for_budi] == [False, False, True]
    staff = web.anon(follow_redirects=True)
    login(staff, "budi")
    page = staff.get(f"/cases/{case.tracking_code}").text
    assert "foto loket.jpg" in page and "Foto (JPEG)" in page and "Dokumen PDF" in page
    assert "ktp.png" not in page and "Dokumen identitas (dirahasiakan)" in page


def test_the_public_form_with_a_refused_file_shows_the_rule_and_files_nothing(web: Web) -> None:
    files: Files = [
        ("lampiran", ("foto.jpg", jpeg_with_gps(), "image/jpeg")),
        ("lampiran", ("surat.docx", pdf(), "application/pdf")),
    ]

    answer = send_public_form(web.anon(), web.deps, files)

    assert answer.status_code == 422
    assert re.search(
        r'id="f-lampiran-error".*surat\.docx.*tidak sesuai dengan namanya', answer.text
    )
    assert 'value="Ahmad Fauzi"' in answer.text  # the form again, as typed
    assert service.list_cases(web.deps, CaseQuery(), "sari") == []
    assert stored(web) == []


def test_staff_intake_and_the_case_page_take_files_and_serve_them_in_sight(web: Web) -> None:
    officer = web.anon(follow_redirects=False)
    login(officer, "budi")
    form = officer.get("/cases/new").text
    data = {
        "csrf_token": csrf_of(form),
        "channel": "phone",
        "complainant.name": "Rina Kartika",
        "complainant.phone": "0812-1111-2222",
        "subject": "Izin belum terbit",
        "description": "Sudah lewat batas waktu",
        "service_received_on": (today(web.deps) - timedelta(days=3)).isoformat(),
    }
    made = officer.post(
        "/cases/new", data=data, files=[("ktp", ("ktp.jpg", jpeg_with_gps(), "image/jpeg"))]
    )
    assert made.status_code == 303, made.text
    case_url = made.headers["location"].split("?")[0]
    page = officer.get(case_url).text

    upload = officer.post(
        f"{case_url}/lampiran",
        data={"csrf_token": csrf_of(page)},
        files=[("lampiran", ("denah.png", png(), "image/png"))],
    )
    refused = officer.post(
        f"{case_url}/lampiran",
        data={"csrf_token": csrf_of(page)},
        files=[("lampiran", ("denah.pdf", png(), "application/pdf"))],
    )
    page = officer.get(case_url).text
    links = re.findall(rf'href="({case_url}/lampiran/\d+)"', page)

    assert upload.status_code == 303
    assert refused.status_code == 422 and 'id="upload-error"' in refused.text
    assert "ktp.jpg" in page and "denah.png" in page and "denah.pdf" not in page
    # Who brought each file is named as on the timeline, not by username.
    assert "<td>Budi Santoso, Pejabat Pengelola Pengaduan" in page and "<td>budi" not in page
    assert len(links) == 2
    ktp = officer.get(links[0])
    assert ktp.status_code == 200 and exif_of(ktp.content) == {}
    assert ktp.headers["content-disposition"].startswith("attachment;")
    outsider = web.anon(follow_redirects=False)
    login(outsider, "tono")
    assert outsider.get(links[1]).status_code == 404
    assert (
        outsider.post(
            f"{case_url}/lampiran",
            data={"csrf_token": csrf_of(outsider.get("/queue").text)},
            files=[("lampiran", ("x.png", png(), "image/png"))],
        ).status_code
        == 404
    )
    assert len(stored(web)) == 2


def test_the_case_page_uploads_an_identity_document_that_is_masked_as_from_intake(
    web: Web,
) -> None:
    case = submit(web.deps)  # a public submission: the officer does not see its identity
    case_url = f"/cases/{case.tracking_code}"
    officer = web.anon(follow_redirects=False)
    login(officer, "budi")
    page = officer.get(case_url).text
    assert 'name="identitas"' in page and "Dokumen identitas pelapor (foto KTP)" in page

    refused = officer.post(
        f"{case_url}/lampiran",
        data={"csrf_token": csrf_of(page), "identitas": "1"},
        files=[("lampiran", ("ktp.pdf", png(), "application/pdf"))],
    )
    marked = officer.post(
        f"{case_url}/lampiran",
        data={"csrf_token": csrf_of(page), "identitas": "1"},
        files=[("lampiran", ("ktp-siti.jpg", jpeg_with_gps(), "image/jpeg"))],
    )
    plain = officer.post(
        f"{case_url}/lampiran",
        data={"csrf_token": csrf_of(page)},
        files=[("lampiran", ("denah.png", png(), "image/png"))],
    )

    # Refused, the page keeps the box ticked beside the rule; nothing is kept.
    assert refused.status_code == 422 and 'id="upload-error"' in refused.text
    assert re.search(r'name="identitas" value="1"[^>]*checked', refused.text)
    assert marked.status_code == 303 and plain.status_code == 303
    by_sari = service.attachments.list_attachments(web.deps, case.tracking_code, "sari")
    assert [(a.name, a.identity) for a in by_sari] == [("ktp-siti.jpg", True), ("denah.png", False)]
    # The officer who may not see the identity sees neither its name nor a link to it ...
    page = officer.get(case_url).text
    assert "ktp-siti.jpg" not in page and "Dokumen identitas (dirahasiakan)" in page
    ktp_id, plan_id = (a.id for a in by_sari)
    assert f"{case_url}/lampiran/{ktp_id}" not in page
    assert f'href="{case_url}/lampiran/{plan_id}"' in page
    assert officer.get(f"{case_url}/lampiran/{ktp_id}").status_code == 403
    # ... the supervisor does, and her download is on the identity-access record.
    supervisor = web.anon(follow_redirects=False)
    login(supervisor, "sari")
    seen = supervisor.get(case_url).text
    assert re.search(r"ktp-siti\.jpg</a> <span class=\"tag\">dokumen identitas</span>", seen)
    before = identity_views(web, case.id)
    got = supervisor.get(f"{case_url}/lampiran/{ktp_id}")
    assert got.status_code == 200 and exif_of(got.content) == {}
    assert identity_views(web, case.id) == [*before, "sari"]


def identity_views(web: Web, case_id: int) -> list[str]:
    """Who looked at the identity of a case, oldest first (the identity-access record)."""
    now = web.deps.clock.now()
    with web.deps.uow(readonly=True) as uow:
        found = uow.identity.accesses(now - timedelta(days=1), now + timedelta(days=1), 100)
    return [a.username for a in reversed(found) if a.case_id == case_id]


def test_an_action_form_on_the_case_page_carries_files(web: Web) -> None:
    case = submit(web.deps)
    officer = web.anon(follow_redirects=False)
    login(officer, "budi")
    page = officer.get(f"/cases/{case.tracking_code}").text
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    assert version and 'id="act-classify-lampiran"' in page
    data = {
        "csrf_token": csrf_of(page),
        "expected_version": version.group(1),
        "service_code": "15121",
        "problem_types": "completion_time",
    }

    refused = officer.post(
        f"/cases/{case.tracking_code}/actions/classify",
        data=data,
        files=[("lampiran", ("memo.docx", pdf(), "application/pdf"))],
    )
    done = officer.post(
        f"/cases/{case.tracking_code}/actions/classify",
        data=data,
        files=[("lampiran", ("memo.pdf", pdf(), "application/pdf"))],
    )

    assert refused.status_code == 422 and 'id="act-classify-lampiran-error"' in refused.text
    assert done.status_code == 303, done.text
    shown = service.attachments.list_attachments(web.deps, case.tracking_code, "budi")
    assert [(a.name, a.action) for a in shown] == [("memo.pdf", "classify")]
    assert len(stored(web)) == 1


# --- Open311: a photo comes in as ``media`` and goes out as ``media_url`` ------------------


def test_an_open311_photo_comes_in_as_media_and_is_shown_by_its_media_url(web: Web) -> None:
    key = service.accounts.issue_client_key(web.deps, "Aplikasi Warga")
    client = web.anon()
    form = {
        "api_key": key,
        "service_code": "15121",
        "description": "Izin belum terbit",
        "email": "siti@contoh.id",
        "first_name": "Siti",
        "attribute[service_received_on]": today(web.deps).isoformat(),
    }
    photo = {"media": ("lokasi.jpg", jpeg_with_gps(), "image/jpeg")}

    filed = client.post("/open311/v2/requests.json", data=form, files=photo)
    assert filed.status_code == 201, filed.text
    [listed] = client.get("/open311/v2/requests.json").json()  # without a key: the public view

    url = listed["media_url"]
    assert url and f"/open311/v2/media/{listed['service_request_id']}/" in url
    shown = client.get(url)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in shown.headers["content-security-policy"]
    assert exif_of(shown.content) == {}  # no camera data, no GPS
    code = filed.json()[0]["service_request_id"]
    assert client.get(url.replace(listed["service_request_id"], code)).status_code == 404

    before = (attachment_count(web), len(stored(web)))
    fake = {"media": ("foto.jpg", pdf(), "image/jpeg")}  # a PDF that calls itself a photo
    refused = client.post("/open311/v2/requests.json", data=form, files=fake)
    assert refused.status_code == 422
    [error] = refused.json()
    assert error["code"] == 422 and "media" in error["description"]
    assert (attachment_count(web), len(stored(web))) == before


# --- who may add files ----------------------------------------------------------------------


def _upload_form(page: str, code: str) -> bool:
    return f'action="/cases/{code}/lampiran"' in page


def test_agency_staff_add_files_only_while_they_may_act_on_the_case(web: Web) -> None:
    """The agency officer adds evidence on their track; once the case is with APIP, they still
    see it but are neither offered the upload form nor let through; the office officer is."""
    case = agency_case(web.deps)
    code = case.tracking_code
    tono, budi = web.staff("tono"), web.staff("budi")
    browser = web.anon(follow_redirects=False)
    login(browser, "tono")

    on_track = tono.post(
        f"/api/v1/cases/{code}/attachments",
        files=[("file", ("cek.pdf", pdf(1), "application/pdf"))],
    )
    page_on_track = browser.get(f"/cases/{code}").text
    act(web.deps, case, Action.REQUEST_APIP, "tono")
    act(web.deps, case, Action.APPROVE_APIP, "rina")  # the agency head approves
    with_apip = browser.get(f"/cases/{code}")
    refused = tono.post(
        f"/api/v1/cases/{code}/attachments",
        files=[("file", ("lagi.pdf", pdf(2), "application/pdf"))],
    )
    on_page = browser.post(
        f"/cases/{code}/lampiran",
        data={"csrf_token": csrf_of(with_apip.text)},
        files=[("lampiran", ("lagi.png", png(), "image/png"))],
    )
    office = budi.post(
        f"/api/v1/cases/{code}/attachments",
        files=[("file", ("bap.pdf", pdf(3), "application/pdf"))],
    )
    officer = web.anon(follow_redirects=False)
    login(officer, "budi")
    officer_page = officer.get(f"/cases/{code}").text

    assert on_track.status_code == 201, on_track.text
    assert _upload_form(page_on_track, code)
    assert with_apip.status_code == 200 and "cek.pdf" in with_apip.text  # still in sight
    assert not _upload_form(with_apip.text, code)  # nothing offered that would be refused
    assert refused.status_code == 403 and refused.json()["code"] == "access_denied"
    message = "lampiran hanya dapat ditambahkan oleh petugas yang saat ini dapat menindaklanjuti"
    assert message in refused.json()["detail"]
    assert on_page.status_code == 403 and message in on_page.text
    assert office.status_code == 201, office.text
    assert _upload_form(officer_page, code)
    names = [a["name"] for a in budi.get(f"/api/v1/cases/{code}/attachments").json()]
    assert names == ["cek.pdf", "bap.pdf"]
    assert len(stored(web)) == 2  # the refused files were not kept
