"""What the office sees of the visibility policy (issue 16 item 6), over HTTP on both engines.

Each row of a person's own queue says why they hold or see the case; the administrator has a
user list with roles and units, and a menu of the pages they may use; the menu offers the
dashboard only to those who may open it.
"""

from __future__ import annotations

import re

import httpx

from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web

_ROW = re.compile(r"<tr class=\"due-[a-z]+\">(.*?)</tr>", re.S)


def reasons(client: httpx.Client) -> dict[str, str]:
    """The reason column of ``/queue``, by tracking code."""
    page = client.get("/queue")
    assert page.status_code == 200
    found = {}
    for row in _ROW.findall(page.text):
        code = re.search(r'href="/cases/([^"]+)"', row)
        reason = re.search(r'<td class="reason"[^>]*>(.*?)</td>', row, re.S)
        assert code and reason
        found[code.group(1)] = reason.group(1).strip()
    return found


def nav_links(client: httpx.Client, path: str = "/inbox") -> list[str]:
    """The addresses of the main navigation on ``path``."""
    page = client.get(path)
    assert page.status_code == 200
    nav = re.search(r"<nav[^>]*class=\"main-nav\">.*?</nav>", page.text, re.S)
    assert nav
    return re.findall(r'href="([^"?]+)', nav.group(0))


def test_an_officer_sees_why_each_case_is_in_their_queue(web: Web) -> None:
    waiting = b.submit(web.deps).tracking_code
    held = b.internal_case(web.deps).tracking_code

    got = reasons(web.staff("budi"))

    assert got[waiting] == "Belum ada petugas — menunggu diambil"
    assert got[held] == "Anda pemegang tingkat 1 (Pejabat Pengelola Pengaduan)"


def test_the_supervisor_holding_tier_2_is_told_so(web: Web) -> None:
    case = b.internal_case(web.deps)
    b.act(web.deps, case, Action.ESCALATE, "budi", report="Perlu keputusan Kasi")

    assert reasons(web.staff("sari")) == {
        case.tracking_code: "Anda pemegang tingkat 2 (Kepala Seksi Pengaduan)"
    }
    assert case.tracking_code not in reasons(web.staff("budi"))  # no longer theirs
    english = web.staff("sari").get("/queue?lang=en").text
    assert "You hold tier 2 (Kepala Seksi Pengaduan)" in english


def test_an_agency_officer_is_told_the_case_came_to_their_unit(web: Web) -> None:
    case = b.agency_case(web.deps)  # Dinas Pertanian, held by its technical team (tono)

    assert reasons(web.staff("tono")) == {
        case.tracking_code: "Diteruskan ke Dinas Pertanian (unit Anda)"
    }
    b.act(web.deps, case, Action.ESCALATE, "tono", report="Perlu keputusan Kabid")
    assert reasons(web.staff("yuni")) == {
        case.tracking_code: "Diteruskan ke Dinas Pertanian (unit Anda); "
        "Anda pemegang tingkat 2 (Kepala Bidang Peternakan)"
    }


def test_apip_finds_an_approved_referral_in_its_queue(web: Web) -> None:
    case = b.apip_pending_case(web.deps)
    assert reasons(web.staff("irfan")) == {}  # pending: not yet in APIP's sight
    b.act(web.deps, case, Action.APPROVE_APIP, "dewi")

    assert reasons(web.staff("irfan")) == {
        case.tracking_code: "Ditugaskan ke APIP setelah persetujuan"
    }


def test_the_administrator_lists_every_staff_user_with_role_and_unit(web: Web) -> None:
    page = web.staff("admin").get("/admin/pengguna")

    assert page.status_code == 200
    rows = {
        re.sub(r"<[^>]+>", "", cells[1]).strip(): [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
        )
        if cells
    }
    office = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Purwakarta"
    assert rows["budi"] == [
        "Budi Santoso", "budi", "Petugas pengaduan", "Pejabat Pengelola Pengaduan", office, "Aktif",
        "Ubah budi",
    ]  # fmt: skip
    assert rows["tono"][2:5] == [
        "Petugas Perangkat Daerah", "Tim Teknis Peternakan", "Dinas Pertanian"
    ]  # fmt: skip
    assert rows["irfan"][4] == "Inspektorat Kabupaten Purwakarta"
    assert {"sari", "agus", "dewi", "rina", "yuni", "admin"} <= rows.keys()


def test_only_the_administrator_opens_the_user_list(web: Web) -> None:
    refused = web.staff("budi").get("/admin/pengguna")

    assert refused.status_code == 403
    assert "daftar pengguna hanya untuk administrator" in refused.text
    assert "Tono Hidayat" not in refused.text  # nobody else is listed
    assert web.anon(follow_redirects=False).get("/admin/pengguna").status_code == 303


def test_each_menu_offers_only_pages_its_owner_may_use(web: Web) -> None:
    admin = nav_links(web.staff("admin"))
    assert admin == [
        "/admin/pengguna", "/admin/kalender", "/admin/katalog", "/admin/akses-publik",
        "/admin/pengiriman", "/inbox",
    ]  # fmt: skip
    assert not {"/queue", "/overdue", "/laporan"} & set(admin)

    officer = nav_links(web.staff("budi"))
    assert "/laporan" not in officer and "/laporan/ekspor.xlsx" in officer
    assert "/admin/pengguna" not in officer
    for username in ("sari", "dewi", "tono", "irfan"):
        assert "/laporan" in nav_links(web.staff(username)), username
