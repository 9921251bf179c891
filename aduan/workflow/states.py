"""Vocabulary of the lifecycle: statuses, kinds, tracks, roles, actions, channels, problem types.

Every enum value is the stable string stored in the database and shown in the CLI/API; the
Indonesian label is what officers read (service standard, section 6). Labels are Bahasa Indonesia,
the msgids of the gettext catalogs in ``aduan/locale``: the domain only marks them for
extraction (``N_``); the edges translate them (``aduan.locale.translate``).
"""

from __future__ import annotations

from enum import StrEnum


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogs; translation happens at the edge."""
    return message


class Kind(StrEnum):
    """What a submission is after intake screening (seed §6 items 3 and 5b)."""

    COMPLAINT = "complaint"  # pengaduan
    SUGGESTION = "suggestion"  # saran / masukan


class ScreeningReason(StrEnum):
    """Why intake screening turned a submission into a suggestion."""

    LATE = "late"  # more than 30 calendar days after the service (item 3)
    NO_IDENTITY = "no_identity"  # no complainant identity (item 5b)
    NO_SUBJECT = "no_subject"  # no subject matter (item 5b)


class Status(StrEnum):
    """Where a case stands. The handling statuses encode the resolution track (item 7)."""

    RECORDED = "recorded"
    CLASSIFIED = "classified"
    REVIEWED = "reviewed"
    INTERNAL = "internal_handling"
    AGENCY = "agency_handling"
    APIP_PENDING = "apip_pending"
    APIP = "apip_handling"
    RESOLVED = "resolved"
    CLOSED = "closed"
    SUGGESTION = "suggestion"
    SUGGESTION_ACKNOWLEDGED = "suggestion_acknowledged"
    SUGGESTION_FORWARDED = "suggestion_forwarded"
    WITHDRAWN = "withdrawn"
    REFERRED = "referred"
    # Issue 14 item 4: a duplicate merged into its main case; the main's result reaches it.
    MERGED = "merged"


# A suggestion's own path (seed §6 items 3 and 5b): recorded, taken up by the complaint staff,
# classified by service and standard component, then forwarded to the yearly evaluation of the
# service standard — or, for a screening mistake, made the complaint it should have been. The
# ones still waiting for the complaint staff are the suggestion queue.
SUGGESTION_WORK: tuple[Status, ...] = (Status.SUGGESTION, Status.SUGGESTION_ACKNOWLEDGED)

OPEN_STATUSES: frozenset[Status] = frozenset(
    {
        Status.RECORDED,
        Status.CLASSIFIED,
        Status.REVIEWED,
        Status.INTERNAL,
        Status.AGENCY,
        Status.APIP_PENDING,
        Status.APIP,
        Status.RESOLVED,
    }
)


class Track(StrEnum):
    """The three resolution tracks of seed §6 item 7."""

    INTERNAL = "internal"  # a: inside DPMPTSP, up to the Head of Office
    AGENCY = "agency"  # b: Tim Teknis / Perangkat Daerah, up to the agency head
    APIP = "apip"  # c: Aparat Pengawas Intern Pemerintah, with the head's approval


class Role(StrEnum):
    """Who may act. The complainant acts without an account, by tracking code."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    HEAD = "head"
    AGENCY_OFFICER = "agency_officer"
    AGENCY_HEAD = "agency_head"
    APIP = "apip"
    ADMIN = "admin"
    SYSTEM = "system"
    COMPLAINANT = "complainant"


class Action(StrEnum):
    """Everything that can be done to a case after intake; each row of the table names one."""

    CLASSIFY = "classify"
    REVIEW = "review"
    RECORD_STEP = "record_step"
    ROUTE_INTERNAL = "route_internal"
    ROUTE_AGENCY = "route_agency"
    ESCALATE = "escalate"
    REQUEST_APIP = "request_apip"
    APPROVE_APIP = "approve_apip"
    REFUSE_APIP = "refuse_apip"
    RESPOND = "respond"
    RECORD_RESULT = "record_result"
    INFORM_COMPLAINANT = "inform_complainant"
    REPORT_TO_SUPERIOR = "report_to_superior"
    CLOSE = "close"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    UNDO_WITHDRAW = "undo_withdraw"
    REFER = "refer"
    ACCEPT_LATE = "accept_late"
    ACKNOWLEDGE_SUGGESTION = "acknowledge_suggestion"
    FORWARD_SUGGESTION = "forward_suggestion"
    CONVERT_SUGGESTION = "convert_suggestion"
    FILE_OVERDUE_REPORT = "file_overdue_report"
    OPEN_APIP = "open_apip"
    MARK_DUPLICATE = "mark_duplicate"
    UNDO_MERGE = "undo_merge"  # a merge found mistaken: the duplicate is handled on its own
    # Issue 14 item 5: the answer clock paused for missing information, and extended.
    REQUEST_INFO = "request_info"
    RECORD_INFO_REPLY = "record_info_reply"
    END_INFO_WAIT = "end_info_wait"
    EXTEND_DEADLINE = "extend_deadline"
    # Issue 14 item 7: a closed case's question and answer published as a public Q&A, with the
    # complainant's consent, which they may withdraw at any time.
    PUBLISH_QA = "publish_qa"
    UNPUBLISH_QA = "unpublish_qa"
    WITHDRAW_QA_CONSENT = "withdraw_qa_consent"


class Channel(StrEnum):
    """Intake channels: the 13 of seed §6 item 2 (a–m), plus SP4N-LAPOR! and the API."""

    OFFICER = "officer"  # a. Pejabat Pengelola Pengaduan
    MPP_COUNTER = "mpp_counter"  # b. Loket Pengaduan Mal Pelayanan Publik
    LETTER = "letter"  # c. Surat
    PHONE = "phone"  # d. Telepon
    SMS = "sms"  # e. SMS
    WHATSAPP = "whatsapp"  # f. WA
    EMAIL = "email"  # g. Email
    TWITTER = "twitter"  # h. Twitter
    INSTAGRAM = "instagram"  # i. Instagram
    WEB_DPMPTSP = "web_dpmptsp"  # j. Web DPMPTSP
    WEB_MPP = "web_mpp"  # k. Web MPP
    FORM = "form"  # l. Formulir Pengaduan
    BOX = "box"  # m. Kotak Pengaduan
    LAPOR = "lapor"  # forwarded by SP4N-LAPOR!
    API = "api"


class ProblemType(StrEnum):
    """Problem types by component of the service standard (seed §6 item 5c.2)."""

    REQUIREMENTS = "requirements"
    PROCEDURE = "procedure"
    COMPLETION_TIME = "completion_time"
    FEES = "fees"
    PRODUCT = "product"
    FACILITIES = "facilities"
    STAFF_COMPETENCE = "staff_competence"
    OTHER = "other"


PROBLEM_TYPE_LABELS: dict[ProblemType, str] = {
    ProblemType.REQUIREMENTS: N_("Persyaratan"),
    ProblemType.PROCEDURE: N_("Sistem, mekanisme, dan prosedur"),
    ProblemType.COMPLETION_TIME: N_("Jangka waktu penyelesaian"),
    ProblemType.FEES: N_("Biaya/tarif"),
    ProblemType.PRODUCT: N_("Produk pelayanan"),
    ProblemType.FACILITIES: N_("Sarana, prasarana, dan/atau fasilitas"),
    ProblemType.STAFF_COMPETENCE: N_("Kompetensi pelaksana"),
    ProblemType.OTHER: N_("Lainnya"),
}


class StepKind(StrEnum):
    """Handling-plan steps of the review (seed §6 item 6d)."""

    CLARIFICATION = "clarification"  # klarifikasi
    CONFIRMATION = "confirmation"  # konfirmasi
    EXAMINATION = "examination"  # penelitian atau pemeriksaan
    INVESTIGATION = "investigation"  # investigasi


class Outcome(StrEnum):
    """Finding of the follow-up."""

    SUBSTANTIATED = "substantiated"  # terbukti
    PARTLY = "partly_substantiated"  # terbukti sebagian
    NOT_SUBSTANTIATED = "not_substantiated"  # tidak terbukti


class ReplyChannel(StrEnum):
    """How an answer reached the complainant."""

    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"


class AnswerKind(StrEnum):
    """Whether a response to the complainant is the answer or an interim notice (item 4).

    Only the answer (jawaban) stops the 14-working-day clock; an interim notice ("tanggapan
    sementara": received, being handled) tells the complainant where things stand and does not.
    """

    ANSWER = "answer"
    INTERIM = "interim"


class ApipBasis(StrEnum):
    """The legal basis on which the inspectorate takes up a case without the head's approval.

    Seed §6 item 7c: APIP is involved "berdasarkan persetujuan Kepala DPMPTSP/Perangkat Daerah
    atau sesuai dengan peraturan perundang-undangan" — its own audit, or a referral from the
    Ombudsman or SP4N-LAPOR!.
    """

    OWN_AUDIT = "own_audit"
    OMBUDSMAN = "ombudsman"
    LAPOR = "lapor"


STATUS_NAMES: dict[Status, str] = {
    Status.RECORDED: N_("Dicatat"),
    Status.CLASSIFIED: N_("Diklasifikasi"),
    Status.REVIEWED: N_("Ditelaah"),
    Status.INTERNAL: N_("Ditindaklanjuti internal DPMPTSP"),
    Status.AGENCY: N_("Ditindaklanjuti Tim Teknis/Perangkat Daerah"),
    Status.APIP_PENDING: N_("Menunggu persetujuan pelibatan APIP"),
    Status.APIP: N_("Ditindaklanjuti APIP"),
    Status.RESOLVED: N_("Hasil tindak lanjut tersedia"),
    Status.CLOSED: N_("Selesai"),
    Status.SUGGESTION: N_("Dicatat sebagai saran/masukan"),
    Status.SUGGESTION_ACKNOWLEDGED: N_("Saran/masukan diterima petugas"),
    Status.SUGGESTION_FORWARDED: N_("Saran/masukan diteruskan ke evaluasi standar pelayanan"),
    # Who withdrew it (the complainant, or an officer, e.g. for a duplicate) is on the record
    # (``Case.withdrawal``) and in the public view, not in the status.
    Status.WITHDRAWN: N_("Dicabut"),
    Status.REFERRED: N_("Dilimpahkan ke instansi berwenang"),
    Status.MERGED: N_("Digabungkan dengan pengaduan yang sama"),
}
"""Each status in words (Bahasa Indonesia, a msgid): ``translate(STATUS_NAMES[s], lang)``."""
