"""Message templates: one Jinja2 file per event, translated through the gettext catalogs.

Each ``templates/<event>.j2`` has three blocks: ``subject``, ``short`` (SMS and WhatsApp, at
most 160 characters) and ``text`` (the email's plain-text part, the in-app message and the
letter). Its sentences are Bahasa Indonesia inside ``{% trans %}`` (the msgids of
``aduan/locale``); the language chosen (``ADUAN_NOTIFY_LANGUAGE``) picks the catalog. The HTML
part of an email and the printable letter wrap ``text``. Every message names the tracking code,
the status in words and, where there is one, the deadline in WIB.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from aduan.locale import translate, translations
from aduan.notifications.planner import LANGUAGES
from aduan.workflow.intake import WIB
from aduan.workflow.states import N_, STATUS_NAMES, Outcome, ScreeningReason, Status

SMS_LIMIT = 160
TEMPLATE_DIR = Path(__file__).parent / "templates"

_REASONS = {
    ScreeningReason.LATE.value: N_("diajukan lebih dari 30 hari setelah layanan diterima"),
    ScreeningReason.NO_IDENTITY.value: N_("identitas pelapor tidak lengkap"),
    ScreeningReason.NO_SUBJECT.value: N_("pokok permasalahan tidak jelas"),
}
_OUTCOMES = {
    Outcome.SUBSTANTIATED.value: N_("terbukti"),
    Outcome.PARTLY.value: N_("terbukti sebagian"),
    Outcome.NOT_SUBSTANTIATED.value: N_("tidak terbukti"),
}
_DEADLINES = {"response": N_("jawaban"), "stage": N_("tahap")}

# What each kind of message is called on the staff pages (the case page's notices, the failed
# deliveries page): one name per template in ``templates/`` (a test checks every one has one).
NOTICE_LABELS = {
    "acknowledged": N_("Tanda terima pengaduan"),
    "suggestion_recorded": N_("Pemberitahuan dicatat sebagai saran"),
    "answered": N_("Jawaban / hasil tindak lanjut"),
    "closed": N_("Pemberitahuan kasus ditutup"),
    "survey_invitation": N_("Undangan survei kepuasan"),
    "assigned": N_("Kasus untuk Anda"),
    "complainant_wrote": N_("Balasan dari pelapor"),
    "report_addressed": N_("Laporan tertulis"),
    "deadline_reminder": N_("Pengingat tenggat"),
    "deadline_breached": N_("Tenggat terlewati"),
    "apip_approval_requested": N_("Permintaan persetujuan APIP"),
    "late_acceptance_requested": N_("Pengaduan terlambat menunggu keputusan"),
    "referred": N_("Pemberitahuan pelimpahan ke instansi berwenang"),
    "withdrawn": N_("Pemberitahuan pencabutan pengaduan"),
    "info_requested": N_("Permintaan kelengkapan informasi"),
    "deadline_extended": N_("Pemberitahuan perpanjangan tenggat jawaban"),
    "merged": N_("Pemberitahuan penggabungan dengan pengaduan yang sama"),
    "merged_result": N_("Hasil tindak lanjut pengaduan yang digabungkan"),
    "unmerged": N_("Pemberitahuan pembatalan penggabungan"),
}
# The action a supervisor may take on a late complaint, named in words (never its code).
_ACCEPT_LATE = N_("Terima sebagai pengaduan")
# Optional keys a template may test; every other key it uses must be in the context.
_OPTIONAL: dict[str, Any] = {
    "outcome": None,
    "final": False,
    "report_author_name": None,
    "screening_reason": None,
    "response_due_at": None,
    "stage_due_at": None,
    "main_code": None,
    "summary": None,
    "corrective_actions": (),
    "question": "",  # info_requested (issue 14 item 5)
    "reply_by_email": False,  # info_requested: the complainant may answer by replying
    "resumed": False,  # complainant_wrote: the reply resumed the answer clock
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


def _pick(table: dict[str, str], code: str | None, lang: str) -> str:
    if code is None or code not in table:
        return code or "-"
    return translate(table[code], lang)


def status_text(context: dict[str, Any], lang: str) -> str:
    """The case's status in words: from its code, else the stored Indonesian label."""
    code = context.get("status")
    if code in set(Status):
        return translate(STATUS_NAMES[Status(code)], lang)
    return translate(str(context.get("status_id", code or "-")), lang)


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> Environment:
    """The cached Jinja2 environment of one language (text templates: no autoescape)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["wib"] = wib
    env.filters["reason"] = lambda code: _pick(_REASONS, code, language)
    env.filters["outcome"] = lambda code: _pick(_OUTCOMES, code, language)
    env.filters["deadline"] = lambda code: _pick(_DEADLINES, code, language)
    env.globals["accept_late_label"] = translate(_ACCEPT_LATE, language)
    return env


def render(event: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render an event's message in a language (``id`` or ``en``)."""
    if language not in LANGUAGES:
        raise TemplateError(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
    try:
        template = environment(language).get_template(f"{event}.j2")
    except TemplateNotFound:
        raise TemplateError(f"no template for event {event!r}") from None
    words = {"status_text": status_text(context, language)}
    ctx = template.new_context(_OPTIONAL | context | words)
    blocks = {
        name: "".join(template.blocks[name](ctx)).strip() for name in ("subject", "short", "text")
    }
    short = " ".join(blocks["short"].split())
    if len(short) > SMS_LIMIT:
        short = short[: SMS_LIMIT - 1].rstrip() + "…"
    return Rendered(" ".join(blocks["subject"].split()), short, blocks["text"])
