"""Writers of one SQLite database take turns in a queue instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the lock taken waits in the
busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between tries, so under load a writer
can sleep through several turns while others go ahead: at 50 concurrent actions that was a
p99 of 140-340 ms for an action that takes 2 ms (bench/api.py). Here the threads of a process
queue on a lock, so the next one starts as soon as the last one commits, and processes (``aduan
serve --workers``, the CLI, a separate scheduler) take turns with an advisory ``flock`` on
``<database>-writer``: only the thread holding its process's turn polls it, every 0.2 ms.
A crashed process's lock goes with it. Writers that do not come through here (other tools)
still meet SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref

POLL_S = 0.0002


class WriterTurn:
    """One process's place in the queue of writers of one SQLite file (or ``None``: memory)."""

    def __init__(self, path: str | None, timeout_s: float) -> None:
        self.path = f"{path}-writer" if path else None
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._waiting = 0  # threads of this process queued for the turn (group commit reads it)
        self._count = threading.Lock()

    @property
    def waiting(self) -> int:
        """How many threads of this process are waiting for the turn now."""
        return self._waiting

    def acquire(self) -> bool:
        """Wait for this writer's turn; False if it did not come within the timeout."""
        deadline = time.monotonic() + self.timeout_s
        with self._count:
            self._waiting += 1
        try:
            got = self._lock.acquire(timeout=self.timeout_s)
        finally:
            with self._count:
                self._waiting -= 1
        if not got:
            return False
        if self.path is None:
            return True
        try:
            fd = self._file()
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self._lock.release()
                        return False
                    time.sleep(POLL_S)
        except BaseException:
            self._lock.release()
            raise

    def release(self) -> None:
        """Hand the turn to the next writer."""
        try:
            if self.path is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def pass_on(self) -> None:
        """Let the next thread of this process in, keeping the file lock (a group goes on)."""
        self._lock.release()

    def try_take(self) -> bool:
        """Take this process's turn if it is free now (the file lock is the group's already)."""
        return self._lock.acquire(blocking=False)

    def _file(self) -> int:
        # Opened in the process that writes: a descriptor inherited across fork would share
        # its lock with the parent.
        if self._fd is None or self._pid != os.getpid():
            assert self.path is not None
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
            weakref.finalize(self, os.close, self._fd)
        return self._fd
