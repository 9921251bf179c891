"""The gettext catalogs: Bahasa Indonesia is the source text (the msgid), English a catalog.

``aduan.pot`` is extracted from the code and the templates by Babel (``make translations``);
``en/LC_MESSAGES/aduan.po`` holds the English and its compiled ``aduan.mo`` is committed beside
it, so a wheel ships ready catalogs and the runtime needs only the standard library's
``gettext``. ``tests/unit/test_translations.py`` fails when the ``.po`` misses a message or the
``.mo`` is older than the ``.po``. Indonesian needs no catalog: its msgids are its texts.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "aduan"
LOCALE_DIR = Path(__file__).parent
LANGUAGES = ("id", "en")
SOURCE_LANGUAGE = "id"


class UnknownLanguageError(LookupError):
    """A language with no catalog was asked for."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        super().__init__(f"language {lang!r}: choose one of {', '.join(LANGUAGES)}")


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang``; Indonesian, the source language, translates to itself."""
    if lang not in LANGUAGES:
        raise UnknownLanguageError(lang)
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def translate(message: str, lang: str) -> str:
    """``message`` (Indonesian, a msgid) in ``lang``; itself when the catalog lacks it."""
    return translations(lang).gettext(message)
