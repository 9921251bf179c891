"""Runs prepared statements on a connection's driver cursor; on PostgreSQL, in few round trips.

A ``Runner`` runs ``Prepared`` statements (prepared.py) on the DBAPI cursor of a connection,
inside its transaction, and re-raises driver errors as SQLAlchemy's ``DBAPIError`` subclasses,
as ``Connection.execute`` would. There is one per connection (``Runner.of``), shared by the
repositories of a unit of work.

On PostgreSQL with psycopg 3 an action used to wait for the server once per statement: BEGIN,
the read, the UPDATE, the audit INSERT, the search index, the alarms, each notice, COMMIT —
about ten round trips per step (issue 15). Inside a unit of work (``begin``
to ``discard``) the writes nobody reads a result of (``defer``) now wait in the runner, and are
sent in pipeline mode together with whatever needs an answer next: the next read or checked
UPDATE of this runner (its answer comes with theirs), or the COMMIT (``commit``). So a plain
transition costs four round trips: the BEGIN (psycopg waits for it, even in pipeline mode), the
read of the actor and the case, the UPDATE of the case (its row count is the version check), and
the writes with the COMMIT. A statement SQLAlchemy runs itself on the connection first sends
the deferred writes (a listener on the connection), so every statement still sees all those
before it. What changes: an error of a deferred write (none is expected: they are INSERTs of
new rows and upserts) is raised by the statement or the commit that sent it, still inside the
same transaction, which is then rolled back whole.

Measured with ``bench/peer.py`` (its docstring): 10.2 -> 4.6 round trips per step of a case
life. With the database on the same host as here, that barely shows in the time of a step (a
round trip is cheap next to the statements' own work); with the database on another host each
one saved is a network round trip.

On SQLite, or outside a unit of work, ``defer`` runs the statement at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError

from aduan.adapters.sql.prepared import Prepared

_KEY = "aduan_runner"  # where a connection keeps its runner (``Connection.info``)
Pending = tuple[str, Any, bool]  # SQL, its parameters, and whether an executemany


class Runner:
    """Prepared statements on one connection's driver cursor, in its transaction."""

    __slots__ = (
        "conn",
        "cursor",
        "deferred",
        "deferring",
        "dialect",
        "error",
        "pipelined",
        "writer",
    )

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        dbapi: Any = conn.connection.dbapi_connection
        self.cursor = dbapi.cursor()  # reads and checked writes: the last result is theirs
        self.writer = dbapi.cursor()  # the deferred writes
        self.error: type[Exception] = self.dialect.loaded_dbapi.Error
        self.deferred: list[Pending] = []
        self.pipelined = self.dialect.name == "postgresql" and _can_pipeline(dbapi)
        self.deferring = False

    @classmethod
    def of(cls, conn: Connection) -> Runner:
        """The runner of ``conn``: made on first use, kept with the driver's connection."""
        found: Runner | None = conn.info.get(_KEY)
        dbapi = conn.connection.dbapi_connection
        if found is None or found.conn is not conn or found.cursor.connection is not dbapi:
            found = conn.info[_KEY] = cls(conn)
            if found.pipelined:
                event.listen(conn, "before_cursor_execute", _send_deferred_first)
        return found

    # --- a unit of work --------------------------------------------------------------------

    def begin(self) -> None:
        """A unit of work that writes starts: defer writes where the driver can pipeline."""
        self.deferring = self.pipelined

    def commit(self) -> None:
        """Send the deferred writes with a COMMIT, in one round trip; raise their error.

        The unit of work then commits as usual: the driver finds nothing left to commit.
        """
        if self.deferred:
            self._pipeline(("COMMIT", None, False))

    def flush(self) -> None:
        """Send the deferred writes now (one round trip)."""
        if self.deferred:
            self._pipeline(None)

    def discard(self) -> None:
        """A unit of work ends: forget writes deferred since its last commit (rolled back)."""
        self.deferred.clear()
        self.deferring = False

    # --- statements ------------------------------------------------------------------------

    def defer(self, stmt: Prepared, values: Mapping[str, Any]) -> None:
        """A write whose result is not needed: sent with the next statement that needs one."""
        c = stmt.compiled(self.dialect)
        self._later(c.sql, c.params(values), False)

    def defer_many(self, stmt: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """``execute_many`` whose result is not needed, as ``defer``."""
        c = stmt.compiled(self.dialect)
        self._later(c.sql, [c.params(r) for r in rows], True)

    def execute(self, stmt: Prepared, values: Mapping[str, Any]) -> int:
        """Run once; return the driver's row count."""
        c = stmt.compiled(self.dialect)
        params = c.params(values)
        self._announce(c.sql, params, False)
        self._now(c.sql, params, False)
        return int(self.cursor.rowcount)

    def execute_many(self, stmt: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set (the driver's ``executemany``)."""
        c = stmt.compiled(self.dialect)
        params = [c.params(r) for r in rows]
        self._announce(c.sql, params, True)
        self._now(c.sql, params, True)

    def first(self, stmt: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as a dict of processed values, or None."""
        rows = self.all(stmt, values, 1)
        return rows[0] if rows else None

    def all(
        self, stmt: Prepared, values: Mapping[str, Any], limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Rows as dicts of processed values (at most ``limit``)."""
        c = stmt.compiled(self.dialect)
        params = c.params(values)
        cursor = self.cursor
        self._announce(c.sql, params, False)
        self._now(c.sql, params, False)
        try:
            raw = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
        except self.error as exc:
            raise self._wrap(c.sql, params, exc) from exc
        if not raw:
            return []
        keys, converted = c.result or c.columns(self.dialect, cursor.description)
        rows = []
        for values in raw:
            row = dict(zip(keys, values, strict=True))
            for key, proc in converted:
                value = row[key]
                if value is not None:  # SQL NULL is None whatever the column's type
                    row[key] = proc(value)
            rows.append(row)
        return rows

    # --- sending ---------------------------------------------------------------------------

    def _later(self, sql: str, params: Any, many: bool) -> None:
        self._announce(sql, params, many)
        if self.deferring:
            self.deferred.append((sql, params, many))
        else:
            self._now(sql, params, many)

    def _now(self, sql: str, params: Any, many: bool) -> None:
        """Run a statement on ``cursor``, after the deferred writes (in the same round trip)."""
        if self.deferred:
            self._pipeline((sql, params, many))
            return
        try:
            if many:
                self.cursor.executemany(sql, params)
            else:
                self.cursor.execute(sql, params)
        except self.error as exc:
            raise self._wrap(sql, params, exc) from exc

    def _pipeline(self, last: Pending | None) -> None:
        """The deferred writes, then ``last`` on ``cursor``: one Sync, one round trip."""
        pending, self.deferred = self.deferred, []
        sql, params = (last or pending[0])[:2]
        try:
            with self.cursor.connection.pipeline():
                for sql, params, many in pending:
                    (self.writer.executemany if many else self.writer.execute)(sql, params)
                if last is not None:
                    sql, params, many = last
                    (self.cursor.executemany if many else self.cursor.execute)(sql, params)
        except self.error as exc:
            raise self._wrap(sql, params, exc) from exc

    def _announce(self, sql: str, params: Any, many: bool) -> None:
        """Tell the ``before_cursor_execute`` listeners, if any (one truth test otherwise).

        With no execution context: statements can be counted
        (tests/integration/test_statement_counts.py); ``echo`` does not log them.
        """
        listeners = self.conn.dispatch.before_cursor_execute
        if listeners:
            listeners(self.conn, self.cursor, sql, params, None, many)

    def _wrap(self, sql: str, params: Any, exc: Exception) -> BaseException:
        return DBAPIError.instance(sql, params, exc, self.error, dialect=self.dialect)


def _can_pipeline(dbapi: Any) -> bool:
    """Whether the driver is psycopg 3 with a libpq that has pipeline mode (14 or later)."""
    if not hasattr(dbapi, "pipeline"):
        return False
    from psycopg import capabilities  # the driver of this connection: importable

    return bool(capabilities.has_pipeline())


def _send_deferred_first(conn: Connection, *args: Any) -> None:
    """Before a statement SQLAlchemy runs itself (it has an execution context): the writes.

    The runner's own statements are announced with no context, and send them themselves.
    """
    context = args[3]
    runner: Runner | None = conn.info.get(_KEY)
    if context is not None and runner is not None and runner.deferred:
        runner.flush()
