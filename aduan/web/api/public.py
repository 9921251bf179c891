"""The public side, without an account: submit a complaint and follow it by tracking code.

Nothing here reveals anything about other people: a receipt and the tracking view carry the
status, dates and the answer, never a name or contact. A tracking code is not a key (issue 16
item 5): lookups are rate-limited per address, and withdrawing or disputing also needs the PIN
shown once on the receipt (at most ``limits.PIN_TRIES`` tries per code and hour, counted in
the database so every worker and instance shares the bound).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from aduan import service as svc
from aduan.schemas.commands import ComplainantInput, ShortText, SubmitCommand
from aduan.schemas.views import TrackingView
from aduan.service import limits, receipts
from aduan.web.auth import client_ip, deps_of
from aduan.web.i18n import language_of
from aduan.web.problems import PROBLEM_RESPONSES
from aduan.web.ratelimit import RateLimiter, app_limiter, check_intake
from aduan.workflow.intake import normalise_tracking_code
from aduan.workflow.states import Action, Channel

router = APIRouter(prefix="/api/v1/public", tags=["public"], responses=PROBLEM_RESPONSES)
TrackingCode = Annotated[str, Path(min_length=1, max_length=32, description="Kode pelacakan")]
TRACK_LIMIT = 60  # tracking-code lookups and complainant actions per address …
TRACK_WINDOW = 600.0  # … per ten minutes


class PublicSubmission(BaseModel):
    """A complaint from the web (seed §6 item 2 j, k: the website it came from is its channel).

    ``service_received_on`` is required unless the service is not yet delivered
    (``service_pending``, with ``applied_on`` and a catalog ``service_code``).
    """

    model_config = ConfigDict(extra="forbid")

    website: Literal["dpmptsp", "mpp"] = Field(
        default="dpmptsp",
        description="situs asal: dpmptsp (Web DPMPTSP, butir 2j) atau mpp (Web MPP, butir 2k)",
    )
    complainant: ComplainantInput = Field(default_factory=ComplainantInput)
    subject: ShortText
    description: str = Field(default="", max_length=20_000)
    service_code: str | None = Field(default=None, max_length=32)
    service_text: str | None = Field(default=None, max_length=500)
    licence_number: str | None = Field(default=None, max_length=100)
    service_received_on: date | None = None
    service_pending: bool = False
    applied_on: date | None = Field(default=None, description="Tanggal permohonan layanan")

    @property
    def channel(self) -> Channel:
        """The channel of the website it came from."""
        return Channel.WEB_MPP if self.website == "mpp" else Channel.WEB_DPMPTSP


class Receipt(BaseModel):
    """What the complainant keeps: the tracking code and when to expect an answer."""

    tracking_code: str
    kind: str
    status: str
    status_label: str
    screening_reason: str | None
    received_at: datetime
    response_due_at: datetime | None
    pin: str = Field(
        description="PIN pelapor: ditampilkan hanya kepada pengirim (kunci idempotensi yang sama)"
        " / shown only to the sender (the same idempotency key)"
    )
    heading: str = Field(description="judul tanda terima / the receipt's heading")
    notes: list[str] = Field(
        description="dicatat sebagai apa, mengapa, apa selanjutnya, tenggat jawaban / recorded "
        "as what, why, what happens next, the answer deadline"
    )


class ComplainantAction(BaseModel):
    """Withdraw a complaint, or dispute the answer within the reopen window.

    ``withdraw_qa_consent`` (issue 14 item 7): the complainant no longer agrees that the
    question and answer be published as a public Q&A; a published entry is taken down at once.
    """

    model_config = ConfigDict(extra="forbid")

    action: Literal["withdraw", "undo_withdraw", "reopen", "withdraw_qa_consent"]
    reason: str = Field(default="", max_length=2_000)
    pin: str = Field(default="", max_length=32, description="PIN dari tanda terima")


def tracking_limiter(request: Request) -> RateLimiter:
    """The app's per-address limit on tracking-code lookups and complainant actions."""
    return app_limiter(
        request.app.state,
        "tracking_limiter",
        TRACK_LIMIT,
        TRACK_WINDOW,
        "pelacakan kode/tracking lookups",
    )


def check_pin_attempt(request: Request, code: str) -> None:
    """Count one complainant action on ``code``: per address, and per code for its PIN.

    The per-code count is in the database (``limits.count_pin_try``): the bound holds however
    many workers and instances serve the tries.
    """
    tracking_limiter(request).hit(client_ip(request))
    limits.count_pin_try(deps_of(request), normalise_tracking_code(code))


def submit_public(
    deps: svc.Deps,
    body: PublicSubmission,
    channel: Channel,
    key: str | None = None,
    lang: str = "id",
) -> tuple[Receipt, bool]:
    """Record a submission from the public (once per idempotency ``key``): (receipt, replayed)."""
    command = SubmitCommand(
        channel=channel, **body.model_dump(exclude_unset=True, exclude={"website"})
    )
    if key is None:
        detail, replayed = svc.submit_complaint(deps, command), False
    else:
        detail, replayed = receipts.submit_once(deps, command, receipts.check_key(key))
    words = receipts.receipt_text(
        detail.kind, detail.screening_reason, detail.response_due_at, lang
    )
    receipt = Receipt(
        tracking_code=detail.tracking_code,
        kind=detail.kind,
        status=detail.status,
        status_label=detail.status_label,
        screening_reason=detail.screening_reason,
        received_at=detail.received_at,
        response_due_at=detail.response_due_at,
        pin=detail.pin or "",
        heading=words.heading,
        notes=words.lines,
    )
    return receipt, replayed


@router.post(
    "/complaints",
    response_model=Receipt,
    status_code=201,
    responses={200: {"model": Receipt, "description": "sudah dikirim / already submitted"}},
)
def submit(
    body: PublicSubmission,
    request: Request,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=receipts.KEY_MAX_LENGTH,
            description="kunci acak per pengaduan: kiriman ulang dengan kunci yang sama tidak "
            "mencatat pengaduan baru dan mendapat tanda terima yang sama (200) / a random key "
            "per complaint: a resubmission with it files nothing and gets the same receipt",
        ),
    ] = None,
) -> Receipt:
    """Submit a complaint without an account; returns the tracking code.

    Rate-limited per device and address (an address the administrator lists has its own
    allowance); refused with 429 and ``Retry-After``.
    """
    check_intake(request)
    receipt, replayed = submit_public(
        deps_of(request), body, body.channel, idempotency_key, language_of(request)
    )
    if replayed:
        response.status_code = 200
    return receipt


@router.get("/track/{code}", response_model=TrackingView)
def track(code: TrackingCode, request: Request) -> TrackingView:
    """Status, dates and the answer of a case, by its tracking code (rate-limited)."""
    tracking_limiter(request).hit(client_ip(request))
    return svc.track_case(deps_of(request), code)


@router.post("/track/{code}/actions", response_model=TrackingView)
def act(code: TrackingCode, body: ComplainantAction, request: Request) -> TrackingView:
    """Withdraw the complaint, or reopen it when the answer does not settle it (with the PIN)."""
    check_pin_attempt(request, code)
    payload = {"reason": body.reason} if body.reason.strip() else {}
    return svc.act_as_complainant(deps_of(request), code, Action(body.action), payload, body.pin)
