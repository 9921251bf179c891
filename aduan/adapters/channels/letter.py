"""Letters: a print-ready HTML page per message, written to a folder for the office to post.

The file is named after the outbox row's idempotency key, so a duplicate overwrites its twin.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from aduan.ports import DeliveryError, OutboxEntry, RenderedMessage


class LetterChannel:
    """Writes a print-ready letter (HTML) per message into a folder; the office prints it."""

    name = "letter"

    def __init__(self, folder: Path, office: str) -> None:
        self.folder = folder
        self.office = office

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", entry.message.idempotency_key)
        target = self.folder / f"{safe}.html"
        page = message.html.replace(
            "<body>\n",
            f"<body>\n<header><strong>{self.office}</strong></header>\n"
            f"<p>Kepada Yth. {html.escape(entry.message.recipient)}</p>\n",
            1,
        )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(page, encoding="utf-8")
            tmp.replace(target)  # the same key overwrites: a duplicate is one letter
        except OSError as exc:
            raise DeliveryError(f"letter folder: {exc}") from None

    def close(self) -> None:
        return None
