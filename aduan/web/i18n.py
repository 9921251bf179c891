"""The UI's two languages: Bahasa Indonesia by default, English on request (``lang``).

A page picks the language from the ``lang`` query parameter, else the ``aduan_lang`` cookie,
else Indonesian; a ``lang`` parameter is remembered in the cookie. Each text is a pair
(Indonesian, English); domain labels come from the vocabulary in ``workflow.states``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request

from aduan.escalation.deadlines import DeadlineKind
from aduan.workflow.states import (
    PROBLEM_TYPE_LABELS,
    STATUS_LABELS,
    Action,
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

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANG_COOKIE = "aduan_lang"

Pair = tuple[str, str]

ACTION_LABELS: dict[Action, Pair] = {
    Action.CLASSIFY: ("Klasifikasi", "Classify"),
    Action.REVIEW: ("Telaah (lembar penelaahan)", "Review (worksheet)"),
    Action.RECORD_STEP: ("Catat hasil langkah penanganan", "Record a handling step"),
    Action.ROUTE_INTERNAL: ("Tindak lanjut internal DPMPTSP", "Handle inside the office"),
    Action.ROUTE_AGENCY: ("Teruskan ke Tim Teknis/Perangkat Daerah", "Route to a regional agency"),
    Action.ESCALATE: ("Naikkan ke tingkat atas (laporan tertulis)", "Escalate with a report"),
    Action.REQUEST_APIP: ("Ajukan pelibatan APIP", "Request APIP involvement"),
    Action.APPROVE_APIP: ("Setujui pelibatan APIP", "Approve APIP involvement"),
    Action.REFUSE_APIP: ("Tolak pelibatan APIP", "Refuse APIP involvement"),
    Action.RESPOND: ("Tanggapi pelapor", "Respond to the complainant"),
    Action.RECORD_RESULT: ("Catat hasil tindak lanjut", "Record the result"),
    Action.INFORM_COMPLAINANT: ("Sampaikan hasil kepada pelapor", "Inform the complainant"),
    Action.REPORT_TO_SUPERIOR: ("Laporkan kepada atasan langsung", "Report to the superior"),
    Action.CLOSE: ("Tutup kasus", "Close the case"),
    Action.REOPEN: ("Buka kembali (keberatan)", "Reopen (dispute)"),
    Action.WITHDRAW: ("Cabut pengaduan", "Withdraw"),
    Action.REFER: ("Limpahkan ke instansi berwenang", "Refer to the competent body"),
    Action.ACCEPT_LATE: ("Terima sebagai pengaduan", "Accept as a complaint"),
}

CHANNEL_LABELS: dict[Channel, Pair] = {
    Channel.OFFICER: ("Pejabat Pengelola Pengaduan", "Complaint officer in person"),
    Channel.MPP_COUNTER: ("Loket Pengaduan MPP", "Complaint counter at the MPP"),
    Channel.LETTER: ("Surat", "Letter"),
    Channel.PHONE: ("Telepon", "Phone"),
    Channel.SMS: ("SMS", "SMS"),
    Channel.WHATSAPP: ("WhatsApp", "WhatsApp"),
    Channel.EMAIL: ("Email", "Email"),
    Channel.TWITTER: ("Twitter", "Twitter"),
    Channel.INSTAGRAM: ("Instagram", "Instagram"),
    Channel.WEB_DPMPTSP: ("Web DPMPTSP", "DPMPTSP website"),
    Channel.WEB_MPP: ("Web MPP", "MPP website"),
    Channel.FORM: ("Formulir Pengaduan", "Complaint form"),
    Channel.BOX: ("Kotak Pengaduan", "Complaint box"),
    Channel.LAPOR: ("SP4N-LAPOR!", "SP4N-LAPOR!"),
    Channel.API: ("API", "API"),
}

PROBLEM_EN: dict[ProblemType, str] = {
    ProblemType.REQUIREMENTS: "Requirements",
    ProblemType.PROCEDURE: "System, mechanism and procedure",
    ProblemType.COMPLETION_TIME: "Completion time",
    ProblemType.FEES: "Fees/tariff",
    ProblemType.PRODUCT: "Service product",
    ProblemType.FACILITIES: "Facilities",
    ProblemType.STAFF_COMPETENCE: "Staff competence",
    ProblemType.OTHER: "Other",
}

_OTHER_LABELS: dict[type[StrEnum], dict[str, Pair]] = {
    StepKind: {
        "clarification": ("Klarifikasi", "Clarification"),
        "confirmation": ("Konfirmasi", "Confirmation"),
        "examination": ("Penelitian/pemeriksaan", "Examination"),
        "investigation": ("Investigasi", "Investigation"),
    },
    Outcome: {
        "substantiated": ("Terbukti", "Substantiated"),
        "partly_substantiated": ("Terbukti sebagian", "Partly substantiated"),
        "not_substantiated": ("Tidak terbukti", "Not substantiated"),
    },
    ReplyChannel: {
        "email": ("Email", "Email"),
        "sms": ("SMS", "SMS"),
        "whatsapp": ("WhatsApp", "WhatsApp"),
        "phone": ("Telepon", "Phone"),
        "letter": ("Surat", "Letter"),
        "in_person": ("Tatap muka", "In person"),
    },
    Kind: {
        "complaint": ("Pengaduan", "Complaint"),
        "suggestion": ("Saran/masukan", "Suggestion"),
    },
    ScreeningReason: {
        "late": ("lebih dari 30 hari setelah layanan", "over 30 days after the service"),
        "no_identity": ("tanpa identitas", "no identity"),
        "no_subject": ("tanpa pokok pengaduan", "no subject matter"),
    },
    Track: {
        "internal": ("Internal DPMPTSP", "Inside the office"),
        "agency": ("Tim Teknis/Perangkat Daerah", "Regional agency"),
        "apip": ("APIP", "APIP"),
    },
    Role: {
        "officer": ("Petugas pengaduan", "Complaint officer"),
        "supervisor": ("Atasan", "Supervisor"),
        "head": ("Kepala DPMPTSP", "Head of Office"),
        "agency_officer": ("Petugas Perangkat Daerah", "Agency officer"),
        "agency_head": ("Kepala Perangkat Daerah", "Agency head"),
        "apip": ("APIP", "APIP"),
        "admin": ("Administrator", "Administrator"),
        "system": ("Sistem", "System"),
        "complainant": ("Pelapor", "Complainant"),
    },
    DeadlineKind: {
        "response": ("Tanggapan (14 hari kerja)", "Response (14 working days)"),
        "stage": ("Tahap saat ini", "Current stage"),
    },
}

# Values of different enums collide ("email" is a channel and a reply channel, "suggestion" a
# status and a kind), so labels are keyed by (enum class, value).
LABELS: dict[tuple[type[StrEnum], str], Pair] = {
    **{(Action, k.value): v for k, v in ACTION_LABELS.items()},
    **{(Channel, k.value): v for k, v in CHANNEL_LABELS.items()},
    **{(Status, k.value): v for k, v in STATUS_LABELS.items()},
    **{(ProblemType, p.value): (PROBLEM_TYPE_LABELS[p], PROBLEM_EN[p]) for p in ProblemType},
    **{(cls, value): pair for cls, pairs in _OTHER_LABELS.items() for value, pair in pairs.items()},
}

TEXTS: dict[str, Pair] = {
    "app": ("Aduan DPMPTSP", "Aduan DPMPTSP"),
    "skip": ("Langsung ke isi", "Skip to content"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "my_queue": ("Antrean saya", "My queue"),
    "new_case": ("Catat pengaduan", "Record a complaint"),
    "supervisor": ("Meja atasan", "Supervisor's desk"),
    "approvals": ("Persetujuan APIP", "APIP approvals"),
    "overdue": ("Lewat tenggat", "Overdue"),
    "inbox": ("Kotak masuk", "Inbox"),
    "inbox_n": ("Kotak masuk ({n})", "Inbox ({n})"),
    "unread_n": ("{n} belum dibaca", "{n} unread"),
    "show_all": ("Tampilkan semua", "Show all"),
    "show_unread": ("Hanya yang belum dibaca", "Unread only"),
    "mark_read": ("Tandai sudah dibaca", "Mark read"),
    "mark_all_read": ("Tandai semua sudah dibaca", "Mark all read"),
    "no_messages": ("Tidak ada pesan.", "No messages."),
    "new": ("Baru", "New"),
    "public_intake": ("Sampaikan pengaduan", "Submit a complaint"),
    "track": ("Lacak pengaduan", "Track a complaint"),
    "language": ("Bahasa", "Language"),
    "main_nav": ("Navigasi utama", "Main navigation"),
    "code": ("Kode pelacakan", "Tracking code"),
    "subject": ("Pokok pengaduan", "Subject"),
    "status": ("Status", "Status"),
    "deadline": ("Tenggat", "Deadline"),
    "days_left": ("hari kerja lagi", "working days left"),
    "late_by": ("terlambat {n} hari kerja", "late by {n} working days"),
    "due_today": ("jatuh tempo hari ini", "due today"),
    "no_deadline": ("tanpa tenggat", "no deadline"),
    "received": ("Diterima", "Received"),
    "holder": ("Pemegang", "Held by"),
    "empty": ("Tidak ada kasus.", "No cases."),
    "open": ("Buka", "Open"),
    "saved": ("Tersimpan: {what}", "Saved: {what}"),
    "not_done": (
        "Belum tersimpan: {what} — lihat pesan pada formulirnya",
        "Not saved: {what} — see the message on its form",
    ),
    "errors_below": ("Periksa isian yang ditandai di bawah.", "Check the marked fields below."),
    "stale": (
        "Kasus ini sudah diubah orang lain sejak Anda membukanya. Halaman telah dimuat ulang; "
        "periksa perubahan lalu kirim lagi.",
        "Someone else changed this case since you opened it. The page has been reloaded; "
        "check the changes and submit again.",
    ),
    "submit": ("Kirim", "Submit"),
    "case": ("Kasus", "Case"),
    "complainant": ("Pelapor", "Complainant"),
    "masked": ("Identitas dirahasiakan", "Identity masked"),
    "confidential": ("Rahasiakan identitas", "Keep the identity confidential"),
    "name": ("Nama", "Name"),
    "email": ("Email", "Email"),
    "phone": ("Telepon", "Phone"),
    "social": ("Media sosial", "Social media"),
    "address": ("Alamat", "Address"),
    "description": ("Uraian", "Description"),
    "channel": ("Saluran", "Channel"),
    "service": ("Layanan", "Service"),
    "service_text": ("Layanan (bila tidak ada di katalog)", "Service (if not in the catalog)"),
    "licence": ("Nomor izin/berkas", "Licence or file number"),
    "service_received_on": ("Tanggal menerima layanan", "Date the service was received"),
    "complained_at": ("Waktu pengaduan disampaikan", "When the complaint was made"),
    "received_at": ("Waktu diterima kantor", "When the office received it"),
    "wib_hint": ("Waktu Indonesia Barat (WIB)", "Western Indonesia Time (WIB)"),
    "optional": ("opsional", "optional"),
    "required": ("wajib", "required"),
    "details": ("Rincian", "Details"),
    "deadlines": ("Tenggat waktu", "Deadlines"),
    "worksheet": ("Lembar penelaahan", "Review worksheet"),
    "core_problem": ("Pokok masalah", "Core problem"),
    "links": ("Keterkaitan dengan standar pelayanan", "Links to the service standard"),
    "related": ("Catatan terkait", "Related records"),
    "plan": ("Rencana penanganan", "Handling plan"),
    "chain": ("Jenjang penyelesaian", "Resolution chain"),
    "reports": ("Laporan tertulis", "Written reports"),
    "timeline": ("Riwayat", "Timeline"),
    "actions": ("Tindakan yang dapat Anda lakukan", "What you can do now"),
    "no_actions": ("Tidak ada tindakan untuk peran Anda.", "No action for your role."),
    "track_kind": ("Jalur", "Track"),
    "tier_now": ("tingkat saat ini", "current tier"),
    "result": ("Hasil tindak lanjut", "Result"),
    "answered": ("Ditanggapi", "Answered"),
    "informed": ("Hasil disampaikan", "Informed"),
    "reported": ("Dilaporkan ke atasan", "Reported"),
    "closed": ("Ditutup", "Closed"),
    "from_to": ("dari {a} kepada {b}", "from {a} to {b}"),
    "escalations": ("Kasus yang dinaikkan kepada Anda", "Cases escalated to you"),
    "reports_to_me": ("Laporan tertulis kepada Anda", "Written reports to you"),
    "late_requests": (
        "Pengaduan terlambat (dapat diterima sebagai pengaduan)",
        "Late complaints (may be accepted as complaints)",
    ),
    "none": ("Tidak ada.", "None."),
    "tracking_intro": (
        "Masukkan kode pelacakan yang Anda terima saat menyampaikan pengaduan.",
        "Enter the tracking code you received when you submitted the complaint.",
    ),
    "thanks": ("Pengaduan Anda telah diterima.", "Your complaint has been received."),
    "keep_code": (
        "Simpan kode pelacakan ini untuk mengikuti perkembangan pengaduan Anda:",
        "Keep this tracking code to follow your complaint:",
    ),
    "history": ("Perkembangan", "Progress"),
    "answer": ("Jawaban", "Answer"),
    "not_found": ("Tidak ditemukan", "Not found"),
    "page_not_found": ("Halaman tidak ditemukan.", "Page not found."),
    "login_failed": ("Gagal masuk", "Login failed"),
    "form_expired": (
        "Formulir kedaluwarsa atau tidak sah; muat ulang halaman lalu coba lagi.",
        "The form expired or is not valid; reload the page and try again.",
    ),
    "too_many": (
        "Terlalu banyak pengiriman dari alamat Anda; coba lagi nanti.",
        "Too many submissions from your address; try again later.",
    ),
    "welcome": ("Layanan pengaduan DPMPTSP", "DPMPTSP complaint service"),
    "staff": ("Petugas", "Staff"),
    "step": ("Langkah", "Step"),
    "kind": ("Jenis", "Kind"),
    "party": ("Pihak", "Party"),
    "outcome": ("Hasil", "Outcome"),
    "plan_hint": (
        "Isi satu baris per langkah; baris kosong diabaikan.",
        "One row per step; empty rows are ignored.",
    ),
    "lines_hint": ("Satu butir per baris.", "One item per line."),
    "choose": ("— pilih —", "— choose —"),
    "signed_in_as": ("Masuk sebagai", "Signed in as"),
    "note": ("Catatan (jejak audit)", "Note (audit trail)"),
    "report": ("Laporan tertulis", "Written report"),
    "reason": ("Alasan", "Reason"),
    "text": ("Isi", "Text"),
    "sent_at": ("Waktu dikirim", "Sent at"),
    "summary": ("Ringkasan hasil", "Summary of the result"),
    "corrective_actions": ("Tindakan perbaikan", "Corrective actions"),
    "agency": ("Perangkat Daerah", "Regional agency"),
    "addressee": ("Ditujukan kepada", "Addressed to"),
    "service_code": ("Layanan", "Service"),
    "problem_types": ("Jenis masalah", "Problem types"),
    "extra_links": ("Keterkaitan tambahan (SOP, peraturan)", "Further links (SOP, regulations)"),
    "public_note": (
        "Identitas Anda dirahasiakan. Tanpa nama dan kontak, pengaduan dicatat sebagai saran.",
        "Your identity is kept confidential. Without a name and a contact, a complaint is "
        "recorded as a suggestion.",
    ),
    "by": ("oleh", "by"),
}


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts in one language; templates call it as ``t("key")`` and ``t.label(enum)``."""

    lang: str

    @property
    def index(self) -> int:
        """0 for Indonesian, 1 for English."""
        return 1 if self.lang == "en" else 0

    def __call__(self, key: str, **values: object) -> str:
        """The text ``key`` with ``{placeholders}`` filled."""
        pair = TEXTS.get(key)
        text = pair[self.index] if pair else key
        return text.format(**values) if values else text

    def pair(self, pair: Pair) -> str:
        """One side of an (Indonesian, English) pair."""
        return pair[self.index]

    def label(self, value: StrEnum | str | None, enum: type[StrEnum] | None = None) -> str:
        """The label of an enum member, or of a stored value of ``enum``; else the value."""
        if value is None:
            return "—"
        cls = type(value) if isinstance(value, StrEnum) else enum
        found = LABELS.get((cls, str(value))) if cls else None
        return found[self.index] if found else str(value)


def language_of(request: Request) -> str:
    """The language asked for by ``?lang=``, else remembered in the cookie, else Indonesian."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in LANGUAGES else DEFAULT_LANGUAGE


def error_text(lang: str, message_id: str, message_en: str) -> str:
    """A bilingual error message in the page's language."""
    return message_en if lang == "en" else message_id
