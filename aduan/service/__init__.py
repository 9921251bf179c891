"""The use cases of Aduan: the only code that opens a unit of work.

Entry points (the CLI, the HTTP API, the web UI, the scheduler's jobs) call these functions; they
reach the database, the clock and the channels only through the ports in ``aduan.ports``.
"""

from __future__ import annotations

from aduan.service.cases import (
    act_as_complainant,
    get_case,
    list_cases,
    open_apip_by_code,
    perform_action,
    submit_complaint,
    track_case,
)
from aduan.service.deps import SYSTEM, CalendarCache, Deps, ReferenceCache, actor_of
from aduan.service.queues import (
    apip_approvals,
    overdue_board,
    suggestion_queue,
    supervisor_queue,
    work_queue,
)
from aduan.service.reference import (
    add_user,
    list_services,
    load_catalog,
    load_org,
    seed_reference_data,
    show_orgchart,
)
from aduan.service.saving import schedule

__all__ = [
    "SYSTEM",
    "CalendarCache",
    "Deps",
    "ReferenceCache",
    "act_as_complainant",
    "actor_of",
    "add_user",
    "apip_approvals",
    "get_case",
    "list_cases",
    "list_services",
    "load_catalog",
    "load_org",
    "open_apip_by_code",
    "overdue_board",
    "perform_action",
    "schedule",
    "seed_reference_data",
    "show_orgchart",
    "submit_complaint",
    "suggestion_queue",
    "supervisor_queue",
    "track_case",
    "work_queue",
]
