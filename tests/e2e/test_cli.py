"""The ``aduan`` command as an officer uses it: real processes on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aduan.workflow.intake import WIB

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = {
        **os.environ,
        "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}",
        "ADUAN_LOG_LEVEL": "warning",
    }

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "aduan.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == code, f"aduan {' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
        return proc

    run("db", "upgrade")
    return run


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(proc.stdout)


def days_ago(n: int) -> str:
    return (datetime.now(WIB).date() - timedelta(days=n)).isoformat()


def submit(cli: Cli, *extra: str, service_days_ago: int = 5) -> dict[str, Any]:
    proc = cli(
        "submit",
        "--channel", "whatsapp",
        "--subject", "Sertifikat standar belum terbit",
        "--description", "Sudah lewat 7 hari kerja",
        "--name", "Ani Suryani",
        "--phone", "0812-3456-7890",
        "--service", "15121",
        "--service-date", days_ago(service_days_ago),
        "--as", "budi",
        "--json",
        *extra,
    )  # fmt: skip
    return as_json(proc)


def act(cli: Cli, code: str, action: str, user: str, *fields: str) -> dict[str, Any]:
    return as_json(cli("act", code, action, "--as", user, "--json", *fields))


def classify_and_review(cli: Cli, code: str) -> None:
    act(cli, code, "classify", "budi", "--service", "15121", "--problem", "completion_time")
    reviewed = act(
        cli, code, "review", "budi",
        "--core-problem", "Penerbitan sertifikat melewati jangka waktu",
        "--plan", "clarification:Bidang Perizinan:tanyakan status berkas",
    )  # fmt: skip
    links = [link["text"] for link in reviewed["worksheet"]["links"]]
    assert links[0].startswith("Jangka waktu penyelesaian: 7 hari kerja")
    assert any("Cipta Kerja" in text for text in links)


def finish(cli: Cli, code: str, closer: str = "sari") -> dict[str, Any]:
    """Inform, report to the superior of the tier that decided, and close as ``closer``."""
    act(cli, code, "inform_complainant", "budi", "--channel", "whatsapp", "--text", "Sudah terbit")
    act(cli, code, "report_to_superior", "budi", "--text", "Laporan hasil tindak lanjut")
    return act(cli, code, "close", closer)


def test_internal_case_walks_up_two_tiers_and_closes(cli: Cli) -> None:
    case = submit(cli)
    code = case["tracking_code"]
    assert case["status"] == "recorded"
    classify_and_review(cli, code)
    act(cli, code, "route_internal", "budi")
    act(cli, code, "escalate", "budi", "--report", "Perlu keputusan Kepala Seksi")
    up = act(cli, code, "escalate", "sari", "--report", "Perlu keputusan Kepala Bidang")
    assert (up["tier"], up["holder"], up["assignee"]) == (2, up["chain"][2]["title"], "agus")
    act(
        cli, code, "record_result", "agus",
        "--outcome", "substantiated", "--summary", "Sertifikat diterbitkan",
        "--corrective", "Antrian verifikasi dipantau harian",
    )  # fmt: skip
    closed = finish(cli, code, closer="dewi")  # agus decided: the Head above him closes
    assert closed["status"] == "closed"
    # Two tier reports, then the report of the result to the superior of the deciding tier.
    assert [r["addressee"] for r in closed["reports"]] == ["sari", "agus", "dewi"]
    actions = [e["action"] for e in closed["timeline"]]
    assert actions[0] == "submit" and actions[-1] == "close" and actions.count("escalate") == 2

    shown = cli("show", code, "--as", "sari").stdout
    assert "Perlu keputusan Kepala Bidang" in shown and "riwayat/timeline" in shown
    public = as_json(cli("track", code.lower().replace("-", ""), "--json"))
    # The result as sent to the complainant, not the office's summary (issue 12 item 3).
    assert public["status_label"] == "Selesai" and public["answer"] == "Sudah terbit"
    assert "Sertifikat diterbitkan" not in json.dumps(public)
    assert "Ani" not in json.dumps(public)


def test_agency_case_is_resolved_by_the_agency_chain(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    classify_and_review(cli, code)
    routed = act(cli, code, "route_agency", "budi", "--agency", "dispertan")
    assert routed["assignee"] == "tono" and routed["chain"][-1]["holder"] == "rina"
    # The agency sees the case, but not who complained (DESIGN §6).
    seen = as_json(cli("show", code, "--as", "tono", "--json"))
    assert seen["complainant"]["masked"] is True and seen["complainant"]["phone"] is None
    act(cli, code, "escalate", "tono", "--report", "Mohon arahan Kepala Bidang")
    act(
        cli,
        code,
        "record_result",
        "rina",
        "--outcome",
        "partly_substantiated",
        "--summary",
        "Jadwal diperbaiki",
    )
    assert finish(cli, code)["status"] == "closed"


def test_apip_case_needs_the_heads_approval(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    classify_and_review(cli, code)
    act(cli, code, "route_internal", "budi")
    act(cli, code, "request_apip", "budi", "--reason", "Dugaan pungutan liar")
    result = ("record_result", "--outcome", "substantiated", "--summary", "x")
    # Before approval the case is not APIP's: out of its sight, as if it did not exist.
    unseen = cli("act", code, *result, "--as", "irfan", code=3)
    assert "irfan" not in unseen.stderr and code in unseen.stderr
    refused = cli("act", code, *result, "--as", "budi", code=6)
    assert "apip_requires_approval" in refused.stderr
    denied = cli("act", code, "approve_apip", "--as", "budi", code=5)
    assert "officer" in denied.stderr
    approved = act(cli, code, "approve_apip", "dewi", "--note", "Disetujui")
    assert (approved["status"], approved["track"]) == ("apip_handling", "apip")
    act(
        cli,
        code,
        "record_result",
        "irfan",
        "--outcome",
        "substantiated",
        "--summary",
        "Sanksi disiplin",
    )
    assert finish(cli, code)["status"] == "closed"


def test_late_complaint_becomes_suggestion_until_a_supervisor_accepts_it(cli: Cli) -> None:
    case = submit(cli, service_days_ago=45)
    code = case["tracking_code"]
    assert (case["kind"], case["status"], case["screening_reason"]) == (
        "suggestion",
        "suggestion",
        "late",
    )
    cli("act", code, "accept_late", "--as", "budi", "--reason", "x", code=5)
    missing = cli("act", code, "accept_late", "--as", "sari", code=2)
    assert "reason" in missing.stderr
    accepted = act(cli, code, "accept_late", "sari", "--reason", "Pelapor sakit selama 3 minggu")
    assert (accepted["kind"], accepted["status"]) == ("complaint", "recorded")


def test_bad_input_is_one_line_naming_the_field_and_nothing_is_written(cli: Cli) -> None:
    bad = [
        (["--email", "ani@"], "email"),
        (["--phone", "12"], "phone"),
        (["--service", "99999"], "service_code"),
        (["--received-at", "2999-01-01T09:00"], "received_at"),
    ]
    for extra, field in bad:
        proc = cli("submit", "--channel", "email", "--subject", "x", "--service-date", days_ago(1),
                   "--name", "Ani", "--email", "ani@contoh.id", *extra, code=2)  # fmt: skip
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and field in lines[0], proc.stderr
    blank = cli(
        "submit", "--channel", "email", "--subject", " ", "--service-date", days_ago(1), code=2
    )
    assert "subject" in blank.stderr
    assert as_json(cli("list", "--as", "budi", "--json")) == []


def test_stale_version_is_a_conflict_not_an_overwrite(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    act(cli, code, "classify", "budi", "--service", "15121", "--problem", "fees", "--version", "1")
    stale = cli(
        "act", code, "classify", "--as", "sari", "--service", "15121", "--problem", "product",
        "--version", "1", code=4,
    )  # fmt: skip
    assert "version 1 → 2" in stale.stderr
    shown = as_json(cli("show", code, "--as", "budi", "--json"))
    assert shown["problem_types"] == ["fees"] and shown["version"] == 2


def test_lists_filter_by_status_kind_and_assignee(cli: Cli) -> None:
    first = submit(cli)["tracking_code"]
    submit(cli, service_days_ago=60)
    act(cli, first, "classify", "budi", "--service", "15121", "--problem", "fees")
    assert [
        r["tracking_code"]
        for r in as_json(cli("list", "--as", "sari", "--status", "classified", "--json"))
    ] == [first]
    assert len(as_json(cli("list", "--as", "sari", "--kind", "suggestion", "--json"))) == 1
    assert len(as_json(cli("list", "--as", "sari", "--assignee", "budi", "--json"))) == 2
    bad = cli("list", "--as", "sari", "--status", "lost", code=2)
    assert "--status" in bad.stderr
    # The list is someone's (DESIGN §6): without --as it is refused; an agency officer's list
    # and the administrator's hold none of these office cases.
    assert "--as" in cli("list", code=2).stderr
    assert as_json(cli("list", "--as", "tono", "--json")) == []
    assert cli("show", first, "--as", "tono", code=3).returncode == 3


def test_catalog_and_orgchart_are_data_that_can_be_extended(cli: Cli, tmp_path: Path) -> None:
    codes = [s["code"] for s in as_json(cli("catalog", "list", "--json"))]
    assert codes == ["01622", "15121", "71204", "78422"]
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[service]]\ncode = "47111"\ntitle = "Perdagangan Eceran"\nlicence_type = "NIB"\n'
        'risk_level = "Rendah"\ncompletion_days = 1\nfee = "Gratis"\nproduct = "NIB"\n'
        'legal_basis = ["PP 5/2021"]\n',
        encoding="utf-8",
    )
    cli("catalog", "add", str(extra), "--as", "admin")
    assert "47111" in [s["code"] for s in as_json(cli("catalog", "list", "--json"))]
    broken = tmp_path / "broken.toml"
    broken.write_text('[[service]]\ncode = "1"\ntitle = "x"\n', encoding="utf-8")
    assert "service[0]" in cli("catalog", "add", str(broken), "--as", "admin", code=2).stderr
    chains = as_json(cli("orgchart", "show", "--json"))
    assert [lvl["holder"] for lvl in chains["dpmptsp"]] == ["budi", "sari", "agus", "dewi"]
    cli(
        "users",
        "add",
        "wati",
        "--name",
        "Wati",
        "--role",
        "officer",
        "--position",
        "pelaksana-pengaduan",
        "--as",
        "admin",
    )
    assert "wati" in cli("users", "list").stdout
    assert (
        "position"
        in cli(
            "users",
            "add",
            "x",
            "--name",
            "X",
            "--role",
            "officer",
            "--position",
            "nope",
            "--as",
            "admin",
            code=2,
        ).stderr
    )


ADMIN_COMMANDS = [
    ["calendar", "add", "2026-11-30", "--reason", "Libur daerah"],
    ["calendar", "remove", "2026-11-30"],
    ["catalog", "load"],
    ["catalog", "add"],
    ["orgchart", "load"],
    ["users", "add", "wati", "--name", "Wati", "--role", "officer"],
    ["users", "token", "budi"],
    ["users", "revoke-tokens", "budi"],
    ["open311", "key", "Aplikasi Warga"],
]


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_reference_data_and_credentials_are_the_administrators(
    cli: Cli, command: list[str]
) -> None:
    # A staff member who is not an administrator: refused by name, nothing written (exit 5).
    refused = cli(*command, "--as", "budi", code=5)
    assert "admin_only" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    # Nobody, or somebody unknown: the user must exist and be active (exit 2).
    cli(*command, code=2)  # no --as at all
    unknown = cli(*command, "--as", "siapa", code=2)
    assert "siapa" in unknown.stderr and "known_active_user" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    cli(*command, "--as", "admin")


def test_a_holiday_by_a_non_administrator_moves_nothing(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    before = as_json(cli("show", code, "--as", "budi", "--json"))["response_due_at"]
    cli("calendar", "add", before[:10], "--reason", "Libur", "--as", "dewi", code=5)
    cli("calendar", "add", before[:10], "--reason", "Libur", "--as", "nobody", code=2)
    assert as_json(cli("show", code, "--as", "budi", "--json"))["response_due_at"] == before
