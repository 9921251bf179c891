"""Group commit for SQLite: writers that queue for the turn commit together, with one fsync.

With ``synchronous=FULL`` every commit waits for the disk (about 3 ms here, more than the
transition's own work), and SQLite lets one transaction write at a time. When other threads of
this process are already waiting for the writer turn as a unit of work commits, its commit is
deferred: the transaction stays open and the turn passes to the next writer, which does its
work in a SAVEPOINT of the same transaction. The last writer of the group (no one waiting, or
``MAX_MEMBERS`` reached) commits once and wakes every member; each returns from its unit of
work only then, so nobody is told "saved" before the disk has it.

- A writer that fails rolls back to its own savepoint and raises its own error; the group's
  other work goes on. If the group's COMMIT fails, every member gets that error.
- A lone writer (nobody waiting when it commits) commits at once, as without grouping: its
  latency does not grow.
- Members see the earlier members' uncommitted writes, as they would after those commits: the
  group is a serial order of units of work, and it commits or fails as one.
- Only threads of one process group; other processes (``--workers``, the CLI) still take turns
  through the file lock, which the group holds until it commits.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from aduan.adapters.sql.writer_turn import WriterTurn

MAX_MEMBERS = 64
RESCUE_POLL_S = 0.005


class CommitGroup:
    """One open transaction shared by the units of work of a group commit."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.members = 0  # units of work whose committed work waits in this transaction
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupCommitter:
    """Decides, as each grouped unit of work ends, whether to pass the turn on or commit."""

    def __init__(self, turn: WriterTurn, release: Callable[[Connection, bool], None]) -> None:
        self.turn = turn
        self._release = release  # gives the connection back: (connection, reusable)
        self.open: CommitGroup | None = None  # the group waiting for its next member

    def others_waiting(self) -> bool:
        """Whether a commit now should wait for writers already queued behind it."""
        return self.turn.waiting > 0

    def take_open(self) -> CommitGroup | None:
        """The group a writer that has just got the turn joins (None: start afresh)."""
        group, self.open = self.open, None
        return group

    def end_turn(self, group: CommitGroup) -> None:
        """The holder of the turn is done with ``group``: pass it on, or commit it."""
        if self.others_waiting() and group.members < MAX_MEMBERS:
            self.open = group
            self.turn.pass_on()
        else:
            self.finish(group)

    def finish(self, group: CommitGroup) -> None:
        """Commit the group's transaction, give back its connection and the turn, wake all."""
        try:
            group.conn.commit()
        except SQLAlchemyError as exc:
            group.error = exc
            with contextlib.suppress(SQLAlchemyError):  # the commit's error is the one to report
                group.conn.rollback()
        except BaseException as exc:  # interrupted: no member may believe it was saved
            group.error = exc
            raise
        finally:
            self.open = None
            self._release(group.conn, group.error is None)
            self.turn.release()
            group.done.set()

    def wait(self, group: CommitGroup) -> None:
        """Wait until ``group`` is committed (or failed), committing it if nobody else will.

        A writer counted as waiting may give up (its turn timed out) just as the turn is passed
        to it; then the turn is free and the group open: whoever takes the turn first commits.
        """
        while not group.done.wait(RESCUE_POLL_S):
            if not self.turn.try_take():
                continue
            if self.open is group and not self.others_waiting():
                self.open = None
                self.finish(group)
            else:  # finished meanwhile, or a queued writer is about to join: let it
                self.turn.pass_on()
