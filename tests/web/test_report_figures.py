"""Report figures against a data set worked out by hand (issue 13 item 5), SQLite and PostgreSQL.

Six cases with known dates in a stretch of 2026 whose non-working days are Friday 16 January
(Isra Mikraj) and Monday-Tuesday 16-17 February (Imlek and its cuti bersama). A deadline is the
end (23:59:59 WIB) of the 14th working day after the day of receipt:

==  ===============  ==========================  ===========================  ===============
    received (WIB)   deadline                    answer                       judged
==  ===============  ==========================  ===========================  ===============
A   Mon 19 Jan       Fri 6 Feb (20-23 Jan: 4,    Fri 23 Jan                   on time, Feb
                     26-30 Jan: 9, 2-6 Feb: 14)
B   Mon 19 Jan       Fri 6 Feb                   Mon 9 Feb                    late, Feb
C   Mon 19 Jan       Fri 6 Feb                   none, still open             late, Feb
D   Mon 2 Feb        Tue 24 Feb (3-6 Feb: 4,     Mon 23 Feb                   on time, Feb
                     9-13: 9, 18-20: 12, 23-24)
E   Wed 18 Feb       Tue 10 Mar (19-20 Feb: 2,   none, still open             not yet, Mar
                     23-27: 7, 2-6 Mar: 12, 9-10)
F   Wed 18 Feb       none (a suggestion: no identity)
==  ===============  ==========================  ===========================  ===============

"Now" is Monday 2 March 2026, 10:00 WIB. February's figures, by hand:

- received in February: D, E, F = 3 (complaints 2, suggestions 1);
- deadline in February: A, B, C, D = 4; on time A, D = 2; late B (answered late) and C (open
  past its deadline, though it arrived in January) = 2; on time 2 of 4 judged = 50,0 %;
  not yet due 0 (E's deadline is in March);
- still late at the end of February: C, late by the working days after Friday 6 February up to
  Monday 2 March: 9-13 Feb (5), 18-20 Feb (3), 23-27 Feb (5), 2 Mar (1) = 14.

January: A, B, C received (3); no deadline falls in January, so nothing judged ("-").
March (so far): nothing received; E's deadline is in March and not yet passed: 1 not yet due;
C still late (its deadline is before the end of March).

The old count (by the month of receipt) said February had 1 on time, 0 late and 1 pending, and
its chart printed 50 % beside the summary's 100 % (issue 13: "66.7 % and 40.0 % for the same
on time").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from aduan.ports import FixedClock
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration import builders as b
from tests.web.conftest import Web

MON_19_JAN = datetime(2026, 1, 19, 3, tzinfo=UTC)  # 10:00 WIB
FRI_23_JAN = datetime(2026, 1, 23, 3, tzinfo=UTC)
MON_02_FEB = datetime(2026, 2, 2, 3, tzinfo=UTC)
MON_09_FEB = datetime(2026, 2, 9, 3, tzinfo=UTC)
WED_18_FEB = datetime(2026, 2, 18, 3, tzinfo=UTC)
MON_23_FEB = datetime(2026, 2, 23, 3, tzinfo=UTC)
MON_02_MAR = datetime(2026, 3, 2, 3, tzinfo=UTC)  # "now"


@dataclass(frozen=True)
class HandWorked:
    """The tracking codes of the six cases."""

    a: str
    b: str
    c: str
    d: str
    e: str
    f: str


def answer(deps: Deps, case: str, at: datetime) -> None:
    b.act(deps, case, Action.RESPOND, "budi", sent_at=at.isoformat(), answer_kind="answer")


def hand_worked(deps: Deps, clock: FixedClock) -> HandWorked:
    """The six cases of the table above; the clock left at "now"."""
    clock.current = MON_19_JAN
    a, b_, c = (b.submit(deps).tracking_code for _ in range(3))
    clock.current = FRI_23_JAN
    answer(deps, a, FRI_23_JAN)
    clock.current = MON_02_FEB
    d = b.internal_case(deps).tracking_code  # on the internal track, its first tier
    clock.current = MON_09_FEB
    answer(deps, b_, MON_09_FEB)
    clock.current = WED_18_FEB
    e = b.submit(deps).tracking_code
    f = b.submit(deps, complainant={"name": None}).tracking_code
    clock.current = MON_23_FEB
    answer(deps, d, MON_23_FEB)
    clock.current = MON_02_MAR
    return HandWorked(a, b_, c, d, e, f)


def statistics(web: Web, user: str, month: str) -> dict[str, object]:
    got = web.staff(user).get("/laporan/statistik.json", params={"month": month})
    assert got.status_code == 200, got.text
    data: dict[str, object] = got.json()
    return data


def test_the_statistics_api_gives_the_hand_worked_figures(web: Web, clock: FixedClock) -> None:
    hand_worked(web.deps, clock)

    feb = statistics(web, "sari", "2026-02")
    assert (feb["total"], feb["complaints"], feb["suggestions"]) == (3, 2, 1)
    assert feb["compliance"] == {
        "falling_due": 4,
        "on_time": 2,
        "late_answered": 1,
        "overdue_open": 1,
        "late": 2,
        "pending": 0,
        "ended_unanswered": 0,
        "on_time_rate": 0.5,
        "extended": 0,  # none of these deadlines was extended (issue 14 item 5)
    }
    jan = statistics(web, "dewi", "2026-01")
    assert jan["total"] == 3
    assert jan["compliance"]["falling_due"] == 0 and jan["compliance"]["on_time_rate"] is None  # type: ignore[index]
    mar = statistics(web, "dewi", "2026-03")
    assert mar["total"] == 0
    assert (mar["compliance"]["pending"], mar["compliance"]["late"]) == (1, 0)  # type: ignore[index]


def text_of(html: str) -> str:
    """The visible text of a page, in one line."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_the_recap_and_the_export_agree_with_the_hand_worked_figures(
    web: Web, clock: FixedClock
) -> None:
    cases = hand_worked(web.deps, clock)
    sari = web.staff("sari")

    page = sari.get("/laporan", params={"month": "2026-02"})
    assert page.status_code == 200
    shown = text_of(page.text)
    assert re.search(r'id="fig-on-time">2<', page.text) and re.search(
        r'id="fig-late">2<', page.text
    )
    assert re.search(r'id="fig-due">4<', page.text) and re.search(r'id="fig-total">3<', page.text)
    assert "50,0 %" in shown and "dari 4 yang sudah dinilai" in shown
    assert "dijawab terlambat 1, belum dijawab lewat tenggat 1" in shown
    # The overdue list: C, late since February though it arrived in January, in working days.
    overdue = page.text[page.text.index('id="overdue"') :]
    assert cases.c in overdue and "terlambat 14 hari kerja" in text_of(overdue)
    assert cases.a not in overdue and cases.e not in overdue
    # The chart shows the same share as the summary, and only words for the categories.
    assert "Tepat waktu: 2 (50,0 %)" in page.text
    assert "Belum dijawab, lewat tenggat: 1 (25,0 %)" in page.text
    assert "Belum jatuh tempo: 0 (belum dinilai)" in page.text
    assert "15121 Industri Barang dari Kulit" in page.text and "Web DPMPTSP" in page.text
    assert ">web_dpmptsp<" not in page.text and ">internal<" not in page.text

    recap = sari.get("/laporan/rekap.pdf", params={"month": "2026-02"})
    assert recap.status_code == 200
    pdf = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(recap.content)).pages)
    )
    assert "2 dari 4 yang sudah dinilai (50,0 %)" in pdf
    assert "Tepat waktu: 2 (50,0 %)" in pdf
    assert cases.c in pdf and "14 hari kerja" in pdf  # the code on one line, as typed

    # The export of the quarter: one row per case received, its standing in words; the rows
    # whose deadline is in February give the dashboard's February figures.
    got = sari.get("/laporan/ekspor.csv", params={"quarter": "2026Q1"})
    rows = {r["Kode pelacakan"]: r for r in csv.DictReader(io.StringIO(got.text))}
    assert set(rows) == {cases.a, cases.b, cases.c, cases.d, cases.e, cases.f}
    standing = {code: r["Ketepatan jawaban"] for code, r in rows.items()}
    assert standing == {
        cases.a: "Tepat waktu",
        cases.b: "Dijawab terlambat",
        cases.c: "Belum dijawab, lewat tenggat",
        cases.d: "Tepat waktu",
        cases.e: "Belum jatuh tempo",
        cases.f: "",
    }
    due = {code: r["Tenggat jawaban (WIB)"][:10] for code, r in rows.items()}
    assert due == {
        cases.a: "2026-02-06",
        cases.b: "2026-02-06",
        cases.c: "2026-02-06",
        cases.d: "2026-02-24",
        cases.e: "2026-03-10",
        cases.f: "",
    }
    # Tiers counted from 1, values in words.
    assert (rows[cases.d]["Jalur"], rows[cases.d]["Tingkat"]) == ("Internal DPMPTSP", "1")
    assert (rows[cases.a]["Jalur"], rows[cases.a]["Tingkat"]) == ("", "")
    assert rows[cases.f]["Jenis"] == "Saran/masukan" and rows[cases.a]["Saluran"] == "Web DPMPTSP"


def test_the_period_picker_moves_between_months_and_names_a_bad_period(
    web: Web, clock: FixedClock
) -> None:
    hand_worked(web.deps, clock)
    dewi = web.staff("dewi")

    march = dewi.get("/laporan")  # no period: the current month
    assert "Maret 2026" in march.text
    assert 'href="/laporan?month=2026-02" rel="prev"' in march.text
    assert 'href="/laporan?month=2026-04" rel="next"' in march.text
    assert re.search(r'id="fig-pending">1<', march.text)  # E: due in March, not yet judged
    quarter = dewi.get("/laporan", params={"quarter": "2026Q1"})
    assert "Triwulan I 2026" in quarter.text and 'rel="prev"' in quarter.text
    assert 'href="/laporan/rekap.pdf?quarter=2026Q1"' in quarter.text
    assert 'href="/laporan/evaluasi.pdf?year=2025"' in quarter.text

    bad = dewi.get("/laporan", params={"month": "2026-13"})
    assert bad.status_code == 200
    alert = re.search(r'<p class="error" role="alert"[^>]*>(.*?)</p>', bad.text)
    assert alert is not None
    assert alert[1].startswith("Bulan: bulan YYYY-MM") and "2026-13" in alert[1]


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_the_yearly_evaluation_is_linked_and_served(web: Web, clock: FixedClock, fmt: str) -> None:
    hand_worked(web.deps, clock)
    got = web.staff("dewi").get(f"/laporan/evaluasi.{fmt}", params={"year": 2026})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/pdf" if fmt == "pdf" else "text/csv")
