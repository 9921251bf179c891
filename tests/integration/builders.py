"""Small builders for the integration tests: submissions, actions and cases at a given stage."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, text

from aduan import service
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.schemas.commands import ActionCommand, SubmitCommand
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.workflow.intake import wib_date
from aduan.workflow.states import Action

SERVICE = "15121"  # Industri Barang dari Kulit: a service of the shipped catalog
COMPLAINANT = {
    "name": "Siti Aminah",
    "email": "siti.aminah@contoh.id",
    "phone": "0812-3456-7890",
}

# Enough for each action to pass validation; tests override what they look at.
PAYLOADS: dict[Action, dict[str, Any]] = {
    Action.CLASSIFY: {"service_code": SERVICE, "problem_types": ["completion_time"]},
    Action.REVIEW: {
        "core_problem": "Sertifikat standar belum terbit setelah 7 hari kerja",
        "plan": [{"kind": "clarification", "party": "Bidang Perizinan"}],
    },
    Action.RECORD_STEP: {"step": 1, "outcome": "Berkas tertahan verifikasi"},
    Action.ROUTE_AGENCY: {"agency": "dispertan"},
    Action.ESCALATE: {"report": "Belum dapat diselesaikan di tingkat ini"},
    Action.REQUEST_APIP: {"reason": "Dugaan pungutan liar"},
    Action.REFUSE_APIP: {"reason": "Cukup ditangani di jalur semula"},
    Action.RESPOND: {"channel": "email", "text": "Pengaduan Anda sedang kami tindak lanjuti"},
    Action.RECORD_RESULT: {
        "outcome": "substantiated",
        "summary": "Sertifikat diterbitkan hari ini",
        "corrective_actions": ["Verifikasi berkas dipercepat"],
    },
    Action.INFORM_COMPLAINANT: {"channel": "email", "text": "Sertifikat Anda telah terbit"},
    Action.REPORT_TO_SUPERIOR: {"text": "Pengaduan selesai ditindaklanjuti"},
    Action.REOPEN: {"reason": "Sertifikat belum saya terima"},
    Action.WITHDRAW: {"reason": "Sertifikat sudah terbit"},
    Action.ACCEPT_LATE: {"reason": "Pemohon sakit, dibuktikan surat dokter"},
    Action.CONVERT_SUGGESTION: {"reason": "Identitas ada di surat, terlewat saat dicatat"},
    Action.FILE_OVERDUE_REPORT: {"report": "Tenggat terlewati karena berkas belum lengkap"},
    Action.OPEN_APIP: {"legal_basis": "ombudsman", "reason": "Rujukan Ombudsman No. 12/2026"},
    Action.MARK_DUPLICATE: {"reason": "Pokok dan pelapornya sama dengan pengaduan utama"},
    Action.UNDO_MERGE: {"reason": "Bukan pengaduan yang sama: izinnya berbeda"},
    Action.REQUEST_INFO: {"question": "Mohon kirim nomor NIB Anda"},
    Action.RECORD_INFO_REPLY: {"reply": "NIB 9120001234567"},
    Action.EXTEND_DEADLINE: {"working_days": 3, "reason": "Menunggu pemeriksaan lapangan"},
    Action.PUBLISH_QA: {
        "public_question": "Berapa lama sertifikat standar terbit setelah berkas lengkap?",
        "public_answer": "Paling lama tujuh hari kerja setelah verifikasi berkas selesai.",
        "reason": "Pertanyaan yang sering diajukan",
        "anonymised": True,
    },
    Action.UNPUBLISH_QA: {"reason": "Jawaban perlu diperbarui"},
}


def today(deps: Deps) -> date:
    """The fixed clock's date in Jakarta."""
    return wib_date(deps.clock.now())


def submission(deps: Deps, **changes: Any) -> SubmitCommand:
    """A complete, on-time complaint about a catalog service, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "channel": "web_dpmptsp",
        "complainant": COMPLAINANT,
        "subject": "Sertifikat standar belum terbit",
        "description": "Sudah lewat 7 hari kerja sejak berkas lengkap",
        "service_code": SERVICE,
        "licence_number": "SS-2026-000123",
        "service_received_on": today(deps) - timedelta(days=7),
    }
    return SubmitCommand.model_validate({**fields, **changes})


def submit(deps: Deps, **changes: Any) -> CaseDetail:
    """Submit ``submission(deps, **changes)`` as the public would."""
    return service.submit_complaint(deps, submission(deps, **changes))


def act(
    deps: Deps,
    case: CaseDetail | str,
    action: Action,
    user: str,
    *,
    expected_version: int | None = None,
    **payload: Any,
) -> CaseDetail:
    """Take ``action`` on ``case`` as ``user`` and return the case as ``user`` then sees it.

    ``payload`` overrides the default payload.
    """
    ref = case if isinstance(case, str) else case.tracking_code
    command = ActionCommand(
        case_ref=ref,
        action=action,
        payload={**PAYLOADS.get(action, {}), **payload},
        expected_version=expected_version,
    )
    done = service.perform_action(deps, command, user)
    return service.get_case(deps, done.tracking_code, user)


def reviewed_case(deps: Deps) -> CaseDetail:
    """A complaint classified and reviewed by the officer, ready to be routed."""
    case = submit(deps)
    act(deps, case, Action.CLASSIFY, "budi")
    return act(deps, case, Action.REVIEW, "budi")


def internal_case(deps: Deps) -> CaseDetail:
    """A complaint on the internal track, held by the officer (tier 0)."""
    return act(deps, reviewed_case(deps), Action.ROUTE_INTERNAL, "budi")


def agency_case(deps: Deps) -> CaseDetail:
    """A complaint on the track of Dinas Pertanian, held by its technical team (tono)."""
    return act(deps, reviewed_case(deps), Action.ROUTE_AGENCY, "budi")


def resolved_case(deps: Deps) -> CaseDetail:
    """A complaint with its result recorded, not yet told to the complainant nor reported."""
    return act(deps, internal_case(deps), Action.RECORD_RESULT, "sari")


def apip_pending_case(deps: Deps) -> CaseDetail:
    """A complaint waiting for the Head of Office to approve involving APIP."""
    return act(deps, internal_case(deps), Action.REQUEST_APIP, "budi")


def engine_of(deps: Deps) -> Engine:
    """The SQLAlchemy engine behind ``deps``, for raw checks."""
    assert isinstance(deps.uow, SqlUnitOfWorkFactory)
    return deps.uow.engine


def row_counts(deps: Deps) -> dict[str, int]:
    """Rows in the tables a case writes to."""
    with engine_of(deps).connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("cases", "case_events", "written_reports")
        }
