"""Answer templates in the browser (issue 14 item 3).

The complaints manager and the Head keep them; officers see them, and the case page offers the
ones that fit in its answer forms.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from aduan.catalog.templates import PLACEHOLDERS, AnswerTemplate
from aduan.service import templates as svc
from aduan.web.auth import Staff, current_staff, deps_of, verify_csrf
from aduan.web.ui.case import error_page, services_choices
from aduan.web.ui.forms import FormState, error_state, validation_state
from aduan.web.ui.render import page, see_other, to_login, translator
from aduan.workflow.errors import AduanError, http_status
from aduan.workflow.states import ProblemType

router = APIRouter(include_in_schema=False)
FIELDS = ("name", "service_code", "problem_type", "text")


def _page(
    request: Request, staff: Staff, state: FormState, editing: int | None, status: int = 200
) -> Response:
    deps = deps_of(request)
    try:
        found = svc.list_templates(deps, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    t = translator(request)
    context = {
        "templates": found,
        "state": state,
        "editing": editing,
        "may_keep": staff.role in svc.KEEPERS,
        "services": services_choices(deps),
        "problems": [(p.value, t.label(p.value, ProblemType)) for p in ProblemType],
        "placeholders": [(name, t(label)) for name, label in PLACEHOLDERS.items()],
        "notice": request.query_params.get("done"),
    }
    return page(request, "answer_templates.html", context, status_code=status)


@router.get("/templat", response_class=HTMLResponse)
def templates_page(request: Request, ubah: int | None = None) -> Response:
    """The answer templates; the form to add one or change ``ubah``."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    values: dict[str, Any] = {}
    if ubah is not None:
        try:
            chosen = [
                t for t in svc.list_templates(deps_of(request), staff.username) if t.id == ubah
            ]
        except AduanError as exc:
            return error_page(request, exc)
        if chosen:
            values = chosen[0].model_dump(mode="json")
    return _page(request, staff, FormState(values=values), ubah if values else None)


@router.post("/templat", response_class=HTMLResponse)
async def save(request: Request) -> Response:
    """Add, change (``id``) or delete (``delete``) a template; refusals next to the field."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in FIELDS}
    raw_id = str(form.get("id", "")).strip()
    template_id = int(raw_id) if raw_id.isdigit() else None
    lang = translator(request).lang
    deps = deps_of(request)
    try:
        verify_csrf(request, str(form.get("csrf_token", "")))
        if form.get("delete") == "1" and template_id is not None:
            svc.delete_template(deps, template_id, staff.username)
            return see_other("/templat?done=deleted")
        template = AnswerTemplate.model_validate(
            {
                "id": template_id,
                "name": values["name"],
                "service_code": values["service_code"] or None,
                "problem_type": values["problem_type"] or None,
                "text": values["text"],
            }
        )
        saved = svc.save_template(deps, template, staff.username)
    except ValidationError as exc:
        return _page(request, staff, validation_state(exc, lang, values, FIELDS), template_id, 422)
    except AduanError as exc:
        state = error_state(exc, lang, values, FIELDS)
        return _page(request, staff, state, template_id, http_status(exc))
    return see_other(f"/templat?done={saved}")
