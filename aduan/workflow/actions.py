"""One declaration per action: everything an action needs, found from one place.

``ACTIONS`` holds, for every action of the procedure, its payload model (what it carries,
validated; the UI's form and the ``aduan act`` options are generated from it), its effect (what
it changes on the case), the domain event it records (which the notification planner reacts to),
its label (Bahasa Indonesia; English comes from the translation catalog) and the notices it may
give rise to. Its rule rows — from which statuses, for which roles, under which guards — are
the rows of the transition table (``aduan.workflow.table.RULES``) naming it.

``tests/unit/test_action_declarations.py`` fails when an action lacks any part: a declaration,
a rule row, a label, a reaction of the planner for the notices it declares, a CLI option for a
field of its payload, or a filler in the service for a field the service supplies.

Adding an action: add it to ``Action`` (``states.py``), its rows to ``RULES``, a payload model
(``payloads.py``) if it carries more than a note, an effect (``effects.py``), an event class
(``events.py``) and one ``ActionSpec`` below; then the hand-written role-matrix test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aduan.workflow import effects as fx
from aduan.workflow import events as ev
from aduan.workflow import payloads as pl
from aduan.workflow import publication as pub
from aduan.workflow.effects import Effect
from aduan.workflow.states import N_, Action


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What one action carries, changes, records and announces."""

    action: Action
    payload: type[pl.Payload]
    effect: Effect
    event: type[ev.ActionTaken]
    label: str  # Bahasa Indonesia, the msgid of the translation catalog
    # Notice kinds (``aduan.notifications.planner.EVENTS``) the planner may send for it, besides
    # the ones every action may cause: "assigned" (a new holder) and "report_addressed".
    notices: frozenset[str] = frozenset()


def _spec(
    action: Action,
    payload: type[pl.Payload],
    effect: Effect,
    event: type[ev.ActionTaken],
    label: str,
    *notices: str,
) -> ActionSpec:
    return ActionSpec(action, payload, effect, event, label, frozenset(notices))


A = Action
ACTIONS: Mapping[Action, ActionSpec] = {
    s.action: s
    for s in (
        _spec(A.CLASSIFY, pl.ClassifyPayload, fx.classify, ev.CaseClassified, N_("Klasifikasi")),
        _spec(
            A.REVIEW,
            pl.ReviewPayload,
            fx.review,
            ev.CaseReviewed,
            N_("Telaah (lembar penelaahan)"),
        ),
        _spec(
            A.RECORD_STEP,
            pl.RecordStepPayload,
            fx.record_step,
            ev.HandlingStepRecorded,
            N_("Catat hasil langkah penanganan"),
        ),
        _spec(
            A.ROUTE_INTERNAL,
            pl.RoutePayload,
            fx.route_internal,
            ev.RoutedInternally,
            N_("Tindak lanjut internal DPMPTSP"),
        ),
        _spec(
            A.ROUTE_AGENCY,
            pl.RouteAgencyPayload,
            fx.route_agency,
            ev.RoutedToAgency,
            N_("Teruskan ke Tim Teknis/Perangkat Daerah"),
        ),
        _spec(
            A.ESCALATE,
            pl.EscalatePayload,
            fx.escalate,
            ev.CaseEscalated,
            N_("Naikkan ke tingkat atas (laporan tertulis)"),
        ),
        _spec(
            A.REQUEST_APIP,
            pl.ReasonPayload,
            fx.request_apip,
            ev.ApipRequested,
            N_("Ajukan pelibatan APIP"),
            "apip_approval_requested",
        ),
        _spec(
            A.APPROVE_APIP,
            pl.ApipApprovalPayload,
            fx.approve_apip,
            ev.ApipApproved,
            N_("Setujui pelibatan APIP"),
        ),
        _spec(
            A.OPEN_APIP,
            pl.ApipByLawPayload,
            fx.open_apip,
            ev.ApipOpenedByLaw,
            N_("Tangani oleh APIP sesuai peraturan perundang-undangan"),
        ),
        _spec(
            A.FILE_OVERDUE_REPORT,
            pl.OverdueReportPayload,
            fx.file_overdue_report,
            ev.OverdueReportFiled,
            N_("Buat laporan tertulis yang belum dibuat"),
        ),
        _spec(
            A.REFUSE_APIP,
            pl.ReasonPayload,
            fx.refuse_apip,
            ev.ApipRefused,
            N_("Tolak pelibatan APIP"),
        ),
        _spec(
            A.RESPOND,
            pl.RespondPayload,
            fx.respond,
            ev.ComplainantAnswered,
            N_("Tanggapi pelapor"),
            "answered",
        ),
        _spec(
            A.RECORD_RESULT,
            pl.ResultPayload,
            fx.record_result,
            ev.ResultRecorded,
            N_("Catat hasil tindak lanjut"),
        ),
        _spec(
            A.INFORM_COMPLAINANT,
            pl.AnswerPayload,
            fx.inform_complainant,
            ev.ComplainantInformed,
            N_("Sampaikan hasil kepada pelapor"),
            "answered",
        ),
        _spec(
            A.REPORT_TO_SUPERIOR,
            pl.SuperiorReportPayload,
            fx.report_to_superior,
            ev.SuperiorReported,
            N_("Laporkan kepada atasan langsung"),
        ),
        _spec(A.CLOSE, pl.Payload, fx.close, ev.CaseClosed, N_("Tutup kasus"), "closed"),
        _spec(
            A.REOPEN,
            pl.ReasonPayload,
            fx.reopen,
            ev.CaseReopened,
            N_("Buka kembali (keberatan)"),
        ),
        _spec(
            A.WITHDRAW,
            pl.ReasonPayload,
            fx.withdraw,
            ev.CaseWithdrawn,
            N_("Cabut pengaduan"),
            "withdrawn",
        ),
        _spec(
            A.UNDO_WITHDRAW,
            pl.OptionalReasonPayload,
            fx.undo_withdraw,
            ev.WithdrawalUndone,
            N_("Batalkan pencabutan"),
        ),
        _spec(
            A.REFER,
            pl.ReferPayload,
            fx.refer,
            ev.CaseReferred,
            N_("Limpahkan ke instansi berwenang"),
            "referred",
        ),
        _spec(
            A.MARK_DUPLICATE,
            pl.DuplicatePayload,
            fx.mark_duplicate,
            ev.CaseMarkedDuplicate,
            N_("Gabungkan sebagai duplikat"),
            "merged",
        ),
        _spec(
            A.UNDO_MERGE,
            pl.UndoMergePayload,
            fx.undo_merge,
            ev.MergeUndone,
            N_("Batalkan penggabungan"),
            "unmerged",
        ),
        _spec(
            A.ACCEPT_LATE,
            pl.ReasonPayload,
            fx.accept_late,
            ev.LateComplaintAccepted,
            N_("Terima sebagai pengaduan"),
            "acknowledged",
        ),
        _spec(
            A.ACKNOWLEDGE_SUGGESTION,
            pl.Payload,
            fx.acknowledge_suggestion,
            ev.SuggestionAcknowledged,
            N_("Terima saran/masukan untuk ditindaklanjuti"),
        ),
        _spec(
            A.FORWARD_SUGGESTION,
            pl.Payload,
            fx.forward_suggestion,
            ev.SuggestionForwarded,
            N_("Teruskan ke evaluasi standar pelayanan"),
        ),
        _spec(
            A.CONVERT_SUGGESTION,
            pl.ReasonPayload,
            fx.convert_suggestion,
            ev.SuggestionConverted,
            N_("Jadikan pengaduan (kesalahan penyaringan)"),
            "acknowledged",
        ),
        # Issue 14 item 5: the answer clock paused for missing information, and extended.
        _spec(
            A.REQUEST_INFO,
            pl.InfoRequestPayload,
            fx.request_info,
            ev.InformationRequested,
            N_("Minta kelengkapan informasi"),
            "info_requested",
        ),
        _spec(
            A.RECORD_INFO_REPLY,
            pl.InfoReplyPayload,
            fx.resume_clock,
            ev.InformationReceived,
            N_("Catat jawaban pelapor atas permintaan informasi"),
            "complainant_wrote",  # the holder hears of a reply the complainant sent themselves
        ),
        _spec(
            A.END_INFO_WAIT,
            pl.Payload,
            fx.resume_clock,
            ev.InformationWaitEnded,
            N_("Lanjutkan tenggat (batas menunggu informasi habis)"),
        ),
        _spec(
            A.EXTEND_DEADLINE,
            pl.ExtensionPayload,
            fx.extend_deadline,
            ev.DeadlineExtended,
            N_("Perpanjang tenggat jawaban"),
            "deadline_extended",
        ),
        # Issue 14 item 7: a public Q&A, only with the complainant's consent.
        _spec(
            A.PUBLISH_QA,
            pl.PublishQaPayload,
            pub.publish_qa,
            ev.QaPublished,
            N_("Terbitkan sebagai tanya jawab publik"),
        ),
        _spec(
            A.UNPUBLISH_QA,
            pl.ReasonPayload,
            pub.unpublish_qa,
            ev.QaUnpublished,
            N_("Tarik tanya jawab publik"),
        ),
        _spec(
            A.WITHDRAW_QA_CONSENT,
            pl.OptionalReasonPayload,
            pub.withdraw_consent,
            ev.QaConsentWithdrawn,
            N_("Cabut persetujuan penerbitan tanya jawab"),
        ),
    )
}

# The payload model of each action, for the UI's forms and the API's validation.
PAYLOADS: Mapping[Action, type[pl.Payload]] = {a: s.payload for a, s in ACTIONS.items()}


def spec(action: Action) -> ActionSpec:
    """The declaration of ``action``."""
    return ACTIONS[action]
