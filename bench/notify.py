"""Notification benchmark: emails per second to a local SMTP server, and the outbox's cost.

1. Email: N acknowledgements queued in the outbox, delivered by the dispatcher to a real SMTP
   server (aiosmtpd on loopback) over one reused connection — rendered from the templates,
   leased, sent and recorded as in production. Baseline in the same process: the same number
   of prebuilt messages sent with plain ``smtplib`` over one connection (no database, no
   templates). Target: >= 300 emails/s.
2. Outbox overhead: the lifecycle benchmark's internal track (``bench/lifecycle.py``) on SQLite
   (file, WAL, synchronous=FULL) with notices written in each transition's transaction, and
   without, alternating slices so machine noise hits both alike. Target: <= 15% slower.

It prints numbers; it asserts nothing. Usage::

    .venv/bin/python bench/notify.py --emails 3000 --cases 600
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

import lifecycle

from aduan import bootstrap
from aduan.config import Notify, Settings
from aduan.notifications.planner import NotifyPolicy
from aduan.ports import OutboxMessage
from aduan.service import Deps
from tests.integration.servers import free_port


@contextlib.contextmanager
def smtp_sink() -> Iterator[int]:
    """aiosmtpd in a process of its own (a thread here would share our GIL), counting nothing."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def queue_emails(deps: Deps, n: int) -> None:
    now = datetime.now(UTC)
    context = {
        "tracking_code": "ADN-BENCH-00000",
        "subject": "Keterlambatan izin",
        "kind": "complaint",
        "status": "recorded",
        "status_id": "Dicatat",
        "status_en": "Recorded",
        "response_due_at": now.isoformat(),
        "stage_due_at": now.isoformat(),
    }
    with deps.uow() as uow:
        for i in range(n):
            uow.outbox.add(
                OutboxMessage(
                    f"bench:{i}:acknowledged:complainant:email",
                    "acknowledged",
                    f"pelapor{i}@contoh.id",
                    "email",
                    {"lang": "id", "context": context | {"tracking_code": f"ADN-BENCH-{i:05d}"}},
                    now,
                )
            )
        uow.commit()


def raw_smtp(port: int, n: int) -> float:
    mail = EmailMessage()
    mail["From"] = "aduan@localhost"
    mail["To"] = "pelapor@contoh.id"
    mail["Subject"] = "Pengaduan Anda diterima"
    mail.set_content("Yth. Pelapor,\n\nPengaduan Anda telah kami terima.\n")
    mail.add_alternative("<p>Pengaduan Anda telah kami terima.</p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        t0 = time.perf_counter()
        for _ in range(n):
            smtp.send_message(mail)
        return time.perf_counter() - t0


def bench_email(n: int) -> dict[str, float]:
    with lifecycle.sqlite_deps(None) as (deps, _), smtp_sink() as port:
        queue_emails(deps, n)
        settings = Settings(notify=Notify(smtp_host="127.0.0.1", smtp_port=port, batch_size=200))
        dispatcher = bootstrap.build_dispatcher(deps, settings, worker="bench")
        t0 = time.perf_counter()
        report = dispatcher.dispatch()
        seconds = time.perf_counter() - t0
        assert report.counts["sent"] == n, report.counts
        baseline = raw_smtp(port, n)
    return {
        "emails": n,
        "dispatcher_seconds": round(seconds, 3),
        "emails_per_s": round(n / seconds, 1),
        "raw_smtplib_per_s": round(n / baseline, 1),
        "ratio_to_raw": round(baseline / seconds, 3),
    }


def outbox_rows(deps: Deps) -> int:
    with deps.uow(readonly=True) as uow:
        return sum(uow.outbox.counts().values())


def bench_overhead(cases: int, rounds: int) -> dict[str, float]:
    per_round = max(1, cases // rounds)
    with lifecycle.sqlite_deps(None) as (deps, _):
        quiet = dataclasses.replace(deps, notify=NotifyPolicy(enabled=False))
        lifecycle.warm_up(deps, 20)
        lifecycle.warm_up(quiet, 20)
        on = off = 0.0
        transitions = 0
        rows_before = outbox_rows(deps)
        offset = 0
        for r in range(rounds):
            # Alternate which goes first, so drift over the run falls on both.
            order = [(deps, True), (quiet, False)] if r % 2 == 0 else [(quiet, False), (deps, True)]
            for which, notifying in order:
                stats = lifecycle.run_service(which, per_round, offset=offset)
                offset += per_round
                if notifying:
                    on += stats.transition_seconds + stats.submit_seconds
                    transitions += stats.transitions + stats.cases
                else:
                    off += stats.transition_seconds + stats.submit_seconds
        rows = outbox_rows(deps) - rows_before
    with_rate, without_rate = transitions / on, transitions / off
    return {
        "cases_each": per_round * rounds,
        "operations_each": transitions,
        "outbox_rows_written": rows,
        "rows_per_operation": round(rows / transitions, 3),
        "ops_per_s_with_outbox": round(with_rate, 1),
        "ops_per_s_without": round(without_rate, 1),
        "overhead_pct": round((on - off) / off * 100, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument("--cases", type=int, default=600, help="cases with and without each")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    tempfile.tempdir = None

    email = bench_email(args.emails)
    print(
        f"email   {email['emails']} messages: {email['emails_per_s']:.0f}/s through the outbox "
        f"(target >= 300/s); raw smtplib {email['raw_smtplib_per_s']:.0f}/s; "
        f"ratio {email['ratio_to_raw']:.2f}"
    )
    overhead = bench_overhead(args.cases, args.rounds)
    print(
        f"outbox  {overhead['operations_each']} submits+transitions each way on SQLite: "
        f"{overhead['ops_per_s_with_outbox']:.0f}/s with notices "
        f"({overhead['rows_per_operation']:.2f} rows each), "
        f"{overhead['ops_per_s_without']:.0f}/s without: overhead {overhead['overhead_pct']:.1f}% "
        f"(target <= 15%)"
    )
    print(json.dumps({"email": email, "outbox": overhead}))


if __name__ == "__main__":
    main()
