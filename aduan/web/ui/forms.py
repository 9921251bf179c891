"""HTML forms drawn from the pydantic models: fields to render, form data to parse, errors to show.

An action's form is generated from its payload model in ``workflow.payloads`` (fields named
``*_context`` are filled by the service layer and never shown); the intake forms list the
fields of ``SubmitCommand``. Pydantic stays the one validator: the parsers here only reshape
form data (lines, checkboxes, plan rows, WIB times) and leave every judgement to the models.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from starlette.datastructures import FormData

from aduan.schemas.commands import SubmitCommand
from aduan.web.i18n import Translator
from aduan.workflow.actions import PAYLOADS
from aduan.workflow.case import Complainant
from aduan.workflow.errors import AduanError, InputError
from aduan.workflow.intake import WIB, check_reachable, check_service_dates
from aduan.workflow.payloads import PlanStepInput
from aduan.workflow.states import N_, Action, Channel, StepKind

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
    marker: str = ""  # said instead of "(wajib)"/"(opsional)": when the field is needed

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
    elif annotation in _SCALAR_WIDGETS:
        base.widget = _SCALAR_WIDGETS[annotation]
        base.hint = t("Waktu Indonesia Barat (WIB)") if annotation is datetime else ""
    elif (base.max_length or 0) > LONG_TEXT:
        base.widget = "textarea"
    return base


# The control of a payload field of one of these types (a confirmation, a number, a time).
_SCALAR_WIDGETS: dict[Any, str] = {
    bool: "checkbox",
    int: "number",
    datetime: "datetime",
    date: "date",
}


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
    """The intake form, fields in order.

    The channel, its facts and office times for officers; the website it came from for the
    public (seed §6 item 2 j, k); the rest for everyone.
    """
    out: list[Field] = []
    if channels is not None:
        out.append(Field("channel", t("Saluran"), "select", True, channels))
    if public:
        out.append(
            Field(
                "website",
                t("Anda membuka formulir ini dari"),
                "select",
                True,
                [(k, t(label)) for k, (_, label) in WEBSITES.items()],
                hint=t("Pengaduan lewat web dicatat menurut situs asalnya."),
            )
        )
    out += [
        Field("complainant.name", t("Nama"), "text", max_length=300),
        Field("complainant.email", t("Email"), "email", max_length=320),
        Field("complainant.phone", t("Telepon"), "tel", max_length=32),
        Field("complainant.social", t("Media sosial"), "text", max_length=100),
        Field("complainant.address", t("Alamat"), "textarea", max_length=1000),
    ]
    if not public:
        out.append(Field("complainant.confidential", t("Rahasiakan identitas"), "checkbox"))
    description = Field("description", t("Uraian"), "textarea", max_length=20_000)
    if public:  # seed §6 item 5a-b: without it a complaint cannot be examined
        description.required = True
        description.hint = t(
            "Ceritakan apa yang terjadi. Tanpa uraian, pengaduan tidak dapat ditelaah dan "
            "hanya dapat dicatat sebagai saran (Standar Pelayanan bagian 6 butir 5)."
        )
    pending = t("wajib bila layanan belum terbit/belum selesai")
    out += [
        Field("subject", t("Pokok pengaduan"), "text", True, max_length=300),
        description,
        Field("service_code", t("Layanan"), "select", False, services),
        Field("service_text", t("Layanan (bila tidak ada di katalog)"), "text", max_length=500),
        Field("licence_number", t("Nomor izin/berkas"), "text", max_length=100),
        Field(
            "service_received_on",
            t("Tanggal menerima layanan"),
            "date",
            marker=t("wajib bila layanan sudah diterima"),
            hint=t("Batas pengaduan 30 hari kalender dihitung dari tanggal ini."),
        ),
        Field("service_pending", t("Layanan belum terbit/belum selesai"), "checkbox"),
        Field(
            "applied_on",
            t("Tanggal permohonan"),
            "date",
            marker=pending,
            hint=t(
                "Batas 30 hari dihitung dari tanggal permohonan ditambah jangka waktu "
                "penyelesaian layanan dalam hari kerja (Standar Pelayanan); pilih layanannya "
                "dari katalog."
            ),
        ),
    ]
    out.append(_consent_field(t, public=public))
    if not public:
        by_channel = t("menurut saluran")
        out += [
            Field(
                f"channel_facts.{name}",
                t(label),
                widget,
                marker=by_channel,
                hint=t(hint),
                max_length=length,
            )
            for name, label, widget, hint, length in CHANNEL_FACT_FIELDS
        ]
        out += [
            Field(
                "complained_at",
                t("Waktu pengaduan disampaikan"),
                "datetime",
                hint=t(
                    "Waktu Indonesia Barat (WIB). Kosongkan bila sama dengan waktu diterima, "
                    "dan untuk surat, Kotak Pengaduan dan SP4N-LAPOR! (diambil dari tanggal di "
                    "atas)."
                ),
            ),
            Field(
                "received_at",
                t("Waktu diterima kantor"),
                "datetime",
                hint=t("Waktu Indonesia Barat (WIB)"),
            ),
        ]
    return out


def _consent_field(t: Translator, *, public: bool) -> Field:
    """Issue 14 item 7: the complainant's consent to a public Q&A, default no.

    Staff record it only as the complainant said it (over the counter, the phone, a letter).
    """
    if public:
        return Field(
            "qa_consent",
            t(
                "Saya setuju pertanyaan dan jawaban atas pengaduan ini diterbitkan tanpa "
                "identitas saya"
            ),
            "checkbox",
            hint=t(
                "Tidak wajib. Bila Anda setuju, petugas dapat menerbitkan pertanyaan dan jawaban "
                "yang telah dihapus nama dan data pribadinya di halaman Tanya Jawab. "
                "Persetujuan dapat Anda cabut kapan saja di halaman Lacak pengaduan."
            ),
        )
    return Field(
        "qa_consent",
        t("Pelapor setuju pertanyaan dan jawaban diterbitkan tanpa identitasnya"),
        "checkbox",
        hint=t("Centang hanya bila pelapor sendiri menyatakan setuju; bila ragu, biarkan kosong."),
    )


# The website a web complaint came from (seed §6 item 2 j, k), as the public form asks it.
WEBSITES: dict[str, tuple[Channel, str]] = {
    "dpmptsp": (Channel.WEB_DPMPTSP, N_("Situs DPMPTSP (www.dpmptsp.purwakartakab.go.id)")),
    "mpp": (Channel.WEB_MPP, N_("Situs MPP (www.mpp.purwakartakab.go.id)")),
}

# What staff intake records of each channel (seed §6 item 2; ``intake.CHANNEL_FACTS``):
# name, label, widget, hint, max length.
CHANNEL_FACT_FIELDS: list[tuple[str, str, str, str, int | None]] = [
    (
        "dropped_on",
        N_("Tanggal dimasukkan ke kotak"),
        "date",
        N_(
            "Kotak Pengaduan: hari surat dimasukkan, sejauh dapat diketahui (bukan hari kotak "
            "dibuka); batas 30 hari dihitung dari tanggal ini."
        ),
        None,
    ),
    ("letter_number", N_("Nomor surat"), "text", N_("Surat: nomor surat, bila ada."), 100),
    ("letter_date", N_("Tanggal surat"), "date", N_("Surat: tanggal surat."), None),
    (
        "postmarked_on",
        N_("Tanggal cap pos"),
        "date",
        N_(
            "Surat: bila ada cap pos, batas 30 hari dihitung dari tanggal cap pos, bila tidak "
            "dari tanggal surat."
        ),
        None,
    ),
    (
        "social_handle",
        N_("Akun pengirim"),
        "text",
        N_("Twitter/Instagram: akun yang mengirim pengaduan, mis. @nama."),
        100,
    ),
    ("lapor_id", N_("Nomor tiket LAPOR!"), "text", N_("SP4N-LAPOR!: nomor tiket."), 64),
    (
        "lapor_received_on",
        N_("Tanggal diterima LAPOR!"),
        "date",
        N_("SP4N-LAPOR!: hari LAPOR! menerima pengaduan; batas 30 hari dihitung dari sini."),
        None,
    ),
]


def parse_intake_form(
    form: FormData, *, public: bool, channel: str | None
) -> tuple[Values, Values]:
    """The ``SubmitCommand`` fields and the raw values to re-show the form with.

    On the public form the channel is the website it came from (``website``); a form without
    the field (from before it was asked) came from the DPMPTSP site.
    """
    values: Values = {
        k: str(v) for k, v in form.items() if k != "csrf_token" and isinstance(v, str)
    }  # files (issue 14 item 1) are not values to show again
    person: dict[str, Any] = {
        key: values[f"complainant.{key}"]
        for key in COMPLAINANT_FIELDS
        if values.get(f"complainant.{key}", "").strip()
    }
    person["confidential"] = public or "complainant.confidential" in form
    if public and "website" in values:
        site = WEBSITES.get(values["website"])
        channel = site[0].value if site else ""
    command: Values = {
        "channel": channel if channel is not None else values.get("channel", ""),
        "complainant": person,
        "subject": values.get("subject", ""),
        "description": values.get("description", ""),
        "service_pending": "service_pending" in form,
        "qa_consent": "qa_consent" in form,  # issue 14 item 7: unchecked is no
    }
    for key in ("service_code", "service_text", "licence_number"):
        if values.get(key, "").strip():
            command[key] = values[key].strip()
    for key in ("service_received_on", "applied_on"):
        if values.get(key, "").strip():
            command[key] = values[key].strip()
    if not public:
        command["channel_facts"] = {
            name: values[f"channel_facts.{name}"].strip()
            for name, *_ in CHANNEL_FACT_FIELDS
            if values.get(f"channel_facts.{name}", "").strip()
        }
    for key in ("complained_at", "received_at"):
        if not public and values.get(key, "").strip():
            command[key] = wib_datetime(values[key])
    return command, values


class FormProblems(Exception):
    """The form is shown again with these problems; nothing was written."""

    def __init__(self, state: FormState) -> None:
        super().__init__("form problems")
        self.state = state


def validate_public_form(
    fields: Values, values: Values, lang: str, known: Sequence[str]
) -> SubmitCommand:
    """The public form's ``SubmitCommand``, or ``FormProblems`` with every problem at once.

    Besides the command's own validation, the form asks of a person, who can still fix it:
    the website, one of the two (item 2 j, k); the description, since without it a complaint
    cannot be examined (item 5a-b); a way to reach a person who gives a name
    (``intake.check_reachable``); and the service's dates (``intake.check_service_dates``).
    Staff intake records what arrived instead.
    """
    from aduan.schemas.commands import SubmitCommand

    problems: list[InputError] = []
    said = {k: values.get(f"complainant.{k}") for k in COMPLAINANT_FIELDS}
    person = Complainant(
        said["name"],
        email=said["email"],
        phone=said["phone"],
        social=said["social"],
        address=said["address"],
    )
    checks: list[Callable[[], None]] = [
        lambda: _website(values),
        lambda: _description(values),
        lambda: check_reachable(person),
        lambda: check_service_dates(
            bool(values.get("service_received_on", "").strip()),
            "service_pending" in values,
            bool(values.get("applied_on", "").strip()),
        ),
    ]
    for check in checks:
        try:
            check()
        except InputError as exc:
            problems.append(exc)
    try:
        command = SubmitCommand.model_validate(fields)
    except ValidationError as exc:
        state = validation_state(exc, lang, values, known)
    else:
        if not problems:
            return command
        state = FormState(values=values)
    for problem in problems:
        shown = error_state(problem, lang, values, known)
        for name, text in shown.errors.items():
            state.errors.setdefault(name, text)
        state.general += shown.general
    raise FormProblems(state)


def _website(values: Values) -> None:
    if "website" in values and values["website"] not in WEBSITES:
        raise InputError(
            "website",
            "one_of",
            N_("pilih situs tempat Anda membuka formulir ini: DPMPTSP atau MPP"),
        )


def _description(values: Values) -> None:
    if not values.get("description", "").strip():
        raise InputError(
            "description",
            "required_public",
            N_(
                "wajib diisi: tanpa uraian masalahnya, pengaduan tidak dapat ditelaah dan hanya "
                "dapat dicatat sebagai saran"
            ),
        )


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
    "string_pattern_mismatch": N_("bentuknya tidak sesuai (lihat petunjuk isian)"),
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
