"""In-memory adapters: the repositories and unit of work of ``ports`` without a database.

They keep rows, not objects: a case is written with the same row codec as the SQL adapters
(``aduan.adapters.rows``), with datetimes converted to UTC and JSON-shaped values copied
through text, and rebuilt on every read. So the memory store behaves like the database for
everything the contract tests check: nothing read can change what is stored, and a unit of
work that is not committed leaves no trace.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from aduan.adapters.memory.accounts import InMemoryAccountRepository
from aduan.adapters.memory.attachments import InMemoryAttachmentRepository
from aduan.adapters.memory.cases import InMemoryCaseRepository
from aduan.adapters.memory.identity import InMemoryIdentityRepository
from aduan.adapters.memory.inbound import InMemoryInboundMailRepository
from aduan.adapters.memory.outbox import InMemoryOutboxRepository
from aduan.adapters.memory.public_answers import InMemoryPublicAnswerRepository
from aduan.adapters.memory.reference import (
    InMemoryAlarmRepository,
    InMemoryCalendarRepository,
    InMemoryReferenceRepository,
)
from aduan.adapters.memory.search import InMemoryCaseSearch
from aduan.adapters.memory.store import WRITE_LOCK_TIMEOUT_S, Data
from aduan.workflow.errors import DatabaseUnavailableError


@dataclass(slots=True)
class InMemoryStore:
    """The committed data, shared by the units of work of one factory."""

    data: Data = field(default_factory=Data)
    write_lock: threading.Lock = field(default_factory=threading.Lock)


class InMemoryUnitOfWork:
    """Works on a copy of the store; ``commit`` publishes it, anything else discards it.

    Like SQLite, writers take the one write lock when they begin, so they run one after the
    other; a read-only unit of work reads a snapshot without waiting.
    """

    cases: InMemoryCaseRepository
    reference: InMemoryReferenceRepository
    alarms: InMemoryAlarmRepository
    outbox: InMemoryOutboxRepository
    calendar: InMemoryCalendarRepository
    accounts: InMemoryAccountRepository
    identity: InMemoryIdentityRepository
    search: InMemoryCaseSearch
    attachments: InMemoryAttachmentRepository
    inbound: InMemoryInboundMailRepository
    public_answers: InMemoryPublicAnswerRepository

    def __init__(self, store: InMemoryStore, *, readonly: bool = False) -> None:
        self.store = store
        self.readonly = readonly
        self._work: Data | None = None
        self._locked = False

    def __enter__(self) -> Self:
        if not self.readonly:
            self._lock()
        self._work = self.store.data.copy()
        self.cases = InMemoryCaseRepository(self._work)
        self.reference = InMemoryReferenceRepository(self._work)
        self.alarms = InMemoryAlarmRepository(self._work)
        self.outbox = InMemoryOutboxRepository(self._work.outbox)
        self.calendar = InMemoryCalendarRepository(self._work)
        self.accounts = InMemoryAccountRepository(self._work.accounts)
        self.identity = InMemoryIdentityRepository(self._work)
        self.search = InMemoryCaseSearch(self._work, self.cases)
        self.attachments = InMemoryAttachmentRepository(self._work)
        self.inbound = InMemoryInboundMailRepository(self._work)
        self.public_answers = InMemoryPublicAnswerRepository(self._work)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None
        if self._locked:
            self._locked = False
            self.store.write_lock.release()

    def commit(self) -> None:
        """Publish the working copy; the unit of work goes on from there."""
        assert self._work is not None
        if self._locked:
            self.store.data = self._work.copy()
            return
        with self.store.write_lock:
            self.store.data = self._work.copy()

    def _lock(self) -> None:
        if not self.store.write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT_S):
            raise DatabaseUnavailableError("memory://", "locked by another unit of work")
        self._locked = True


class InMemoryUnitOfWorkFactory:
    """Opens units of work on one in-memory store (empty until something is committed)."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    def __call__(self, *, readonly: bool = False) -> InMemoryUnitOfWork:
        """Open a unit of work; a ``readonly`` one reads a snapshot without the write lock."""
        return InMemoryUnitOfWork(self.store, readonly=readonly)
