"""An in-memory evidence file store, for the unit and contract tests (``ports.FileStore``)."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterable
from typing import BinaryIO

from aduan.ports import StoredFile


class InMemoryFileStore:
    """Contents in a dict by SHA-256; safe to share between threads."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, chunks: Iterable[bytes]) -> StoredFile:
        digest = hashlib.sha256()
        parts: list[bytes] = []
        for chunk in chunks:
            digest.update(chunk)
            parts.append(chunk)
        sha = digest.hexdigest()
        content = b"".join(parts)
        with self._lock:
            created = sha not in self.blobs
            self.blobs.setdefault(sha, content)
        return StoredFile(sha, len(content), created=created)

    def open(self, sha256: str) -> BinaryIO:
        with self._lock:
            content = self.blobs.get(sha256)
        if content is None:
            raise FileNotFoundError(sha256)
        return io.BytesIO(content)

    def exists(self, sha256: str) -> bool:
        with self._lock:
            return sha256 in self.blobs

    def delete(self, sha256: str) -> None:
        with self._lock:
            self.blobs.pop(sha256, None)
