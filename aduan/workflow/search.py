"""What a staff search asks for (issue 14 item 2): the words typed, never an engine's syntax.

The words are read from the text as runs of letters and digits, folded (lower case, without
diacritics); everything else — quotes, brackets, ``*``, ``:``, ``-``, ``AND``/``OR`` as
operators — is a separator, so no search engine ever receives the user's operators. A search
with no letter or digit at all is refused with an error naming the field. A text that spells a
tracking code (any case, with or without dashes, with or without ``ADN``) also finds that case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aduan.workflow import intake
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_

MAX_WORDS = 12  # more words narrow a search no further in practice, and cost the engine
MAX_LENGTH = 200  # characters of the typed text
_WORD = re.compile(r"[^\W_]+")
_CODE_TEXT = re.compile(r"[A-Za-z0-9\s-]+")
_CODE_CHARS = frozenset("23456789ABCDEFGHJKMNPQRSTVWXYZ")  # intake's alphabet


def fold(text: str) -> str:
    """``text`` in lower case without diacritics (é → e), as both engines compare it."""
    if text.isascii():  # no diacritics to strip; casefold maps only A-Z in ASCII, as lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """A search as the engines receive it: folded words, and a tracking code it may spell."""

    text: str
    words: tuple[str, ...]
    code: str | None = None


def parse(text: str, field: str = "q") -> SearchTerms:
    """The terms of the typed ``text``; ``InputError`` on ``field`` when there are none."""
    typed = text.strip()
    if len(typed) > MAX_LENGTH:
        raise InputError(
            field,
            "max_length",
            N_("kata kunci paling banyak %(max)s karakter"),
            max=MAX_LENGTH,
        )
    found = tuple(dict.fromkeys(words(typed)))[:MAX_WORDS]
    if not found:
        raise InputError(
            field, "has_word", N_("kata kunci harus memuat setidaknya satu huruf atau angka")
        )
    return SearchTerms(typed, found, _code(typed))


def _code(typed: str) -> str | None:
    """The tracking code ``typed`` spells, if it may be one (``ADN-XXXXX-XXXXX``, any spelling).

    A ten-letter word shaped like a code is looked up too: the lookup is one indexed read and
    finds a case only when that code exists.
    """
    if not _CODE_TEXT.fullmatch(typed):
        return None
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) == 13 and cleaned.startswith("ADN"):
        cleaned = cleaned[3:]
    if len(cleaned) != 10 or not set(cleaned) <= _CODE_CHARS:
        return None
    return intake.normalise_tracking_code(cleaned)


# The fields of an action's record whose words are searched: the answer or notice sent, a
# reason, a step's outcome (the note is searched too; the rest are codes and dates).
LOGGED_FIELDS = ("text", "reason", "outcome")


def logged_texts(note: str, data: Mapping[str, Any]) -> list[str]:
    """The searchable texts of one audit entry: its note and its written fields."""
    found = [note] if note else []
    found += [v for k in LOGGED_FIELDS if isinstance(v := data.get(k), str) and v]
    return found
