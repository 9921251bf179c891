"""Prepared statements send and read exactly what SQLAlchemy's ``Connection.execute`` would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from aduan.adapters.sql.prepared import Prepared, bind_processor, result_processor
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import UtcDateTime, alarms, case_events

DIALECT = sqlite.dialect()
TYPE = UtcDateTime()
# SQLAlchemy's own conversions: those of the type's implementation for the dialect.
SQLALCHEMY_BIND = TYPE.dialect_impl(DIALECT).bind_processor(DIALECT)
SQLALCHEMY_RESULT = TYPE.dialect_impl(DIALECT).result_processor(DIALECT, None)

aware = st.datetimes(
    min_value=datetime(1900, 1, 2),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(-timedelta(hours=3))]),
)


@given(aware)
def test_a_datetime_is_stored_as_the_same_text(value: datetime) -> None:
    assert SQLALCHEMY_BIND is not None
    assert bind_processor(TYPE, DIALECT)(value) == SQLALCHEMY_BIND(value)  # type: ignore[misc]


@given(aware)
def test_a_stored_datetime_reads_back_as_the_same_aware_utc_value(value: datetime) -> None:
    assert SQLALCHEMY_BIND is not None and SQLALCHEMY_RESULT is not None
    stored = SQLALCHEMY_BIND(value)
    read = result_processor(TYPE, DIALECT, None)(stored)  # type: ignore[misc]
    assert read == SQLALCHEMY_RESULT(stored) == value
    assert read.tzinfo is UTC


def test_a_naive_datetime_is_refused_as_before() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        bind_processor(TYPE, DIALECT)(datetime(2024, 1, 1))  # type: ignore[misc]  # noqa: DTZ001


def test_prepared_statements_send_parameters_in_the_order_of_the_sql() -> None:
    stmt = Prepared(insert(case_events), ("case_id", "at", "note"))
    compiled = stmt.compiled(DIALECT)
    at = datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=UTC)
    assert compiled.sql == "INSERT INTO case_events (case_id, at, note) VALUES (?, ?, ?)"
    assert compiled.params({"note": "n", "at": at, "case_id": 3}) == [
        3,
        "2024-05-06 07:08:09.000010",
        "n",
    ]


def test_a_value_written_into_a_prepared_statement_is_sent_as_a_constant() -> None:
    stmt = Prepared(
        select(alarms.c.id).where(alarms.c.kind == "stage", alarms.c.id == bindparam("id"))
    )
    assert stmt.compiled(DIALECT).params({"id": 4}) == ["stage", 4]


_things = Table(
    "things",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("at", UtcDateTime),
    Column("data", JSON),
    Column("done", Boolean),
)
_ROWS: list[dict[str, Any]] = [
    {
        "name": "a",
        "at": datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=UTC),
        "data": {"x": [1, 2]},
        "done": True,
    },
    {"name": "b", "at": None, "data": None, "done": False},
]


def test_prepared_statements_write_and_read_rows_as_sqlalchemy_does() -> None:
    engine = create_engine("sqlite://")
    _things.create(engine)
    listing = select(_things, func.upper(_things.c.name).label("shout")).order_by(_things.c.id)
    with engine.begin() as conn:
        runner = Runner(conn)
        runner.execute_many(Prepared(insert(_things).inline(), tuple(_ROWS[0])), _ROWS)
        expected = [dict(row) for row in conn.execute(listing).mappings()]
        read = Prepared(listing)
        assert runner.all(read, {}) == expected
        assert runner.all(read, {}) == expected  # keys and processors kept from the first
        assert runner.first(read, {}) == expected[0]
    engine.dispose()


def test_returning_columns_come_back_with_their_names() -> None:
    engine = create_engine("sqlite://")
    _things.create(engine)
    add = Prepared(insert(_things).returning(_things.c.id, _things.c.at), ("name", "at"))
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=7)))
    with engine.begin() as conn:
        assert Runner(conn).first(add, {"name": "a", "at": at}) == {"id": 1, "at": at}
    engine.dispose()


def test_a_driver_error_is_raised_as_sqlalchemy_would_raise_it() -> None:
    engine = create_engine("sqlite://")
    _things.create(engine)
    add = Prepared(insert(_things).inline(), ("name",))
    with engine.begin() as conn:
        runner = Runner(conn)
        runner.execute(add, {"name": "a"})
        with pytest.raises(IntegrityError):
            runner.execute(add, {"name": "a"})
    engine.dispose()
