"""The staff API of evidence files (lampiran, issue 14 item 1) under ``/api/v1/cases/{ref}``.

Uploads are multipart (``file``, one or more; ``identity``: an identity document). Downloads
go only to staff who may see the case (a case out of sight is 404, as a missing one) and are
sent as attachments that no browser renders: ``Content-Disposition: attachment``,
``X-Content-Type-Options: nosniff`` and a Content-Security-Policy that allows nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import StreamingResponse

from aduan.schemas.attachments import AttachmentView
from aduan.service import attachments
from aduan.service.accounts import STAFF_ROLES, Staff
from aduan.service.filetypes import CHUNK
from aduan.web.auth import deps_of, require_roles
from aduan.web.problems import PROBLEM_RESPONSES

router = APIRouter(responses=PROBLEM_RESPONSES)
AnyStaff = Annotated[Staff, Depends(require_roles(STAFF_ROLES, "membaca kasus / read cases"))]
CaseRef = Annotated[str, Path(min_length=1, max_length=32, description="Id atau kode lacak")]
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def uploads_of(
    field: str, files: list[UploadFile], identity: bool = False
) -> list[attachments.Upload]:
    """The files of a form field as the service takes them; an empty file input is none."""
    return [
        attachments.Upload(field, f.filename, f.file, identity)
        for f in files
        if f.filename or (f.size or 0) > 0
    ]


@router.post(
    "/cases/{ref}/attachments",
    tags=["attachments"],
    response_model=list[AttachmentView],
    status_code=201,
)
def upload(
    ref: CaseRef,
    request: Request,
    staff: AnyStaff,
    file: Annotated[list[UploadFile], File(description="Berkas lampiran")],
    identity: Annotated[bool, Form(description="Dokumen identitas (KTP)")] = False,
) -> list[AttachmentView]:
    """Add evidence files to a case in sight; its attachments after."""
    found = uploads_of("file", file, identity)
    return attachments.add_attachments(deps_of(request), ref, staff.username, found)


@router.get("/cases/{ref}/attachments", tags=["attachments"], response_model=list[AttachmentView])
def list_attachments(ref: CaseRef, request: Request, staff: AnyStaff) -> list[AttachmentView]:
    """The evidence files of a case in sight (an identity document masked for some)."""
    return attachments.list_attachments(deps_of(request), ref, staff.username)


@router.get(
    "/cases/{ref}/attachments/{attachment_id}",
    tags=["attachments"],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(
    ref: CaseRef, attachment_id: int, request: Request, staff: AnyStaff
) -> StreamingResponse:
    """One evidence file, as a download (never shown in the browser)."""
    found = attachments.open_attachment(deps_of(request), ref, attachment_id, staff.username)
    return download_response(found)


def download_response(found: attachments.Download) -> StreamingResponse:
    """The file streamed in chunks, with headers that keep browsers from rendering it."""
    ascii_name = found.name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}"
    headers = {
        "Content-Disposition": disposition,
        "Content-Length": str(found.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_POLICY,
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(_chunks(found), media_type=found.content_type, headers=headers)


def media_response(found: attachments.Download) -> StreamingResponse:
    """A public photo (Open311 ``media_url``) shown inline: an image, nothing that can run."""
    headers = {
        "Content-Length": str(found.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_POLICY,
        "Cache-Control": "public, max-age=300",
    }
    return StreamingResponse(_chunks(found), media_type=found.content_type, headers=headers)


def _chunks(found: attachments.Download) -> Iterator[bytes]:
    with found.file as file:
        while chunk := file.read(CHUNK):
            yield chunk
