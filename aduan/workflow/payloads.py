"""What each action carries, validated: one pydantic model per action of the table.

Fields named ``*_context`` are filled by the service layer from the catalog, the organisation
chart or earlier records; the user never types them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from aduan.workflow.case import RelatedRecord, StandardLink, TierLevel
from aduan.workflow.errors import InputError
from aduan.workflow.states import (
    N_,
    AnswerKind,
    ApipBasis,
    Outcome,
    ProblemType,
    ReplyChannel,
    StepKind,
)

WIB_ZONE = ZoneInfo("Asia/Jakarta")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Payload(BaseModel):
    """Common to every action: an optional note for the audit trail."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    note: str = Field(default="", max_length=2_000, description="catatan untuk riwayat")


class ClassifyPayload(Payload):
    """Classify by service and problem type (seed §6 item 5c)."""

    service_code: ShortText = Field(description="kode layanan dari katalog")
    problem_types: list[ProblemType] = Field(
        min_length=1, description="jenis masalah (boleh berulang)"
    )


class PlanStepInput(BaseModel):
    """One planned handling step as typed by the officer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: StepKind
    party: ShortText
    description: str = ""
    outcome: str | None = None


class ReviewPayload(Payload):
    """The review worksheet (item 6); links and related records are found by the service."""

    core_problem: Text = Field(description="inti masalah")
    plan: list[PlanStepInput] = Field(
        min_length=1, description="langkah penanganan jenis:pihak[:uraian] (boleh berulang)"
    )
    extra_links: list[ShortText] = Field(
        default_factory=list, description="SP/SOP/peraturan tambahan"
    )
    links_context: list[StandardLink] = Field(default_factory=list)
    related_context: list[RelatedRecord] = Field(default_factory=list)


class RecordStepPayload(Payload):
    """Record the outcome of a planned step (1-based number)."""

    step: int = Field(ge=1, description="nomor langkah")
    outcome: Text = Field(description="hasil langkah")


class RoutePayload(Payload):
    """Put the case on the internal track; the chain comes from the organisation chart."""

    chain_context: list[TierLevel] = Field(default_factory=list)


class ApipApprovalPayload(RoutePayload):
    """Approve involving APIP: the case goes to the inspectorate's entry post (its chain)."""


class ApipByLawPayload(ApipApprovalPayload):
    """The inspectorate takes a case up on a legal basis, without the head's approval (item 7c)."""

    legal_basis: ApipBasis = Field(
        description="dasar hukum: audit sendiri, rujukan Ombudsman atau SP4N-LAPOR!"
    )
    reason: Text = Field(description="alasan")


class RouteAgencyPayload(RoutePayload):
    """Put the case on the agency / technical-team track of a named regional agency."""

    agency: ShortText = Field(description="kode perangkat daerah")


class EscalatePayload(Payload):
    """Move the case one tier up with a written report to the level above (item 7a/7b)."""

    report: Text = Field(description="laporan tertulis ke tingkat atas")


class OverdueReportPayload(Payload):
    """The written report a tier owes after the sweep moved the case past it (item 7a/7b)."""

    report: Text = Field(description="laporan tertulis ke tingkat atas")


class ReasonPayload(Payload):
    """An action whose reason must be written down."""

    reason: Text = Field(description="alasan")


class OptionalReasonPayload(Payload):
    """An action whose reason may be written down."""

    reason: str = Field(default="", max_length=2_000, description="alasan")


class ReferPayload(Payload):
    """Refer a case that is not this office's authority to the body that has it."""

    addressee: ShortText = Field(description="instansi tujuan")
    reason: Text = Field(description="alasan")
    # Item 8: the referral is reported to the referring officer's direct superior (the chart).
    superior_context: str | None = None


class DuplicatePayload(Payload):
    """Merge a duplicate into its main case (issue 14 item 4); the service finds the main."""

    main_code: ShortText = Field(description="kode pelacakan pengaduan utama")
    reason: Text = Field(description="alasan")
    main_context: int | None = None  # the main case's id, found by the service in sight
    # For the complainant's notice: the main's code if theirs too, the main's answer deadline.
    shown_code_context: str | None = None
    main_due_context: str | None = None


class UndoMergePayload(Payload):
    """Undo a merge found mistaken (issue 14 item 4), with the reason the complainant reads."""

    reason: Text = Field(description="alasan")
    merged_into_context: int | None = None  # the main case's id, for its timeline


class AnswerPayload(Payload):
    """An answer sent to the complainant (item 4 and item 8)."""

    channel: ReplyChannel = Field(description="saluran jawaban")
    text: Text = Field(description="isi jawaban")
    sent_at: AwareDatetime | None = Field(
        default=None, description="waktu jawaban dikirim (ISO; tanpa zona = WIB)"
    )


class RespondPayload(AnswerPayload):
    """A response to the complainant before the result: the answer, or an interim notice."""

    answer_kind: AnswerKind = Field(
        default=AnswerKind.ANSWER,
        description="jawaban (menghentikan tenggat 14 hari kerja) atau tanggapan sementara",
    )


class ResultPayload(Payload):
    """The result of the follow-up."""

    outcome: Outcome = Field(description="hasil tindak lanjut")
    summary: Text = Field(description="ringkasan hasil")
    corrective_actions: list[ShortText] = Field(
        default_factory=list, description="tindakan perbaikan (boleh berulang)"
    )


class SuperiorReportPayload(Payload):
    """The report to the direct superior (item 8); the addressee defaults from the chart."""

    text: Text = Field(description="isi laporan")
    addressee: ShortText | None = Field(default=None, description="tujuan laporan")


class InfoRequestPayload(Payload):
    """Ask the complainant for missing information: the answer clock stops (issue 14 item 5)."""

    question: Text = Field(description="pertanyaan kepada pelapor")


class InfoReplyPayload(Payload):
    """The complainant's reply to a request for information: the answer clock runs again."""

    reply: Text = Field(description="jawaban pelapor atas permintaan informasi")


class ExtensionPayload(Payload):
    """A later answer deadline, by date or by working days, with the reason the complainant reads.

    Exactly one of ``until`` and ``working_days``; the limits are checked against the case's
    deadline by ``aduan.escalation.pause.extension_days``.
    """

    until: date | None = Field(default=None, description="tenggat jawaban baru (YYYY-MM-DD)")
    working_days: int | None = Field(
        default=None, ge=1, description="tambahan hari kerja pada tenggat jawaban"
    )
    reason: Text = Field(description="alasan")


class PublishQaPayload(Payload):
    """A closed case's question and answer as a public Q&A entry (issue 14 item 7).

    The texts are written (or edited from the case's) by staff, without anything that names
    the complainant or anyone else; ``anonymised`` says they checked that, ``reason`` why the
    entry is worth publishing. ``service_code`` (optional) lists it under a service.
    """

    public_question: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4_000)
    ] = Field(description="pertanyaan yang diterbitkan, tanpa identitas")
    public_answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=8_000)
    ] = Field(description="jawaban yang diterbitkan, tanpa identitas")
    service_code: ShortText | None = Field(default=None, description="kode layanan (opsional)")
    reason: Text = Field(description="alasan penerbitan")
    anonymised: bool = Field(
        default=False,
        description="konfirmasi: nama, telepon, NIK, alamat dan data pribadi lain telah dihapus",
    )


# How far ahead of the server's clock a stated sending time may be (a phone's clock running fast).
CLOCK_SKEW = timedelta(minutes=5)


def sent_time(payload: AnswerPayload, now: datetime, received_at: datetime) -> datetime:
    """When an answer was sent: as stated, else now.

    A stated time must lie between the office's receipt of the complaint and now (item 4: the
    answer is counted from receipt): an answer dated before the complaint, or in 2030, was
    accepted and counted on time, and the statistics showed a median of -6 working days.
    """
    at = payload.sent_at or now
    if at < received_at or at > now + CLOCK_SKEW:
        raise InputError(
            "sent_at",
            "between_receipt_and_now",
            N_(
                "waktu kirim harus antara diterimanya pengaduan (%(received)s) dan sekarang "
                "[between_receipt_and_now]"
            ),
            received=received_at.astimezone(WIB_ZONE).strftime("%d/%m/%Y %H:%M WIB"),
        )
    return at
