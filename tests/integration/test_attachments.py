"""Evidence files through the service layer, on memory, SQLite and PostgreSQL (issue 14 item 1).

Checked before anything is kept, stored content-addressed without EXIF, read only within the
visibility policy and the identity masking rule, and removed with the case's personal data.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from aduan import service
from aduan.adapters.files import FilesystemFileStore
from aduan.config import Attachments
from aduan.ports import CaseQuery, FixedClock, Open311Query, UnitOfWorkFactory
from aduan.schemas.commands import ActionCommand
from aduan.service import Deps, attachments, open311
from aduan.service.accounts import issue_client_key
from aduan.service.attachments import Upload
from aduan.workflow.errors import AccessDeniedError, ConflictError, InputError, NotFoundError
from aduan.workflow.states import Action
from tests.attachment_files import (
    docx,
    exif_of,
    heic_with_gps,
    jpeg_with_gps,
    legacy_xls,
    pdf,
    png,
)
from tests.integration.builders import PAYLOADS, submission


@pytest.fixture
def deps(uow_factory: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path) -> Deps:
    """The service layer on memory, SQLite and PostgreSQL, files in a fresh folder."""
    limits = Attachments(max_bytes=64 * 1024, max_files=3, max_per_case=4)
    store = FilesystemFileStore(tmp_path / "files")
    return Deps(uow=uow_factory, clock=clock, files=store, attachments=limits)


def up(name: str, content: bytes, *, identity: bool = False, field: str = "file") -> Upload:
    return Upload(field, name, io.BytesIO(content), identity)


def stored_files(deps: Deps) -> list[Path]:
    assert isinstance(deps.files, FilesystemFileStore)
    return [p for p in deps.files.root.rglob("*") if p.is_file()]


def read(deps: Deps, ref: str, attachment_id: int, user: str) -> bytes:
    with service.attachments.open_attachment(deps, ref, attachment_id, user).file as file:
        return file.read()


def test_files_filed_with_a_complaint_are_listed_and_photos_lose_their_exif(deps: Deps) -> None:
    files = attachments.prepare(
        deps, [up("foto lokasi.JPG", jpeg_with_gps()), up("surat.pdf", pdf()), up("a.docx", docx())]
    )
    case = service.submit_complaint(deps, submission(deps), files=files)

    shown = attachments.list_attachments(deps, case.tracking_code, "budi")

    assert [(a.name, a.type_label, a.action) for a in shown] == [
        ("foto lokasi.JPG", "Foto (JPEG)", "submit"),
        ("surat.pdf", "Dokumen PDF", "submit"),
        ("a.docx", "Dokumen Word", "submit"),
    ]
    photo = read(deps, case.tracking_code, shown[0].id, "budi")
    assert photo.startswith(b"\xff\xd8\xff")
    assert exif_of(photo) == {}
    assert read(deps, case.tracking_code, shown[1].id, "budi") == pdf()
    assert len(stored_files(deps)) == 3


def test_a_heic_photo_is_kept_as_a_jpeg_without_its_exif_and_gps(deps: Deps) -> None:
    sent = heic_with_gps()
    assert exif_of(sent)[2] == (6.0, 33.0, 12.0)  # the phone's photo says where it was taken
    case = service.submit_complaint(deps, submission(deps))

    shown = attachments.add_attachments(
        deps, case.tracking_code, "budi", [up("IMG_0042.HEIC", sent), up("lagi.heif", sent)]
    )

    assert [(a.name, a.content_type, a.type_label) for a in shown] == [
        ("IMG_0042.jpg", "image/jpeg", "Foto (JPEG)"),
        ("lagi.jpg", "image/jpeg", "Foto (JPEG)"),
    ]
    photo = read(deps, case.tracking_code, shown[0].id, "budi")
    assert photo.startswith(b"\xff\xd8\xff")
    assert exif_of(photo) == {}
    with Image.open(io.BytesIO(photo)) as image:  # turned upright as the phone meant it
        assert (image.format, image.size) == ("JPEG", (48, 64))
    assert len(stored_files(deps)) == 1  # the same photo twice is one file


def test_staff_add_files_to_a_case_and_the_same_content_is_kept_once(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))

    attachments.add_attachments(deps, case.tracking_code, "budi", [up("tabel.xls", legacy_xls())])
    shown = attachments.add_attachments(deps, str(case.id), "sari", [up("lagi.xls", legacy_xls())])

    assert [(a.name, a.uploaded_by, a.action) for a in shown] == [
        ("tabel.xls", "budi", "attach"),
        ("lagi.xls", "sari", "attach"),
    ]
    assert len(stored_files(deps)) == 1


@pytest.mark.parametrize(
    ("upload", "rule"),
    [
        (up("foto.png", pdf()), "type_matches_name"),
        (up("program.exe", b"MZ\x90\x00"), "allowed_type"),
        (up("catatan.txt", b"teks biasa"), "allowed_type"),
        (up("palsu.pdf", b"<html>bukan pdf</html>"), "allowed_type"),
        (up("../../etc/bukti.pdf", pdf()), "no_path"),
        (up("C:\\Users\\bukti.pdf", pdf()), "no_path"),
        (up("besar.pdf", pdf(padding=70 * 1024)), "max_size"),
        (up("kosong.pdf", b""), "not_empty"),
        (up("rusak.jpg", b"\xff\xd8\xff\xe0rusak"), "readable_image"),
        (up("rusak.heic", heic_with_gps()[:200]), "readable_image"),
        (up("foto.jpg", heic_with_gps()), "type_matches_name"),
        (up("foto.heic", jpeg_with_gps()), "type_matches_name"),
    ],
)
def test_a_refused_file_names_its_rule_and_leaves_no_file_and_no_row(
    deps: Deps, upload: Upload, rule: str
) -> None:
    case = service.submit_complaint(deps, submission(deps))
    good = up("baik.png", png())

    with pytest.raises(InputError) as refused:
        attachments.add_attachments(deps, case.tracking_code, "budi", [good, upload])

    assert (refused.value.field, refused.value.rule) == ("file", rule)
    assert attachments.list_attachments(deps, case.tracking_code, "budi") == []
    assert stored_files(deps) == []


def test_a_refused_complaint_keeps_none_of_its_files(deps: Deps) -> None:
    with pytest.raises(InputError) as wrong:
        attachments.prepare(deps, [up("x.pdf", b"GIF89a", field="lampiran")])
    with pytest.raises(InputError) as too_many:
        attachments.prepare(deps, [up(f"{i}.png", png()) for i in range(4)])
    files = attachments.prepare(deps, [up("a.png", png()), up("b.pdf", pdf())])
    with pytest.raises(InputError) as unknown:
        service.submit_complaint(deps, submission(deps, service_code="99999"), files=files)

    assert (wrong.value.field, too_many.value.rule) == ("lampiran", "max_files")
    assert unknown.value.field == "service_code"
    assert service.list_cases(deps, CaseQuery(), "sari") == []
    assert stored_files(deps) == []


def test_the_per_case_limit_refuses_the_upload_and_removes_its_files(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))
    attachments.add_attachments(deps, case.tracking_code, "budi", [up("1.pdf", pdf(1))])
    attachments.add_attachments(deps, case.tracking_code, "budi", [up("2.pdf", pdf(2))])
    before = sorted(stored_files(deps))

    many = [up("3.pdf", pdf(3)), up("4.pdf", pdf(4)), up("5.pdf", pdf(5))]
    with pytest.raises(InputError) as refused:
        attachments.add_attachments(deps, case.tracking_code, "budi", many)

    assert refused.value.rule == "max_per_case"
    assert sorted(stored_files(deps)) == before


def test_a_case_out_of_sight_has_no_attachments_to_list_add_or_download(deps: Deps) -> None:
    files = attachments.prepare(deps, [up("bukti.pdf", pdf())])
    case = service.submit_complaint(deps, submission(deps), files=files)
    (first,) = attachments.list_attachments(deps, case.tracking_code, "budi")

    with pytest.raises(NotFoundError):
        attachments.list_attachments(deps, case.tracking_code, "tono")
    with pytest.raises(NotFoundError):
        attachments.open_attachment(deps, case.tracking_code, first.id, "tono")
    with pytest.raises(NotFoundError):
        attachments.add_attachments(deps, case.tracking_code, "tono", [up("b.pdf", pdf(9))])
    other = service.submit_complaint(deps, submission(deps))
    with pytest.raises(NotFoundError):  # an attachment of another case
        attachments.open_attachment(deps, other.tracking_code, first.id, "budi")
    assert len(stored_files(deps)) == 1


def test_an_identity_document_follows_the_identity_masking_rule(deps: Deps) -> None:
    files = attachments.prepare(deps, [up("KTP Siti Aminah.png", png(), identity=True)])
    case = service.submit_complaint(deps, submission(deps), files=files)  # by the public

    (for_sari,) = attachments.list_attachments(deps, case.tracking_code, "sari")
    (for_budi,) = attachments.list_attachments(deps, case.tracking_code, "budi")

    assert (for_sari.name, for_sari.masked) == ("KTP Siti Aminah.png", False)
    assert (for_budi.name, for_budi.masked) == ("(dokumen identitas)", True)
    assert read(deps, case.tracking_code, for_sari.id, "sari").startswith(b"\x89PNG")
    with pytest.raises(AccessDeniedError):
        attachments.open_attachment(deps, case.tracking_code, for_sari.id, "budi")
    now = deps.clock.now()
    with deps.uow(readonly=True) as uow:
        log = uow.identity.accesses(now.replace(year=2000), now.replace(year=2100), 100)
    assert [(e.username, e.reason) for e in log] == [("sari", "view")]


def test_purging_a_case_removes_its_files_but_keeps_content_another_case_names(
    deps: Deps,
) -> None:
    shared = [up("sama.pdf", pdf())]
    one = service.submit_complaint(
        deps, submission(deps), files=attachments.prepare(deps, [*shared, up("b.png", png())])
    )
    other = service.submit_complaint(
        deps, submission(deps), files=attachments.prepare(deps, [up("sama.pdf", pdf())])
    )

    removed = attachments.purge_case_files(deps, one.id)

    assert removed == 1
    assert attachments.list_attachments(deps, one.tracking_code, "sari") == []
    (left,) = attachments.list_attachments(deps, other.tracking_code, "sari")
    assert read(deps, other.tracking_code, left.id, "sari") == pdf()
    assert len(stored_files(deps)) == 1


def test_only_photos_of_public_open311_requests_are_media_under_their_public_id(
    deps: Deps,
) -> None:
    key = issue_client_key(deps, "Aplikasi Kota")
    client = open311.client_id(deps, key)
    files = attachments.prepare(
        deps,
        [up("foto.jpg", jpeg_with_gps()), up("ktp.png", png(), identity=True), up("s.pdf", pdf())],
    )
    command = submission(deps, channel="api")
    case = service.submit_complaint(deps, command, open311_client=client, files=files)
    staff_case = service.submit_complaint(
        deps, submission(deps), files=attachments.prepare(deps, [up("f.jpg", jpeg_with_gps())])
    )
    photo, ktp, letter = attachments.list_attachments(deps, case.tracking_code, "sari")
    (listed,) = open311.list_requests(
        deps, Open311Query(client=None, start=deps.clock.now() - timedelta(days=1),
                           end=deps.clock.now() + timedelta(days=1))
    )  # fmt: skip
    assert listed.public_id is not None and listed.request_id == listed.public_id

    urls = attachments.public_media(
        deps, [(case.id, listed.public_id), (staff_case.id, "x" * 24)], "https://a.id/"
    )

    assert urls == {case.id: [f"https://a.id/open311/v2/media/{listed.public_id}/{photo.id}"]}
    with attachments.open_public_media(deps, listed.public_id, photo.id).file as file:
        assert exif_of(file.read()) == {}  # the photo as stored: no EXIF, no GPS
    for hidden in (ktp.id, letter.id):
        with pytest.raises(NotFoundError):
            attachments.open_public_media(deps, listed.public_id, hidden)
    with pytest.raises(NotFoundError):  # a tracking code is no public id
        attachments.open_public_media(deps, case.tracking_code, photo.id)


def test_without_a_file_store_nothing_is_accepted(deps: Deps) -> None:
    bare = replace(deps, files=None)
    with pytest.raises(RuntimeError, match="file store"):
        attachments.add_attachments(bare, "1", "budi", [up("a.pdf", pdf())])


def test_files_come_with_an_action_and_a_refused_action_keeps_none(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))
    classify = ActionCommand(
        case_ref=case.tracking_code, action=Action.CLASSIFY, payload=PAYLOADS[Action.CLASSIFY]
    )
    files = attachments.prepare(deps, [up("nota dinas.pdf", pdf())])
    service.perform_action(deps, classify, "budi", files)
    stale = ActionCommand(
        case_ref=case.tracking_code,
        action=Action.REVIEW,
        payload=PAYLOADS[Action.REVIEW],
        expected_version=1,  # classify made it 2
    )

    with pytest.raises(ConflictError):
        service.perform_action(deps, stale, "budi", attachments.prepare(deps, [up("b.png", png())]))

    shown = attachments.list_attachments(deps, case.tracking_code, "budi")
    assert [(a.name, a.action) for a in shown] == [("nota dinas.pdf", "classify")]
    assert len(stored_files(deps)) == 1
