"""HTTP API benchmark: latency p50/p99 and requests/s with 50 concurrent clients on loopback.

Starts a real ``aduan serve`` process (uvicorn, scheduler on, access log on) on SQLite and/or
PostgreSQL, seeds cases through the service layer, then drives, one after the other:

- ``healthz``: ``GET /healthz`` (one database read; the baseline for the ratio),
- ``case``: ``GET /api/v1/cases/{id}`` as an officer (the case page: timeline, deadlines …),
- ``queue``: ``GET /api/v1/cases?sort=deadline&limit=50`` (the queue, soonest deadline first),
- ``action``: ``POST /api/v1/cases/{id}/actions`` (``record_step``, a self-loop, with the
  expected version; each client owns one case).

The load generator is a small asyncio HTTP/1.1 keep-alive client (one connection per client)
so that it takes little of the two cores from the server. It prints numbers; it asserts
nothing. Targets on these 2-core machines: p99 < 100 ms and >= 300 reads/s. Usage::

    .venv/bin/python bench/api.py --db both --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aduan import accounts  # noqa: E402
from aduan.models.commands import ActionCommand, ComplainantInput, SubmitCommand  # noqa: E402
from aduan.service import Deps, perform_action, submit_complaint  # noqa: E402
from aduan.workflow.intake import wib_date  # noqa: E402
from aduan.workflow.states import Action, Channel  # noqa: E402
from bench.lifecycle import DEFAULT_PG_URL, postgres_deps, sqlite_deps  # noqa: E402

CLIENTS = 50
TARGET_P99_MS = 100.0
TARGET_READS = 300.0


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0

    def row(self, base: Result | None) -> str:
        ratio = f"{self.rps / base.rps:5.2f}x healthz" if base and base.rps else ""
        return (
            f"  {self.name:<7} {self.rps:8.1f} req/s  p50 {self.pct(0.50):6.1f} ms  "
            f"p99 {self.pct(0.99):6.1f} ms  errors {self.errors}  {ratio}"
        )


# --- seed ---------------------------------------------------------------------------------


def seed(deps: Deps, cases: int) -> tuple[list[int], list[int], str]:
    """``cases`` complaints to read and one reviewed case per client to act on; a token."""
    today = wib_date(deps.clock.now())
    ids = []
    for i in range(cases):
        command = SubmitCommand(
            channel=Channel.WHATSAPP,
            complainant=ComplainantInput(name=f"Warga {i}", phone="081234567890"),
            subject=f"Izin belum terbit {i}",
            description="Sudah lewat 7 hari kerja",
            service_code="15121",
            service_received_on=today,
        )
        ids.append(submit_complaint(deps, command, recorded_by="budi").id)
    reviewed = ids[:CLIENTS]
    for case_id in reviewed:
        for action, payload in (
            (Action.CLASSIFY, {"service_code": "15121", "problem_types": ["completion_time"]}),
            (
                Action.REVIEW,
                {
                    "core_problem": "Berkas tertahan",
                    "plan": [{"kind": "clarification", "party": "Bidang Perizinan"}],
                },
            ),
        ):
            perform_action(
                deps, ActionCommand(case_ref=str(case_id), action=action, payload=payload), "budi"
            )
    return ids, reviewed, accounts.issue_token(deps, "budi", "bench")


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def server(url: str) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "ADUAN_DATABASE_URL": url, "ADUAN_LOG_FORMAT": "json"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aduan.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("aduan serve did not start")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- the load generator -------------------------------------------------------------------


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        (int(h.split(":", 1)[1]) for h in lines[1:] if h.lower().startswith("content-length:")), 0
    )
    return status, await reader.readexactly(length)


def _raw(method: str, path: str, token: str, body: dict[str, Any] | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


Next = Callable[[int, bytes | None], bytes]  # (client, previous response body) -> request


async def _client(
    port: int, index: int, make: Next, until: float, warm: float, out: list[float]
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors, previous = 0, None
    try:
        while time.perf_counter() < until:
            raw = make(index, previous)
            started = time.perf_counter()
            status, previous = await _request(reader, writer, raw)
            if started >= warm:
                out.append(time.perf_counter() - started)
                errors += status >= 400
    finally:
        writer.close()
    return errors


async def _load(port: int, make: Next, seconds: float) -> tuple[list[float], int]:
    out: list[float] = []
    start = time.perf_counter()
    warm, until = start + 1.0, start + 1.0 + seconds
    errors = await asyncio.gather(
        *(_client(port, i, make, until, warm, out) for i in range(CLIENTS))
    )
    return out, sum(errors)


def run(name: str, port: int, make: Next, seconds: float) -> Result:
    latencies, errors = asyncio.run(_load(port, make, seconds))
    return Result(name, latencies, seconds, errors)


def scenarios(ids: list[int], reviewed: list[int], token: str) -> dict[str, Next]:
    versions: dict[int, int] = {}

    def act(index: int, previous: bytes | None) -> bytes:
        case_id = reviewed[index]
        if previous is not None:
            with contextlib.suppress(ValueError, KeyError):
                versions[case_id] = json.loads(previous)["version"]
        body = {
            "action": "record_step",
            "payload": {"step": 1, "outcome": "Klarifikasi dilakukan"},
            "expected_version": versions.get(case_id, 3),
        }
        return _raw("POST", f"/api/v1/cases/{case_id}/actions", token, body)

    return {
        "healthz": lambda i, p: _raw("GET", "/healthz", token),
        "case": lambda i, p: _raw("GET", f"/api/v1/cases/{random.choice(ids)}", token),
        "queue": lambda i, p: _raw("GET", "/api/v1/cases?sort=deadline&limit=50", token),
        "action": act,
    }


def bench(label: str, deps: Deps, url: str, args: argparse.Namespace) -> dict[str, Any]:
    ids, reviewed, token = seed(deps, args.cases)
    with server(url) as port:
        results = [
            run(n, port, f, args.seconds) for n, f in scenarios(ids, reviewed, token).items()
        ]
    base = results[0]
    print(f"{label}: {CLIENTS} clients, {args.seconds:.0f} s each, {args.cases} cases")
    for r in results:
        print(r.row(None if r is base else base))
    reads = [r for r in results if r.name in ("case", "queue")]
    ok = all(r.pct(0.99) < TARGET_P99_MS and r.rps >= TARGET_READS for r in reads)
    print(f"  reads target (p99 < {TARGET_P99_MS:.0f} ms, >= {TARGET_READS:.0f}/s): {ok}")
    return {
        r.name: {
            "rps": round(r.rps, 1),
            "p50_ms": round(r.pct(0.5), 1),
            "p99_ms": round(r.pct(0.99), 1),
            "mean_ms": round(statistics.fmean(r.latencies) * 1000, 1) if r.latencies else None,
            "errors": r.errors,
        }
        for r in results
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--pg-url", default=os.environ.get("ADUAN_BENCH_PG_URL", DEFAULT_PG_URL))
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if args.db in ("sqlite", "both"):
        with sqlite_deps(None) as (deps, url):
            out["sqlite"] = bench("SQLite", deps, url, args)
    if args.db in ("postgres", "both"):
        with postgres_deps(args.pg_url) as (deps, url):
            out["postgres"] = bench("PostgreSQL", deps, url, args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
