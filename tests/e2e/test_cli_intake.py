"""``aduan submit`` records what the channel tells (issue 12, parts 1 and 6): real processes on a
real SQLite file, the real clock (days counted back from today by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aduan.workflow.intake import WIB
from tests.e2e.test_cli import Cli, as_json, cli, days_ago

__all__ = ["cli"]  # the fixture, used by name

BASE = (
    "submit",
    "--subject", "Diminta uang pelicin",
    "--description", "Petugas loket meminta uang agar berkas cepat diproses",
    "--name", "Ujang Suryana",
    "--address", "Kp. Cibodas RT 03/02, Wanayasa, Purwakarta",
    "--service", "15121",
    "--as", "budi",
)  # fmt: skip


def test_a_box_letter_dropped_on_day_30_and_collected_on_day_34_is_a_complaint(cli: Cli) -> None:
    case = as_json(
        cli(*BASE, "--channel", "box", "--service-date", days_ago(34),
            "--dropped-on", days_ago(4), "--json")
    )  # fmt: skip
    assert (case["kind"], case["screening_reason"], case["intake_days"]) == ("complaint", None, 30)
    assert case["channel_facts"] == {"dropped_on": days_ago(4)}
    made = datetime.fromisoformat(case["complained_at"]).astimezone(WIB)
    assert (made.date().isoformat(), made.hour, made.minute) == (days_ago(4), 0, 0)


def test_a_box_letter_dropped_on_day_31_is_a_late_suggestion(cli: Cli) -> None:
    plain = cli(*BASE, "--channel", "box", "--service-date", days_ago(34),
                "--dropped-on", days_ago(3))  # fmt: skip
    assert "dicatat sebagai saran/recorded as a suggestion: late" in plain.stdout


def test_a_letter_records_its_number_and_date(cli: Cli) -> None:
    case = as_json(
        cli(*BASE, "--channel", "letter", "--service-date", days_ago(10),
            "--letter-number", "01/US/2026", "--letter-date", days_ago(3), "--json")
    )  # fmt: skip
    assert case["channel_facts"] == {"letter_number": "01/US/2026", "letter_date": days_ago(3)}
    assert (case["kind"], case["intake_days"]) == ("complaint", 7)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (("--channel", "box", "--service-date", days_ago(10)), "channel_facts.dropped_on"),
        (
            ("--channel", "phone", "--service-date", days_ago(10), "--lapor-id", "LPR-1"),
            "channel_facts.lapor_id",
        ),
        (("--channel", "phone", "--pending"), "applied_on"),
        (
            ("--channel", "phone", "--pending", "--applied-on", days_ago(-2)),
            "applied_on",
        ),
        (
            (
                "--channel",
                "phone",
                "--service-date",
                days_ago(3),
                "--complained-at",
                (datetime.now(WIB) + timedelta(days=1)).isoformat(),
            ),
            "complained_at",
        ),
        (
            ("--channel", "box", "--service-date", days_ago(3), "--dropped-on", "26-02-2026"),
            "channel_facts.dropped_on",
        ),
    ],
    ids=[
        "box-without-drop",
        "phone-with-lapor-id",
        "pending-without-date",
        "applied-future",
        "made-in-future",
        "bad-date",
    ],
)
def test_bad_intake_is_one_line_naming_the_field_and_writes_nothing(
    cli: Cli, extra: tuple[str, ...], field: str
) -> None:
    refused = cli(*BASE, *extra, code=2)
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], refused.stderr
    assert as_json(cli("list", "--as", "sari", "--json")) == []
