"""Evidence files on the pages (issue 14 item 1): file inputs, the case page's list, download.

The complaint forms carry file inputs; the case page lists a case's files and has an upload
form; the download goes only to staff who may see the case.

The forms are multipart; the uploaded files are spooled to disk by the form parser and checked
by ``service.attachments.prepare`` on a worker thread (images are decoded there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from aduan import service
from aduan.config import Attachments
from aduan.schemas.attachments import AttachmentView
from aduan.schemas.views import PersonView, people_of
from aduan.service import attachments, filetypes
from aduan.web import auth
from aduan.web.api.attachments import download_response
from aduan.web.i18n import Translator
from aduan.workflow.errors import AccessDeniedError, AduanError

router = APIRouter(include_in_schema=False)
EVIDENCE = "lampiran"  # the file input of evidence, several files
IDENTITY = "ktp"  # the file input of an identity document (KTP photo), one file
FILE_FIELDS = (EVIDENCE, IDENTITY)
# The case page's upload form has one file input; this box marks its files as identity
# documents, which follow the identity masking rules like the intake forms' ``ktp`` input.
IDENTITY_BOX = "identitas"
ACCEPT = ",".join(f".{ext}" for ext in sorted(filetypes.BY_EXTENSION))


def uploads_in(form: FormData, identity: bool = False) -> list[attachments.Upload]:
    """The files of a form's file inputs; an input left empty sends none.

    ``identity``: every file is an identity document (else only those of the ``ktp`` input).
    """
    return [
        attachments.Upload(field, value.filename, value.file, identity or field == IDENTITY)
        for field in FILE_FIELDS
        for value in form.getlist(field)
        if isinstance(value, UploadFile) and (value.filename or (value.size or 0) > 0)
    ]


async def prepared_files(request: Request, form: FormData) -> list[attachments.Prepared]:
    """The form's files, checked on a worker thread (``InputError`` names the input)."""
    uploads = uploads_in(form)
    if not uploads:
        return []
    return await run_in_threadpool(attachments.prepare, auth.deps_of(request), uploads)


def limits_hint(t: Translator, limits: Attachments) -> str:
    """What the file inputs accept, in the page's language."""
    return t(
        "JPEG, HEIC, PNG, PDF, Word, Excel atau PowerPoint; paling banyak %(count)s berkas, "
        "masing-masing %(size)s MB. Foto dikirim tanpa data lokasi (EXIF/GPS).",
        count=limits.max_files,
        size=filetypes.megabytes(limits.max_bytes),
    )


def file_inputs(request: Request, t: Translator) -> dict[str, Any]:
    """The context the forms' file inputs need."""
    return {"accept": ACCEPT, "hint": limits_hint(t, auth.deps_of(request).attachments)}


def uploaders(request: Request, files: Sequence[AttachmentView]) -> dict[str, PersonView]:
    """Who brought each file, by name and post (as the timeline names people), not username."""
    names = {a.uploaded_by for a in files} - {"public"}
    if not names:
        return {}
    return people_of(service.show_orgchart(auth.deps_of(request)), sorted(names))


def size_text(size: int) -> str:
    """A file size for people: bytes, KB or MB (Indonesian decimal comma)."""
    if size < 1024:
        return f"{size} B"
    if size < 1_048_576:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1_048_576:.1f} MB".replace(".", ",")


def listed(request: Request, ref: str, username: str) -> list[AttachmentView]:
    """The attachments of a case in the user's sight (shown on its page)."""
    return attachments.list_attachments(auth.deps_of(request), ref, username)


@router.get("/cases/{ref}/lampiran/{attachment_id}")
def download(request: Request, ref: str, attachment_id: int) -> Response:
    """One evidence file of a case in sight, as a download (404 out of sight)."""
    from aduan.web.ui.case import error_page
    from aduan.web.ui.render import to_login

    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    try:
        found = attachments.open_attachment(
            auth.deps_of(request), ref, attachment_id, staff.username
        )
    except AduanError as exc:
        return error_page(request, exc)
    return download_response(found)


@router.post("/cases/{ref}/lampiran", response_class=HTMLResponse)
async def upload(request: Request, ref: str) -> Response:
    """Add evidence files to a case from its page; on a refused file, the page with the error.

    With the box ``identitas`` ticked the files are identity documents (a KTP photo): masked
    for whoever may not see the complainant's identity, as from the intake forms and the API.
    """
    from aduan.web.ui.case import error_page, reload_with_upload_error
    from aduan.web.ui.render import see_other, to_login

    staff = auth.current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    deps = auth.deps_of(request)
    identity = form.get(IDENTITY_BOX) in ("1", "on")
    try:
        auth.verify_csrf(request, str(form.get("csrf_token", "")))
        uploads = uploads_in(form, identity=identity)
        await run_in_threadpool(
            attachments.add_attachments, deps, ref, staff.username, uploads, EVIDENCE
        )
    except AccessDeniedError as exc:
        return error_page(request, exc)
    except AduanError as exc:
        values = {IDENTITY_BOX: "1"} if identity else {}
        return reload_with_upload_error(request, ref, staff.username, exc, values)
    finally:
        await form.close()  # its files, spooled to disk
    return see_other(f"/cases/{ref}?done=lampiran#h-attachments")
