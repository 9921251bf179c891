"""The staff HTTP API under ``/api/v1``: sessions, cases and their actions.

Every route needs a logged-in staff member and names the roles it lets through (deny by
default); which *action* a role may take on a case is the transition table's decision
(``PermissionDeniedError`` → 403). Reference data lives in ``api_reference``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from aduan import service as svc
from aduan.ports import CaseQuery
from aduan.schemas.commands import ActionCommand, SubmitCommand
from aduan.schemas.search import SearchPage, search_page
from aduan.schemas.views import ActionResult, CaseDetail, CaseSummary, QueueItem
from aduan.service.accounts import STAFF_ROLES, Staff
from aduan.service.search import MAX_LIMIT, search_cases
from aduan.web.api import attachments as api_attachments
from aduan.web.api import concerns as api_concerns
from aduan.web.api import identity as api_identity
from aduan.web.api import reference as api_reference
from aduan.web.api import reports as api_reports
from aduan.web.auth import (
    CSRF_HEADER,
    SESSION_COOKIE,
    clear_session_cookie,
    client_ip,
    current_staff,
    deps_of,
    login_async,
    logout,
    require_roles,
    require_staff,
    set_session_cookie,
    staff_cache,
    verify_csrf,
)
from aduan.web.problems import PROBLEM_RESPONSES
from aduan.workflow.errors import InputError
from aduan.workflow.search import MAX_LENGTH
from aduan.workflow.states import N_, Action, Kind, Role, ScreeningReason, Status, Track

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
router.include_router(api_reference.router)
router.include_router(api_reports.router)
router.include_router(api_identity.router)
router.include_router(api_concerns.router)
router.include_router(api_attachments.router)

# Intake is the office's desk work (seed §6 item 2): officers and supervisors record it.
INTAKE_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})
AnyStaff = Annotated[Staff, Depends(require_roles(STAFF_ROLES, "membaca kasus / read cases"))]
Intake = Annotated[Staff, Depends(require_roles(INTAKE_ROLES, "mencatat pengaduan / record"))]
CaseRef = Annotated[str, Path(min_length=1, max_length=32, description="Id atau kode lacak")]
FAR_FUTURE = timedelta(days=3650)


def as_json(model: BaseModel) -> Response:
    """The model as JSON, serialised once by pydantic (the read models are already valid)."""
    return Response(model.model_dump_json(), media_type="application/json")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Body):
    """Username and password of a staff member."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    """The caller, with the session's CSRF token (send it as ``X-CSRF-Token`` on writes)."""

    username: str
    name: str
    role: Role
    unit: str | None
    position: str | None
    csrf_token: str | None
    expires_at: datetime | None = None


class ActionRequest(_Body):
    """One action of the transition table, against the version the caller last read."""

    action: Action
    payload: dict[str, Any] = Field(default_factory=dict)
    expected_version: int = Field(ge=1, le=2_000_000_000)


class CasePage(BaseModel):
    """A page of cases; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[CaseSummary]
    next_cursor: str | None


def _me(staff: Staff, expires_at: datetime | None = None) -> Me:
    return Me(
        username=staff.username,
        name=staff.name,
        role=staff.role,
        unit=staff.unit,
        position=staff.position,
        csrf_token=staff.csrf_token,
        expires_at=expires_at,
    )


# --- session ------------------------------------------------------------------------------


@router.post("/session", tags=["session"], response_model=Me, status_code=201)
async def create_session(body: LoginRequest, request: Request, response: Response) -> Me:
    """Log in: sets the ``aduan_session`` cookie; throttled after 5 failures in 15 minutes."""
    session = await login_async(deps_of(request), body.username, body.password, client_ip(request))
    secure = request.url.scheme == "https"
    set_session_cookie(response, session, secure=secure)
    return _me(session.staff, session.expires_at)


@router.delete("/session", tags=["session"], status_code=204)
def delete_session(request: Request) -> Response:
    """Log out (with the session's ``X-CSRF-Token``); ends the session everywhere."""
    token = request.cookies.get(SESSION_COOKIE)
    response = Response(status_code=204)
    if token and current_staff(request) is not None:
        verify_csrf(request, request.headers.get(CSRF_HEADER, ""))
        logout(deps_of(request), token, staff_cache(request))
    clear_session_cookie(response)
    return response


@router.get("/me", tags=["session"], response_model=Me)
def me(staff: Annotated[Staff, Depends(require_staff)]) -> Me:
    """Who the caller is."""
    return _me(staff)


# --- cases --------------------------------------------------------------------------------


@router.post("/cases", tags=["cases"], response_model=CaseDetail, status_code=201)
def submit(body: SubmitCommand, request: Request, staff: Intake) -> CaseDetail:
    """Record a complaint received through any channel (the officer becomes its holder)."""
    return svc.submit_complaint(deps_of(request), body, recorded_by=staff.username)


@router.get("/cases", tags=["cases"], response_model=CasePage | SearchPage)
def list_cases(
    request: Request,
    staff: AnyStaff,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_LENGTH,
            description=(
                "Pencarian teks (subjek, uraian, rencana, catatan, laporan, jawaban; kode "
                "register dalam ejaan apa pun): kata-kata, bukan operator; hasil terbaik dahulu"
            ),
        ),
    ] = None,
    status: Status | None = None,
    kind: Kind | None = None,
    track: Track | None = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool = False,
    sort: Literal["id", "deadline"] = "id",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Cases by filters; ``sort=deadline`` (or ``overdue``) lists open cases soonest first.

    With ``q``: the cases matching the words, best first, with a highlighted snippet
    (``SearchPage``); no other filter or cursor then.
    """
    deps = deps_of(request)
    if q is not None:
        combined = [status, kind, track, assignee, cursor, overdue or None]
        if any(v is not None for v in combined) or sort != "id":
            raise InputError(
                "q",
                "alone",
                N_("pencarian tidak dapat digabung dengan filter, urutan, atau cursor lain"),
            )
        hits = search_cases(deps, staff.username, q, min(limit, MAX_LIMIT))
        return as_json(search_page(q, hits))
    by_deadline = overdue or sort == "deadline"
    after = _cursor(cursor, by_deadline)
    now = deps.clock.now()
    query = CaseQuery(
        status=status,
        kind=kind,
        track=track,
        assignee=assignee,
        limit=limit,
        after_id=None if by_deadline else after[1],
        due_before=(now if overdue else now + FAR_FUTURE) if by_deadline else None,
        after_deadline=_keyset(after) if by_deadline else None,
    )
    items = svc.list_cases(deps, query, staff.username)
    more = len(items) == limit
    page = CasePage(items=items, next_cursor=_next(items[-1], by_deadline) if more else None)
    return as_json(page)


@router.get("/suggestions", tags=["cases"], response_model=list[QueueItem])
def suggestion_queue(
    request: Request,
    staff: AnyStaff,
    reason: Annotated[
        ScreeningReason | None, Query(description="Alasan dicatat sebagai saran")
    ] = None,
    service_code: Annotated[
        str | None, Query(min_length=1, max_length=32, description="Kode layanan (katalog)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> Response:
    """Suggestions waiting for the complaint staff (items 3, 5b), by screening reason and service.

    Recorded or taken up, not yet forwarded to the evaluation nor made a complaint; for the
    office's complaint staff and the Head (403 for others), an unknown service is 422.
    """
    deps = deps_of(request)
    items = svc.suggestion_queue(deps, staff.username, reason, service_code, limit)
    return Response(_QUEUE.dump_json(items), media_type="application/json")


_QUEUE = TypeAdapter(list[QueueItem])


def _keyset(after: tuple[datetime | None, int | None]) -> tuple[datetime, int] | None:
    due, last = after
    return (due, last) if due is not None and last is not None else None


def _next(last: CaseSummary, by_deadline: bool) -> str:
    data: dict[str, Any] = {"i": last.id}
    if by_deadline and last.due_at is not None:
        data["d"] = last.due_at.isoformat()
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _cursor(text: str | None, by_deadline: bool) -> tuple[datetime | None, int | None]:
    if text is None:
        return None, None
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        due = datetime.fromisoformat(data["d"]) if by_deadline else None
        last = int(data["i"])
        if not 0 < last < 2**63:  # a case id; a bigger number overflows the database's integer
            raise ValueError("id")
        if due is not None and due.tzinfo is None:
            raise ValueError("naive")
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InputError(
            "cursor",
            "valid_cursor",
            N_(
                "cursor tidak dikenal; pakai next_cursor dari halaman sebelumnya dengan urutan sama"
            ),
        ) from None
    return due, last


@router.get("/cases/{ref}", tags=["cases"], response_model=CaseDetail)
def get_case(ref: CaseRef, request: Request, staff: AnyStaff) -> Response:
    """A case: timeline, worksheet, deadlines and ``allowed_actions`` for the caller now."""
    return as_json(svc.get_case(deps_of(request), ref, staff.username))


@router.post("/cases/{ref}/actions", tags=["cases"], response_model=ActionResult)
def act(ref: CaseRef, body: ActionRequest, request: Request, staff: AnyStaff) -> Response:
    """Take one action; a stale ``expected_version`` is 409, a role outside the table 403."""
    command = ActionCommand(
        case_ref=ref,
        action=body.action,
        payload=body.payload,
        expected_version=body.expected_version,
    )
    return as_json(svc.perform_action(deps_of(request), command, staff.username))
