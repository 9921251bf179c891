"""The public Q&A page (tanya jawab, issue 14 item 7) and the staff form that publishes to it.

``/tanya-jawab`` lists, without a login, the questions and answers staff published from closed
cases with their complainants' consent: newest first, ten a page, by service if asked
(``?layanan=<code>&halaman=<n>``). Each entry is the anonymised texts, the service and the
month; no tracking code, no name, no finer date (``aduan.service.public_answers`` reads nothing
else). Jinja escapes every text; line breaks are kept by CSS, never by markup in the text. Bad
parameters show the page again with the message next to the filter (422).

The case page's "publish" form starts from the case's subject, description and last answer sent
(``publication_draft``), for staff to remove what names anyone before publishing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan.reports import period as periods
from aduan.schemas.views import CaseDetail
from aduan.service.public_answers import MAX_PAGE, published_page
from aduan.web.auth import deps_of
from aduan.web.i18n import Translator
from aduan.web.ui.forms import Field
from aduan.web.ui.render import page, translator
from aduan.workflow.errors import InputError, http_status
from aduan.workflow.states import N_, Action

router = APIRouter(include_in_schema=False)
PATH = "/tanya-jawab"
_SENT = (Action.RESPOND.value, Action.INFORM_COMPLAINANT.value)


def _page_number(raw: str) -> int:
    text = raw.strip()
    if not text:
        return 1
    if not text.isascii() or not text.isdigit():
        raise InputError(
            "halaman", "page_range", N_("harus bilangan bulat 1 sampai %(max)s"), max=MAX_PAGE
        )
    return int(text)


@router.get(PATH, response_class=HTMLResponse)
def questions_page(request: Request, layanan: str = "", halaman: str = "") -> Response:
    """Tanya jawab: pertanyaan dan jawaban yang diterbitkan / the published Q&A entries."""
    t = translator(request)
    title = t("Tanya jawab pengaduan")
    service = layanan.strip()[:32] or None
    try:
        found = published_page(deps_of(request), service, _page_number(halaman[:12]))
    except InputError as exc:
        try:  # the page without the bad parameter, the message next to the filter
            found = published_page(deps_of(request), None, 1)
        except InputError:  # pragma: no cover - page 1 of all services is always valid
            raise exc from None
        context = {"found": found, "problem": t.error(exc), "field": exc.field}
        return page(request, "qa.html", context, status_code=http_status(exc), title=title)
    context = {"found": found, "problem": None, "field": None, **_links(found)}
    return page(request, "qa.html", context, title=title)


def _links(found: Any) -> dict[str, Any]:
    """The month labels and the pager's addresses (the service filter kept)."""
    base = f"{PATH}?layanan={found.service_code}&" if found.service_code else f"{PATH}?"
    return {
        "months": {e.month: periods.month(e.month).label for e in found.entries},
        "prev_link": f"{base}halaman={found.page - 1}" if found.page > 1 else None,
        "next_link": f"{base}halaman={found.page + 1}" if found.page < found.pages else None,
    }


def publication_draft(detail: CaseDetail) -> dict[str, Any]:
    """What the public Q&A form starts with: the entry as published, else the case's texts.

    The subject and description as the question, the last answer sent to the complainant as
    the answer, the case's service: for staff to anonymise (the form warns), never published
    as they are.
    """
    if detail.public_qa is not None:
        qa = detail.public_qa
        return {
            "public_question": qa["question"],
            "public_answer": qa["answer"],
            "service_code": qa.get("service_code") or "",
        }
    sent = [e for e in detail.timeline if e.action in _SENT and e.data.get("text")]
    question = detail.subject
    if detail.description.strip():
        question = f"{detail.subject}\n\n{detail.description.strip()}"
    return {
        "public_question": question,
        "public_answer": str(sent[-1].data["text"]) if sent else "",
        "service_code": detail.service_code or "",
    }


def with_hints(action: Action, fields: list[Field], t: Translator) -> list[Field]:
    """The publish form says in full what its confirmation confirms."""
    if action is Action.PUBLISH_QA:
        for f in fields:
            if f.name == "anonymised":
                f.label = t(
                    "Saya telah menghapus nama, nomor telepon, NIK, alamat dan data lain yang "
                    "dapat menunjuk seseorang dari pertanyaan dan jawaban"
                )
    return fields
