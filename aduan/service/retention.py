"""The retention purge: a complainant's personal data is erased some years after the case ended.

Issue 14 item 1. UU 27/2022 on personal data protection allows keeping personal data only as
long as its purpose needs it; the record of the complaint itself (what was complained of, how
it was handled, by whom, when) is the office's archive and stays, with its statistics. So a
case that ended (closed, withdrawn, referred, merged, or a suggestion forwarded to the yearly
evaluation) more than ``ADUAN_RETENTION_YEARS`` ago loses the complainant's name, contacts,
address, PIN, the channel's record of their social account, the address and content of the
messages sent to them, their name and contacts in the search index, and the case's files —
evidence and identity document (KTP) alike. The case page then says when.

Each case is erased in a unit of work of its own (nothing of a case is half erased; a failure
stops the run with the cases before it done), its files deleted from the store once that is
committed. A case erased already is skipped, so the run is idempotent and instances may run it
at once. Each run that erased something, and each run an administrator started, leaves one
entry in the audit log (``auth_events``: ``retention_purge``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import structlog

from aduan.ports import PERSONAL_FACTS, AuthEvent, EndedCase, RetentionUnitOfWork, UnitOfWork
from aduan.service import attachments
from aduan.service.administrator import require_admin
from aduan.service.deps import Deps
from aduan.workflow.case import Case, CaseEvent
from aduan.workflow.errors import InputError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_

log = structlog.get_logger()

BATCH = 200  # ended cases read per page
SYSTEM = "system"  # who the audit names for the scheduler's run


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a run erased (or, on a dry run, would erase): the cases and their files."""

    years: int
    cutoff: datetime
    cases: list[EndedCase] = field(default_factory=list)
    files: int = 0
    dry_run: bool = False


def cutoff_of(now: datetime, years: int) -> datetime:
    """The moment ``years`` before ``now`` (the same WIB wall time; 29 February: the 28th)."""
    local = now.astimezone(WIB)
    try:
        earlier = local.replace(year=local.year - years)
    except ValueError:  # 29 February, in a year that has none
        earlier = local.replace(year=local.year - years, day=28)
    return earlier


def redacted(case: Case, events: list[CaseEvent]) -> list[CaseEvent]:
    """``events`` as shown once ``case``'s personal data is erased.

    The timeline is append-only (the database refuses changes): the social account the
    channel recorded in the intake entry stays stored, and is not shown any more.
    """
    if case.personal_data_erased_at is None:
        return events
    return [replace(e, data=_without_personal(e.data)) for e in events]


def _without_personal(data: dict[str, Any]) -> dict[str, Any]:
    facts = data.get("channel_facts")
    if not isinstance(facts, dict) or not set(facts) & set(PERSONAL_FACTS):
        return data
    kept = {k: v for k, v in facts.items() if k not in PERSONAL_FACTS}
    return {**data, "channel_facts": kept}


def retaining(uow: UnitOfWork) -> RetentionUnitOfWork:
    """``uow`` with the retention purge's repository; an input error when it has none."""
    if not isinstance(uow, RetentionUnitOfWork):
        raise InputError(
            "database",
            "sql",
            N_("penghapusan data pribadi memerlukan basis data SQL (SQLite atau PostgreSQL)"),
        )
    return uow


def available(deps: Deps) -> bool:
    """Whether the store can run the purge (SQL; the in-memory fake cannot)."""
    with deps.uow(readonly=True) as uow:
        return isinstance(uow, RetentionUnitOfWork)


def purge_personal_data(
    deps: Deps, years: int, *, by: str | None = None, dry_run: bool = False
) -> PurgeReport:
    """Erase the personal data of the cases that ended more than ``years`` years ago.

    ``by``: the administrator who runs it (``None``: the scheduler, in process). ``dry_run``:
    only say which cases are due; nothing is written.
    """
    if years < 1:
        raise InputError(
            "ADUAN_RETENTION_YEARS",
            "at_least_one",
            N_("masa simpan data pribadi paling sedikit 1 tahun (0: penghapusan tidak berjalan)"),
        )
    now = deps.clock.now()
    cutoff = cutoff_of(now, years)
    with deps.uow(readonly=True) as uow:
        require_admin(uow, by)
        retaining(uow)
    if dry_run:
        return PurgeReport(years, cutoff, list(_due(deps, cutoff)), dry_run=True)
    erased: list[EndedCase] = []
    files = 0
    try:
        for ended in _due(deps, cutoff):
            done = _erase(deps, ended, cutoff, now)
            if done is not None:
                erased.append(ended)
                files += done
    finally:  # a run stopped by a failure still leaves its entry for the cases it erased
        report = PurgeReport(years, cutoff, erased, files)
        if erased or by is not None:
            _audit(deps, report, by, now)
    return report


def _due(deps: Deps, cutoff: datetime) -> Iterator[EndedCase]:
    """The cases due, oldest first, read a page at a time (no transaction held while erasing)."""
    after: EndedCase | None = None
    while True:
        with deps.uow(readonly=True) as uow:
            page = retaining(uow).retention.ended_before(cutoff, after, BATCH)
        if not page:
            return
        yield from page
        after = page[-1]


def _erase(deps: Deps, ended: EndedCase, cutoff: datetime, now: datetime) -> int | None:
    """Erase one case in a unit of work of its own; the files deleted, or None if skipped."""
    with deps.uow() as uow:
        if not retaining(uow).retention.erase(ended.id, cutoff, now):
            return None  # another run erased it meanwhile, or it was opened again
        unused = attachments.forget_case_files(uow, ended.id)
        uow.commit()
    deleted = attachments.delete_files(deps, unused)
    log.info("personal_data_erased", case_id=ended.id, files=deleted)
    return deleted


def _audit(deps: Deps, report: PurgeReport, by: str | None, now: datetime) -> None:
    detail = (
        f"{len(report.cases)} kasus, {report.files} berkas; "
        f"berakhir sebelum {_day(report.cutoff)} ({report.years} tahun)"
    )
    with deps.uow() as uow:
        uow.accounts.record(AuthEvent(now, "retention_purge", by or SYSTEM, "-", detail))
        uow.commit()
    log.info("retention_purged", cases=len(report.cases), files=report.files, by=by or SYSTEM)


def _day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()
