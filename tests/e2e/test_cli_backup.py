"""``aduan db backup`` and ``aduan db restore`` as an administrator runs them (issue 17)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from aduan import service
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.bootstrap import build
from aduan.config import Settings
from aduan.service import attachments
from aduan.service.attachments import Upload
from tests.attachment_files import pdf
from tests.e2e.test_cli import Cli, as_json, submit
from tests.integration.builders import submission

__all__ = ["cli"]
from tests.e2e.test_cli import cli


def test_backup_then_restore_brings_back_the_cases_of_the_backup(cli: Cli, tmp_path: Path) -> None:
    kept = submit(cli)
    done = cli("db", "backup", str(tmp_path / "cadangan.db"))
    assert "integritas/integrity ok" in done.stdout
    lost = submit(cli)
    cli("db", "restore", str(tmp_path / "cadangan.db"))

    codes = [c["tracking_code"] for c in as_json(cli("list", "--as", "budi", "--json"))]
    assert codes == [kept["tracking_code"]]
    assert lost["tracking_code"] not in codes


def test_backup_refuses_to_overwrite_and_restore_refuses_a_missing_file(
    cli: Cli, tmp_path: Path
) -> None:
    cli("db", "backup", str(tmp_path / "cadangan.db"))
    again = cli("db", "backup", str(tmp_path / "cadangan.db"), code=1)
    assert "sudah ada" in again.stderr
    missing = cli("db", "restore", str(tmp_path / "tidak-ada.db"), code=1)
    assert "berkas cadangan tidak ada" in missing.stderr
    assert "Traceback" not in missing.stderr + again.stderr


def test_on_postgresql_the_commands_point_to_pg_dump(tmp_path: Path) -> None:
    env = {**os.environ, "ADUAN_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x"}
    proc = subprocess.run(
        [sys.executable, "-m", "aduan.cli", "db", "backup", str(tmp_path / "x.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "pg_dump -Fc" in proc.stderr


def test_backup_and_restore_carry_the_evidence_files(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    deps = build(Settings(database_url=url))
    photo = attachments.prepare(deps, [Upload("lampiran", "denah.pdf", io.BytesIO(pdf()))])
    case = service.submit_complaint(deps, submission(deps), files=photo)
    assert isinstance(deps.uow, SqlUnitOfWorkFactory)
    deps.uow.engine.dispose()  # this process lets go of the database, as a stopped server

    done = cli("db", "backup", str(tmp_path / "cadangan.db"))
    assert "lampiran/evidence files: 1 disalin/copied" in done.stdout
    shutil.rmtree(tmp_path / "files")  # the disk with the files is lost
    restored = cli("db", "restore", str(tmp_path / "cadangan.db"))
    assert "lampiran/evidence files: 1 dipulihkan/restored" in restored.stdout

    again = build(Settings(database_url=url))
    (listed,) = attachments.list_attachments(again, case.tracking_code, "sari")
    with attachments.open_attachment(again, case.tracking_code, listed.id, "sari").file as file:
        assert file.read() == pdf()
