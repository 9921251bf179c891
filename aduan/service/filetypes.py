"""What an evidence file is, read from its content (issue 14 item 1), and its clean copy.

The type is decided by the content's first bytes (and, for the zip-based office formats, the
members inside; for the legacy OLE ones, the streams they name; for HEIC/HEIF, the brands of its
``ftyp`` box), never by the name; the name's extension must then agree. Images are decoded once,
their pixel count capped before decoding, and written again without EXIF, GPS or text chunks;
a HEIC photo (what iPhones take) is written as a JPEG, which every browser and office viewer
opens (``pillow-heif`` reads it). Every read is in chunks from a seekable file: a 20 MB PDF is
never held in memory.
"""

from __future__ import annotations

import functools
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from aduan.workflow.errors import InputError
from aduan.workflow.states import N_

CHUNK = 256 * 1024
SPOOL_BYTES = 1024 * 1024  # a cleaned image larger than this goes to a temporary file
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class FileType:
    """A type Aduan accepts: its MIME type, the extensions that name it, its label."""

    key: str
    mime: str
    extensions: tuple[str, ...]
    label: str  # Indonesian words for the case page (a msgid)
    image: bool = False
    stored_as: str | None = None  # the key of the type an image is written as, if another


_OOXML = "application/vnd.openxmlformats-officedocument"
TYPES = {
    t.key: t
    for t in (
        FileType("jpeg", "image/jpeg", ("jpg", "jpeg"), N_("Foto (JPEG)"), image=True),
        FileType("png", "image/png", ("png",), N_("Gambar (PNG)"), image=True),
        FileType(
            "heic", "image/heic", ("heic", "heif"), N_("Foto (HEIC)"), image=True, stored_as="jpeg"
        ),
        FileType("pdf", "application/pdf", ("pdf",), N_("Dokumen PDF")),
        FileType("docx", f"{_OOXML}.wordprocessingml.document", ("docx",), N_("Dokumen Word")),
        FileType("xlsx", f"{_OOXML}.spreadsheetml.sheet", ("xlsx",), N_("Lembar kerja Excel")),
        FileType(
            "pptx", f"{_OOXML}.presentationml.presentation", ("pptx",), N_("Presentasi PowerPoint")
        ),
        FileType("doc", "application/msword", ("doc",), N_("Dokumen Word")),
        FileType("xls", "application/vnd.ms-excel", ("xls",), N_("Lembar kerja Excel")),
        FileType("ppt", "application/vnd.ms-powerpoint", ("ppt",), N_("Presentasi PowerPoint")),
    )
}
BY_MIME = {t.mime: t for t in TYPES.values()}
BY_EXTENSION = {ext: t for t in TYPES.values() for ext in t.extensions}
ACCEPTED = ", ".join(sorted(BY_EXTENSION))
_ZIP_MEMBERS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
# The streams a legacy office file names in its directory, as UTF-16LE.
_OLE_STREAMS = {
    "WordDocument".encode("utf-16-le"): "doc",
    "Workbook".encode("utf-16-le"): "xls",
    "PowerPoint Document".encode("utf-16-le"): "ppt",
}
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# HEIF images coded with HEVC (HEIC): the ``ftyp`` box's major brand, or a generic HEIF brand
# (mif1, msf1) with one of these among its compatible brands. AVIF shares the container and is
# not among them.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_GENERIC = {b"mif1", b"msf1"}
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "heic": "HEIF"}


def megabytes(size: int) -> str:
    """A size in MB as people write it here: ``10``, ``2,5``."""
    return f"{size / 1_048_576:.1f}".removesuffix(".0").replace(".", ",")


def label_of(mime: str) -> str:
    """The Indonesian words (a msgid) for a stored MIME type."""
    found = BY_MIME.get(mime)
    return found.label if found else N_("Berkas")


def clean_name(field: str, raw: str | None) -> str:
    """The uploaded name as kept: refused when empty, too long, or carrying a path.

    A name is what the sender's computer called the file; a slash, a backslash, a leading
    dot or a control character is not part of a file name and is refused, not repaired.
    """
    name = (raw or "").strip()
    if not name:
        raise InputError(field, "file_name", N_("berkas tanpa nama tidak dapat diterima"))
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise InputError(
            field,
            "no_path",
            N_("nama berkas tidak boleh memuat folder atau jalur: %(name)s"),
            name=name[:MAX_NAME],
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name) or len(name) > MAX_NAME:
        raise InputError(
            field,
            "file_name",
            N_("nama berkas paling panjang %(limit)s karakter, tanpa karakter kontrol"),
            limit=MAX_NAME,
        )
    return name


def detect(field: str, name: str, file: BinaryIO) -> FileType:
    """The type of ``file`` read from its content; refused unless the name's extension agrees."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    named = BY_EXTENSION.get(extension)
    if named is None:
        raise InputError(
            field,
            "allowed_type",
            N_("jenis berkas tidak diterima (hanya %(accepted)s): %(name)s"),
            accepted=ACCEPTED,
            name=name,
        )
    found = _sniff(file)
    if found is None:
        raise InputError(
            field,
            "allowed_type",
            N_("isi berkas bukan jenis yang diterima (%(accepted)s): %(name)s"),
            accepted=ACCEPTED,
            name=name,
        )
    if found is not named and found.mime != named.mime:
        raise InputError(
            field,
            "type_matches_name",
            N_("isi berkas %(name)s adalah %(found)s, tidak sesuai dengan namanya"),
            name=name,
            found=found.key.upper(),
        )
    return found


def _sniff(file: BinaryIO) -> FileType | None:
    file.seek(0)
    head = file.read(64)
    file.seek(0)
    if _heic(head):
        return TYPES["heic"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(file)
    if head.startswith(_OLE_MAGIC):
        return _ole_type(file)
    return None


def _heic(head: bytes) -> bool:
    """Whether ``head`` starts an ISO BMFF ``ftyp`` box of a HEIC image."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return False
    major = head[8:12]
    end = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = {head[i : i + 4] for i in range(16, end - 3, 4)}
    return major in _HEIC_BRANDS or (major in _HEIF_GENERIC and bool(compatible & _HEIC_BRANDS))


def _zip_type(file: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    found = [key for member, key in _ZIP_MEMBERS.items() if member in names]
    return TYPES[found[0]] if len(found) == 1 else None


def _ole_type(file: BinaryIO) -> FileType | None:
    """The legacy office type whose main stream the OLE directory names, read in chunks."""
    tail = b""
    found: set[str] = set()
    for chunk in chunks_of(file):
        window = tail + chunk
        found.update(key for stream, key in _OLE_STREAMS.items() if stream in window)
        tail = window[-64:]
    file.seek(0)
    return TYPES[found.pop()] if len(found) == 1 else None


def chunks_of(file: BinaryIO) -> Iterator[bytes]:
    """``file`` from its start, in chunks."""
    file.seek(0)
    while chunk := file.read(CHUNK):
        yield chunk


def size_of(file: BinaryIO) -> int:
    """The size of a seekable file, without reading it."""
    size = file.seek(0, 2)
    file.seek(0)
    return size


def stored_type(kind: FileType) -> FileType:
    """The type an upload of ``kind`` is kept as (a HEIC photo becomes a JPEG)."""
    return TYPES[kind.stored_as] if kind.stored_as else kind


def stored_name(name: str, kind: FileType) -> str:
    """The name a file is kept under: its extension follows the type it is kept as."""
    kept = stored_type(kind)
    if kept is kind:
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{kept.extensions[0]}"


def reencoded(field: str, name: str, kind: FileType, file: BinaryIO, max_pixels: int) -> BinaryIO:
    """A copy of an image without its metadata (EXIF, GPS, text), turned upright first.

    The pixel count is read from the header and refused over ``max_pixels`` before anything is
    decoded (a small file may unpack to gigabytes). A file that does not decode is refused. The
    copy is of ``stored_type(kind)``: a HEIC photo comes back as a JPEG.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if kind.key == "heic":
        _register_heif()
    try:
        with Image.open(file, formats=[_PIL_FORMATS[kind.key]]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise InputError(
                    field,
                    "max_pixels",
                    N_("gambar %(name)s terlalu besar: paling banyak %(limit)s piksel"),
                    name=name,
                    limit=max_pixels,
                )
            upright = ImageOps.exif_transpose(image)
            out = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))  # noqa: SIM115
            _save(upright, stored_type(kind), out)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InputError(
            field, "readable_image", N_("gambar %(name)s rusak atau tidak dapat dibaca"), name=name
        ) from None
    out.seek(0)
    return out


@functools.cache
def _register_heif() -> None:
    """Let Pillow open HEIF files (once: Pillow keeps the opener registered)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _save(image: object, kind: FileType, out: BinaryIO) -> None:
    from PIL import Image

    assert isinstance(image, Image.Image)
    if kind.key == "jpeg":
        rgb = image if image.mode in ("RGB", "L", "CMYK") else image.convert("RGB")
        rgb.save(out, format="JPEG", quality=90, optimize=True)
    else:
        image.save(out, format="PNG", optimize=False)
