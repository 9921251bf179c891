"""Logs keep what an operator needs about a failure and none of the personal data around it.

A background job fails on a database error while it holds a case; in a real process with
the production logging, on both formats. The attack run found the console log listing the
job's local variables (names, emails, phones, subjects) and the SQL parameters, and the JSON
log dropping the exception altogether.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aduan.service import Deps

NAME, EMAIL, PHONE = "Wulandari Kusumawati", "wulan.kusuma@contoh.id", "0813-7777-4321"
SUBJECT = "Izin reklame ditolak tanpa alasan"

JOB = f"""
import sys
from datetime import UTC, datetime
from aduan import bootstrap, service
from aduan.config import Settings
from aduan.jobs import periodic
from aduan.ports import OutboxMessage
from aduan.schemas.commands import SubmitCommand
from aduan.workflow.intake import wib_date

url, fmt = sys.argv[1:]
settings = Settings(database_url=url, log_format=fmt)
bootstrap.configure_logging(settings)
deps = bootstrap.build(settings)


def remind_complainants():
    case = service.submit_complaint(deps, SubmitCommand.model_validate({{
        "channel": "email",
        "complainant": {{"name": {NAME!r}, "email": {EMAIL!r}, "phone": {PHONE!r}}},
        "subject": {SUBJECT!r},
        "description": "Sudah tiga kali datang ke loket",
        "service_code": "15121",
        "licence_number": "SS-2026-000123",
        "service_received_on": wib_date(datetime.now(UTC)),
    }}))
    person = case.complainant
    with deps.uow() as uow:  # the channel name is too long for its column: a database error
        uow.outbox.add(OutboxMessage(
            "k", "reminder", person.email, "x" * 40, {{"name": person.name}}, datetime.now(UTC)
        ))
        uow.commit()


periodic._run("remind_complainants", remind_complainants)
"""


def run_job(url: str, fmt: str, tmp_path: Path) -> str:
    script = tmp_path / "job.py"
    script.write_text(JOB, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), url, fmt],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return proc.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", ["console", "json"])
def test_a_failing_job_logs_the_error_and_its_frames_but_no_personal_data(
    pg_deps: Deps, pg_migrated_url: str, tmp_path: Path, fmt: str
) -> None:
    log = run_job(pg_migrated_url, fmt, tmp_path)

    assert "remind_complainants_failed" in log
    for value in (NAME, EMAIL, PHONE, "0813", "7777-4321", SUBJECT, "wulan"):
        assert value not in log
    assert "[parameters" not in log
    if fmt == "json":
        (failed,) = (
            json.loads(line) for line in log.splitlines() if "remind_complainants_failed" in line
        )
        *_, last = failed["exception"]
        assert last["type"] == "sqlalchemy.exc.DataError"
        assert "value too long for type character varying(16)" in last["message"]
        assert "INSERT INTO outbox" in last["message"]
        assert any(f["function"] == "remind_complainants" for f in last["frames"])
        assert all(set(f) == {"file", "line", "function", "code"} for f in last["frames"])
    else:
        assert "sqlalchemy.exc.DataError: (psycopg.errors.StringDataRightTruncation)" in log
        assert "value too long for type character varying(16)" in log
        assert 'job.py", line' in log and "in remind_complainants" in log
