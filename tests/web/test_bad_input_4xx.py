"""Input the fuzzer found answered with 500: now a 4xx that names the field (issue 17).

A huge number in the list cursor, a month or quarter in year 0 or 9999, an Open311 end date of
0001-01-01: each overflowed a date or the database's integer.
"""

from __future__ import annotations

import base64
import json

import pytest

from aduan.service import accounts
from tests.web.conftest import Web


def cursor(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_cursor_with_a_huge_case_id_is_refused_by_name(web: Web) -> None:
    answer = web.staff("budi").get("/api/v1/cases", params={"cursor": cursor({"i": 10**30})})

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.json()["errors"]] == ["cursor"]


@pytest.mark.parametrize("month", ["0000-01", "9999-12"])
def test_a_report_month_outside_any_sensible_year_is_refused_by_name(web: Web, month: str) -> None:
    answer = web.staff("dewi").get("/api/v1/reports", params={"month": month})

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["month"]
    assert "tahun tidak masuk akal" in answer.json()["detail"]


def test_an_open311_end_date_in_year_one_is_refused_by_name(web: Web) -> None:
    key = accounts.issue_client_key(web.deps, "Aplikasi Warga")

    answer = web.anon().get(
        "/open311/v2/requests.json", params={"api_key": key, "end_date": "0001-01-01"}
    )

    assert 400 <= answer.status_code < 500
    assert "end_date" in answer.text


def test_the_public_survey_link_of_year_9999_is_a_page_not_a_crash(web: Web) -> None:
    answer = web.anon(follow_redirects=False).get(
        "/survei/publik/9999Q4", headers={"Accept": "text/html"}
    )

    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"].startswith("text/html")
    assert "tahun tidak masuk akal: 9999" in answer.text
