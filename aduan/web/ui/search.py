"""The staff search page (issue 14 item 2): ``/cari?q=`` from the box in every staff header.

The cases the reader may see that match the words, best first, each with a snippet in which
the matched words are marked: the snippet arrives as HTML built by the search adapters (the
case's text escaped, only their own ``<mark>`` tags unescaped) and is shown as such. A search
with no word is named next to the field (422); the administrator, who sees no case content, has
no search.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from aduan.service.search import search_cases
from aduan.web.auth import current_staff, deps_of
from aduan.web.i18n import Translator, language_of
from aduan.web.ui.render import page, see_other, to_login
from aduan.workflow.errors import AduanError, InputError
from aduan.workflow.states import Role

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/cari", response_class=HTMLResponse)
def search_page(request: Request, q: str = "") -> Response:
    """The search results for ``q`` (an empty box: just the form)."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    if staff.role is Role.ADMIN:
        return see_other("/admin/pengguna")
    t = Translator(language_of(request))
    context: dict[str, object] = {"q": q, "hits": [], "error": None, "searched": False}
    status = 200
    if q.strip():
        try:
            hits = search_cases(deps_of(request), staff.username, q, PAGE_SIZE)
        except InputError as exc:
            context["error"] = AduanError.text(exc, t.lang)  # the field is named by its label
            status = 422
        else:
            context["searched"] = True
            context["hits"] = [(h, Markup(h.snippet)) for h in hits]
    return page(request, "search.html", context, status_code=status, title=t("Cari kasus"))
