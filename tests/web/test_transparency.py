"""The public transparency page against a data set worked out by hand (issue 14 item 7).

The six cases of ``test_report_figures`` (A-F; "now" Monday 2 March 2026, 10:00 WIB), plus:

- G, a complaint of Wed 18 Feb about service 71204 (another of the catalog), classified under
  completion time and fees; its answer deadline (Tue 10 Mar) is in March;
- D (service 15121, completion time) closed on "now" after its result, notice and report;
- three verified SKM responses for 2026Q1, by the proof of A, B and D (answered in the
  quarter): all 4s, all 3s, and 4,3,3,4,3,3,4,3,3.

February by hand (the cases received in February: D, E, F, G):

- received 4: complaints D, E, G = 3, suggestions F = 1; resolved (closed by now): D = 1;
- service 15121: D, E, F = 3 cases (complaints 2, resolved 1, suggestions 1) — shown;
  service 71204: G alone = 1 case, fewer than 3 — added up under "other services"
  (complaints 1, resolved 0, suggestions 0; one service merged);
- components: completion time D, G (complaints 2, resolved 1); fees G (1, 0);
  unclassified E, F (complaints 1, suggestions 1);
- on time: deadlines in February A, B, C, D; on time A, D; late B, C: 2 of 4 = 50,0 %;
- IKM 2026Q1: element sums 11,10,10,11,10,10,11,10,10 = 93 over 3 respondents × 9 elements:
  index 93/27 = 3,4444; × 25 = 86,11: grade B (Baik; 76,61 ≤ 86,11 < 88,31).

January 2027's page shows the evaluation of 2026: completion time 2 cases (D, G), fees 1,
unclassified 5 (A, B, C, E, F); 2025 none.
"""

from __future__ import annotations

import csv
import io

import pytest

from aduan.ports import FixedClock
from aduan.reports import transparency
from aduan.reports.period import quarter
from aduan.service import Deps, survey
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web
from tests.web.test_report_figures import WED_18_FEB, hand_worked, statistics, text_of

OTHER_SERVICE = "71204"


def worked_out(deps: Deps, clock: FixedClock) -> None:
    """The cases of ``hand_worked``, G, D closed and three verified survey responses."""
    cases = hand_worked(deps, clock)
    now = clock.current
    clock.current = WED_18_FEB
    g = b.submit(deps, service_code=OTHER_SERVICE).tracking_code
    b.act(deps, g, Action.CLASSIFY, "budi", service_code=OTHER_SERVICE,
          problem_types=["completion_time", "fees"])  # fmt: skip
    clock.current = now
    b.act(deps, cases.d, Action.RECORD_RESULT, "sari")
    b.act(deps, cases.d, Action.INFORM_COMPLAINANT, "budi")
    b.act(deps, cases.d, Action.REPORT_TO_SUPERIOR, "budi")
    b.act(deps, cases.d, Action.CLOSE, "agus")
    for code, scores in (
        (cases.a, [4] * 9),
        (cases.b, [3] * 9),
        (cases.d, [4, 3, 3, 4, 3, 3, 4, 3, 3]),
    ):
        token = survey.open_public_form(deps, "2026Q1", code)
        survey.submit_survey(deps, token, scores, "Komentar bebas yang tidak boleh tampil")


def csv_figures(web: Web, periode: str) -> dict[tuple[str, str, str], str]:
    got = web.anon().get("/transparansi.csv", params={"periode": periode})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8"))))
    assert rows[0] == ["periode", "bagian", "kode", "uraian", "ukuran", "nilai"]
    assert {r[0] for r in rows[1:]} == {periode}
    return {(r[1], r[2], r[4]): r[5] for r in rows[1:]}


def test_the_public_page_and_its_csv_give_the_hand_worked_figures(
    web: Web, clock: FixedClock
) -> None:
    worked_out(web.deps, clock)

    page = web.anon().get("/transparansi", params={"periode": "2026-02"})
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Transparansi pengaduan — Februari 2026" in text
    assert 'id="fig-complaints">3<' in page.text and 'id="fig-resolved">1<' in page.text
    assert 'id="fig-suggestions">1<' in page.text and 'id="fig-rate">50,0 %<' in page.text
    assert "2 dari 4 pengaduan yang tenggat jawabannya jatuh pada periode ini" in text
    assert "Barang dari Kulit dan Kulit Buatan Untuk Keperluan Pribadi 2 1 1" in text
    assert "Layanan lain (masing-masing kurang dari 3 kasus) 1 0 0" in text
    assert OTHER_SERVICE not in text  # a service with one case is not named
    assert "Jangka waktu penyelesaian 2 1 0" in text and "Belum diklasifikasi 1 0 1" in text
    assert "Triwulan I 2026 3 86,11 B (Baik)" in text
    assert "hanya dari tanggapan terverifikasi" in text
    for private in ("ADN-", "Siti", "Komentar bebas", "Sertifikat standar belum terbit"):
        assert private not in page.text

    got = csv_figures(web, "2026-02")
    assert got[("ringkasan", "", "kasus_diterima")] == "4"
    assert got[("ringkasan", "", "pengaduan_selesai")] == "1"
    assert got[("layanan", "15121", "pengaduan_diterima")] == "2"
    assert got[("layanan", "15121", "pengaduan_selesai")] == "1"
    assert got[("layanan", "15121", "saran_diterima")] == "1"
    assert got[("layanan", "lainnya", "pengaduan_diterima")] == "1"
    assert not any(key[1] == OTHER_SERVICE for key in got)
    assert got[("komponen", "completion_time", "pengaduan_diterima")] == "2"
    assert got[("komponen", "fees", "pengaduan_diterima")] == "1"
    assert got[("komponen", "unclassified", "saran_diterima")] == "1"
    assert got[("ketepatan_waktu", "", "persen_tepat_waktu")] == "50.0"
    assert got[("ketepatan_waktu", "", "tenggat_jatuh")] == "4"
    assert got[("ikm", "2026Q1", "responden_terverifikasi")] == "3"
    assert got[("ikm", "2026Q1", "nilai_ikm")] == "86.11"
    assert got[("ikm", "2026Q1", "mutu")] == "B"

    # The same cases as the office's own statistics: no figure disagrees with the dashboard.
    staff = statistics(web, "dewi", "2026-02")
    assert (staff["total"], staff["complaints"], staff["suggestions"]) == (4, 3, 1)
    assert staff["by_service"] == {"15121": 3, OTHER_SERVICE: 1}
    assert staff["by_problem_type"] == {"completion_time": 2, "fees": 1}
    assert staff["by_status"]["closed"] == 1  # type: ignore[index]
    assert staff["compliance"]["on_time_rate"] == 0.5  # type: ignore[index]
    staff_ikm = survey.survey_results(web.deps, quarter("2026Q1")).ikm
    assert staff_ikm.converted == pytest.approx(93 / 27 * 25)


def test_a_small_index_is_withheld_and_the_evaluation_is_the_year_before(
    web: Web, clock: FixedClock
) -> None:
    worked_out(web.deps, clock)

    year = text_of(web.anon().get("/transparansi", params={"periode": "2026"}).text)
    assert "Triwulan I 2026 3 86,11 B (Baik)" in year
    assert "Triwulan II 2026 0 belum ditampilkan: kurang dari 3 responden terverifikasi" in year
    assert "Belum ada data evaluasi untuk tahun ini." in year  # 2025: nothing

    later = web.anon().get("/transparansi", params={"periode": "2027-01"})
    text = text_of(later.text)
    assert "Evaluasi tahunan standar pelayanan 2026" in text
    assert "Belum diklasifikasi 5 0 0" in text and "Jangka waktu penyelesaian 2 0 0" in text
    got = csv_figures(web, "2027-01")
    assert got[("evaluasi", "fees", "kasus_2026")] == "1"
    assert got[("evaluasi", "fees", "kasus_2025")] == "0"


def test_a_period_it_cannot_read_is_said_next_to_the_picker(web: Web) -> None:
    anon = web.anon()
    page = anon.get("/transparansi", params={"periode": "2026-13"})
    assert page.status_code == 422
    assert "Periode: bulan YYYY-MM" in text_of(page.text)
    assert 'id="period-error"' in page.text and 'id="fig-complaints"' not in page.text

    got = anon.get("/transparansi.csv", params={"periode": "kemarin"})
    assert got.status_code == 422
    assert got.json()["errors"][0]["field"] == "periode"


def test_the_page_needs_no_login_and_is_linked_from_the_public_pages(web: Web) -> None:
    home = web.anon().get("/")
    assert 'href="/transparansi"' in home.text
    assert web.anon().get("/transparansi").status_code == 200


def test_the_figures_of_a_period_are_read_once_a_minute(web: Web, clock: FixedClock) -> None:
    anon = web.anon()
    month = b.today(web.deps).strftime("%Y-%m")
    before = anon.get("/transparansi", params={"periode": month}).text
    b.submit(web.deps)  # a new complaint this month, seconds later
    again = anon.get("/transparansi", params={"periode": month}).text
    assert 'id="fig-complaints">0<' in before and again == before  # as of "data per ..."
    assert csv_figures(web, month)[("ringkasan", "", "pengaduan_diterima")] == "0"
    assert (
        'id="fig-complaints">1<'
        in anon.get("/transparansi", params={"periode": b.today(web.deps).year}).text
    )


def test_the_other_services_line_names_the_threshold_that_groups_them(
    web: Web, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line says the number that decides the grouping: a change of it changes the words."""
    worked_out(web.deps, clock)
    monkeypatch.setattr(transparency, "SMALL_CELL", 5)

    page = web.anon().get("/transparansi", params={"periode": "2026-02"})
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Layanan lain (masing-masing kurang dari 5 kasus) 3 1 1" in text  # both services
    assert "(masing-masing kurang dari 3 kasus)" not in text
    got = web.anon().get("/transparansi.csv", params={"periode": "2026-02"})
    labels = {r[3] for r in csv.reader(io.StringIO(got.text)) if r[1:3] == ["layanan", "lainnya"]}
    assert labels == {"Layanan lain (masing-masing kurang dari 5 kasus)"}
