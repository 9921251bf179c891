"""Message templates: Jinja2 files per event and language, with one block per message shape.

Each ``templates/<lang>/<event>.j2`` has three blocks: ``subject``, ``short`` (SMS and WhatsApp,
at most 160 characters) and ``text`` (the email's plain-text part, the in-app message and the
letter). The HTML part of an email and the printable letter wrap ``text``. Every message names
the tracking code, the status in words and, where there is one, the deadline in WIB.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from aduan.notifications.planner import LANGUAGES
from aduan.workflow.intake import WIB
from aduan.workflow.states import STATUS_LABELS, Outcome, ScreeningReason, Status

SMS_LIMIT = 160
TEMPLATE_DIR = Path(__file__).parent / "templates"

_REASONS = {
    ScreeningReason.LATE.value: (
        "diajukan lebih dari 30 hari setelah layanan diterima",
        "it came more than 30 days after the service",
    ),
    ScreeningReason.NO_IDENTITY.value: (
        "identitas pelapor tidak lengkap",
        "the complainant's identity is incomplete",
    ),
    ScreeningReason.NO_SUBJECT.value: (
        "pokok permasalahan tidak jelas",
        "the subject matter is missing",
    ),
}
_OUTCOMES = {
    Outcome.SUBSTANTIATED.value: ("terbukti", "substantiated"),
    Outcome.PARTLY.value: ("terbukti sebagian", "partly substantiated"),
    Outcome.NOT_SUBSTANTIATED.value: ("tidak terbukti", "not substantiated"),
}
_DEADLINES = {"response": ("jawaban", "response"), "stage": ("tahap", "stage")}
# Optional keys a template may test; every other key it uses must be in the context.
_OPTIONAL: dict[str, Any] = {
    "outcome": None,
    "final": False,
    "report_author_name": None,
    "screening_reason": None,
    "response_due_at": None,
    "stage_due_at": None,
}


class TemplateError(LookupError):
    """No template for an event in a language."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message in all its shapes."""

    subject: str
    short: str
    text: str

    @property
    def html(self) -> str:
        """The text as HTML paragraphs (the email's HTML part, the letter's body)."""
        paragraphs = [p for p in self.text.split("\n\n") if p.strip()]
        body = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>\n"
            for p in paragraphs
        )
        title = html.escape(self.subject)
        return (
            f'<!doctype html>\n<html lang="id"><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}</body></html>\n"
        )


def wib(value: str | datetime | None) -> str:
    """A stored UTC time as officers and complainants read it: ``20-03-2026 23:59 WIB``."""
    if value is None:
        return "-"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def _pick(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None or code not in table:
        return code or "-"
    return table[code][LANGUAGES.index(lang)]


def _status(code: str, lang: str) -> str:
    try:
        labels = STATUS_LABELS[Status(code)]
    except ValueError:
        return code
    return labels[LANGUAGES.index(lang)]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared, cached Jinja2 environment (text templates: no autoescape)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["wib"] = wib
    env.filters["reason"] = lambda code, lang: _pick(_REASONS, code, lang)
    env.filters["outcome"] = lambda code, lang: _pick(_OUTCOMES, code, lang)
    env.filters["deadline"] = lambda code, lang: _pick(_DEADLINES, code, lang)
    env.filters["status"] = _status
    return env


def render(event: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render an event's message in a language (``id`` or ``en``)."""
    if language not in LANGUAGES:
        raise TemplateError(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
    try:
        template = environment().get_template(f"{language}/{event}.j2")
    except TemplateNotFound:
        raise TemplateError(f"no template for event {event!r} in {language!r}") from None
    ctx = template.new_context(_OPTIONAL | context)
    blocks = {
        name: "".join(template.blocks[name](ctx)).strip() for name in ("subject", "short", "text")
    }
    short = " ".join(blocks["short"].split())
    if len(short) > SMS_LIMIT:
        short = short[: SMS_LIMIT - 1].rstrip() + "…"
    return Rendered(" ".join(blocks["subject"].split()), short, blocks["text"])
