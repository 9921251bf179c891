"""``GET /api/v1/reports``: the reports that exist, with links that work, on both databases."""

from __future__ import annotations

from aduan.service.survey import survey_tick
from aduan.workflow.states import Role
from tests.web.conftest import Web


def test_the_api_lists_the_reports_with_links_that_serve_them(web: Web) -> None:
    survey_tick(web.deps, web.url)  # the quarterly survey of 2025Q4 has run
    client = web.role(Role.SUPERVISOR)

    response = client.get("/api/v1/reports")

    assert response.status_code == 200, response.text
    index = response.json()
    assert (index["month"], index["quarter"]) == ("2026-03", "2026Q1")  # the clock: 2 March 2026
    kinds = {r["key"]: r for r in index["reports"]}
    assert set(kinds) == {
        "statistics", "dashboard", "recap", "export", "written", "skm_survey", "yearly_evaluation"
    }  # fmt: skip
    assert kinds["skm_survey"]["runs"] == ["2025Q4"]
    assert kinds["yearly_evaluation"]["runs"] == []
    assert kinds["written"]["href_template"] == "/laporan/kasus/{ref}/tertulis/{number}.{format}"
    for key in ("statistics", "recap", "export"):
        for link in kinds[key]["links"]:
            served = client.get(link["href"])
            assert served.status_code == 200, (link, served.text[:300])
            assert served.headers["content-type"].startswith(link["media_type"]), link


def test_reports_of_another_period_and_bad_periods(web: Web) -> None:
    client = web.role(Role.HEAD)

    chosen = client.get("/api/v1/reports", params={"month": "2025-12", "quarter": "2025Q3"})
    bad = client.get("/api/v1/reports", params={"month": "2025-13"})
    anonymous = web.anon().get("/api/v1/reports")

    assert chosen.status_code == 200
    stats = next(r for r in chosen.json()["reports"] if r["key"] == "statistics")
    assert [link["period"] for link in stats["links"]] == ["2025-12", "2025Q3"]
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["field"] == "month"
    assert anonymous.status_code == 401


def test_the_index_lists_only_links_the_caller_may_open(web: Web) -> None:
    """A plain officer is given no office-wide figures (they would answer 403); an agency is."""
    expected = {
        Role.OFFICER: {"export", "written", "skm_survey", "yearly_evaluation"},
        Role.AGENCY_OFFICER: {
            "statistics", "dashboard", "recap", "export", "written", "skm_survey",
            "yearly_evaluation",
        },
    }  # fmt: skip
    for role, keys in expected.items():
        client = web.role(role)
        kinds = {r["key"]: r for r in client.get("/api/v1/reports").json()["reports"]}

        assert set(kinds) == keys, role
        for kind in kinds.values():
            for link in kind["links"]:
                served = client.get(link["href"])
                assert served.status_code == 200, (role, link, served.text[:300])
    refused = web.role(Role.OFFICER).get("/laporan/statistik.json")
    assert refused.status_code == 403  # what the officer's index leaves out
