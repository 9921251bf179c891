"""Letters: a frozen A4 PDF letter per message, written to a folder for the office to post.

Each letter is two files named after the outbox row's delivery key: ``<key>.json``, the
snapshot of everything the letter prints with its SHA-256, and ``<key>.pdf``, the letter
rendered from it (the hash printed at its foot). The letter file is the record: once written it
is never rendered again from the case or the org chart, so a duplicate delivery or a retry leaves
the sent letter as it was; a snapshot whose PDF is missing (the process stopped in between) is
rendered to the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aduan.config import Office
from aduan.ports import DeliveryError, OutboxEntry, RenderedMessage
from aduan.reports.documents import digest
from aduan.reports.letter import content_of, freeze_letter, letter_pdf


class LetterChannel:
    """Writes a frozen PDF letter (and its JSON snapshot) per message; the office prints it."""

    name = "letter"

    def __init__(self, folder: Path, office: Office) -> None:
        self.folder = folder
        self.office = office

    def paths(self, entry: OutboxEntry) -> tuple[Path, Path]:
        """The letter's (PDF, snapshot) files."""
        # The delivery key, not the idempotency key alone: after a restore from a backup a new
        # letter may carry an old key, and must not be taken for the one already written.
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", entry.message.delivery_key)
        return self.folder / f"{safe}.pdf", self.folder / f"{safe}.json"

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        target, snap = self.paths(entry)
        try:
            if snap.exists():
                snapshot = json.loads(snap.read_text(encoding="utf-8"))
                if digest(content_of(snapshot)) != snapshot.get("sha256"):
                    raise DeliveryError(f"letter {snap.name}: snapshot altered", permanent=True)
                if target.exists():
                    return  # written already: the letter stands as it was sent
            else:
                snapshot = self._freeze(entry, message)
                _write(snap, json.dumps(snapshot, ensure_ascii=False, indent=2).encode())
            _write(target, letter_pdf(snapshot))
        except OSError as exc:
            raise DeliveryError(f"letter folder: {exc}") from None

    def _freeze(self, entry: OutboxEntry, message: RenderedMessage) -> dict[str, Any]:
        m = entry.message
        context = m.payload.get("context", {})
        return freeze_letter(
            self.office,
            sequence=entry.id,
            tracking_code=str(context.get("tracking_code", "-")),
            written_at=m.created_at,
            subject=message.subject,
            body=message.text,
            letter=context.get("letter"),
            recipient=m.recipient,
        )

    def close(self) -> None:
        return None


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
