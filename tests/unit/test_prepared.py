"""The hot path's own datetime conversion stores and reads exactly what SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import sqlite

from aduan.adapters.sql.prepared import Prepared, bind_processor, result_processor
from aduan.adapters.sql.tables import UtcDateTime, alarms, case_events

DIALECT = sqlite.dialect()
TYPE = UtcDateTime()
SQLALCHEMY_BIND = TYPE._cached_bind_processor(DIALECT)
SQLALCHEMY_RESULT = TYPE._cached_result_processor(DIALECT, None)

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
