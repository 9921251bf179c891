"""Identity on record (DESIGN §6, issue 16 item 4): who sees a complainant, reveals, the log.

The complainant's identity is shown unmasked to the recording officer, the complaints manager
and the Head (``views.sees_identity``); anyone else with sight of the case may reveal it with a
written reason. Every reveal and every view of an unmasked identity is appended to the
identity-access log (a masked view writes nothing); the Head reads it as a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog

from aduan.ports import IdentityAccess
from aduan.schemas.views import (
    ComplainantView,
    IdentityAccessView,
    complainant_view,
    sees_identity,
)
from aduan.service.deps import Deps, case_ref, viewer_of
from aduan.workflow.case import Actor, Case, CaseEvent
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.states import N_, Role

log = structlog.get_logger()

VIEW = "view"  # the reason recorded for a view of an identity shown unmasked
MAX_REASON = 2000
REPORT_LIMIT = 1000


def recorder_of(events: Sequence[CaseEvent]) -> str | None:
    """The staff member who recorded the submission (None: the complainant submitted it)."""
    first = events[0] if events else None
    if first is None or first.action != "submit" or first.role is Role.COMPLAINANT:
        return None
    return first.actor


def shown_to(case: Case, actor: Actor, events: Sequence[CaseEvent]) -> ComplainantView:
    """The complainant of ``case`` as ``actor`` sees them without revealing."""
    shown = sees_identity(actor.role, actor.username, recorder_of(events))
    return complainant_view(case.complainant, shown)


def shows_identity(shown: ComplainantView) -> bool:
    """Whether a complainant view shows an identity: unmasked, with a name or a contact."""
    return not shown.masked and any(
        (shown.name, shown.email, shown.phone, shown.social, shown.address)
    )


def record_view(deps: Deps, case_id: int, actor: Actor, shown: ComplainantView) -> None:
    """Append a view of an unmasked identity to the log (nothing for a masked one or none)."""
    if not shows_identity(shown):
        return
    with deps.uow() as uow:
        uow.identity.record(
            IdentityAccess(case_id, deps.clock.now(), actor.username, actor.role.value, VIEW)
        )
        uow.commit()


def reveal_identity(deps: Deps, ref: str, username: str, reason: str) -> ComplainantView:
    """Show a case's complainant to ``username`` for a written ``reason``, on record.

    Anyone with sight of the case may reveal (a case out of sight is not found); nothing is
    written when the reason is missing or too long.
    """
    text = reason.strip()
    if not text:
        raise InputError("reason", "required", N_("alasan membuka identitas pelapor wajib diisi"))
    if len(text) > MAX_REASON:
        raise InputError(
            "reason",
            "max_length",
            N_("alasan paling panjang %(limit)s karakter"),
            limit=MAX_REASON,
        )
    now = deps.clock.now()
    with deps.uow() as uow:
        viewer = viewer_of(deps, uow, username)
        case = uow.cases.get(case_ref(ref), viewer.sight)
        assert case.id is not None
        actor = viewer.actor
        uow.identity.record(IdentityAccess(case.id, now, actor.username, actor.role.value, text))
        uow.commit()
    log.info("identity_revealed", case_id=case.id, by=actor.username, role=actor.role.value)
    return complainant_view(case.complainant, True)


def identity_report(
    deps: Deps, username: str, start: datetime, end: datetime, limit: int = REPORT_LIMIT
) -> list[IdentityAccessView]:
    """The identity-access log of ``[start, end)``, newest first: for the Head of Office only."""
    with deps.uow(readonly=True) as uow:
        actor = viewer_of(deps, uow, username).actor
        if actor.role is not Role.HEAD:
            raise AccessDeniedError(
                "head_only",
                N_("laporan akses identitas hanya untuk Kepala Kantor"),
            )
        entries = uow.identity.accesses(start, end, limit)
    return [
        IdentityAccessView(
            at=e.at,
            username=e.username,
            role=e.role,
            case_id=e.case_id,
            tracking_code=e.tracking_code,
            reason=e.reason,
        )
        for e in entries
    ]
