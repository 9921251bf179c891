"""Deadlines through the ``aduan`` command: the calendar, the sweep and overdue lists."""

from __future__ import annotations

import json

from tests.e2e.test_cli import Cli, as_json, cli, days_ago, submit

__all__ = ["cli"]  # the fixture, shared with the lifecycle CLI tests


def test_calendar_answers_the_design_example_and_lists_cuti_bersama(cli: Cli) -> None:
    assert "2026-09-02 23:59 WIB" in cli("calendar", "due", "2026-08-11").stdout
    assert (
        "2026-08-12 23:59 WIB" in cli("calendar", "due", "2026-08-11", "--working-days", "1").stdout
    )
    zero = cli("calendar", "due", "2026-08-11", "--working-days", "0", code=2)
    assert "working_days" in zero.stderr
    outside = cli("calendar", "due", "2040-01-02", code=2)
    assert "2040-01-02" in outside.stderr
    days = as_json(cli("calendar", "show", "2026", "--json"))
    joint = [d["on"] for d in days if d["source"] == "cuti_bersama"]
    assert "2026-03-20" in joint and "2026-12-24" in joint
    assert any(d["on"] == "2026-08-17" and d["source"] == "national" for d in days)


def test_a_regional_holiday_moves_an_open_case_and_a_holiday_twice_is_a_no_op(cli: Cli) -> None:
    code = submit(cli)["tracking_code"]
    before = as_json(cli("show", code, "--as", "budi", "--json"))["response_due_at"]
    due_day = before[:10]
    # A regional holiday on a working day inside the window pushes the answer deadline by one.
    moved = cli("calendar", "add", due_day, "--reason", "Libur daerah", "--as", "admin").stdout
    assert "deadlines moved: 1" in moved and code in moved
    after = as_json(cli("show", code, "--as", "budi", "--json"))["response_due_at"]
    assert after > before
    timeline = as_json(cli("show", code, "--as", "budi", "--json"))["timeline"]
    assert timeline[-1]["action"] == "deadlines_moved"
    again = cli("calendar", "add", "2026-12-25", "--reason", "Natal", "--as", "admin").stdout
    assert "already a non-working day" in again and "deadlines moved: 0" in again
    assert "deadlines moved: 1" in cli("calendar", "remove", due_day, "--as", "admin").stdout


def test_an_old_complaint_is_overdue_and_the_sweep_breaches_it_once(cli: Cli) -> None:
    old = submit(cli, "--received-at", days_ago(25) + "T09:00", service_days_ago=26)
    fresh = submit(cli)
    # Backdated intake: reminders already in the past are not rung, the breach is.
    overdue = as_json(cli("list", "--as", "sari", "--overdue", "--json"))
    assert [r["tracking_code"] for r in overdue] == [old["tracking_code"]]
    shown = as_json(cli("show", old["tracking_code"], "--as", "sari", "--json"))
    assert shown["overdue"] is True
    assert shown["deadlines"][0]["overdue_working_days"] >= 1

    swept = json.loads(cli("sweep", "--json").stdout)
    assert swept.get("breached") == 2  # the answer deadline and the classification target
    assert "reminded" not in swept
    assert set(json.loads(cli("sweep", "--json").stdout)) == {"now", "batches"}
    timeline = as_json(cli("show", old["tracking_code"], "--as", "sari", "--json"))["timeline"]
    breaches = [e for e in timeline if e["action"] == "breach"]
    assert len(breaches) == 2
    assert {b["data"]["to"] for b in breaches} == {"sari"}  # budi's direct superior
    soon = as_json(cli("list", "--as", "sari", "--due-within", "1", "--json"))
    assert fresh["tracking_code"] in [r["tracking_code"] for r in soon]
