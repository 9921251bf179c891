"""The staff API of identity on record (DESIGN §6): reveal a complainant, the Head's report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from aduan.schemas.views import ComplainantView, IdentityAccessView
from aduan.service import identity
from aduan.service.accounts import STAFF_ROLES, Staff
from aduan.web.auth import deps_of, require_roles
from aduan.web.problems import PROBLEM_RESPONSES

router = APIRouter(responses=PROBLEM_RESPONSES)
AnyStaff = Annotated[Staff, Depends(require_roles(STAFF_ROLES, "membaca kasus / read cases"))]
CaseRef = Annotated[str, Path(min_length=1, max_length=32, description="Id atau kode lacak")]
REPORT_DAYS = 30


class RevealRequest(BaseModel):
    """Why the caller needs the complainant's identity (kept in the identity-access log)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2_000, description="Alasan tertulis")


@router.post("/cases/{ref}/identity", tags=["cases"], response_model=ComplainantView)
def reveal(ref: CaseRef, body: RevealRequest, request: Request, staff: AnyStaff) -> ComplainantView:
    """Reveal the complainant of a case in sight, for a written reason (on record)."""
    return identity.reveal_identity(deps_of(request), ref, staff.username, body.reason)


@router.get("/reports/identity-access", tags=["reports"], response_model=list[IdentityAccessView])
def identity_access(
    request: Request,
    staff: AnyStaff,
    start: Annotated[datetime | None, Query()] = None,
    end: Annotated[datetime | None, Query()] = None,
) -> list[IdentityAccessView]:
    """Who looked at which complainant's identity, when and why (the Head of Office only).

    Without dates: the last 30 days.
    """
    deps = deps_of(request)
    # [start, end): without an end, up to and including this moment.
    until = _aware(end) if end else deps.clock.now() + timedelta(seconds=1)
    since = _aware(start) if start else until - timedelta(days=REPORT_DAYS)
    return identity.identity_report(deps, staff.username, since, until)


def _aware(value: datetime) -> datetime:
    """A date-time without a zone is read as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
