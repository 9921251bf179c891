"""The database refusing writes becomes ``StorageRefusedError`` on both engines, nothing kept."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from aduan import service
from aduan.adapters.sql import storage
from aduan.ports import CaseQuery
from aduan.service import Deps
from aduan.workflow.errors import READ_ONLY, StorageRefusedError
from tests.integration.builders import engine_of, submit


def make_read_only(deps: Deps) -> None:
    """Every new connection refuses writes, as a read-only file (SQLite) or server (PostgreSQL)."""
    engine = engine_of(deps)

    def refuse(dbapi: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":
            dbapi.execute("PRAGMA query_only = ON")
        else:
            cursor = dbapi.cursor()
            cursor.execute("SET default_transaction_read_only = on")
            cursor.close()
            dbapi.commit()

    event.listen(engine, "connect", refuse)
    deps.uow.close(drop=True)  # type: ignore[attr-defined]
    engine.dispose()


def test_a_read_only_database_refuses_a_submission_whole_and_still_reads(deps: Deps) -> None:
    kept = submit(deps)
    assert storage.write_probe(engine_of(deps)) is None
    make_read_only(deps)

    assert storage.write_probe(engine_of(deps)) == READ_ONLY
    with pytest.raises(StorageRefusedError) as refused:
        submit(deps)
    assert refused.value.reason == READ_ONLY
    assert str(refused.value).startswith("basis data hanya dapat dibaca")
    assert deps.uow.refused == READ_ONLY  # type: ignore[attr-defined]
    assert [c.tracking_code for c in service.list_cases(deps, CaseQuery())] == [kept.tracking_code]
