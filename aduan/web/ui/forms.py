"""HTML forms drawn from the pydantic models: fields to render, form data to parse, errors to show.

An action's form is generated from its payload model in ``workflow.payloads`` (fields named
``*_context`` are filled by the service layer and never shown); the intake forms list the
fields of ``SubmitCommand``. Pydantic stays the one validator: the parsers here only reshape
form data (lines, checkboxes, plan rows, WIB times) and leave every judgement to the models.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from starlette.datastructures import FormData

from aduan.web.i18n import Translator
from aduan.workflow.actions import PAYLOADS
from aduan.workflow.errors import AduanError, InputError
from aduan.workflow.intake import WIB
from aduan.workflow.payloads import PlanStepInput
from aduan.workflow.states import N_, Action, StepKind

PLAN_ROWS = 3
LONG_TEXT = 300  # longer limits get a textarea
Choices = list[tuple[str, str]]
Values = dict[str, Any]


@dataclass(slots=True)
class Field:
    """One form control as the template draws it."""

    name: str
    label: str
    widget: str  # text | textarea | select | checkboxes | checkbox | number | date | datetime
    # | lines | plan | email | tel
    required: bool = False
    choices: Choices = field(default_factory=list)
    hint: str = ""
    max_length: int | None = None

    @property
    def id(self) -> str:
        """The HTML id (dots are legal but awkward in CSS selectors)."""
        return "f-" + self.name.replace(".", "-")


@dataclass(slots=True)
class FormState:
    """What a re-shown form needs: the submitted values and the message of each bad field."""

    values: Values = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether anything is wrong."""
        return bool(self.errors or self.general)


# --- action forms -------------------------------------------------------------------------


def action_fields(action: Action, t: Translator, choices: Mapping[str, Choices]) -> list[Field]:
    """The controls of one action's form, in the payload model's order, the note last."""
    model = PAYLOADS[action]
    out = [
        _field(name, info, t, choices)
        for name, info in model.model_fields.items()
        if not name.endswith("_context") and name != "note"
    ]
    out.append(_field("note", model.model_fields["note"], t, choices))
    return out


def _field(name: str, info: FieldInfo, t: Translator, choices: Mapping[str, Choices]) -> Field:
    required = info.is_required()
    base = Field(name, t.field(name), "text", required, max_length=_max_length(info))
    annotation = _strip_optional(info.annotation)
    item = _list_item(annotation)
    if name in choices:
        base.widget, base.choices = "select", list(choices[name])
    elif _is_enum(annotation):
        base.widget, base.choices = "select", _enum_choices(annotation, t)
    elif item is PlanStepInput:
        base.widget, base.hint = "plan", t("Isi satu baris per langkah; baris kosong diabaikan.")
    elif _is_enum(item):
        base.widget, base.choices = "checkboxes", _enum_choices(item, t)
    elif item is not None:
        base.widget, base.hint = "lines", t("Satu butir per baris.")
    elif annotation is int:
        base.widget = "number"
    elif annotation is datetime:
        base.widget, base.hint = "datetime", t("Waktu Indonesia Barat (WIB)")
    elif (base.max_length or 0) > LONG_TEXT:
        base.widget = "textarea"
    return base


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _list_item(annotation: Any) -> Any:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return typing.get_args(item)[0] if typing.get_origin(item) is typing.Annotated else item
    return None


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, StrEnum)


def _enum_choices(enum: type[StrEnum], t: Translator) -> Choices:
    return [(member.value, t.label(member)) for member in enum]


def _max_length(info: FieldInfo) -> int | None:
    for meta in info.metadata:
        found = getattr(meta, "max_length", None)
        if isinstance(found, int):
            return found
    return None


def plan_kinds(t: Translator) -> Choices:
    """The kinds of a handling-plan step."""
    return _enum_choices(StepKind, t)


def parse_action_form(action: Action, form: FormData) -> tuple[dict[str, Any], Values]:
    """The payload dict for ``action`` and the raw values to re-show the form with."""
    model = PAYLOADS[action]
    payload: dict[str, Any] = {}
    values: Values = {}
    for name, info in model.model_fields.items():
        if name.endswith("_context"):
            continue
        annotation = _strip_optional(info.annotation)
        item = _list_item(annotation)
        if item is PlanStepInput:
            payload[name], values_plan = _plan(form, name)
            values.update(values_plan)
        elif item is not None and _is_enum(item):
            payload[name] = values[name] = [str(v) for v in form.getlist(name)]
        else:
            raw = str(form.get(name, ""))
            values[name] = raw
            if item is not None:
                payload[name] = [line.strip() for line in raw.splitlines() if line.strip()]
            elif raw.strip() or info.is_required():
                payload[name] = wib_datetime(raw) if annotation is datetime else raw
    return payload, values


def _plan(form: FormData, name: str) -> tuple[list[dict[str, str]], Values]:
    rows: list[dict[str, str]] = []
    values: Values = {}
    for i in range(PLAN_ROWS):
        row = {
            key: str(form.get(f"{name}.{i}.{key}", "")) for key in ("kind", "party", "description")
        }
        values.update({f"{name}.{i}.{key}": value for key, value in row.items()})
        if row["party"].strip() or row["description"].strip():
            rows.append(row)
    return rows, values


def wib_datetime(raw: str) -> datetime | str:
    """A ``datetime-local`` value read as Jakarta time; anything else is left for pydantic."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return raw
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


# --- intake forms -------------------------------------------------------------------------

COMPLAINANT_FIELDS = ("name", "email", "phone", "social", "address")


def intake_fields(
    t: Translator, services: Choices, channels: Choices | None, *, public: bool
) -> list[Field]:
    """The intake form: the channel and office times for officers, the rest for everyone."""
    out: list[Field] = []
    if channels is not None:
        out.append(Field("channel", t("Saluran"), "select", True, channels))
    out += [
        Field("complainant.name", t("Nama"), "text", max_length=300),
        Field("complainant.email", t("Email"), "email", max_length=320),
        Field("complainant.phone", t("Telepon"), "tel", max_length=32),
        Field("complainant.social", t("Media sosial"), "text", max_length=100),
        Field("complainant.address", t("Alamat"), "textarea", max_length=1000),
    ]
    if not public:
        out.append(Field("complainant.confidential", t("Rahasiakan identitas"), "checkbox"))
    out += [
        Field("subject", t("Pokok pengaduan"), "text", True, max_length=300),
        Field("description", t("Uraian"), "textarea", max_length=20_000),
        Field("service_code", t("Layanan"), "select", False, services),
        Field("service_text", t("Layanan (bila tidak ada di katalog)"), "text", max_length=500),
        Field("licence_number", t("Nomor izin/berkas"), "text", max_length=100),
        Field("service_received_on", t("Tanggal menerima layanan"), "date", True),
    ]
    if not public:
        out += [
            Field(
                "complained_at",
                t("Waktu pengaduan disampaikan"),
                "datetime",
                hint=t("Waktu Indonesia Barat (WIB)"),
            ),
            Field(
                "received_at",
                t("Waktu diterima kantor"),
                "datetime",
                hint=t("Waktu Indonesia Barat (WIB)"),
            ),
        ]
    return out


def parse_intake_form(
    form: FormData, *, public: bool, channel: str | None
) -> tuple[Values, Values]:
    """The ``SubmitCommand`` fields and the raw values to re-show the form with."""
    values: Values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    person: dict[str, Any] = {
        key: values[f"complainant.{key}"]
        for key in COMPLAINANT_FIELDS
        if values.get(f"complainant.{key}", "").strip()
    }
    person["confidential"] = public or "complainant.confidential" in form
    command: Values = {
        "channel": channel if channel is not None else values.get("channel", ""),
        "complainant": person,
        "subject": values.get("subject", ""),
        "description": values.get("description", ""),
        "service_received_on": values.get("service_received_on", ""),
    }
    for key in ("service_code", "service_text", "licence_number"):
        if values.get(key, "").strip():
            command[key] = values[key].strip()
    for key in ("complained_at", "received_at"):
        if not public and values.get(key, "").strip():
            command[key] = wib_datetime(values[key])
    return command, values


# --- errors -------------------------------------------------------------------------------

# Pydantic's messages are English; these are the common rules in both languages.
# Pydantic's rules in the page's language (msgids; the placeholders are the rule's context).
_RULES: dict[str, str] = {
    "missing": N_("wajib diisi"),
    "string_too_short": N_("wajib diisi"),
    "too_short": N_("pilih atau isi paling sedikit %(min_length)s"),
    "string_too_long": N_("terlalu panjang (paling banyak %(max_length)s karakter)"),
    "enum": N_("pilih salah satu pilihan yang tersedia"),
    "int_parsing": N_("harus berupa bilangan bulat"),
    "greater_than_equal": N_("paling kecil %(ge)s"),
    "date_from_datetime_parsing": N_("tanggal tidak valid (HH/BB/TTTT)"),
    "date_parsing": N_("tanggal tidak valid"),
    "datetime_from_date_parsing": N_("waktu tidak valid"),
    "datetime_parsing": N_("waktu tidak valid"),
}


def validation_state(
    exc: ValidationError, lang: str, values: Values, known: Sequence[str]
) -> FormState:
    """Every problem of a validation error, each next to its field (else above the form)."""
    state = FormState(values=values)
    for err in exc.errors():
        reported = ".".join(str(part) for part in err["loc"])
        name = _known_name(reported, known)
        if name is None:
            label = Translator(lang).field(reported.rsplit(".", 1)[-1])
            state.general.append(f"{label}: {_message(err, lang)}")
        else:
            state.errors.setdefault(name, _message(err, lang))
    return state


def _message(err: Any, lang: str) -> str:
    rule = _RULES.get(err["type"])
    if rule is None:
        return str(err["msg"]).removeprefix("Value error, ")
    return Translator(lang)(rule, **(err.get("ctx") or {}))


def error_state(error: AduanError, lang: str, values: Values, known: Sequence[str]) -> FormState:
    """An error of the service layer: next to its field when it names one shown, else on top."""
    state = FormState(values=values)
    text = message_of(error, lang)
    if isinstance(error, InputError):
        name = _known_name(error.field, known)
        if name is not None:
            state.errors[name] = text.removeprefix(f"{error.field}: ")
            return state
    state.general.append(text)
    return state


def message_of(error: AduanError, lang: str) -> str:
    """An error's message in ``lang``; pydantic's English rules get their Indonesian too."""
    t = Translator(lang)
    rule = _RULES.get(error.rule) if isinstance(error, InputError) else None
    if isinstance(error, InputError) and rule and "%(" not in rule:
        return f"{t.field(error.field)}: {t(rule)}"
    return t.error(error)


def _known_name(reported: str, known: Sequence[str]) -> str | None:
    parts = [p for p in reported.split(".") if not p.isdigit()]
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in known:
            return candidate
    return None
    "string_pattern_mismatch": N_("bentuknya tidak sesuai (lihat petunjuk isian)"),
