"""Login flood benchmark: what anonymous logins with random usernames do to everyone else.

Starts a real ``aduan serve`` on a fresh SQLite database, then for ``--seconds``:

- ``--attackers`` clients post logins with random usernames and passwords as fast as they
  are answered (``POST /api/v1/session``), from one address, or, with ``--spread``, each
  attempt from another address (``X-Forwarded-For`` through a configured trusted proxy,
  ``ADUAN_TRUSTED_PROXIES=127.0.0.1``: the server sees a distributed attack that no
  per-address throttle stops);
- one staff client alternates a read (``GET /api/v1/cases?limit=20``) and a write (recording
  a complaint, ``POST /api/v1/cases``) with a bearer token, timing each.

It prints p50/p99 of the reads and writes under the flood, the same without it (measured
first), their ratio, and what the attackers got (status counts, attempts per second). It asserts
nothing. ``--source DIR`` runs another checkout (e.g. an export of an older commit) with this
machine's virtualenv, for a before/after comparison. Usage::

    .venv/bin/python bench/login.py --seconds 10 --attackers 6 [--spread] [--source DIR]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import random
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

COMPLAINT = {
    "channel": "whatsapp",
    "complainant": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
    "subject": "Sertifikat standar belum terbit",
    "description": "Sudah 10 hari kerja sejak berkas lengkap",
    "service_code": "15121",
    "service_received_on": "2026-02-23",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(source: Path, db_url: str, log: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(source),
        "ADUAN_DATABASE_URL": db_url,
        "ADUAN_LOG_LEVEL": "warning",
        "ADUAN_TRUSTED_PROXIES": "127.0.0.1",
    }
    cmd = [sys.executable, "-m", "aduan.cli", "serve", "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=source, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise SystemExit(log.read_text())
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start: " + log.read_text())
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def token(source: Path, db_url: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(source), "ADUAN_DATABASE_URL": db_url}
    done = subprocess.run(
        [sys.executable, "-m", "aduan.cli", "users", "token", "--as", "admin", "budi"],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def staff_loop(url: str, bearer: str, stop: threading.Event) -> tuple[list[float], list[float]]:
    reads: list[float] = []
    writes: list[float] = []
    headers = {"Authorization": f"Bearer {bearer}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            r = client.get("/api/v1/cases", params={"limit": 20})
            reads.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, r.text
            started = time.perf_counter()
            w = client.post("/api/v1/cases", json=COMPLAINT)
            writes.append((time.perf_counter() - started) * 1000)
            assert w.status_code == 201, w.text
            time.sleep(0.05)
    return reads, writes


def attacker(url: str, spread: bool, stop: threading.Event, seen: collections.Counter[int]) -> None:
    rng = random.Random()
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            name = "".join(rng.choices(string.ascii_lowercase, k=10))
            headers = {}
            if spread:
                headers["X-Forwarded-For"] = f"198.51.100.{rng.randrange(1, 255)}"
            r = client.post(
                "/api/v1/session",
                json={"username": name, "password": "tebakan-" + name},
                headers=headers,
            )
            seen[r.status_code] += 1


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def measure(
    url: str, bearer: str, seconds: float, attackers: int, spread: bool
) -> dict[str, object]:
    stop = threading.Event()
    seen: collections.Counter[int] = collections.Counter()
    threads = [
        threading.Thread(target=attacker, args=(url, spread, stop, seen), daemon=True)
        for _ in range(attackers)
    ]
    for t in threads:
        t.start()
    result: dict[str, tuple[list[float], list[float]]] = {}

    def staff() -> None:
        result["staff"] = staff_loop(url, bearer, stop)

    runner = threading.Thread(target=staff)
    runner.start()
    time.sleep(seconds)
    stop.set()
    runner.join()
    for t in threads:
        t.join(timeout=60)
    reads, writes = result["staff"]
    return {"reads": reads, "writes": writes, "seen": dict(seen), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--attackers", type=int, default=6)
    parser.add_argument("--spread", action="store_true", help="each attempt from another address")
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to run")
    args = parser.parse_args()
    source = args.source.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'aduan.db'}"
        with serving(source, db_url, Path(tmp) / "serve.log") as url:
            bearer = token(source, db_url)
            quiet = measure(url, bearer, args.seconds / 2, 0, False)
            flood = measure(url, bearer, args.seconds, args.attackers, args.spread)
    print(f"source: {source}  attackers: {args.attackers}  spread: {args.spread}")
    for kind in ("reads", "writes"):
        q, f = quiet[kind], flood[kind]
        assert isinstance(q, list)
        assert isinstance(f, list)
        print(
            f"{kind:6}  quiet p50 {pct(q, 0.5):8.1f} ms  p99 {pct(q, 0.99):8.1f} ms  (n={len(q)})"
            f"   flood p50 {pct(f, 0.5):8.1f} ms  p99 {pct(f, 0.99):8.1f} ms  (n={len(f)})"
            f"   ratio p50 {statistics.median(f) / statistics.median(q):6.1f}x"
            f"  p99 {pct(f, 0.99) / pct(q, 0.99):6.1f}x"
        )
    seen = flood["seen"]
    assert isinstance(seen, dict)
    total = sum(seen.values())
    print(
        f"attempts: {total} ({total / args.seconds:.0f}/s)  statuses: {dict(sorted(seen.items()))}"
    )


if __name__ == "__main__":
    main()
