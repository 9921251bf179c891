"""SQLite writers take turns: within a process on a lock, across processes on ``<db>-writer``.

What an officer notices: a save waits its turn while another process writes, goes through the
moment that writer is done, and after the timeout fails with a clear "database unavailable"
error, with nothing written.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aduan import service
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.adapters.sql.writer_turn import WriterTurn
from aduan.service import Deps
from aduan.workflow.errors import DatabaseUnavailableError
from aduan.workflow.states import Action
from tests.integration.builders import act, submit

# A process that holds the turn of DB until its stdin closes.
HOLDER = """
import sys
from aduan.adapters.sql.writer_turn import WriterTurn
turn = WriterTurn(sys.argv[1], 5)
assert turn.acquire()
print("held", flush=True)
sys.stdin.read()
turn.release()
"""


def _hold_in_another_process(db: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def _let_go(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    holder.wait(10)
    holder.stdout.close()


def test_a_writer_waits_for_another_process_and_goes_when_it_is_done(tmp_path: Path) -> None:
    db = str(tmp_path / "aduan.db")
    holder = _hold_in_another_process(db)
    turn = WriterTurn(db, timeout_s=0.3)
    try:
        assert not turn.acquire()  # still held elsewhere after the timeout
        got = threading.Event()

        def wait_then_write() -> None:
            patient = WriterTurn(db, timeout_s=10)
            if patient.acquire():
                got.set()
                patient.release()

        waiter = threading.Thread(target=wait_then_write)
        waiter.start()
        time.sleep(0.2)
        assert not got.is_set()
    finally:
        _let_go(holder)
    waiter.join(10)
    assert got.is_set()
    assert turn.acquire()  # and the turn is free again for anyone
    turn.release()


def test_threads_of_one_process_write_one_after_the_other(tmp_path: Path) -> None:
    turn = WriterTurn(str(tmp_path / "aduan.db"), timeout_s=10)
    inside = 0
    most = 0
    guard = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        for _ in range(50):
            assert turn.acquire()
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.0005)
            with guard:
                inside -= 1
            turn.release()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_save_that_never_gets_its_turn_fails_clearly_and_writes_nothing(
    deps: Deps, db_url: str
) -> None:
    case = submit(deps)
    factory = deps.uow
    assert isinstance(factory, SqlUnitOfWorkFactory) and factory.writer is not None
    factory.writer.timeout_s = 0.3
    holder = _hold_in_another_process(db_url.removeprefix("sqlite:///"))
    try:
        with pytest.raises(DatabaseUnavailableError, match="another writer"):
            act(deps, case, Action.CLASSIFY, "budi")
        # Readers never wait for the writers' queue.
        assert service.get_case(deps, case.tracking_code, "budi").status == "recorded"
    finally:
        _let_go(holder)
    assert act(deps, case, Action.CLASSIFY, "budi").status == "classified"
