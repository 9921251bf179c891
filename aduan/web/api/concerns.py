"""The staff API of conflict of interest (issue 16 item 3): name the staff a case concerns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from aduan.service import concerns
from aduan.service.accounts import STAFF_ROLES, Staff
from aduan.web.auth import deps_of, require_roles
from aduan.web.problems import PROBLEM_RESPONSES

router = APIRouter(responses=PROBLEM_RESPONSES)
AnyStaff = Annotated[Staff, Depends(require_roles(STAFF_ROLES, "membaca kasus / read cases"))]
CaseRef = Annotated[str, Path(min_length=1, max_length=32, description="Id atau kode lacak")]


class ConcernsRequest(BaseModel):
    """The staff the case concerns (terlapor), why, and whether to seal it."""

    model_config = ConfigDict(extra="forbid")

    staff: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20, description="Nama pengguna staf terlapor"
    )
    reason: str = Field(default="", max_length=2_000, description="Alasan tertulis")
    seal: bool = Field(default=False, description="Hanya Kepala Kantor dan APIP yang melihat")


@router.post("/cases/{ref}/concerns", tags=["cases"], response_model=concerns.ConcernsView)
def name_concerned(
    ref: CaseRef, body: ConcernsRequest, request: Request, staff: AnyStaff
) -> concerns.ConcernsView:
    """Name the staff a case concerns: they no longer see it and its chain skips them.

    Office staff only; every name must be a staff user of the org chart; a written reason.
    """
    return concerns.name_concerned(
        deps_of(request), ref, staff.username, body.staff, body.reason, seal=body.seal
    )
