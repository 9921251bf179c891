"""Labels instead of codes in the reports: each counted value in Bahasa Indonesia.

The statistics keep the codes (they are data: the JSON, the CSV); the dashboard, the recap and
the case export show these words. The texts are msgids (``N_``), the same as the UI's labels of
the same values (``aduan.web.i18n``), so one translation serves both.
"""

from __future__ import annotations

from collections.abc import Mapping

from aduan.escalation.answer import AnswerDeadline
from aduan.ports import NO_VALUE
from aduan.workflow.states import N_, PROBLEM_TYPE_LABELS, STATUS_NAMES

CHANNELS = {
    "officer": N_("Pejabat Pengelola Pengaduan"),
    "mpp_counter": N_("Loket Pengaduan MPP"),
    "letter": N_("Surat"),
    "phone": N_("Telepon"),
    "sms": N_("SMS"),
    "whatsapp": N_("WhatsApp"),
    "email": N_("Email"),
    "twitter": N_("Twitter"),
    "instagram": N_("Instagram"),
    "web_dpmptsp": N_("Web DPMPTSP"),
    "web_mpp": N_("Web MPP"),
    "form": N_("Formulir Pengaduan"),
    "box": N_("Kotak Pengaduan"),
    "lapor": N_("SP4N-LAPOR!"),
    "api": N_("API"),
}
TRACKS = {
    "internal": N_("Internal DPMPTSP"),
    "agency": N_("Tim Teknis/Perangkat Daerah"),
    "apip": N_("APIP"),
    NO_VALUE: N_("Belum ada jalur"),
}
OUTCOMES = {
    "substantiated": N_("Terbukti"),
    "partly_substantiated": N_("Terbukti sebagian"),
    "not_substantiated": N_("Tidak terbukti"),
    NO_VALUE: N_("Belum ada hasil"),
}
KINDS = {"complaint": N_("Pengaduan"), "suggestion": N_("Saran/masukan")}
SUGGESTION_REASONS = {
    "late": N_("lebih dari 30 hari setelah layanan"),
    "no_identity": N_("tanpa identitas"),
    "no_subject": N_("tanpa pokok pengaduan"),
    NO_VALUE: N_("disampaikan sebagai saran"),
}
STATUSES = {s.value: label for s, label in STATUS_NAMES.items()}
PROBLEM_TYPES = {p.value: label for p, label in PROBLEM_TYPE_LABELS.items()}
# What the answer deadline says about a complaint (``aduan.escalation.answer``).
STANDINGS = {
    AnswerDeadline.ON_TIME: N_("Tepat waktu"),
    AnswerDeadline.LATE: N_("Dijawab terlambat"),
    AnswerDeadline.OVERDUE_OPEN: N_("Belum dijawab, lewat tenggat"),
    AnswerDeadline.PENDING: N_("Belum jatuh tempo"),
    AnswerDeadline.ENDED_UNANSWERED: N_("Berakhir tanpa jawaban"),
    AnswerDeadline.NOT_APPLICABLE: N_("Tanpa tenggat (saran)"),
}
# A pending complaint whose answer clock stands still for the complainant's information (the
# queues' and the tracking page's words for it).
WAITING_FOR_INFO = N_("Menunggu informasi dari pelapor")


def services(names: Mapping[str, str]) -> dict[str, str]:
    """Service codes to ``code — title`` from the catalog; no service: said in words."""
    return {
        **{code: f"{code} {title}" for code, title in names.items()},
        NO_VALUE: N_("Tanpa layanan"),
    }


def label(labels: Mapping[str, str], code: str | None) -> str:
    """``code`` in words (the code itself when it has no label, e.g. a service since removed)."""
    key = NO_VALUE if code is None else code
    return labels.get(key, key)


def tier(level: int | None, track: str | None) -> str:
    """A 0-based tier as people count it: ``1`` is the first tier; nothing without a track."""
    return "" if track is None or level is None else str(level + 1)
