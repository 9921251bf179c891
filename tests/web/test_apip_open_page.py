"""APIP takes a case up on a legal basis from its queue page (issue 13 item 3, seed item 7c),
by the tracking code of the referral: it did not see the case before, so the code is the way
in; a wrong code says "not found" at the field, exactly as for a case APIP may not take."""

from __future__ import annotations

import httpx

from aduan.service import Deps, accounts
from tests.integration import builders as b
from tests.web.server import HTTP_TIMEOUT
from tests.web.ui_support import csrf_of, post_form, serving

PASSWORD = "rahasia-irfan-2026"


def logged_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=HTTP_TIMEOUT)
    token = csrf_of(client.get("/login").text)
    form = {"username": "irfan", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 303
    return client  # opened by its first request: the caller closes it (with ... as)


def test_apip_opens_a_referred_case_by_code_with_its_legal_basis(deps: Deps) -> None:
    accounts.set_password(deps, "irfan", PASSWORD)
    case = b.internal_case(deps)
    with serving(deps) as url:
        irfan = logged_in(url)
        assert irfan.get(f"/cases/{case.tracking_code}").status_code == 404  # not yet in sight
        queue = irfan.get("/queue").text
        assert "Tangani pengaduan sesuai peraturan perundang-undangan" in queue

        missing = post_form(
            irfan, "/queue", "/apip/tangani",
            {"tracking_code": case.tracking_code, "legal_basis": "ombudsman", "reason": ""},
        )  # fmt: skip
        assert missing.status_code == 422 and 'id="ao-reason-error"' in missing.text

        wrong = post_form(
            irfan, "/queue", "/apip/tangani",
            {"tracking_code": "ADN-AAAAA-AAAAA", "legal_basis": "ombudsman", "reason": "x"},
        )  # fmt: skip
        assert wrong.status_code == 404 and 'id="ao-tracking_code-error"' in wrong.text

        taken = post_form(
            irfan, "/queue", "/apip/tangani",
            {"tracking_code": case.tracking_code.lower().replace("-", ""),
             "legal_basis": "ombudsman", "reason": "Rujukan Ombudsman No. 12/2026"},
        )  # fmt: skip
        assert taken.status_code == 303
        page = irfan.get(taken.headers["location"]).text
        assert "Rujukan Ombudsman No. 12/2026" in page
        irfan.close()

    shown = b.service.get_case(deps, case.tracking_code, "irfan")
    assert (shown.track, shown.assignee) == ("apip", "irfan")
