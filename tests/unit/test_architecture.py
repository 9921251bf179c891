"""Only the use cases (``aduan/service/``) and the adapters (``aduan/adapters/``) open transactions.

Everything else (web, CLI, jobs, reports, notifications, the domain) calls a use case, which
opens the unit of work; so a transaction's extent is visible in one layer. An AST scan of every
module under ``aduan/`` finds the calls that open a unit of work, a connection or a session.
"""

from __future__ import annotations

import ast
from pathlib import Path

import aduan

PACKAGE = Path(aduan.__file__).parent
ROOT = PACKAGE.parent
MAY_OPEN = ("aduan/service/", "aduan/adapters/")
# Modules outside those folders that may still open one, each with the reason.
ALLOWED = {
    # Alembic's environment script lives beside the migrations it runs (a layout Alembic
    # fixes); Aduan runs it through adapters.sql.migrate.upgrade, which hands it a connection.
    # The engine it opens itself is for ``alembic`` run by hand on the configured URL.
    "aduan/migrations/env.py": "Alembic environment, run by adapters.sql.migrate",
}
# Calls by name: ``uow(...)``/``x.uow(...)``/``deps.uow(...)`` and ``reporting_uow(...)`` open a
# unit of work; ``engine.connect()``/``engine.begin()`` a connection; ``Session(...)`` an ORM one.
OPENING_CALLS = frozenset({"uow", "connect", "begin", "Session", "sessionmaker"})


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def opening_calls(source: str, filename: str = "<module>") -> list[tuple[int, str]]:
    """``(line, call)`` of every call in ``source`` that opens a transaction or a connection."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name is not None and (name in OPENING_CALLS or name.endswith("_uow")):
            found.append((node.lineno, ast.unparse(node.func)))
    return sorted(found)


def _modules_outside_the_use_cases() -> list[str]:
    paths = (p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py"))
    return sorted(p for p in paths if not p.startswith(MAY_OPEN))


def test_the_scan_recognises_every_way_of_opening_a_transaction() -> None:
    source = (
        "with deps.uow(readonly=True) as uow: pass\n"
        "with uow() as tx: pass\n"
        "with service.reporting_uow(deps) as tx: pass\n"
        "with factory.engine.connect() as conn: pass\n"
        "with engine.begin() as conn: pass\n"
        "with Session(engine) as session: pass\n"
        "inbox.purge(deps.uow, clock, 30)\n"  # handing the factory to a use case is fine
    )

    assert [line for line, _ in opening_calls(source)] == [1, 2, 3, 4, 5, 6]


def test_no_module_outside_service_and_adapters_opens_a_unit_of_work_or_a_connection() -> None:
    offences = [
        f"{path}:{line}: {call}(...)"
        for path in _modules_outside_the_use_cases()
        if path not in ALLOWED
        for line, call in opening_calls((ROOT / path).read_text(encoding="utf-8"), path)
    ]

    assert not offences, (
        "only aduan/service/ and aduan/adapters/ open units of work or connections; call a use "
        "case instead:\n" + "\n".join(offences)
    )


def test_every_allowed_exception_still_exists_and_still_needs_its_exception() -> None:
    for path in ALLOWED:
        assert opening_calls((ROOT / path).read_text(encoding="utf-8"), path), path
