"""Evidence files of a case (lampiran, issue 14 item 1): check, keep, list, serve, purge.

Every file is checked before anything is kept (``prepare``): its name (no path), its type
read from its content and agreeing with its name, its size, and how many come at once; an image
is written again without its metadata. Then the files go to the content-addressed store and
their rows to the database in one unit of work; when that fails, the files this request added
are removed again (``kept``), so a refused request leaves no file and no row. Reads follow the
visibility policy (a case out of sight is not found) and the identity masking rule.

Who adds files (``may_add_files``): the office's staff (officer, supervisor, Head) to any case in
their sight; anyone else (an agency's staff, APIP) only while they may act on the case, by the
rule that decides which action forms the case page offers (``permitted_actions``): an agency
officer still sees a case their agency handled after it went to APIP, but adds nothing to it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import structlog

from aduan.ports import Attachment, FileStore, IdentityAccess, StoredFile, UnitOfWork
from aduan.schemas.attachments import AttachmentView
from aduan.schemas.views import sees_identity
from aduan.service import filetypes
from aduan.service.deps import Deps, case_ref, viewer_of
from aduan.service.identity import VIEW, recorder_of
from aduan.workflow.case import Actor
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.lifecycle import permitted_actions
from aduan.workflow.states import N_, Action
from aduan.workflow.table import OFFICE_CHAIN

SUBMIT = "submit"  # came with the complaint
ATTACH = "attach"  # added on its own, on the case page or by the API
MASKED_FILE = N_("(dokumen identitas)")
log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as an entry point received it: the form field, the sent name, a seekable file."""

    field: str
    name: str | None
    file: BinaryIO
    identity: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked file, ready to keep: its clean name, type, content and size."""

    field: str
    name: str
    kind: filetypes.FileType
    file: BinaryIO
    size: int
    identity: bool
    owned: bool = False  # ``file`` is a clean copy made here, closed by ``close_all``


def close_all(prepared: Sequence[Prepared]) -> None:
    """Close the clean copies made by ``prepare`` (the uploads are their sender's to close)."""
    for item in prepared:
        if item.owned:
            item.file.close()


def store_of(deps: Deps) -> FileStore:
    """The configured file store (``bootstrap.build`` sets it)."""
    if deps.files is None:
        raise RuntimeError("no file store configured (Deps.files)")
    return deps.files


def prepare(deps: Deps, uploads: Sequence[Upload]) -> list[Prepared]:
    """Check every upload (name, type, size, count); images come back re-encoded.

    Nothing is kept: a refused upload raises ``InputError`` naming its field and rule.
    """
    limits = deps.attachments
    if len(uploads) > limits.max_files:
        raise InputError(
            uploads[0].field,
            "max_files",
            N_("paling banyak %(limit)s berkas sekaligus"),
            limit=limits.max_files,
        )
    done: list[Prepared] = []
    try:
        for upload in uploads:
            done.append(_prepared(deps, upload))  # noqa: PERF401 (close what was made)
    except BaseException:
        close_all(done)
        raise
    return done


def _prepared(deps: Deps, upload: Upload) -> Prepared:
    limits = deps.attachments
    name = filetypes.clean_name(upload.field, upload.name)
    _check_size(upload.field, name, filetypes.size_of(upload.file), limits.max_bytes)
    kind = filetypes.detect(upload.field, name, upload.file)
    if not kind.image:
        size = filetypes.size_of(upload.file)
        return Prepared(upload.field, name, kind, upload.file, size, upload.identity)
    file = filetypes.reencoded(upload.field, name, kind, upload.file, limits.max_pixels)
    try:
        _check_size(upload.field, name, filetypes.size_of(file), limits.max_bytes)
    except InputError:
        file.close()
        raise
    # A HEIC photo is kept as the JPEG it was written as, under a name that says so.
    kept, size = filetypes.stored_type(kind), filetypes.size_of(file)
    kept_name = filetypes.stored_name(name, kind)
    return Prepared(upload.field, kept_name, kept, file, size, upload.identity, True)


def _check_size(field: str, name: str, size: int, limit: int) -> None:
    if size == 0:
        raise InputError(field, "not_empty", N_("berkas %(name)s kosong"), name=name)
    if size > limit:
        raise InputError(
            field,
            "max_size",
            N_("berkas %(name)s melebihi batas %(limit)s MB"),
            name=name,
            limit=filetypes.megabytes(limit),
        )


@contextlib.contextmanager
def kept(deps: Deps, prepared: Sequence[Prepared]) -> Iterator[list[StoredFile]]:
    """Keep the files in the store for the block; remove the ones added here if it fails.

    The clean copies of ``prepared`` are closed at the end, whatever happens.
    """
    stored: list[StoredFile] = []
    try:
        store = store_of(deps) if prepared else None  # no files: no store needed
        for item in prepared:
            assert store is not None
            # One by one, so that a failure midway still knows what to remove.
            stored.append(store.put(filetypes.chunks_of(item.file)))
        yield stored
    except BaseException:
        discard(deps, [s.sha256 for s in stored if s.created])
        raise
    finally:
        close_all(prepared)


def discard(deps: Deps, shas: Sequence[str]) -> None:
    """Delete the files ``shas`` that no attachment row names (another request may have)."""
    if not shas:
        return
    with deps.uow(readonly=True) as uow:
        unused = [sha for sha in shas if not uow.attachments.referenced(sha)]
    for sha in unused:
        store_of(deps).delete(sha)


def record(
    uow: UnitOfWork,
    deps: Deps,
    case_id: int,
    by: str,
    action: str,
    files: Sequence[tuple[Prepared, StoredFile]],
    now: datetime,
) -> None:
    """Add the rows of kept files to a case, within the per-case limit."""
    limit = deps.attachments.max_per_case
    if files and len(uow.attachments.for_case(case_id)) + len(files) > limit:
        raise InputError(
            files[0][0].field,
            "max_per_case",
            N_("satu pengaduan paling banyak memuat %(limit)s berkas"),
            limit=limit,
        )
    for item, stored in files:
        uow.attachments.add(
            Attachment(
                case_id=case_id,
                sha256=stored.sha256,
                name=item.name,
                content_type=item.kind.mime,
                size=stored.size,
                identity=item.identity,
                action=action,
                uploaded_by=by,
                uploaded_at=now,
            )
        )


def may_add_files(actor: Actor, permitted: Collection[Action]) -> bool:
    """Whether ``actor`` may add files to a case in sight on which ``permitted`` are theirs now.

    ``permitted``: ``permitted_actions`` of the case for the actor (what the case page offers).
    """
    return actor.role in OFFICE_CHAIN or bool(permitted)  # the office's staff: any case


def add_attachments(
    deps: Deps, ref: str, username: str, uploads: Sequence[Upload], field: str = "file"
) -> list[AttachmentView]:
    """Add files to a case in ``username``'s sight; the case's attachments after.

    ``field``: the input named when no file was sent. Refused (``AccessDeniedError``) to whom
    ``may_add_files`` does not let add to this case now.
    """
    if not uploads:
        raise InputError(field, "required", N_("pilih paling sedikit satu berkas"))
    prepared = prepare(deps, uploads)
    now = deps.clock.now()
    with kept(deps, prepared) as stored, deps.uow() as uow:
        viewer = viewer_of(deps, uow, username)
        case = uow.cases.get(case_ref(ref), viewer.sight)
        assert case.id is not None
        permitted = permitted_actions(case, viewer.actor, now, deps.policy)
        if not may_add_files(viewer.actor, permitted):
            raise AccessDeniedError(
                "acting_on_case",
                N_(
                    "lampiran hanya dapat ditambahkan oleh petugas yang saat ini dapat "
                    "menindaklanjuti pengaduan ini"
                ),
            )
        if case.personal_data_erased_at is not None:  # it would never be purged again
            raise InputError(
                field,
                "personal_data_kept",
                N_("data pribadi pengaduan ini sudah dihapus (retensi): lampiran tidak diterima"),
            )
        record(uow, deps, case.id, username, ATTACH, list(zip(prepared, stored, strict=True)), now)
        views = _views(uow, case.id, viewer.actor)
        uow.commit()
    return views


def list_attachments(deps: Deps, ref: str, username: str) -> list[AttachmentView]:
    """The attachments of a case in ``username``'s sight (identity documents masked for some)."""
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        case = uow.cases.get(case_ref(ref), viewer.sight)
        assert case.id is not None
        return _views(uow, case.id, viewer.actor)


def _sees_identity(uow: UnitOfWork, case_id: int, actor: Actor) -> bool:
    return sees_identity(actor.role, actor.username, recorder_of(uow.cases.events(case_id)))


def _views(uow: UnitOfWork, case_id: int, actor: Actor) -> list[AttachmentView]:
    shown = _sees_identity(uow, case_id, actor)
    found = []
    for a in uow.attachments.for_case(case_id):
        assert a.id is not None
        masked = a.identity and not shown
        found.append(
            AttachmentView(
                id=a.id,
                name=MASKED_FILE if masked else a.name,
                content_type=a.content_type,
                type_label=filetypes.label_of(a.content_type),
                size=a.size,
                identity=a.identity,
                masked=masked,
                action=a.action,
                uploaded_by=a.uploaded_by,
                uploaded_at=a.uploaded_at,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Download:
    """A file to send: its name, type, size and content (the caller closes it)."""

    name: str
    content_type: str
    size: int
    file: BinaryIO


def open_attachment(deps: Deps, ref: str, attachment_id: int, username: str) -> Download:
    """One attachment's content for ``username``: the case in sight, else not found.

    An identity document only for those who see the complainant unmasked; their download is
    on record in the identity-access log, as a view of the identity.
    """
    with deps.uow(readonly=True) as uow:
        viewer = viewer_of(deps, uow, username)
        case = uow.cases.get(case_ref(ref), viewer.sight)
        assert case.id is not None
        found = uow.attachments.get(case.id, attachment_id)
        if found is None:
            raise NotFoundError("lampiran/attachment", attachment_id)
        if found.identity and not _sees_identity(uow, case.id, viewer.actor):
            raise AccessDeniedError(
                "identity_document",
                N_("dokumen identitas pelapor hanya untuk petugas yang melihat identitasnya"),
            )
    if found.identity:
        _record_identity_view(deps, case.id, viewer.actor)
    file = store_of(deps).open(found.sha256)
    return Download(found.name, found.content_type, found.size, file)


def _record_identity_view(deps: Deps, case_id: int, actor: Actor) -> None:
    with deps.uow() as uow:
        access = IdentityAccess(case_id, deps.clock.now(), actor.username, actor.role.value, VIEW)
        uow.identity.record(access)
        uow.commit()


def public_media(
    deps: Deps, requests: Sequence[tuple[int, str]], base_url: str
) -> dict[int, list[str]]:
    """Open311 ``media_url``s per case, for ``(case id, public id)`` pairs (issue 14 items 1, 6).

    Only photos (re-encoded, EXIF and GPS gone) of requests filed through Open311 and not
    sealed, never an identity document; each under its request's public id, which does not
    open the case anywhere else (``open_public_media``).
    """
    base = base_url.rstrip("/")
    wanted = dict(requests)
    with deps.uow(readonly=True) as uow:
        photos = [a for a in uow.attachments.for_cases(list(wanted)) if _public_photo(a)]
        public = {
            case_id
            for case_id in {a.case_id for a in photos}
            if uow.identity.public_request(wanted[case_id]) is not None
        }
    found: dict[int, list[str]] = {}
    for a in photos:
        if a.case_id in public:
            found.setdefault(a.case_id, []).append(
                f"{base}/open311/v2/media/{wanted[a.case_id]}/{a.id}"
            )
    return found


def open_public_media(deps: Deps, public_id: str, attachment_id: int) -> Download:
    """A photo of a public Open311 request by its public id; anything else is not found."""
    with deps.uow(readonly=True) as uow:
        code = uow.identity.public_request(public_id.strip().lower())
        case = uow.cases.get(code) if code is not None else None
        found = uow.attachments.get(case.id, attachment_id) if case and case.id else None
    if found is None or not _public_photo(found):
        raise NotFoundError("media", attachment_id)
    return Download(found.name, found.content_type, found.size, store_of(deps).open(found.sha256))


def _public_photo(a: Attachment) -> bool:
    return not a.identity and filetypes.BY_MIME.get(a.content_type, _NONE).image


_NONE = filetypes.FileType("", "", (), "")


def purge_case_files(deps: Deps, case_id: int) -> int:
    """Delete a case's attachments; the files no other row names. How many left the store."""
    with deps.uow() as uow:
        unused = forget_case_files(uow, case_id)
        uow.commit()
    return delete_files(deps, unused)


def forget_case_files(uow: UnitOfWork, case_id: int) -> list[str]:
    """Delete a case's attachment rows in ``uow``; the files no other row names any more.

    Delete those files (``delete_files``) only once ``uow`` is committed: a rollback keeps
    the rows, which must still find their files.
    """
    shas = uow.attachments.delete_for_case(case_id)
    return [sha for sha in dict.fromkeys(shas) if not uow.attachments.referenced(sha)]


def delete_files(deps: Deps, shas: Sequence[str]) -> int:
    """Remove the files ``shas`` from the store; how many. One that fails stays, logged."""
    deleted = 0
    for sha in shas:
        try:
            store_of(deps).delete(sha)
        except OSError as exc:
            log.warning("attachment_file_left", sha256=sha, error=type(exc).__name__)
            continue
        deleted += 1
    return deleted
