"""Sample evidence files for the attachment tests: photos with EXIF/GPS, PDFs, office files."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112


def _camera_and_place() -> Image.Exif:
    """EXIF naming the camera and, in its GPS block, where the photo was taken."""
    exif = Image.Exif()
    exif[MAKE] = "KameraPelapor"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "S"
    gps[2] = (6.0, 33.0, 12.0)
    gps[3] = "E"
    gps[4] = (107.0, 26.0, 40.0)
    return exif


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose EXIF names the camera and where the photo was taken."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=_camera_and_place())
    return out.getvalue()


def heic_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real HEIC photo (written by pillow-heif) whose EXIF names the camera and the place.

    Its orientation tag says "rotate 90°", as a phone held upright writes it.
    """
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = Image.new("RGB", size, (30, 30, 200))
    exif = _camera_and_place()
    exif[ORIENTATION] = 6
    out = io.BytesIO()
    image.save(out, format="HEIF", exif=exif.tobytes(), quality=80)
    return out.getvalue()


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    """A small PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(out, format="PNG")
    return out.getvalue()


def pdf(padding: int = 0) -> bytes:
    """A (minimal) PDF of about ``padding`` bytes more."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * padding + b"\n%%EOF\n"


def docx() -> bytes:
    """A zip with the members of a Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def legacy_xls() -> bytes:
    """An OLE compound file naming a Workbook stream, as a legacy Excel file does."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1000 + "Workbook".encode("utf-16-le")


def exif_of(content: bytes) -> dict[int, object]:
    """The EXIF tags of an image read back with Pillow (GPS included)."""
    with Image.open(io.BytesIO(content)) as image:
        exif = image.getexif()
        return {**dict(exif), **dict(exif.get_ifd(GPS_IFD))}
