"""``aduan concern``: naming the staff a case concerns from the command line (issue 16 item 3)."""

from __future__ import annotations

from tests.e2e.test_cli import Cli, act, as_json, classify_and_review, cli, submit

__all__ = ["cli"]  # the fixture, used by name

REASON = "Pelapor menyebut petugas loket meminta imbalan"


def test_the_concerned_holder_is_skipped_and_loses_sight(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    classify_and_review(cli, code)
    act(cli, code, "route_internal", "budi")

    named = as_json(
        cli("concern", code, "--staff", "budi", "--reason", REASON, "--as", "sari", "--json")
    )

    assert (named["concerned"], named["assignee"], named["sealed"]) == (["budi"], "sari", False)
    shown = as_json(cli("show", code, "--as", "sari", "--json"))
    assert shown["assignee"] == "sari" and shown["timeline"][-1]["action"] == "name_concerned"
    assert cli("show", code, "--as", "budi", code=3).returncode == 3  # as a missing case
    assert code not in cli("list", "--as", "budi").stdout
    plain = cli("concern", code, "--staff", "agus", "--reason", REASON, "--seal", "--as", "dewi")
    assert "agus, budi" in plain.stdout and "Tertutup" in plain.stdout
    assert code not in cli("list", "--as", "sari").stdout
    assert code in cli("list", "--as", "dewi").stdout


def test_bad_input_names_the_field_and_writes_nothing(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    before = as_json(cli("show", code, "--as", "sari", "--json"))

    unknown = cli("concern", code, "--staff", "pak-bambang", "--reason", REASON, "--as", "sari",
                  code=2)  # fmt: skip
    no_reason = cli("concern", code, "--staff", "budi", "--as", "sari", code=2)
    stranger = cli("concern", code, "--staff", "budi", "--reason", REASON, "--as", "tono", code=5)

    assert "staff: 'pak-bambang' bukan staf dalam bagan organisasi" in unknown.stderr
    assert "reason" in no_reason.stderr
    assert "Kepala Kantor" in stranger.stderr  # only office staff name the concerned
    after = as_json(cli("show", code, "--as", "sari", "--json"))
    assert (after["version"], after["timeline"]) == (before["version"], before["timeline"])


def test_staff_intake_names_the_concerned(cli: Cli) -> None:
    case = submit(cli, "--concern", "sari", "--concern-reason", REASON)

    assert [e["action"] for e in case["timeline"]] == ["submit", "name_concerned"]
    assert case["tracking_code"] not in cli("list", "--as", "sari").stdout
    assert case["tracking_code"] in cli("list", "--as", "agus").stdout
    bad = cli("submit", "--channel", "whatsapp", "--subject", "x", "--service-date", "2026-01-05",
              "--concern", "siapa", "--concern-reason", REASON, "--as", "budi", code=2)  # fmt: skip
    assert "'siapa' bukan staf dalam bagan organisasi" in bad.stderr
    assert len(as_json(cli("list", "--as", "dewi", "--json"))) == 1  # the bad one not recorded
