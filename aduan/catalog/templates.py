"""Answer templates (templat jawaban, issue 14 item 3).

Texts the complaints staff start an answer from, per service and problem type, with
placeholders for the case's facts.

A template is a starting point: the officer edits it in the answer form, and what is sent and
stored is the edited text. Placeholders are ``{name}``; an unknown one is refused when the
template is saved, so a sent answer never shows a raw ``{placeholder}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from aduan.workflow.errors import InputError
from aduan.workflow.states import N_, ProblemType

# What a template may say of the case, in Indonesian names an officer writes.
PLACEHOLDERS: dict[str, str] = {
    "kode": N_("kode pelacakan"),
    "perihal": N_("perihal pengaduan"),
    "tanggal_diterima": N_("tanggal pengaduan diterima"),
    "tenggat": N_("batas waktu jawaban"),
    "nama_pelapor": N_("nama pelapor (atau 'Bapak/Ibu' bila dirahasiakan)"),
    "layanan": N_("nama layanan"),
    "kantor": N_("nama kantor"),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AnswerTemplate(BaseModel):
    """One template: a name, optionally the service and problem type it fits, and its text."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    name: Name
    service_code: str | None = None
    problem_type: ProblemType | None = None
    text: Text
    updated_by: str = ""


def check_placeholders(text: str) -> None:
    """Refuse a text naming a placeholder that does not exist (``text``/``known_placeholder``)."""
    unknown = sorted({p for p in _PLACEHOLDER.findall(text) if p not in PLACEHOLDERS})
    if unknown:
        raise InputError(
            "text",
            "known_placeholder",
            N_("tempat isian tidak dikenal: %(unknown)s; yang tersedia: %(known)s"),
            unknown=", ".join("{" + p + "}" for p in unknown),
            known=", ".join("{" + p + "}" for p in PLACEHOLDERS),
        )


def fill(text: str, values: Mapping[str, str]) -> str:
    """The template's text with its placeholders replaced by the case's facts."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fits(template: AnswerTemplate, service_code: str | None, problems: list[str]) -> bool:
    """Whether a template is offered for a case: its service and problem type, or any."""
    if template.service_code and template.service_code != service_code:
        return False
    return not template.problem_type or template.problem_type.value in problems
