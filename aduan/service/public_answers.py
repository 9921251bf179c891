"""The public Q&A (tanya jawab, issue 14 item 7): its copy kept on the save path, and its pages.

A closed case's question and answer reach the public only as a supervisor or the Head wrote
them, anonymised, and only while the complainant's consent stands
(``aduan.workflow.publication``). The save path copies the published entry into the public
page's own table in the same unit of work as the change (``keep``): published, replaced,
taken down by staff, by the complainant's withdrawal of consent or by a reopening, the page
follows at once. The page (``published_page``) reads nothing but that table: the texts, the
service and the month; no tracking code, no name, no finer date, no user needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aduan.ports import PublishedAnswer, UnitOfWork
from aduan.service.deps import Deps
from aduan.workflow.case import Case
from aduan.workflow.errors import InputError
from aduan.workflow.events import (
    CaseReopened,
    DomainEvent,
    QaConsentWithdrawn,
    QaPublished,
    QaUnpublished,
)
from aduan.workflow.intake import wib_date
from aduan.workflow.states import N_

PER_PAGE = 10
MAX_PAGE = 10_000
_CHANGES = (QaPublished, QaUnpublished, QaConsentWithdrawn, CaseReopened)


def keep(uow: UnitOfWork, case: Case, events: Sequence[DomainEvent]) -> None:
    """The public page's copy of ``case``'s entry, after an event that may have changed it."""
    if case.id is None or not any(isinstance(e, _CHANGES) for e in events):
        return
    qa = case.public_qa
    if qa is None or not case.qa_consent:
        uow.public_answers.remove(case.id)
        return
    month = wib_date(qa.published_at).strftime("%Y-%m")
    entry = PublishedAnswer(qa.question, qa.answer, qa.service_code, month)
    uow.public_answers.put(case.id, entry, qa.published_at)


@dataclass(frozen=True, slots=True)
class PublishedPage:
    """One page of the public Q&A, and what its filter and pager need."""

    entries: list[PublishedAnswer]
    total: int
    page: int
    pages: int
    service_code: str | None
    services: list[tuple[str, str]]  # (code, title) of the services that have entries
    titles: dict[str, str]  # a service code's title in the catalog


def published_page(deps: Deps, service_code: str | None, page: int) -> PublishedPage:
    """Page ``page`` (1-based) of the published entries, newest first, of one service or all.

    An unknown service is an input error naming ``layanan`` (the page's parameter); a page
    past the last shows the last.
    """
    if page < 1 or page > MAX_PAGE:
        raise InputError(
            "halaman",
            "page_range",
            N_("harus bilangan bulat 1 sampai %(max)s"),
            max=MAX_PAGE,
        )
    with deps.uow(readonly=True) as uow:
        if service_code is not None and deps.reference.service(uow, service_code) is None:
            raise InputError(
                "layanan",
                "known_service",
                N_("layanan tidak ada di katalog: %(code)s"),
                code=service_code,
            )
        listed = uow.public_answers.services()
        entries, total = uow.public_answers.page(service_code, (page - 1) * PER_PAGE, PER_PAGE)
        pages = max(1, -(-total // PER_PAGE))
        if page > pages:
            page = pages
            entries, total = uow.public_answers.page(service_code, (page - 1) * PER_PAGE, PER_PAGE)
        found = [deps.reference.service(uow, code) for code in listed]
    titles = {s.code: s.title for s in found if s is not None}
    return PublishedPage(
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        service_code=service_code,
        services=[(code, titles.get(code, code)) for code in listed],
        titles=titles,
    )
