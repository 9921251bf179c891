"""Upload benchmark (issue 14 item 1): throughput and memory of evidence files, 20 MB vs 1 MB.

Runs the app in this process (uvicorn in a thread, SQLite in a temporary folder) and posts
files to ``POST /api/v1/cases/{id}/attachments`` as an officer, streamed from disk by httpx:
the whole path of an upload (multipart parsing, the checks by content, the content-addressed
store, the row). Files are PDFs (a header and random bytes, so nothing compresses or dedups).

For each size it prints the upload throughput (MB/s, a pass without tracing), then the peak of
Python allocations during the uploads (``tracemalloc``, client and server together, a second
pass) and the growth of the process's peak RSS. The ratio row compares the 20 MB files with the
1 MB baseline measured in the same process: memory flat in the file size shows as a peak ratio
near 1 while the size ratio is 20. Images are decoded to be re-encoded: their memory follows
their pixel count (capped by ``ADUAN_ATTACHMENT_MAX_PIXELS``), not this benchmark. Usage::

    PYTHONPATH=. .venv/bin/python bench/attachments.py [--uploads 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aduan import service  # noqa: E402
from aduan.bootstrap import build, configure_logging, upgrade_database  # noqa: E402
from aduan.config import Attachments, Settings  # noqa: E402
from aduan.service import accounts  # noqa: E402
from aduan.web.app import create_app  # noqa: E402
from tests.integration.builders import submission  # noqa: E402
from tests.web.server import live  # noqa: E402

MB = 1024 * 1024


def sample(folder: Path, size: int, n: int) -> list[Path]:
    """``n`` distinct PDF files of ``size`` bytes, written in 1 MB pieces."""
    paths = []
    for i in range(n):
        path = folder / f"bukti-{size // MB}mb-{i}.pdf"
        with path.open("wb") as out:
            out.write(b"%PDF-1.4\n")
            left = size - 9
            while left > 0:
                piece = os.urandom(min(MB, left))
                out.write(piece)
                left -= len(piece)
        paths.append(path)
    return paths


def upload(client: httpx.Client, case_id: int, paths: list[Path]) -> None:
    for path in paths:
        with path.open("rb") as file:
            answer = client.post(
                f"/api/v1/cases/{case_id}/attachments",
                files=[("file", (path.name, file, "application/pdf"))],
            )
        answer.raise_for_status()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(
    client: httpx.Client, case_id: int, paths: list[Path], again: list[Path]
) -> dict[str, float]:
    started = time.perf_counter()
    upload(client, case_id, paths)
    seconds = time.perf_counter() - started
    total = sum(p.stat().st_size for p in paths)
    rss_before = maxrss_mb()
    tracemalloc.start()
    upload(client, case_id, again)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "mb_s": total / MB / seconds,
        "per_file_ms": seconds / len(paths) * 1000,
        "peak_mb": peak / MB,
        "rss_growth_mb": maxrss_mb() - rss_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=5, help="files per size and pass")
    args = parser.parse_args()
    configure_logging(Settings(log_level="warning"))
    with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
        folder = Path(tmp)
        limits = Attachments(files_dir=str(folder / "files"), max_bytes=25 * MB, max_per_case=1000)
        settings = Settings(database_url=f"sqlite:///{folder / 'aduan.db'}", attachments=limits)
        deps = build(settings)
        upgrade_database(deps)
        case = service.submit_complaint(deps, submission(deps))
        token = accounts.issue_token(deps, "budi", "bench")
        app = create_app(deps, settings, start_background=False)
        results = {}
        with (
            live(app) as url,
            httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
            ) as client,
        ):
            upload(client, case.id, sample(folder, 64 * 1024, 1))  # warm up
            for size in (1 * MB, 20 * MB):
                paths = sample(folder, size, args.uploads)
                again = sample(folder, size, args.uploads)
                results[size] = measure(client, case.id, paths, again)
        print(f"uploads per size and pass: {args.uploads} (SQLite, in-process server)")
        print(f"{'file':>6} {'MB/s':>8} {'ms/file':>9} {'peak MB':>9} {'RSS growth MB':>14}")
        for size, r in results.items():
            print(
                f"{size // MB:>4}MB {r['mb_s']:>8.1f} {r['per_file_ms']:>9.0f} "
                f"{r['peak_mb']:>9.2f} {r['rss_growth_mb']:>14.1f}"
            )
        big, small = results[20 * MB], results[1 * MB]
        time_ratio = big["per_file_ms"] / small["per_file_ms"]
        print(
            f"ratio 20MB/1MB: size 20.0x, time per file {time_ratio:.1f}x, "
            f"throughput {big['mb_s'] / small['mb_s']:.2f}x, "
            f"peak memory {big['peak_mb'] / small['peak_mb']:.2f}x"
        )
        deps_engine = getattr(deps.uow, "engine", None)
        if deps_engine is not None:
            deps_engine.dispose()


if __name__ == "__main__":
    main()
