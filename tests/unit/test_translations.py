"""The catalogs: every Indonesian text has its English, the compiled catalog matches its source,
and nothing in Indonesian shows an internal code or an English word."""

from __future__ import annotations

import ast
import gettext
import inspect
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from itertools import product
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from pydantic import BaseModel, Field, ValidationError

from aduan.escalation.calendar import CalendarRangeError
from aduan.locale import LANGUAGES, LOCALE_DIR
from aduan.notifications.planner import EVENTS
from aduan.notifications.templates import render
from aduan.reports import ikm, period
from aduan.web.i18n import FIELD_LABELS, Translator
from aduan.web.ui.forms import message_of, validation_state
from aduan.workflow import guards
from aduan.workflow.actions import PAYLOADS
from aduan.workflow.errors import (
    VERBATIM,
    AduanError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)
from aduan.workflow.states import ScreeningReason, Status
from aduan.workflow.table import Blocked
from tests.indonesian import ALIKE, ENUMS, leaks
from tests.unit.test_notify_templates import CONTEXT

ROOT = LOCALE_DIR.parents[1]
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "aduan.po"
MO = PO.with_suffix(".mo")


def _extracted(tmp_path: Path) -> set[str]:
    """Babel's extraction over the code and templates, as ``make translations`` runs it."""
    pot = tmp_path / "aduan.pot"
    config = str(ROOT / "babel.cfg")
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", config, "-k", "t", "-o", str(pot), str(ROOT)]
    )
    with pot.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def _english() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def test_the_english_catalog_has_every_extracted_message(tmp_path: Path) -> None:
    english = _english()

    missing = sorted(m for m in _extracted(tmp_path) if not english.get(m))

    assert not missing, f"run `make translations` and translate: {missing}"


def test_the_compiled_catalog_matches_its_source() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    stale = [m for m, text in _english().items() if compiled.gettext(m) != text]

    assert not stale, f"run `make translations` to compile the .mo: {stale}"


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_has_a_label_in_both_languages(enum: type[StrEnum], lang: str) -> None:
    t = Translator(lang)

    shown = {member.value: t.label(member) for member in enum}

    assert not [code for code, label in shown.items() if label == code and code not in ALIKE]


def test_every_action_form_field_has_a_label() -> None:
    names = {n for model in PAYLOADS.values() for n in model.model_fields}

    assert not sorted(n for n in names if not n.endswith("_context") and n not in FIELD_LABELS)


VARIANTS = [
    {"screening_reason": reason.value, "status": status.value, "deadline": deadline, "final": final}
    for reason, status, deadline, final in product(
        ScreeningReason, (Status.INTERNAL, Status.SUGGESTION), ("response", "stage"), (True, False)
    )
]


@pytest.mark.parametrize("event", EVENTS)
def test_indonesian_messages_show_no_code_and_no_english_word(event: str) -> None:
    for variant in VARIANTS:
        context = CONTEXT | variant | {"status_id": ""}
        message = render(event, "id", context)

        assert leaks(f"{message.subject}\n{message.short}\n{message.text}") == [], variant


@pytest.mark.parametrize("event", EVENTS)
def test_english_messages_come_from_the_catalog(event: str) -> None:
    indonesian = render(event, "id", CONTEXT)

    english = render(event, "en", CONTEXT)

    assert english.subject != indonesian.subject


# --- error messages: Indonesian msgids, English from the catalog ---------------------------


def _error_classes() -> dict[str, int]:
    """Each error class (and ``Blocked``) taking a message: the position of its message."""
    classes: list[type] = [Blocked]
    pending: list[type] = [AduanError]
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending.extend(cls.__subclasses__())
    positions = {}
    for cls in classes:
        names = [n for n in inspect.signature(cls).parameters if n != "facts"]
        if "message" in names:
            positions[cls.__name__] = names.index("message")
    return positions


def _error_calls() -> Iterator[tuple[str, ast.expr]]:
    """``(file:line, message argument)`` of every error built in ``aduan/``."""
    positions = _error_classes()
    for path in sorted((ROOT / "aduan").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            at = positions.get(str(name))
            if at is not None and at < len(node.args):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.args[at]


def _marked(message: ast.expr) -> list[str] | None:
    """The msgids of a message argument marked with ``N_``; None when a text is not marked."""
    if isinstance(message, ast.IfExp):
        body, orelse = _marked(message.body), _marked(message.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(message, ast.Call) and getattr(message.func, "id", None) == "N_":
        return [str(ast.literal_eval(message.args[0]))]
    if isinstance(message, ast.Name | ast.Attribute):
        return []  # forwarded: marked where it was written (a Blocked row, a helper's caller)
    return None


def test_every_error_message_is_a_marked_msgid_with_its_english() -> None:
    english = _english()
    calls = list(_error_calls())

    unmarked = [where for where, message in calls if _marked(message) is None]
    untranslated = [m for _, message in calls for m in _marked(message) or [] if not english.get(m)]

    assert len(calls) > 50
    assert not unmarked, f"wrap the message in N_() with %(name)s placeholders: {unmarked}"
    assert not untranslated, f"run `make translations` and translate: {untranslated}"


def _close_guard_error() -> AduanError:
    case = SimpleNamespace(ref="ADN-1", informed_at=None, reported_at=None)
    with pytest.raises(AduanError) as raised:
        guards.answer_and_report_done(SimpleNamespace(case=case))  # type: ignore[arg-type]
    return raised.value


def _raised(call: object, *args: object) -> AduanError:
    with pytest.raises(AduanError) as raised:
        call(*args)  # type: ignore[operator]
    return raised.value


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: NotFoundError("case", "ADN-1"),
            "case 'ADN-1' tidak ditemukan / case 'ADN-1' not found",
        ),
        (
            lambda: ConflictError("ADN-1", 3, None),
            "kasus ADN-1 sudah diubah orang lain (versi 3 → ?); muat ulang lalu coba lagi / "
            "case ADN-1 was changed by someone else (version 3 → ?); reload and try again",
        ),
        (
            lambda: ThrottledError("login", 61),
            "terlalu banyak percobaan (login); coba lagi dalam 2 menit / "
            "too many attempts (login); try again in 2 minute(s)",
        ),
        (
            lambda: PermissionDeniedError("ADN-1", "recorded", "close", "officer"),
            "peran 'officer' tidak berwenang melakukan 'close' pada status 'recorded' "
            "(kasus ADN-1) / role 'officer' may not take 'close' in status 'recorded' "
            "(case ADN-1)",
        ),
        (
            lambda: _raised(period.month, "2026-13"),
            "month: bulan YYYY-MM, bukan '2026-13' / month: month as YYYY-MM, not '2026-13'",
        ),
        (
            lambda: _raised(ikm.check_scores, [4] * 8 + [5]),
            "u9: Sarana dan prasarana: nilai 1-4, bukan 5 / u9: Facilities: a score of 1-4, not 5",
        ),
        (
            _close_guard_error,
            "kasus ADN-1: belum dapat ditutup: hasil belum disampaikan kepada pemohon; laporan "
            "kepada atasan langsung belum dibuat [close_requires_answer_and_report] / case "
            "ADN-1: cannot close yet: the complainant has not been informed of the result; the "
            "report to the direct superior has not been filed [close_requires_answer_and_report]",
        ),
        (
            lambda: CalendarRangeError(date(2031, 1, 2), date(2025, 1, 1), date(2030, 12, 31)),
            "date: tanggal 2031-01-02 di luar rentang kalender hari kerja 2025-01-01 s.d. "
            "2030-12-31 / date: date 2031-01-02 is outside the working-day calendar 2025-01-01 "
            "to 2030-12-31",
        ),
        (
            lambda: InputError("file", "readable_toml", VERBATIM, text="a.toml: 50% rusak"),
            "file: a.toml: 50% rusak",
        ),
    ],
)
def test_errors_read_as_they_always_did(make: object, expected: str) -> None:
    error = make()  # type: ignore[operator]

    assert str(error) == expected
    assert " / ".join(dict.fromkeys((error.message_id, error.message_en))) == expected


def test_a_missing_case_is_named_in_each_language_not_glued() -> None:
    error = NotFoundError("kasus/case", "ADN-1")

    assert Translator("id").error(error) == "kasus 'ADN-1' tidak ditemukan"
    assert Translator("en").error(error) == "case 'ADN-1' not found"
    assert str(error) == "kasus 'ADN-1' tidak ditemukan / case 'ADN-1' not found"


def test_the_page_shows_an_error_in_its_language() -> None:
    error = NotFoundError("kasus", "ADN-1")

    assert Translator("id").error(error) == "kasus 'ADN-1' tidak ditemukan"
    assert Translator("en").error(error) == "kasus 'ADN-1' not found"


class _Form(BaseModel):
    name: str = Field(max_length=3)
    count: int = Field(ge=1)


@pytest.mark.parametrize(
    ("lang", "name", "count", "required"),
    [
        # A page names the field by its label, never by its code.
        (
            "id",
            "terlalu panjang (paling banyak 3 karakter)",
            "paling kecil 1",
            "Catatan (jejak audit): wajib diisi",
        ),
        (
            "en",
            "is too long (at most 3 characters)",
            "must be at least 1",
            "Note (audit trail): is required",
        ),
    ],
)
def test_form_rules_read_as_they_always_did(
    lang: str, name: str, count: str, required: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        _Form.model_validate({"name": "abcd", "count": 0})
    missing = InputError("note", "missing", VERBATIM, text="Field required")

    state = validation_state(raised.value, lang, {}, ["name", "count"])

    assert state.errors == {"name": name, "count": count}
    assert message_of(missing, lang) == required
