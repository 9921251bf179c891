"""The case page (details, timeline, reports, one form per allowed action) and officers' intake.

Each action's form is drawn from its payload model; a POST validates with that model, then
goes through ``service.perform_action`` with the version the page was drawn from, so a stale
form is a clear conflict and never overwrites someone else's change.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from aduan import service
from aduan.catalog.templates import AnswerTemplate
from aduan.schemas.commands import ActionCommand, SubmitCommand
from aduan.schemas.views import CaseDetail
from aduan.service import Deps, concerns, identity, templates
from aduan.web import auth
from aduan.web.auth import Staff
from aduan.web.i18n import Translator, language_of
from aduan.web.ui import attachments as ui_files
from aduan.web.ui import qa as ui_qa
from aduan.web.ui.forms import (
    Choices,
    FormState,
    action_fields,
    error_state,
    intake_fields,
    parse_action_form,
    parse_intake_form,
    plan_kinds,
    validation_state,
)
from aduan.web.ui.render import INTAKE_ROLES, page, see_other, to_login, translator
from aduan.workflow.actions import PAYLOADS
from aduan.workflow.errors import (
    AccessDeniedError,
    AduanError,
    ConflictError,
    NotFoundError,
    http_status,
)
from aduan.workflow.states import N_, Action, Channel, ProblemType, StepKind

STALE = N_(
    "Kasus ini sudah diubah orang lain sejak Anda membukanya. Halaman telah dimuat ulang; "
    "periksa perubahan lalu kirim lagi."
)
# The form always sends the version it was drawn from; without it the stale-page check could
# not be made, so the action is refused rather than taken blind (issue 17).
NO_VERSION = N_(
    "Formulir ini tidak membawa versi kasus, sehingga tidak dapat diperiksa apakah kasus sudah "
    "diubah orang lain. Halaman telah dimuat ulang; periksa lalu kirim lagi."
)

router = APIRouter(include_in_schema=False)
ACTION_NAMES = frozenset(a.value for a in Action)


def error_page(request: Request, exc: AduanError, status_code: int | None = None) -> Response:
    """A page that says what went wrong, in the page's language."""
    status = status_code or http_status(exc)
    context = {"message": translator(request).error(exc), "code": status}
    return page(request, "error.html", context, status_code=status)


# --- intake by an officer -----------------------------------------------------------------


def services_choices(deps: Deps) -> Choices:
    """The catalog as choices of a select."""
    return [(s.code, f"{s.code} — {s.title}") for s in service.list_services(deps)]


def _channels(t: Translator) -> Choices:
    return [(c.value, t.label(c)) for c in Channel if c is not Channel.API]


def _intake_page(request: Request, state: FormState, status_code: int = 200) -> Response:
    t = translator(request)
    fields = intake_fields(t, services_choices(auth.deps_of(request)), _channels(t), public=False)
    files = ui_files.file_inputs(request, t)
    context = {"fields": fields, "state": state, "action_url": "/cases/new", "files": files}
    return page(
        request, "intake.html", context, status_code=status_code, title=t("Catat pengaduan")
    )


def _intake_staff(request: Request) -> Staff | Response:
    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    if staff.role not in INTAKE_ROLES:
        denied = AccessDeniedError(
            "role_matrix",
            N_("hanya petugas pengaduan dan atasannya yang mencatat pengaduan"),
        )
        return error_page(request, denied, 403)
    return staff


@router.get("/cases/new", response_class=HTMLResponse)
def intake_form(request: Request) -> Response:
    """The blank intake form (identity confidential unless the officer unticks it)."""
    staff = _intake_staff(request)
    if not isinstance(staff, Staff):
        return staff
    return _intake_page(request, FormState(values={"complainant.confidential": "on"}))


@router.post("/cases/new", response_class=HTMLResponse)
async def intake_submit(request: Request) -> Response:
    """Record the complaint and open its case page; on bad input show the form again."""
    staff = _intake_staff(request)
    if not isinstance(staff, Staff):
        return staff
    form = await request.form()
    try:
        return await _intake_submit(request, staff, form)
    finally:
        await form.close()  # its files, spooled to disk


async def _intake_submit(request: Request, staff: Staff, form: FormData) -> Response:
    lang = language_of(request)
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
    except AduanError as exc:
        return error_page(request, exc)
    fields, values = parse_intake_form(form, public=False, channel=None)
    known = [f.name for f in intake_fields(translator(request), [], [], public=False)]
    known.extend(ui_files.FILE_FIELDS)
    try:
        command = SubmitCommand.model_validate(fields)
    except ValidationError as exc:
        return _intake_page(request, validation_state(exc, lang, values, known), 422)
    try:
        files = await ui_files.prepared_files(request, form)
        detail = await run_in_threadpool(
            service.submit_complaint, auth.deps_of(request), command, staff.username, files=files
        )
    except AduanError as exc:
        return _intake_page(request, error_state(exc, lang, values, known), http_status(exc))
    return see_other(f"/cases/{detail.tracking_code}?done=submit")


# --- the case page ------------------------------------------------------------------------


def _choices(deps: Deps, allowed: list[str]) -> dict[str, Choices]:
    found: dict[str, Choices] = {}
    if Action.CLASSIFY.value in allowed or Action.PUBLISH_QA.value in allowed:
        found["service_code"] = services_choices(deps)
    if Action.ROUTE_AGENCY.value in allowed:
        chart = service.show_orgchart(deps)
        # Only agencies whose entry post someone holds (or acts for): routing elsewhere is
        # refused (issue 13 item 2), so the form does not offer a choice that can only fail.
        found["agency"] = [
            (u.code, u.name)
            for u in chart.units.values()
            if u.kind == "agency" and u.entry_position and chart.holder(u.entry_position)
        ]
    return found


def _defaults(detail: CaseDetail) -> dict[str, dict[str, Any]]:
    """What a fresh form starts with: the case's current classification, the next step."""
    plan = (detail.worksheet or {}).get("plan") or []
    next_step = next((i for i, s in enumerate(plan, 1) if not s.get("outcome")), 1)
    return {
        Action.CLASSIFY.value: {
            "service_code": detail.service_code or "",
            "problem_types": detail.problem_types,
        },
        Action.RECORD_STEP.value: {"step": str(next_step)},
        Action.REVIEW.value: {"plan.0.kind": StepKind.CLARIFICATION.value},
        Action.PUBLISH_QA.value: ui_qa.publication_draft(detail),
    }


def _offered_templates(request: Request, detail: CaseDetail) -> list[AnswerTemplate]:
    """The answer templates that fit this case, when the viewer may answer it."""
    answering = {Action.RESPOND.value, Action.INFORM_COMPLAINANT.value}
    staff = auth.current_staff(request)
    if staff is None or staff.role not in templates.READERS:
        return []
    if not answering & set(detail.allowed_actions):
        return []
    return templates.offered(
        templates.list_templates(auth.deps_of(request), staff.username), detail
    )


def _case_page(
    request: Request,
    detail: CaseDetail,
    *,
    failed: tuple[str, FormState] | None = None,
    notice: str | None = None,
    reveal: FormState | None = None,
    concern: FormState | None = None,
    upload: FormState | None = None,
    status_code: int = 200,
) -> Response:
    t = translator(request)
    deps = auth.deps_of(request)
    staff = auth.current_staff(request)
    files = ui_files.listed(request, str(detail.id), staff.username) if staff else []
    choices = _choices(deps, detail.allowed_actions)
    defaults = _defaults(detail)
    offered = _offered_templates(request, detail)
    chosen = next((x for x in offered if str(x.id) == request.query_params.get("templat")), None)
    if chosen is not None:  # the answer forms start from the template, filled; still editable
        office = request.app.state.settings.office.name
        text = templates.filled(chosen, detail, office.title() if office.isupper() else office)
        for action in (Action.RESPOND.value, Action.INFORM_COMPLAINANT.value):
            defaults.setdefault(action, {})["text"] = text
    forms = []
    for name in detail.allowed_actions:
        action = Action(name)
        state = failed[1] if failed and failed[0] == name else FormState(defaults.get(name, {}))
        fields = ui_qa.with_hints(action, action_fields(action, t, choices), t)
        forms.append((action, fields, state))
    context = {
        "case": detail,
        "forms": forms,
        "failed": failed[0] if failed else None,
        "notice": notice,
        "plan_kinds": plan_kinds(t),
        "problem_type": ProblemType,
        "reveal": reveal or FormState({}),
        "concern": concern or FormState({}),
        "may_name_concerned": _office_staff(request),
        "answer_templates": offered,
        "chosen_template": chosen,
        "attachments": files,
        "uploaders": ui_files.uploaders(request, files),
        "size_text": ui_files.size_text,
        "upload": upload or FormState({}),
        "file_inputs": ui_files.file_inputs(request, t),
    }
    return page(request, "case.html", context, status_code=status_code, title=detail.subject)


def reload_with_upload_error(
    request: Request, ref: str, username: str, exc: AduanError, values: dict[str, str]
) -> Response:
    """The case page again with a refused upload's message next to the file input.

    ``values``: the form's other inputs as sent (the identity box stays ticked).
    """
    try:
        detail = service.get_case(auth.deps_of(request), ref, username)
    except AduanError as found:
        return error_page(request, found)
    state = error_state(exc, language_of(request), values, [ui_files.EVIDENCE])
    return _case_page(request, detail, upload=state, status_code=http_status(exc))


@router.get("/cases/{ref}", response_class=HTMLResponse)
def case_page(request: Request, ref: str, done: str | None = None) -> Response:
    """Everything about a case the user may see, and one form per action they may take."""
    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    try:
        detail = service.get_case(auth.deps_of(request), ref, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    t = translator(request)
    notice = None
    if done == "submit":
        notice = t("Pengaduan Anda telah diterima.")
    elif done == "concerns":
        notice = t("Terlapor dicatat.")
    elif done == "lampiran":
        notice = t("Lampiran disimpan.")
    elif done in ACTION_NAMES:
        notice = t("Tersimpan: %(what)s", what=t.label(Action(done)))
    return _case_page(request, detail, notice=notice)


@router.post("/cases/{ref}/actions/{name}", response_class=HTMLResponse)
async def act(request: Request, ref: str, name: str) -> Response:
    """Take one action; on bad input or a stale page show the case again with the message."""
    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    if name not in ACTION_NAMES:
        return error_page(request, NotFoundError("tindakan/action", name))
    form = await request.form()
    try:
        return await _take_action(request, staff, ref, Action(name), form)
    finally:
        await form.close()  # its files, spooled to disk


async def _take_action(
    request: Request, staff: Staff, ref: str, action: Action, form: FormData
) -> Response:
    name = action.value
    lang = language_of(request)
    deps = auth.deps_of(request)
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        detail = service.get_case(deps, ref, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    payload, values = parse_action_form(action, form)
    known = [f.name for f in action_fields(action, translator(request), {})]
    known.append(ui_files.EVIDENCE)
    version = _version(form.get("expected_version"))
    if version is None:
        state = FormState(values=values, general=[translator(request)(NO_VERSION)])
        return _case_page(request, detail, failed=(name, state), status_code=422)
    try:
        PAYLOADS[action].model_validate(payload)
        command = ActionCommand(
            case_ref=detail.tracking_code,
            action=action,
            payload=payload,
            expected_version=version,
        )
    except ValidationError as exc:
        state = validation_state(exc, lang, values, known)
        return _case_page(request, detail, failed=(name, state), status_code=422)
    try:
        files = await ui_files.prepared_files(request, form)
        await run_in_threadpool(service.perform_action, deps, command, staff.username, files)
    except ConflictError:
        fresh = service.get_case(deps, ref, staff.username)
        state = FormState(values=values, general=[translator(request)(STALE)])
        return _case_page(request, fresh, failed=(name, state), status_code=409)
    except AduanError as exc:
        state = error_state(exc, lang, values, known)
        return _case_page(request, detail, failed=(name, state), status_code=http_status(exc))
    return see_other(f"/cases/{detail.tracking_code}?done={name}#top")


@router.post("/cases/{ref}/identity", response_class=HTMLResponse)
async def reveal(request: Request, ref: str) -> Response:
    """Show the masked complainant for a written reason; the reveal goes on record.

    The identity is shown on this response only: reloading the page masks it again, so each
    look is one more entry in the Head's identity-access report.
    """
    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    deps = auth.deps_of(request)
    reason = str(form.get("reason", ""))
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        detail = service.get_case(deps, ref, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    try:
        shown = identity.reveal_identity(deps, ref, staff.username, reason)
    except AduanError as exc:
        state = error_state(exc, language_of(request), {"reason": reason}, ["reason"])
        return _case_page(request, detail, reveal=state, status_code=http_status(exc))
    t = translator(request)
    notice = t("Identitas pelapor dibuka; tercatat dalam log akses identitas.")
    return _case_page(request, detail.model_copy(update={"complainant": shown}), notice=notice)


def _office_staff(request: Request) -> bool:
    staff = auth.current_staff(request)
    return staff is not None and staff.role in concerns.OFFICE_STAFF


@router.post("/cases/{ref}/concerns", response_class=HTMLResponse)
async def name_concerned(request: Request, ref: str) -> Response:
    """Name the staff a case concerns (terlapor), with a reason; optionally seal the case.

    When the case is then out of the user's own sight (they sealed it, or named themselves),
    they land on their queue instead of a missing page.
    """
    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    deps = auth.deps_of(request)
    names = str(form.get("staff", ""))
    reason = str(form.get("reason", ""))
    values = {"staff": names, "reason": reason}
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        detail = service.get_case(deps, ref, staff.username)
    except AduanError as exc:
        return error_page(request, exc)
    try:
        concerns.name_concerned(
            deps,
            ref,
            staff.username,
            names.replace(",", " ").split(),
            reason,
            seal=form.get("seal") == "on",
        )
    except AduanError as exc:
        state = error_state(exc, language_of(request), values, ["staff", "reason"])
        return _case_page(request, detail, concern=state, status_code=http_status(exc))
    try:
        service.get_case(deps, ref, staff.username)
    except NotFoundError:
        return see_other("/")
    return see_other(f"/cases/{detail.tracking_code}?done=concerns#top")


def _version(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() else None
