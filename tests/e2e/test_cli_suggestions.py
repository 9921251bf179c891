"""``aduan suggestions`` and the suggestion actions from the command line (issue 12 item 2)."""

from __future__ import annotations

from tests.e2e.test_cli import Cli, act, as_json, cli, days_ago, submit

__all__ = ["cli"]  # the fixture, used by name

REASON = "Nomor telepon pelapor ada di surat, terlewat saat dicatat"


def anonymous(cli: Cli) -> str:
    """A suggestion: recorded without the complainant's name (item 5b)."""
    proc = cli(
        "submit", "--channel", "phone", "--subject", "Antrean loket terlalu lama",
        "--description", "Menunggu dua jam", "--service-date", days_ago(3),
        "--as", "budi", "--json",
    )  # fmt: skip
    return str(as_json(proc)["tracking_code"])


def test_the_queue_and_the_path_of_a_suggestion(cli: Cli) -> None:
    code = anonymous(cli)
    late = submit(cli, service_days_ago=60)["tracking_code"]
    complaint = submit(cli)["tracking_code"]

    listed = cli("suggestions", "--as", "budi").stdout
    assert code in listed and late in listed and complaint not in listed
    only_late = as_json(cli("suggestions", "--reason", "late", "--as", "budi", "--json"))
    assert [i["case"]["tracking_code"] for i in only_late] == [late]

    act(cli, code, "acknowledge_suggestion", "budi")
    act(cli, code, "classify", "budi", "--service", "15121", "--problem", "procedure")
    forwarded = act(cli, code, "forward_suggestion", "budi")
    assert forwarded["status"] == "suggestion_forwarded"
    assert code not in cli("suggestions", "--as", "budi").stdout

    converted = act(cli, late, "convert_suggestion", "sari", "--reason", REASON)
    assert (converted["kind"], converted["status"]) == ("complaint", "recorded")
    assert converted["timeline"][-1]["data"] == {"reason": REASON}
    assert "(tidak ada saran / no suggestions waiting)" in cli("suggestions", "--as", "sari").stdout


def test_bad_input_is_one_line_and_a_non_zero_exit(cli: Cli) -> None:
    code = anonymous(cli)

    no_reason = cli("act", code, "convert_suggestion", "--as", "sari", code=2)
    officer = cli("act", code, "convert_suggestion", "--reason", REASON, "--as", "budi", code=5)
    unknown = cli("suggestions", "--service", "99999", "--as", "budi", code=2)
    agency = cli("suggestions", "--as", "tono", code=5)

    for proc in (no_reason, officer, unknown, agency):
        assert proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("galat/error: ")
    assert "reason" in no_reason.stderr
    assert "officer" in officer.stderr and "convert_suggestion" in officer.stderr
    assert "service_code" in unknown.stderr and "99999" in unknown.stderr
    after = as_json(cli("show", code, "--as", "sari", "--json"))
    assert (after["kind"], after["status"], after["version"]) == ("suggestion", "suggestion", 1)
