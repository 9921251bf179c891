"""The catalogs: every Indonesian text has its English, the compiled catalog matches its source,
and nothing in Indonesian shows an internal code or an English word."""

from __future__ import annotations

import gettext
from enum import StrEnum
from itertools import product
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from aduan.locale import LANGUAGES, LOCALE_DIR
from aduan.notifications.planner import EVENTS
from aduan.notifications.templates import render
from aduan.web.i18n import FIELD_LABELS, Translator
from aduan.workflow.actions import PAYLOADS
from aduan.workflow.states import ScreeningReason, Status
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
