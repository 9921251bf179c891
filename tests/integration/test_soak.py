"""A short soak (bench/soak.py) as a test: the invariants hold under load, a kill and races.

PostgreSQL: three ``aduan serve`` processes on one database, one SIGKILLed mid-load and started
again, the sweep racing in every instance and in the test. SQLite: one instance with two workers
and ``aduan submit`` writing from another process. Afterwards nothing is lost, doubled or out of
step: every case's status is the end of its trail, no event or breach twice, every due alarm
fired, every email delivered once per idempotency key, no 5xx (but the killed instance's
requests in flight), no "database is locked" shown to anyone. Speed is the bench's business.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import Options, run_soak, violations


def _soak(tmp_path: Path, db: str, seconds: float) -> dict[str, object]:
    options = Options(
        db=db,
        seconds=seconds,
        min_requests=60,
        threads=4,
        kill_at=0.3,
        down=1.0,
        backdated=4,
        folder=tmp_path,
    )
    result = run_soak(options)
    assert violations(result) == dict.fromkeys(violations(result), 0), result
    return result


@pytest.mark.postgres
def test_three_instances_on_postgres_one_killed_lose_and_double_nothing(
    tmp_path: Path, pg_server: str
) -> None:
    result = _soak(tmp_path, "postgres", 8)

    kinds = result["kinds"]
    assert isinstance(kinds, dict)
    assert {"submit", "act", "list", "queue", "search"} <= set(kinds)
    assert kinds["act"]["status"].get(200, 0) > 0  # staff actions went through
    assert result["breaches"] and result["alarms_fired"]  # due alarms were rung
    assert result["emails_received"]


def test_sqlite_with_two_workers_and_a_cli_writer_never_shows_a_locked_database(
    tmp_path: Path,
) -> None:
    result = _soak(tmp_path, "sqlite", 6)

    assert result["cli_ok"]  # the CLI wrote while the server did
    assert result["locked_to_user"] == result["cli_locked"] == 0
