"""The letter to a complainant reached only by post: a frozen A4 PDF letter (issue 13 item 4).

The dispatcher writes it through the real letter channel into a folder; the PDF is read back
with pypdf, and a second render or delivery must leave the stored letter as it was.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from aduan import bootstrap
from aduan.adapters.channels.letter import LetterChannel
from aduan.config import Notify, Settings
from aduan.notifications import templates
from aduan.ports import DeliveryError, FixedClock, OutboxEntry
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.conftest import wired
from tests.integration.builders import act, submit

NAME = "Ani Suryani"
ADDRESS = "Jl. Mawar No. 1 RT 02/RW 05, Kel. Nagrikaler, Purwakarta 41115"
ANSWER = "Sertifikat standar Anda telah terbit dan dapat diambil di loket MPP."


@pytest.fixture
def deps(sqlite_url: str, clock: FixedClock) -> Iterator[Deps]:
    clock.current = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 09:00 WIB, 4 December 2026
    with wired(sqlite_url, clock) as deps:
        yield deps


def settings(tmp_path: Path) -> Settings:
    return Settings(notify=Notify(letter_dir=str(tmp_path / "letters")))


def letter_channel(tmp_path: Path) -> LetterChannel:
    """The letter channel as the application wires it."""
    channel = bootstrap.build_channels(settings(tmp_path))["letter"]
    assert isinstance(channel, LetterChannel)
    return channel


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def answered_by_letter(deps: Deps, tmp_path: Path) -> tuple[str, OutboxEntry]:
    """A complaint from someone with only a postal address, answered by letter and dispatched."""
    person = {"name": NAME, "address": ADDRESS}
    case = submit(deps, channel="mpp_counter", complainant=person)
    for action in (Action.CLASSIFY, Action.REVIEW, Action.ROUTE_INTERNAL):
        act(deps, case, action, "budi")
    act(deps, case, Action.RESPOND, "budi", channel="letter", text=ANSWER)
    report = bootstrap.build_dispatcher(deps, settings(tmp_path), worker="test").dispatch()
    assert report.counts["sent"] >= 2  # the acknowledgement and the answer
    with deps.uow(readonly=True) as uow:
        rows = [e for i in range(1, 50) if (e := uow.outbox.get(i)) is not None]
    (answer,) = [e for e in rows if e.message.event == "answered"]
    assert (answer.message.channel, answer.status) == ("letter", "sent")
    return case.tracking_code, answer


def test_the_answer_letter_has_letterhead_number_date_address_answer_and_signature(
    deps: Deps, tmp_path: Path
) -> None:
    code, entry = answered_by_letter(deps, tmp_path)
    pdf_path, snap_path = letter_channel(tmp_path).paths(entry)

    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert pages == 1
    flat = " ".join(text.split())
    for expected in (
        "PEMERINTAH KABUPATEN PURWAKARTA",
        "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU",
        "Jalan Veteran Nomor 139",
        f"Nomor: {entry.id:03d}/{code}/2026",
        "Purwakarta, 4 Desember 2026",
        f"Kepada Yth. {NAME} {ADDRESS}",
        f"Perihal: Jawaban pengaduan {code}",
        ANSWER,
        "Budi Santoso",  # who sent the answer, from the org chart
        "Pejabat Pengelola Pengaduan",
        "NIP. 198703152010011002",
    ):
        assert expected in flat, expected
    assert "Desember" in text and "December" not in text

    snapshot = json.loads(snap_path.read_text(encoding="utf-8"))
    assert snapshot["addressee"] == {"name": NAME, "address": ADDRESS}
    assert snapshot["signatory"] == {
        "name": "Budi Santoso",
        "position": "Pejabat Pengelola Pengaduan",
        "nip": "198703152010011002",
    }
    assert len(snapshot["sha256"]) == 64
    assert f"Sidik dokumen (SHA-256): {snapshot['sha256']}" in flat

    # Drawn for real: a page image with ink on it, kept next to the letter for a look.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf_path), str(tmp_path / "letter")],
        check=True,
    )
    png = (tmp_path / "letter.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_a_second_render_or_delivery_never_changes_a_sent_letter(
    deps: Deps, tmp_path: Path
) -> None:
    _, entry = answered_by_letter(deps, tmp_path)
    channel = letter_channel(tmp_path)
    pdf_path, snap_path = channel.paths(entry)
    sent, snapshot = pdf_path.read_bytes(), snap_path.read_text(encoding="utf-8")

    # Delivered again with a different rendering (as if the templates had changed since).
    changed = templates.render(
        "answered", "id", entry.message.payload["context"] | {"answer": "Teks yang lain"}
    )
    channel.send(entry, changed)
    assert pdf_path.read_bytes() == sent
    assert snap_path.read_text(encoding="utf-8") == snapshot

    # The PDF lost (the process stopped after the snapshot): rendered again, the same bytes.
    pdf_path.unlink()
    channel.send(entry, changed)
    assert pdf_path.read_bytes() == sent
    assert "Teks yang lain" not in pdf_text(pdf_path.read_bytes())[1]

    # A snapshot edited by hand no longer matches its hash: refused, nothing rewritten.
    edited = json.loads(snapshot)
    edited["body"] = edited["body"].replace(ANSWER, "Jawaban yang diubah")
    snap_path.write_text(json.dumps(edited), encoding="utf-8")
    pdf_path.unlink()
    with pytest.raises(DeliveryError, match="snapshot altered") as raised:
        channel.send(entry, changed)
    assert raised.value.permanent
    assert not pdf_path.exists()


def test_an_acknowledgement_letter_is_signed_by_the_offices_complaints_officer(
    deps: Deps, tmp_path: Path
) -> None:
    person = {"name": NAME, "address": ADDRESS}
    case = submit(deps, channel="mpp_counter", complainant=person)
    assert bootstrap.build_dispatcher(deps, settings(tmp_path)).dispatch().counts["sent"] == 1

    (pdf,) = (tmp_path / "letters").glob("*.pdf")
    flat = " ".join(pdf_text(pdf.read_bytes())[1].split())
    assert f"Perihal: Pengaduan Anda diterima — {case.tracking_code}" in flat
    assert f"Kepada Yth. {NAME} {ADDRESS}" in flat
    assert "Budi Santoso" in flat and "Pejabat Pengelola Pengaduan" in flat
    assert "NIP. 198703152010011002" in flat  # the holder of the office's entry post
