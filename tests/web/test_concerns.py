"""Conflict of interest over HTTP (issue 16 item 3), on SQLite and PostgreSQL.

Hand-written expectations: once a case names a staff member as concerned (terlapor), their
case page (API by code and by id, UI), the lists, the overdue board, the statistics and the
export leave it out and acting on it answers 404 like a missing case; everyone else in the
office still sees it. A sealed case is seen by the Head of Office only (APIP once referred).
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from aduan.ports import FixedClock
from aduan.schemas.views import CaseDetail
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web
from tests.web.server import HTTP_TIMEOUT
from tests.web.test_visibility import READ_PATHS
from tests.web.ui_support import login, post_form, set_passwords

REASON = "Pelapor menyebut petugas loket meminta imbalan"
MONTH = "2026-03"


def _statistics(client: httpx.Client, case: CaseDetail) -> bool:
    """The month's statistics count the case (it is the only case of the month)."""
    got = client.get("/laporan/statistik.json", params={"month": MONTH})
    assert got.status_code == 200, got.text
    return bool(got.json()["total"])


def _export(client: httpx.Client, case: CaseDetail) -> bool:
    got = client.get("/laporan/ekspor.csv", params={"month": MONTH})
    assert got.status_code == 200, got.text
    return case.tracking_code in got.text


def _queue(client: httpx.Client, case: CaseDetail) -> bool:
    response = client.get("/overdue")
    return response.status_code == 200 and case.tracking_code in response.text


PATHS = {**READ_PATHS, "statistics": _statistics, "export": _export}
OFFICER_PATHS = {**READ_PATHS, "export": _export}  # the office-wide figures are not an officer's
OFFICERS = {"budi"}


def _seen(web: Web, user: str, case: CaseDetail) -> dict[str, bool]:
    paths = OFFICER_PATHS if user in OFFICERS else PATHS
    return {path: check(web.staff(user), case) for path, check in paths.items()}


def _name(web: Web, user: str, case: CaseDetail, **body: object) -> httpx.Response:
    return web.staff(user).post(f"/api/v1/cases/{case.tracking_code}/concerns", json=body)


def test_the_concerned_officer_gets_404_everywhere_and_the_others_still_see(
    web: Web, clock: FixedClock
) -> None:
    case = b.internal_case(web.deps)  # held by budi
    everywhere, nowhere = dict.fromkeys(PATHS, True), dict.fromkeys(PATHS, False)
    officer_everywhere = dict.fromkeys(OFFICER_PATHS, True)
    assert _seen(web, "budi", case) == officer_everywhere

    named = _name(web, "sari", case, staff=["budi"], reason=REASON)

    assert named.status_code == 200, named.text
    body = named.json()
    assert (body["concerned"], body["assignee"], body["sealed"]) == (["budi"], "sari", False)
    assert _seen(web, "budi", case) == dict.fromkeys(OFFICER_PATHS, False)
    assert _seen(web, "sari", case) == everywhere
    assert _seen(web, "agus", case) == everywhere
    # a supervisor named too: their statistics leave the case out, the Head's count it
    assert _name(web, "dewi", case, staff=["agus"], reason=REASON).status_code == 200
    assert _seen(web, "agus", case) == nowhere
    assert _seen(web, "dewi", case) == everywhere
    clock.current += timedelta(days=120)  # overdue now: on the board of those who see it
    assert (_queue(web.staff("budi"), case), _queue(web.staff("sari"), case)) == (False, True)
    timeline = web.staff("sari").get(f"/cases/{case.tracking_code}").text
    assert "Terlapor dicatat" in timeline and "name_concerned" not in timeline


def test_a_sealed_case_is_the_heads_alone_in_the_office(web: Web) -> None:
    case = b.internal_case(web.deps)

    named = _name(web, "dewi", case, staff=["agus"], reason=REASON, seal=True)

    assert named.status_code == 200, named.text
    assert named.json()["sealed"] is True
    for user in ("budi", "sari", "agus"):
        seen = _seen(web, user, case)
        assert seen == dict.fromkeys(seen, False), user
    assert _seen(web, "dewi", case) == dict.fromkeys(PATHS, True)


def test_bad_input_is_a_clear_error_and_changes_nothing(web: Web) -> None:
    case = b.internal_case(web.deps)
    sari = web.staff("sari")
    before = sari.get(f"/api/v1/cases/{case.tracking_code}").json()

    unknown = _name(web, "sari", case, staff=["pak-bambang"], reason=REASON)
    no_reason = _name(web, "sari", case, staff=["budi"], reason="")
    agency = _name(web, "tono", b.agency_case(web.deps), staff=["budi"], reason=REASON)

    assert unknown.status_code == 422 and unknown.json()["field"] == "staff"
    assert unknown.json()["rule"] == "known_staff"
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    assert agency.status_code == 403, agency.text
    after = sari.get(f"/api/v1/cases/{case.tracking_code}").json()
    assert (after["version"], after["assignee"]) == (before["version"], "budi")
    assert after["timeline"] == before["timeline"]
    assert _seen(web, "budi", case)["api_case"]


def test_routing_after_naming_skips_the_concerned_agency_officer(web: Web) -> None:
    case = b.reviewed_case(web.deps)
    assert _name(web, "budi", case, staff=["tono"], reason=REASON).status_code == 200

    routed = b.act(web.deps, case, Action.ROUTE_AGENCY, "budi")

    assert [level["holder"] for level in routed.chain] == ["yuni", "rina"]
    assert routed.assignee == "yuni"
    assert not _seen(web, "tono", case)["api_case"]
    assert _seen(web, "yuni", case)["api_case"]


def test_the_case_page_form_names_the_concerned(web: Web) -> None:
    set_passwords(web.deps)
    case = b.internal_case(web.deps)
    page = f"/cases/{case.tracking_code}"
    with httpx.Client(base_url=web.url, follow_redirects=False, timeout=HTTP_TIMEOUT) as browser:
        login(browser, "sari")
        assert "Catat terlapor" in browser.get(page).text

        empty = post_form(browser, page, f"{page}/concerns", {"staff": "budi", "reason": " "})
        assert empty.status_code == 422 and 'id="concern-reason-error"' in empty.text
        stranger = post_form(
            browser, page, f"{page}/concerns", {"staff": "pak-bambang", "reason": REASON}
        )
        assert stranger.status_code == 422 and 'id="concern-staff-error"' in stranger.text
        assert "pak-bambang" in stranger.text
        assert web.staff("budi").get(f"/api/v1/cases/{case.tracking_code}").status_code == 200

        done = post_form(browser, page, f"{page}/concerns", {"staff": "budi", "reason": REASON})
        assert done.status_code == 303
        assert done.headers["location"] == f"{page}?done=concerns#top"
        shown = browser.get(done.headers["location"])
        assert "Terlapor dicatat." in shown.text and REASON in shown.text

        sealed = post_form(
            browser, page, f"{page}/concerns", {"staff": "agus", "reason": REASON, "seal": "on"}
        )
        assert (sealed.status_code, sealed.headers["location"]) == (303, "/")  # out of her sight
        assert browser.get(page).status_code == 404
    assert web.staff("budi").get(f"/api/v1/cases/{case.tracking_code}").status_code == 404
    assert web.staff("dewi").get(f"/api/v1/cases/{case.tracking_code}").status_code == 200


def test_the_form_is_for_office_staff_only(web: Web) -> None:
    set_passwords(web.deps)
    case = b.agency_case(web.deps)
    with httpx.Client(base_url=web.url, follow_redirects=False, timeout=HTTP_TIMEOUT) as browser:
        login(browser, "tono")
        assert "Catat terlapor" not in browser.get(f"/cases/{case.tracking_code}").text
