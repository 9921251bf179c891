"""The evidence file store's contract, on the folder and in memory (``ports.FileStore``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from aduan.adapters.files import FilesystemFileStore
from aduan.adapters.memory.files import InMemoryFileStore
from aduan.ports import FileStore


@pytest.fixture(params=["filesystem", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "filesystem":
        return FilesystemFileStore(tmp_path / "files")
    return InMemoryFileStore()


def test_a_file_is_kept_by_its_sha256_and_read_back_whole(store: FileStore) -> None:
    chunks = [b"bukti ", b"pengaduan ", b"x" * 100_000]
    content = b"".join(chunks)

    kept = store.put(iter(chunks))

    assert kept.sha256 == hashlib.sha256(content).hexdigest()
    assert kept.size == len(content)
    assert kept.created
    assert store.exists(kept.sha256)
    with store.open(kept.sha256) as file:
        assert file.read() == content


def test_the_same_content_is_kept_once(store: FileStore) -> None:
    first = store.put([b"sama"])
    second = store.put([b"sa", b"ma"])

    assert second.sha256 == first.sha256
    assert not second.created


def test_a_deleted_file_is_gone_and_deleting_again_is_harmless(store: FileStore) -> None:
    kept = store.put([b"hapus saya"])

    store.delete(kept.sha256)
    store.delete(kept.sha256)

    assert not store.exists(kept.sha256)
    with pytest.raises(FileNotFoundError):
        store.open(kept.sha256)


def test_the_folder_holds_only_finished_files_and_refuses_a_path_for_an_address(
    tmp_path: Path,
) -> None:
    store = FilesystemFileStore(tmp_path)
    kept = store.put([b"isi"])

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [tmp_path / kept.sha256[:2] / kept.sha256[2:4] / kept.sha256]
    with pytest.raises(ValueError, match="SHA-256"):
        store.open("../../etc/passwd")
