"""Use case of the health probe: can the database be read right now?"""

from __future__ import annotations

from aduan.ports import UnitOfWorkFactory
from aduan.workflow.errors import AduanError


def database_status(uow: UnitOfWorkFactory) -> str:
    """``"ok"`` when a one-row read succeeds, else why not (in English, for operators)."""
    try:
        with uow(readonly=True) as tx:
            tx.reference.service("-")
    except AduanError as exc:
        return exc.message_en
    except Exception as exc:  # noqa: BLE001 - any driver failure means "not reachable"
        return type(exc).__name__
    return "ok"
