"""The unit of work over SQL: one transaction on one connection; the factory keeps a few."""

from __future__ import annotations

import contextlib
import math
import threading
import time
import weakref
from types import TracebackType
from typing import Self

from sqlalchemy import (
    Connection,
    Engine,
    NestedTransaction,
    event,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from aduan.adapters.sql import storage
from aduan.adapters.sql.accounts import SqlAccountRepository
from aduan.adapters.sql.alarms import SqlAlarmRepository
from aduan.adapters.sql.attachments import SqlAttachmentRepository
from aduan.adapters.sql.cases import SqlCaseRepository
from aduan.adapters.sql.engine import SQLITE_BUSY_TIMEOUT_MS
from aduan.adapters.sql.group_commit import CommitGroup, GroupCommitter
from aduan.adapters.sql.identity import SqlIdentityRepository
from aduan.adapters.sql.inbound import SqlInboundMailRepository
from aduan.adapters.sql.listings import SqlCaseListingReader
from aduan.adapters.sql.outbox import SqlOutboxRepository
from aduan.adapters.sql.public_answers import SqlPublicAnswerRepository
from aduan.adapters.sql.reference import SqlCalendarRepository, SqlReferenceRepository
from aduan.adapters.sql.retention import SqlRetentionRepository
from aduan.adapters.sql.rollup import SqlStatisticsReader
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.search import SqlCaseSearch
from aduan.adapters.sql.storage import refusal
from aduan.adapters.sql.surveys import SqlSingletonRuns, SqlSurveyRepository
from aduan.adapters.sql.writer_turn import WriterTurn
from aduan.workflow.errors import (
    DatabaseUnavailableError,
    StorageRefusedError,
    TransientConflictError,
)

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory"]


class SqlUnitOfWork:
    """A transaction on one connection; rolled back unless ``commit`` was called."""

    cases: SqlCaseRepository
    reference: SqlReferenceRepository
    alarms: SqlAlarmRepository
    outbox: SqlOutboxRepository
    calendar: SqlCalendarRepository
    accounts: SqlAccountRepository
    identity: SqlIdentityRepository
    _runner: Runner  # the connection's, shared by the repositories (prepared.py)

    def __init__(self, factory: SqlUnitOfWorkFactory, *, readonly: bool = False) -> None:
        self.factory = factory
        self.engine = factory.engine
        self.readonly = readonly
        self._conn: Connection | None = None
        self._turn: WriterTurn | None = None
        # Group commit (SQLite): the group this unit of work's transaction belongs to, the
        # savepoint its not-yet-committed work is in, and whether committed work waits in it.
        self._group: CommitGroup | None = None
        self._savepoint: NestedTransaction | None = None
        self._deferred = False

    def __enter__(self) -> Self:
        turn = None if self.readonly else self.factory.writer
        if turn is not None and not self._take(turn):
            raise DatabaseUnavailableError(
                _safe_url(self.engine), f"another writer held it for {turn.timeout_s:.0f} s"
            )
        self._turn = turn
        grouper = None if self.readonly else self.factory.grouper
        group = grouper.take_open() if grouper is not None else None
        if group is not None:
            assert grouper is not None
            self._join(grouper, group)
            return self._with_repositories(group.conn)
        try:
            conn = self.factory.acquire(self.readonly)
        except BaseException:
            self._end_turn()
            raise
        try:
            conn.begin()
        except BaseException as exc:
            self.factory.release(conn, self.readonly, reusable=False)
            self._end_turn()
            refused = refusal(exc)
            if refused is not None:
                self.factory.refused = refused
                raise StorageRefusedError(refused) from None
            if isinstance(exc, OperationalError):
                raise DatabaseUnavailableError(_safe_url(self.engine), str(exc.orig)) from None
            raise
        return self._with_repositories(conn)

    def _join(self, grouper: GroupCommitter, group: CommitGroup) -> None:
        """Work inside the open group's transaction, in a savepoint of this unit's own."""
        self._turn, self._group = None, group  # the turn is the group's until it commits
        try:
            self._savepoint = group.conn.begin_nested()
        except BaseException:
            self._group = None
            grouper.end_turn(group)
            raise

    def _with_repositories(self, conn: Connection) -> Self:
        self._conn = conn
        self._runner = Runner.of(conn)
        if not self.readonly:
            self._runner.begin()
        self.cases = SqlCaseRepository(conn)
        self.reference = SqlReferenceRepository(conn)
        self.alarms = SqlAlarmRepository(conn, self.cases)
        self.outbox = SqlOutboxRepository(conn)
        self.calendar = SqlCalendarRepository(conn)
        self.accounts = SqlAccountRepository(conn)
        self.identity = SqlIdentityRepository(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        assert conn is not None
        self._conn = None
        if self._group is not None:
            self._end_in_group(self._group, exc)
            return
        # A domain error (bad input, a conflict) leaves the connection as good as new; after a
        # database error it is not trusted again and goes back to the pool to be reset.
        reusable = exc is None or not isinstance(exc, DBAPIError)
        self._runner.discard()  # writes deferred after the last commit are rolled back
        try:
            if conn.in_transaction():
                _end(conn, commit=self.readonly and exc is None)
        except BaseException:
            reusable = False
            raise
        finally:
            self.factory.release(conn, self.readonly, reusable=reusable)
            self._end_turn()
        self._raise_refused(exc)  # the write is refused whole (rolled back above)

    def commit(self) -> None:
        conn = self._conn
        assert conn is not None
        grouper = self.factory.grouper
        if self._group is None and (
            grouper is None or self._turn is None or not grouper.others_waiting()
        ):  # alone (or not a SQLite writer): commit now, no wait for anyone
            self._runner.commit()  # PostgreSQL: the deferred writes and COMMIT, one round trip
            conn.commit()
            if not self.readonly:
                self.factory.refused = None  # storage takes writes (again)
            return
        if self._group is None:
            self._group = CommitGroup(conn)  # writers are queued: they join this transaction
        elif self._savepoint is not None:
            self._savepoint.commit()
        self._deferred = True
        self._savepoint = conn.begin_nested()  # later work of this unit stays its own

    def _end_in_group(self, group: CommitGroup, exc: BaseException | None) -> None:
        """Leave the group: drop uncommitted work, pass the turn or commit, wait for the disk."""
        grouper = self.factory.grouper
        assert grouper is not None
        self._group, self._turn = None, None
        savepoint, self._savepoint = self._savepoint, None
        deferred, self._deferred = self._deferred, False
        try:
            if savepoint is not None and savepoint.is_active:
                savepoint.rollback()  # what this unit did after its last commit, or all of it
        finally:
            group.members += deferred
            grouper.end_turn(group)
        # Every member waits for the group, not only those whose work is in it: a unit of work
        # that read the others' uncommitted writes (an idempotency key already taken, say) must
        # not answer before they are on disk, nor act on them if they never get there.
        grouper.wait(group)
        if group.error is None:
            self.factory.refused = None
        elif exc is None:
            self._raise_refused(group.error)
            detail = str(getattr(group.error, "orig", None) or group.error)
            raise DatabaseUnavailableError(_safe_url(self.engine), detail) from group.error
        self._raise_refused(exc)

    def _raise_refused(self, exc: BaseException | None) -> None:
        """A write the database refused (read-only, full) is said as such, not a driver error."""
        if isinstance(exc, DBAPIError) and storage.transient(exc):
            raise TransientConflictError from None  # rolled back above; the use case retries
        refused = refusal(exc) if isinstance(exc, DBAPIError) else None
        if refused is not None:
            self.factory.refused = refused
            raise StorageRefusedError(refused) from None

    # The report readers (``ReportingUnitOfWork``), made on use: most transactions need none.
    @property
    def search(self) -> SqlCaseSearch:
        """Full-text search over cases in this transaction."""
        assert self._conn is not None
        return SqlCaseSearch(self._conn, self.cases)

    @property
    def attachments(self) -> SqlAttachmentRepository:
        """The rows naming cases' evidence files in this transaction."""
        assert self._conn is not None
        return SqlAttachmentRepository(self._conn)

    @property
    def inbound(self) -> SqlInboundMailRepository:
        """The inbound emails handled, in this transaction."""
        assert self._conn is not None
        return SqlInboundMailRepository(self._conn)

    @property
    def public_answers(self) -> SqlPublicAnswerRepository:
        """The published Q&A entries in this transaction (issue 14 item 7)."""
        assert self._conn is not None
        return SqlPublicAnswerRepository(self._conn)

    @property
    def stats(self) -> SqlStatisticsReader:
        """Statistics counts in this transaction."""
        assert self._conn is not None
        return SqlStatisticsReader(self._conn)

    @property
    def listings(self) -> SqlCaseListingReader:
        """Case rows and groups of a period in this transaction."""
        assert self._conn is not None
        return SqlCaseListingReader(self._conn)

    @property
    def surveys(self) -> SqlSurveyRepository:
        """SKM invitations and responses in this transaction."""
        assert self._conn is not None
        return SqlSurveyRepository(self._conn)

    @property
    def retention(self) -> SqlRetentionRepository:
        """The retention purge's reads and writes in this transaction."""
        assert self._conn is not None
        return SqlRetentionRepository(self._conn)

    @property
    def singletons(self) -> SqlSingletonRuns:
        """Office-wide run claims in this transaction."""
        assert self._conn is not None
        return SqlSingletonRuns(self._conn)

    def _take(self, turn: WriterTurn) -> bool:
        """Wait for the writer turn; a folder that refuses its lock file refuses writes."""
        try:
            return turn.acquire()
        except OSError as exc:
            refused = storage.os_refusal(exc)
            if refused is None:
                raise
            self.factory.refused = refused
            raise StorageRefusedError(refused) from None

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()


def _end(conn: Connection, *, commit: bool) -> None:
    """End the transaction of a unit of work that did not commit.

    A read-only one that ended without an error commits on PostgreSQL (nothing to write, the
    same as a rollback for the data): psycopg deallocates every prepared statement of the
    connection on ROLLBACK, so rolling back each read left no statement prepared from one read
    to the next, and each was parsed and planned anew (issue 16: 0.2-0.5 ms of a 0.6-1 ms
    list read at 100,000 cases, bench/visibility.py).
    """
    if commit and conn.dialect.name == "postgresql":
        conn.commit()
    else:
        conn.rollback()


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class SqlUnitOfWorkFactory:
    """Opens SQL units of work on one engine.

    A unit of work ends with its connection out of any transaction, so the factory keeps a
    few of them checked out between units of work (newest first) instead of returning each to
    the pool: the pool's checkout, reset and checkin cost about a seventh of a small write
    (bench/lifecycle.py). Never more than ``keep`` of each kind (read-only or writing) wait
    here, so concurrent units of work beyond that use the pool as before; a connection older
    than the pool's recycle time, invalidated, or used by a unit of work that failed in the
    database goes back to the pool. ``Engine.dispose()`` closes the waiting ones too.
    """

    def __init__(self, engine: Engine, *, keep: int = 4, group_commit: bool = True) -> None:
        self.engine = engine
        # SQLite: writers queue for the one write lock (writer_turn.py), and those queued behind
        # a commit join it (group_commit.py).
        self.writer: WriterTurn | None = None
        self.grouper: GroupCommitter | None = None
        if engine.dialect.name == "sqlite":
            path = engine.url.database
            on_disk = bool(path) and path != ":memory:" and not str(path).startswith("file:")
            self.writer = WriterTurn(path if on_disk else None, SQLITE_BUSY_TIMEOUT_MS / 1000)
            if group_commit:
                self.grouper = GroupCommitter(self.writer, self._give_back)
        self.keep = keep
        self.refused: str | None = None  # why storage refused the latest write (``storage``)
        self._idle: dict[bool, list[Connection]] = {False: [], True: []}
        self._born: dict[int, float] = {}  # id(connection) -> when it left the pool
        self._lock = threading.Lock()
        recycle = getattr(engine.pool, "_recycle", -1)
        self._recycle = float(recycle) if recycle and recycle > 0 else math.inf
        # The engine does not keep the factory alive; whichever goes first, nothing leaks.
        me = weakref.ref(self)
        event.listen(engine, "engine_disposed", lambda _engine: _drop_waiting(me))
        weakref.finalize(self, _close_all, self._idle)

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self, readonly=readonly)

    def acquire(self, readonly: bool) -> Connection:
        """A connection out of any transaction: a waiting one, or one from the pool."""
        with self._lock:
            idle = self._idle[readonly]
            if idle:
                return idle.pop()
        try:
            conn = self.engine.connect()
        except OperationalError as exc:
            raise DatabaseUnavailableError(_safe_url(self.engine), str(exc.orig)) from None
        if readonly:
            conn.execution_options(aduan_readonly=True)  # in place: it stays a reader
            if conn.dialect.name == "postgresql":
                # One snapshot for the whole unit of work, as SQLite's read transaction: a
                # report reads the rollup, its watermark and the events past it consistently
                # (adapters/sql/rollup.py). A read-only transaction never fails to serialise.
                conn.execution_options(isolation_level="REPEATABLE READ")
        self._born[id(conn)] = time.monotonic()
        return conn

    def release(self, conn: Connection, readonly: bool, *, reusable: bool = True) -> None:
        """Keep ``conn`` for the next unit of work, or return it to the pool."""
        born = self._born.get(id(conn), 0.0)
        if (
            reusable
            and not conn.closed
            and not conn.invalidated
            and not conn.in_transaction()
            and time.monotonic() - born < self._recycle
        ):
            with self._lock:
                idle = self._idle[readonly]
                if len(idle) < self.keep:
                    idle.append(conn)
                    return
        self._born.pop(id(conn), None)
        conn.close()

    def _give_back(self, conn: Connection, reusable: bool) -> None:
        self.release(conn, False, reusable=reusable)

    def close(self, *, drop: bool = False) -> None:
        """Return every waiting connection to the pool (``drop``: close it for good)."""
        with self._lock:
            _close_all(self._idle, drop=drop)
            self._born.clear()


def _drop_waiting(ref: weakref.ref[SqlUnitOfWorkFactory]) -> None:
    # After Engine.dispose() the pool they came from is gone: closing them would park them in
    # it, open, until it is garbage-collected. Invalidating closes the driver's connection.
    factory = ref()
    if factory is not None:
        factory.close(drop=True)


def _close_all(idle: dict[bool, list[Connection]], *, drop: bool = False) -> None:
    waiting = [conn for conns in idle.values() for conn in conns]
    for conns in idle.values():
        conns.clear()
    for conn in waiting:
        with contextlib.suppress(Exception):  # a dead connection is as good as closed
            if drop:
                conn.invalidate()
            conn.close()
