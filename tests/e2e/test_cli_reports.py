"""The ``aduan report`` commands as real processes on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from pypdf import PdfReader

from aduan.workflow.intake import WIB
from tests.e2e.test_cli import Cli, cli, submit

__all__ = ["cli"]  # the fixture, shared with the lifecycle tests


def test_statistics_recap_and_evaluation_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    today = datetime.now(WIB).date()
    submit(cli)
    submit(cli)
    late = submit(cli, service_days_ago=45)  # too late: filed as a suggestion
    assert late["kind"] == "suggestion"

    by_year = json.loads(
        cli("report", "stats", "--as", "dewi", "--year", str(today.year), "--json").stdout
    )
    around = json.loads(
        cli(
            "report", "stats", "--as", "dewi", "--json",
            "--from", (today - timedelta(days=1)).isoformat(),
            "--to", (today + timedelta(days=1)).isoformat(),
        ).stdout
    )  # fmt: skip
    for s in (by_year, around):
        assert (s["total"], s["complaints"], s["suggestions"]) == (3, 2, 1)
        assert s["suggestion_reasons"] == {"late": 1}
        assert s["by_service"] == {"15121": 3} and s["by_channel"] == {"whatsapp": 3}
    # Compliance is judged in the period the answer deadline falls in (issue 13 item 5): 14
    # working days ahead, so never within a day of today; this year or next, by the date.
    assert around["compliance"]["falling_due"] == 0
    assert by_year["compliance"]["pending"] == by_year["compliance"]["falling_due"] in (0, 2)
    as_csv = cli("report", "stats", "--as", "dewi", "--year", str(today.year), "--csv").stdout
    assert "summary,total,3" in as_csv

    recap = tmp_path / "rekap.pdf"
    month = today.strftime("%Y-%m")
    done = cli("report", "recap", "--as", "dewi", "--month", month, "--out", str(recap))
    assert str(recap) in done.stdout
    reader = PdfReader(recap)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"Rekap pengaduan {month}" in text

    evaluation = tmp_path / "evaluasi.csv"
    cli("report", "evaluation", "--as", "dewi", "--year", str(today.year), "--out", str(evaluation))
    rows = list(csv.reader(io.StringIO(evaluation.read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["service", "component", "complaints", "suggestions"]
    listed = rows[rows.index([]) + 1 :]  # the second table: every suggestion of the year
    assert listed[0][0] == "tracking_code"
    assert [r[0] for r in listed[1:]] == [late["tracking_code"]]
    assert listed[1][3] == "late"


def test_report_commands_refuse_bad_input_with_the_field_and_write_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    no_period = cli("report", "stats", "--as", "dewi", "--json", code=2)
    assert "period" in no_period.stderr

    bad_month = cli("report", "stats", "--as", "dewi", "--month", "2026-13", code=2)
    assert "month" in bad_month.stderr

    target = tmp_path / "kasus.pdf"
    wrong = cli("report", "export", "--month", "2026-03", "--as", "budi", "--out", str(target),
                code=2)  # fmt: skip
    assert "format" in wrong.stderr and "csv" in wrong.stderr
    assert not target.exists()


def test_report_commands_count_only_the_cases_in_sight_and_refuse_the_administrator(
    cli: Cli, tmp_path: Path
) -> None:
    month = datetime.now(WIB).strftime("%Y-%m")
    submit(cli)  # never routed to an agency: the office's alone

    def total(user: str) -> int:
        done = cli("report", "stats", "--as", user, "--month", month, "--json")
        return int(json.loads(done.stdout)["total"])

    assert total("sari") == 1
    assert total("tono") == 0  # Dinas Pertanian: nothing routed to it
    out = tmp_path / "kasus.csv"
    done = cli("report", "export", "--as", "tono", "--month", month, "--out", str(out))
    assert done.stdout.startswith("0 kasus")

    for command in (
        ("stats", "--month", month, "--json"),
        ("recap", "--month", month, "--out", str(tmp_path / "rekap.pdf")),
        ("export", "--month", month, "--out", str(tmp_path / "semua.csv")),
    ):
        refused = cli("report", *command, "--as", "admin", code=5)  # role may not
        assert "tidak melihat isi kasus" in refused.stderr
    assert not (tmp_path / "rekap.pdf").exists() and not (tmp_path / "semua.csv").exists()
