"""Answer templates (issue 14 item 3).

Kept by the complaints manager and the Head, offered to the office's complaint staff in the
answer and inform forms, filled with the case's facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from aduan.catalog.templates import PLACEHOLDERS, AnswerTemplate, check_placeholders, fill, fits
from aduan.ports import AuthEvent
from aduan.schemas.views import CaseDetail
from aduan.service.deps import Deps, actor_of
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, Role

log = structlog.get_logger(__name__)

KEEPERS = frozenset({Role.SUPERVISOR, Role.HEAD})  # who may add, change or delete templates
READERS = KEEPERS | {Role.OFFICER}  # the office's complaint staff, who answer complainants


def _role(deps: Deps, username: str, allowed: frozenset[Role]) -> Role:
    with deps.uow(readonly=True) as uow:
        role = actor_of(deps, uow, username).role
    if role not in allowed:
        raise AccessDeniedError(
            "templates_office_staff",
            N_("templat jawaban hanya untuk petugas pengaduan, atasan dan Kepala DPMPTSP"),
        )
    return role


def list_templates(deps: Deps, username: str) -> list[AnswerTemplate]:
    """Every answer template (the office's complaint staff)."""
    _role(deps, username, READERS)
    with deps.uow(readonly=True) as uow:
        return uow.reference.answer_templates()


def save_template(deps: Deps, template: AnswerTemplate, username: str) -> int:
    """Add or change a template (supervisor or Head); unknown placeholders are refused."""
    _role(deps, username, KEEPERS)
    check_placeholders(template.text)
    with deps.uow() as uow:
        if template.service_code and deps.reference.service(uow, template.service_code) is None:
            raise InputError(
                "service_code", "known_service", N_("layanan tidak ada di katalog: %(code)s"),
                code=template.service_code,
            )  # fmt: skip
        known = {t.id for t in uow.reference.answer_templates()}
        if template.id is not None and template.id not in known:
            raise NotFoundError("templat/template", str(template.id))
        saved = template.model_copy(update={"updated_by": username})
        template_id = uow.reference.put_answer_template(saved, deps.clock.now())
        detail = f"template {template_id} '{template.name}' saved by {username}"
        uow.accounts.record(AuthEvent(deps.clock.now(), "template_saved", username, "-", detail))
        uow.commit()
    log.info("template_saved", id=template_id, by=username)
    return template_id


def delete_template(deps: Deps, template_id: int, username: str) -> None:
    """Remove a template (supervisor or Head)."""
    _role(deps, username, KEEPERS)
    with deps.uow() as uow:
        if not uow.reference.delete_answer_template(template_id):
            raise NotFoundError("templat/template", str(template_id))
        detail = f"template {template_id} deleted by {username}"
        uow.accounts.record(AuthEvent(deps.clock.now(), "template_deleted", username, "-", detail))
        uow.commit()


def offered(templates: Sequence[AnswerTemplate], case: CaseDetail) -> list[AnswerTemplate]:
    """The templates that fit a case's service and problem types (or any case)."""
    return [t for t in templates if fits(t, case.service_code, case.problem_types)]


def filled(template: AnswerTemplate, case: CaseDetail, office_name: str) -> str:
    """A template's text with the case's facts, as the viewer may see them."""
    due = case.response_due_at
    values = {
        "kode": case.tracking_code,
        "perihal": case.subject,
        "tanggal_diterima": case.received_at.astimezone(WIB).strftime("%d/%m/%Y"),
        "tenggat": due.astimezone(WIB).strftime("%d/%m/%Y") if due else "-",
        "nama_pelapor": case.complainant.name
        if case.complainant.name and not case.complainant.masked
        else "Bapak/Ibu",
        "layanan": case.service_title or case.service_code or case.service_text or "-",
        "kantor": office_name,
    }
    assert set(values) == set(PLACEHOLDERS)
    return fill(template.text, values)
