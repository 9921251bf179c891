"""Hot-path statements compiled once per database and run on the driver's own cursor.

SQLAlchemy Core spends 20-40 µs of Python per ``Connection.execute`` (cache key, execution
context, result metadata) and an action runs about eight statements. A ``Prepared`` statement is
compiled once per dialect by SQLAlchemy's compiler, with SQLAlchemy's bind and result processors
(so the SQL text and every value conversion are the ones ``Connection.execute`` would use; only
``UtcDateTime`` on SQLite takes a one-step shortcut to the same text), and a ``Runner``
(runner.py) runs it on the DBAPI cursor of the unit of work's connection, inside its
transaction, with driver errors re-raised as ``Connection.execute`` would raise them.
A ``before_cursor_execute`` listener on the engine sees these statements too (with no execution
context), so statements can be counted (tests/integration/test_statement_counts.py); ``echo``
does not log them.

Only SQLAlchemy's public API is used: ``ClauseElement.compile``, the compiled statement's
``string``, ``binds`` and ``positiontup``, ``TypeEngine.dialect_impl`` with its
``bind_processor``/``result_processor``, and the statement's ``exported_columns``.

What each speed-up buys (kept because a benchmark shows it):

- Compiling once per (statement, dialect) and running on the DBAPI cursor: the lifecycle on
  SQLite went ~1.8x faster with it and writing only changed columns (``bench/lifecycle.py``,
  commit f1dd727). Processors are looked up while compiling, so that memo is also the cache
  of processors per (type, dialect): nothing is looked up per execution.
- Result keys and processors from the first result of a statement, kept: psycopg builds
  ``cursor.description`` anew on each access (about 12 µs, issue 2's profile).
- ``UtcDateTime`` on SQLite in one step each way: 1.5 against 3.0 µs to store and 0.17
  against 1.0 µs to read a value (``timeit``; a queue page reads a hundred of them). A value
  already in UTC (the clock's, about ten per step of a case) is written as its ISO text less
  the offset, without a converted copy first: about half the cost again (issue 15).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ReturnsRows, TextClause
from sqlalchemy.types import TypeEngine

from aduan.adapters.sql.tables import UtcDateTime

Processor = Callable[[Any], Any]
Statement = ReturnsRows | TextClause


# UtcDateTime on SQLite, in one step each way: the same text as SQLAlchemy's SQLite DATETIME
# ("YYYY-MM-DD HH:MM:SS.ffffff", UTC, no zone) and the same aware UTC value back, at a fifth of
# the cost of its TypeDecorator chain (tests/unit/test_prepared.py checks they agree).
def _utc_to_sqlite(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # most values (the clock's): the text without its "+00:00"
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is None:
        raise ValueError("naive datetime: store aware UTC only")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _utc_from_sqlite(value: str) -> datetime:
    # One parse with the offset: a fifth of the cost of parsing, then ``replace(tzinfo=UTC)``
    # (0.17 against 0.9 µs; a queue page reads a hundred of them).
    return datetime.fromisoformat(value + "+00:00")


def bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    """How a value of ``type_`` is sent to ``dialect``'s driver (as SQLAlchemy would).

    ``Connection.execute`` uses the processor of the type's dialect-specific implementation
    (``dialect_impl``), not the generic type's own (None for ``DateTime`` on SQLite).
    """
    if isinstance(type_, UtcDateTime) and dialect.name == "sqlite":
        return _utc_to_sqlite
    return type_.dialect_impl(dialect).bind_processor(dialect)


def result_processor(type_: TypeEngine[Any], dialect: Dialect, coltype: Any) -> Processor | None:
    """How a non-NULL value of ``type_`` comes back from ``dialect``'s driver."""
    if isinstance(type_, UtcDateTime) and dialect.name == "sqlite":
        return _utc_from_sqlite
    return type_.dialect_impl(dialect).result_processor(dialect, coltype)


class _Compiled:
    """One statement compiled for one dialect."""

    __slots__ = ("constants", "converted", "names", "positional", "result", "result_types", "sql")

    def __init__(self, stmt: Statement, dialect: Dialect, keys: Sequence[str] | None):
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys else None)
        assert isinstance(compiled, SQLCompiler)
        names = compiled.positiontup if dialect.positional else list(compiled.binds)
        assert names is not None
        processors: Mapping[str, Any] = {
            name: bind_processor(compiled.binds[name].type, dialect) for name in names
        }
        self.sql: str = compiled.string
        self.positional: bool = dialect.positional
        self.names = tuple(names)
        # A parameter given in the statement itself (``column == "value"``) is a constant.
        self.constants = {
            name: processors[name](b.value) if processors.get(name) else b.value
            for name, b in ((name, compiled.binds[name]) for name in names)
            if not b.required and b.callable is None
        }
        # Parameters whose type converts the value (datetimes, JSON, ...), by position or name.
        self.converted: tuple[tuple[Any, Processor], ...] = tuple(
            (i if self.positional else name, processors[name])
            for i, name in enumerate(names)
            if processors.get(name) and name not in self.constants
        )
        # The types of the selected (or RETURNING) columns, in the order of the SQL.
        shown = stmt.exported_columns if isinstance(stmt, ReturnsRows) else ()  # text(): none
        self.result_types: list[TypeEngine[Any]] = [col.type for col in shown]
        self.result: tuple[tuple[str, ...], tuple[tuple[str, Processor], ...]] | None = None

    def params(self, values: Mapping[str, Any]) -> Any:
        if self.constants:
            values = {**values, **self.constants}
        args: Any
        if self.positional:
            args = [values[name] for name in self.names]
        else:
            args = {name: values[name] for name in self.names}
        for key, proc in self.converted:
            args[key] = proc(args[key])
        return args

    def columns(
        self, dialect: Dialect, description: Sequence[Any]
    ) -> tuple[tuple[str, ...], tuple[tuple[str, Processor], ...]]:
        """Result keys, and the processors of the columns that have one."""
        # The driver's column names are the keys (the labels in the SQL, as a CursorResult's
        # rows have them) and its type codes choose the processors.
        if self.result is None:
            procs = [
                (desc[0], result_processor(type_, dialect, desc[1]))
                for type_, desc in zip(self.result_types, description, strict=True)
            ]
            self.result = (
                tuple(key for key, _ in procs),
                tuple((key, proc) for key, proc in procs if proc is not None),
            )
        return self.result


class Prepared:
    """A Core statement, compiled on first use for each dialect it runs on.

    ``keys`` are the columns an INSERT or UPDATE sets (as ``Connection.execute`` takes them from
    the first parameter set); a SELECT needs none.
    """

    __slots__ = ("_compiled", "keys", "stmt")

    def __init__(self, stmt: Statement, keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self.keys = tuple(keys) if keys else None
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def compiled(self, dialect: Dialect) -> _Compiled:
        """The statement compiled for ``dialect`` (an engine's initialised dialect)."""
        found = self._compiled.get(dialect)
        if found is None:
            found = self._compiled[dialect] = _Compiled(self.stmt, dialect, self.keys)
        return found
