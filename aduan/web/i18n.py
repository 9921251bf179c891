"""The UI's two languages: Bahasa Indonesia by default, English on request (``lang``).

A page picks the language from the ``lang`` query parameter, else the ``aduan_lang`` cookie,
else Indonesian; a ``lang`` parameter is remembered in the cookie. Texts are Bahasa Indonesia
msgids translated through the gettext catalogs in ``aduan/locale`` (templates call ``_()``,
Python code the ``Translator``); the labels of the domain's codes are below or in
``workflow.states`` so that no code ever reaches a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fastapi import Request

from aduan.escalation.deadlines import DeadlineKind
from aduan.locale import LANGUAGES, SOURCE_LANGUAGE, translate
from aduan.reports.period import MONTHS_EN, MONTHS_ID
from aduan.workflow.actions import ACTIONS
from aduan.workflow.errors import AduanError, InputError, RuleViolationError
from aduan.workflow.intake import WIB
from aduan.workflow.states import (
    N_,
    PROBLEM_TYPE_LABELS,
    STATUS_NAMES,
    Action,
    AnswerKind,
    ApipBasis,
    Channel,
    Kind,
    Outcome,
    ProblemType,
    ReplyChannel,
    Role,
    ScreeningReason,
    Status,
    StepKind,
    Track,
)

DEFAULT_LANGUAGE = SOURCE_LANGUAGE
LANG_COOKIE = "aduan_lang"

# Declared with each action (aduan.workflow.actions), translated here like every label.
ACTION_LABELS: dict[Action, str] = {a: spec.label for a, spec in ACTIONS.items()}

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.OFFICER: N_("Pejabat Pengelola Pengaduan"),
    Channel.MPP_COUNTER: N_("Loket Pengaduan MPP"),
    Channel.LETTER: N_("Surat"),
    Channel.PHONE: N_("Telepon"),
    Channel.SMS: N_("SMS"),
    Channel.WHATSAPP: N_("WhatsApp"),
    Channel.EMAIL: N_("Email"),
    Channel.TWITTER: N_("Twitter"),
    Channel.INSTAGRAM: N_("Instagram"),
    Channel.WEB_DPMPTSP: N_("Web DPMPTSP"),
    Channel.WEB_MPP: N_("Web MPP"),
    Channel.FORM: N_("Formulir Pengaduan"),
    Channel.BOX: N_("Kotak Pengaduan"),
    Channel.LAPOR: N_("SP4N-LAPOR!"),
    Channel.API: N_("API"),
}

_OTHER_LABELS: dict[type[StrEnum], dict[str, str]] = {
    StepKind: {
        "clarification": N_("Klarifikasi"),
        "confirmation": N_("Konfirmasi"),
        "examination": N_("Penelitian/pemeriksaan"),
        "investigation": N_("Investigasi"),
    },
    Outcome: {
        "substantiated": N_("Terbukti"),
        "partly_substantiated": N_("Terbukti sebagian"),
        "not_substantiated": N_("Tidak terbukti"),
    },
    AnswerKind: {
        "answer": N_("Jawaban (menghentikan tenggat 14 hari kerja)"),
        "interim": N_("Tanggapan sementara (tenggat tetap berjalan)"),
    },
    ApipBasis: {
        "own_audit": N_("Audit/pengawasan APIP sendiri"),
        "ombudsman": N_("Rujukan Ombudsman Republik Indonesia"),
        "lapor": N_("Rujukan SP4N-LAPOR!"),
    },
    ReplyChannel: {
        "email": N_("Email"),
        "sms": N_("SMS"),
        "whatsapp": N_("WhatsApp"),
        "phone": N_("Telepon"),
        "letter": N_("Surat"),
        "in_person": N_("Tatap muka"),
    },
    Kind: {
        "complaint": N_("Pengaduan"),
        "suggestion": N_("Saran/masukan"),
    },
    ScreeningReason: {
        "late": N_("lebih dari 30 hari setelah layanan"),
        "no_identity": N_("tanpa identitas"),
        "no_subject": N_("tanpa pokok pengaduan"),
    },
    Track: {
        "internal": N_("Internal DPMPTSP"),
        "agency": N_("Tim Teknis/Perangkat Daerah"),
        "apip": N_("APIP"),
    },
    Role: {
        "officer": N_("Petugas pengaduan"),
        "supervisor": N_("Atasan"),
        "head": N_("Kepala DPMPTSP"),
        "agency_officer": N_("Petugas Perangkat Daerah"),
        "agency_head": N_("Kepala Perangkat Daerah"),
        "apip": N_("APIP"),
        "admin": N_("Administrator"),
        "system": N_("Sistem"),
        "complainant": N_("Pelapor"),
    },
    DeadlineKind: {
        "response": N_("Tanggapan (14 hari kerja)"),
        "stage": N_("Tahap saat ini"),
        "info_wait": N_("Menunggu informasi dari pelapor"),
    },
}

# Values of different enums collide ("email" is a channel and a reply channel, "suggestion" a
# status and a kind), so labels are keyed by (enum class, value).
LABELS: dict[tuple[type[StrEnum], str], str] = {
    **{(Action, k.value): v for k, v in ACTION_LABELS.items()},
    **{(Channel, k.value): v for k, v in CHANNEL_LABELS.items()},
    **{(Status, k.value): v for k, v in STATUS_NAMES.items()},
    **{(ProblemType, k.value): v for k, v in PROBLEM_TYPE_LABELS.items()},
    **{(cls, value): text for cls, texts in _OTHER_LABELS.items() for value, text in texts.items()},
}

# The fields of the action forms, by payload field name (``forms.action_fields``).
FIELD_LABELS: dict[str, str] = {
    "addressee": N_("Ditujukan kepada"),
    "answer_kind": N_("Jenis tanggapan"),
    "agency": N_("Perangkat Daerah"),
    "channel": N_("Saluran"),
    "core_problem": N_("Pokok masalah"),
    "from": N_("Dari tanggal"),
    "month": N_("Bulan"),
    "periode": N_("Periode"),
    "quarter": N_("Triwulan"),
    "to": N_("Sampai tanggal"),
    "year": N_("Tahun"),
    "corrective_actions": N_("Tindakan perbaikan"),
    "extra_links": N_("Keterkaitan tambahan (SOP, peraturan)"),
    "handled_note": N_("Catatan tindak lanjut"),
    "legal_basis": N_("Dasar hukum"),
    "main_code": N_("Kode pelacakan pengaduan utama"),
    "note": N_("Catatan (jejak audit)"),
    "question": N_("Pertanyaan kepada pelapor"),
    # Issue 14 item 7: the public Q&A (publish_qa) and the complainant's consent to it.
    "public_question": N_("Pertanyaan yang diterbitkan"),
    "public_answer": N_("Jawaban yang diterbitkan"),
    "anonymised": N_("Identitas telah dihapus"),
    "qa_consent": N_("Persetujuan penerbitan tanya jawab"),
    "reply": N_("Jawaban pelapor"),
    "until": N_("Tenggat jawaban baru"),
    "working_days": N_("Tambahan hari kerja"),
    "outcome": N_("Hasil"),
    "plan": N_("Rencana penanganan"),
    "problem_types": N_("Jenis masalah"),
    "reason": N_("Alasan"),
    "report": N_("Laporan tertulis"),
    "sent_at": N_("Waktu dikirim"),
    "service_code": N_("Layanan"),
    "step": N_("Langkah"),
    "summary": N_("Ringkasan hasil"),
    "text": N_("Isi"),
}


# A day in words, as a letter writes it: "Jumat, 4 September 2026" / "Friday, 4 September 2026".
WEEKDAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": MONTHS_ID,
    "en": MONTHS_EN,
}


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts in one language: ``t("Teks %(n)s", n=1)``, ``t.label(enum)``, ``t.field(name)``."""

    lang: str

    def __call__(self, message: str, **values: object) -> str:
        """``message`` (Indonesian, a msgid) in this language, ``%(placeholders)s`` filled."""
        text = translate(message, self.lang)
        return text % values if values else text

    def label(self, value: StrEnum | str | None, enum: type[StrEnum] | None = None) -> str:
        """The label of an enum member, or of a stored value of ``enum``; else the value."""
        if value is None:
            return "—"
        cls = type(value) if isinstance(value, StrEnum) else enum
        found = LABELS.get((cls, str(value))) if cls else None
        return translate(found, self.lang) if found else str(value)

    def day(self, moment: datetime) -> str:
        """The WIB date of ``moment`` in words: ``Jumat, 4 September 2026`` in Indonesian."""
        on = moment.astimezone(WIB).date()
        lang = self.lang if self.lang in WEEKDAYS else DEFAULT_LANGUAGE
        return f"{WEEKDAYS[lang][on.weekday()]}, {on.day} {MONTHS[lang][on.month - 1]} {on.year}"

    def field(self, name: str) -> str:
        """The label of an action form's field ``name``; the name itself if it has none."""
        found = FIELD_LABELS.get(name)
        return translate(found, self.lang) if found else name

    def error(self, error: AduanError) -> str:
        """An error's message in this language, as a person reads it on a page.

        The field is named by its label and a rule's code is left out (both are for the API,
        the CLI and the logs); the message is its msgid translated with its facts filled in.
        """
        if isinstance(error, InputError):
            return f"{self.field(error.field)}: {AduanError.text(error, self.lang)}"
        if isinstance(error, RuleViolationError):
            return AduanError.text(error, self.lang)
        return error.text(self.lang)


def language_of(request: Request) -> str:
    """The language asked for by ``?lang=``, else remembered in the cookie, else Indonesian."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in LANGUAGES else DEFAULT_LANGUAGE
