"""The evidence file store on a local folder, content-addressed by SHA-256 (issue 14 item 1).

A file is written in chunks to a temporary name in the folder, hashed on the way, and then
renamed to ``<folder>/<ab>/<cd>/<sha256>``: a reader never sees half a file, and the same
content uploaded twice is kept once. An S3-compatible store can follow behind the same port
(``aduan.ports.FileStore``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from aduan.ports import StoredFile

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _checked(sha256: str) -> str:
    """``sha256`` when it is 64 lowercase hex digits (never a path), else ``ValueError``."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return sha256


class FilesystemFileStore:
    """Files under ``root``, two levels of folders by the first hex digits of their address."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        """Where the content ``sha256`` lives (whether or not it is kept)."""
        sha = _checked(sha256)
        return self.root / sha[:2] / sha[2:4] / sha

    def put(self, chunks: Iterable[bytes]) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp = tempfile.mkstemp(prefix=".upload-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            target = self.path_of(digest.hexdigest())
            if target.exists():
                os.unlink(temp)
                return StoredFile(digest.hexdigest(), size, created=False)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        return StoredFile(digest.hexdigest(), size)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_of(sha256).unlink()


def copy_files(source: Path, target: Path) -> int:
    """Copy every stored file of the folder ``source`` that ``target`` lacks; how many.

    Content-addressed files never change, so a file already in ``target`` is the same file;
    each copy is written to a temporary name and renamed, so an interrupted copy leaves no
    half file under a real address (backup and restore, ``aduan db backup``).
    """
    copied = 0
    if not source.is_dir():
        return 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or not _SHA256.match(path.name):
            continue  # a temporary upload (.upload-*) or anything else: not a stored file
        dest = target / path.relative_to(source)
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".copy-", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        copied += 1
    return copied
