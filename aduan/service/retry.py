"""Running a use case again when the database failed it to break a deadlock (issue 17).

PostgreSQL breaks a deadlock, or a serialisation conflict, by failing one of the transactions
(SQLSTATE 40P01, 40001); its unit of work then raises ``TransientConflictError`` with nothing
kept. The whole use case runs again, reading afresh, a bounded number of times; only if it
still fails does the caller see the error, as a 503, never a 500.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import structlog

from aduan.workflow.errors import TransientConflictError

log = structlog.get_logger()
T = TypeVar("T")
ATTEMPTS = 3


def retrying(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``work()``, run again (up to ``attempts`` in all) while the database fails it transiently.

    ``work`` must open its own unit of work, so each run starts from what is committed.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except TransientConflictError:
            if attempt == attempts:
                raise
            log.warning("transaction_retried", attempt=attempt)
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
