"""The import-linter contracts mean something: each forbidden import makes ``lint-imports`` fail.

For each probe, the package is copied into a temporary folder, one import is appended to one
module, and the venv's ``lint-imports`` analyses the copy (``PYTHONPATH`` points at it, so the
editable install of the real tree is not what it reads). It must exit non-zero and name the
contract the probe breaks; the unmodified copy must keep every contract.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
TIMEOUT_S = 120  # generous: the suite may share a busy machine; a run takes well under 1 s

# (module the import is appended to, the import, the start of the contract it must break)
PROBES = [
    ("aduan/service/cases.py", "import aduan.adapters.sql.uow", "Use cases reach adapters"),
    ("aduan/workflow/guards.py", "import fastapi", "The domain is pure"),
    ("aduan/escalation/deadlines.py", "import apscheduler", "The domain is pure"),
    ("aduan/service/timekeeping.py", "import aduan.web.app", "Layers point inward"),
    ("aduan/adapters/memory/uow.py", "import aduan.adapters.sql.tables", "The in-memory adapters"),
    ("aduan/reports/ikm.py", "import sqlalchemy", "Use cases reach adapters"),
]


def contract_names() -> list[str]:
    """The names of the contracts in ``pyproject.toml``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def contract_named(start: str) -> str:
    """The one contract whose name starts with ``start``."""
    (name,) = [n for n in contract_names() if n.startswith(start)]
    return name


def _only_python(folder: str, names: list[str]) -> set[str]:
    # grimp reads only the modules: templates, catalogs and caches need not be copied.
    return {n for n in names if n == "__pycache__" or ("." in n and not n.endswith(".py"))}


def lint_copy(tmp_path: Path, probe: tuple[str, str] | None = None) -> tuple[int, str]:
    """Run ``lint-imports`` over a copy of the package, with ``probe`` (module, import) added.

    Returns the exit code and the report with its line wrapping undone.
    """
    shutil.copytree(ROOT / "aduan", tmp_path / "aduan", ignore=_only_python)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if probe is not None:
        module, statement = probe
        with (tmp_path / module).open("a", encoding="utf-8") as f:
            f.write(f"\n{statement}  # probe\n")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return result.returncode, re.sub(r"\s+", " ", result.stdout + result.stderr)


@pytest.mark.parametrize(
    ("module", "statement", "contract"), PROBES, ids=[f"{m}: {s}" for m, s, _ in PROBES]
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, statement: str, contract: str
) -> None:
    name = contract_named(contract)

    code, report = lint_copy(tmp_path, (module, statement))

    assert code != 0, report
    assert f"{name} BROKEN" in report, report
    dotted = module.removesuffix(".py").replace("/", ".")
    imported = statement.removeprefix("import ")
    assert f"{dotted} -> {imported}" in report, report


def test_the_unmodified_package_keeps_every_contract(tmp_path: Path) -> None:
    code, report = lint_copy(tmp_path)

    for name in contract_names():
        assert f"{name} KEPT" in report, report
    assert code == 0, report
