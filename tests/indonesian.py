"""What may not reach an Indonesian page or message: an internal code or an English word.

Codes are the values of the domain's enums and the names of form fields; English words are
the words of the English catalog that no Indonesian text uses. Brand names and acronyms that
both languages write alike (WhatsApp, APIP, WIB) are allowed.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from aduan.escalation.deadlines import DeadlineKind
from aduan.workflow import states
from aduan.workflow.actions import PAYLOADS

PO = Path(states.__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "aduan.po"
ENUMS: tuple[type[StrEnum], ...] = (
    states.Status,
    states.Action,
    states.Role,
    states.Channel,
    states.ScreeningReason,
    states.Track,
    states.Kind,
    states.Outcome,
    states.StepKind,
    states.ReplyChannel,
    states.ProblemType,
    DeadlineKind,
)
# Written alike in Bahasa Indonesia: brands, acronyms and loanwords.
ALIKE = frozenset(
    {"email", "sms", "whatsapp", "twitter", "instagram", "api", "apip", "lapor", "status", "wib"}
    | {"internal"}
    | {"word"}  # Microsoft Word, a brand: the file types of evidence (issue 14 item 1)
)
TRACKING_CODE = re.compile(r"\bADN-[A-Z0-9]{5}-[A-Z0-9]{5}\b")
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)s", " ", text))}


@cache
def codes() -> frozenset[str]:
    """Every enum value and form-field name that must never be shown."""
    values = {member.value for enum in ENUMS for member in enum}
    fields = {name for model in PAYLOADS.values() for name in model.model_fields}
    return frozenset((values | fields) - ALIKE)


@cache
def english_words() -> frozenset[str]:
    """Words of the English catalog that no Indonesian msgid contains."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    english: set[str] = set()
    indonesian: set[str] = set()
    for message in catalog:
        if message.id:
            indonesian |= _words(str(message.id))
            english |= _words(str(message.string))
    return frozenset(w for w in english - indonesian - ALIKE if len(w) > 2)


def leaks(text: str) -> list[str]:
    """The codes and English words in ``text`` (tracking codes aside)."""
    found = set()
    for word in WORD.findall(TRACKING_CODE.sub(" ", text)):
        if word in codes() or word.lower() in codes() or word.lower() in english_words():
            found.add(word)
    return sorted(found)
