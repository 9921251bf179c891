"""The letter to a complainant reached by post, as a frozen A4 document (issue 13 item 4).

``freeze_letter`` takes everything the letter prints (letterhead, number, date, the addressee's
name and postal address, subject, the notice as rendered, the signature block) at the moment
it is written, with the SHA-256 of that content; ``letter_pdf`` renders such a snapshot, always
to the same bytes. The letter channel stores both, so a sent letter never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Spacer

from aduan.config import Office
from aduan.reports.documents import Signatory, day_id, digest
from aduan.reports.pdf import BODY, SMALL, build, letterhead, para, signature
from aduan.workflow.intake import WIB

CLOSING = "Demikian surat ini kami sampaikan. Atas perhatian Bapak/Ibu, kami ucapkan terima kasih."
COMPLAINTS_OFFICER = "Pejabat Pengelola Pengaduan"  # signs when the notice names no one
RIGHT = ParagraphStyle("right", parent=BODY, alignment=TA_RIGHT)


def freeze_letter(
    office: Office,
    sequence: int,
    tracking_code: str,
    written_at: datetime,
    subject: str,
    body: str,
    letter: Mapping[str, Any] | None,
    recipient: str,
) -> dict[str, Any]:
    """The content of a letter as it is written, and the SHA-256 of that content.

    ``letter`` is what the planner put in the notice (``planner.letter_context``): the
    addressee's name and postal address and the signatory; a notice queued before letters
    carried it names the addressee by its recipient line and is signed by the post's title.
    """
    letter = letter or {}
    signer = letter.get("signatory") or {}
    year = written_at.astimezone(WIB).year
    content: dict[str, Any] = {
        "office": asdict(office),
        "number": f"{sequence:03d}/{tracking_code}/{year}",
        "place_date": f"{office.city}, {day_id(written_at)}",
        "addressee": {
            "name": letter.get("name") or recipient,
            "address": letter.get("address") or "",
        },
        "subject": subject,
        "body": body,
        "signatory": {
            "name": signer.get("name") or "",
            "position": signer.get("position") or COMPLAINTS_OFFICER,
            "nip": signer.get("nip"),
        },
    }
    return {**content, "sha256": digest(content)}


def content_of(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot without its hash: what the hash is of."""
    return {k: v for k, v in snapshot.items() if k != "sha256"}


def letter_pdf(snapshot: Mapping[str, Any]) -> bytes:
    """The letter of a frozen snapshot: the same snapshot always gives the same bytes."""
    office = Office(**snapshot["office"])
    to = snapshot["addressee"]
    signer = snapshot["signatory"]
    story: list[Flowable] = [*letterhead(office)]
    story += [para(snapshot["place_date"], RIGHT), Spacer(1, 0.2 * cm)]
    story += [para(f"Nomor: {snapshot['number']}"), para("Lampiran: -")]
    story += [para(f"Perihal: {snapshot['subject']}"), Spacer(1, 0.5 * cm)]
    lines = ["Kepada Yth.", to["name"], *([to["address"]] if to["address"] else [])]
    story += [para("\n".join(lines)), Spacer(1, 0.5 * cm)]
    for paragraph in snapshot["body"].split("\n\n"):
        if paragraph.strip():
            story += [para(paragraph.strip()), Spacer(1, 0.25 * cm)]
    signatory = Signatory(signer["name"] or "-", signer["position"], signer["nip"])
    story.append(signature(snapshot["place_date"], signatory, lead=[para(CLOSING)]))
    story += [
        Spacer(1, 0.5 * cm),
        para(f"Sidik dokumen (SHA-256): {snapshot['sha256']}", SMALL),
        para("Isi surat ini disimpan saat surat dibuat dan tidak berubah.", SMALL),
    ]
    return build(story, f"Surat {snapshot['number']}", invariant=True)
