"""Soak: several ``aduan serve`` processes on one database under a mixed load, then the invariants.

PostgreSQL (default): three instances on one scratch database (created like tests/pgserver.py
does and dropped at the end), each with its scheduler (the deadline sweep at start and every
minute, the outbox dispatcher every 2 s), all sending email to one SMTP server in this process.
SQLite (``--db sqlite``): one instance with ``--workers 2`` and a concurrent CLI writer
(``aduan submit`` in a loop). Before the load, a few complaints are filed with a clock weeks in
the past, so their reminders and breaches are due and every sweeper races for them.

The load (bench/soak_load.py) runs until ``--seconds`` or ``--requests``, whichever comes first;
a sweep also runs from this process every ``--sweep-every`` seconds. On PostgreSQL one instance
is SIGKILLed at ``--kill-at`` of the run and restarted ``--down`` seconds later. Afterwards
(one last sweep, the outbox drained) it prints the invariants of bench/soak_checks.py, the
5xx (apart from the killed instance's in-flight requests), any "database is locked" that reached
a user, and throughput and p50/p99 per request kind. The last line is one JSON object.

Usage::

    .venv/bin/python bench/soak.py                        # PostgreSQL, 3 instances, 10 minutes
    .venv/bin/python bench/soak.py --seconds 120 --db sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from aduan.bootstrap import build, upgrade_database  # noqa: E402
from aduan.config import Settings  # noqa: E402
from aduan.ports import FixedClock  # noqa: E402
from aduan.service import Deps, accounts, submit_complaint  # noqa: E402
from aduan.service.timekeeping import sweep  # noqa: E402
from aduan.workflow.intake import wib_date  # noqa: E402
from bench import soak_checks as checks  # noqa: E402
from bench.soak_load import STAFF, Instance, Load, run_thread  # noqa: E402
from bench.soak_procs import (  # noqa: E402
    LOCKED,
    CliWriter,
    Server,
    TimedMailbox,
    database,
    mail_server,
)
from tests.integration.builders import submission  # noqa: E402


@dataclass
class Options:
    """What to run (see ``--help``)."""

    db: str = "postgres"
    seconds: float = 600.0
    requests: int = 1_000_000
    min_requests: int = 0  # keep going past ``seconds`` until this many (for the test)
    threads: int = 8
    instances: int = 3
    kill_at: float = 0.4
    down: float = 5.0
    sweep_every: float = 2.0
    backdated: int = 12
    folder: Path | None = None  # where the servers' logs go (a temporary folder by default)


def prepare(url: str, backdated: int) -> tuple[Deps, dict[str, str]]:
    """Migrate, give the staff tokens, file complaints weeks ago (their alarms are due)."""
    deps = build(Settings(database_url=url))
    upgrade_database(deps)
    tokens = {user: accounts.issue_token(deps, user, "soak") for user in STAFF}
    for i in range(backdated):
        file_backdated(url, i)
    return deps, tokens


def file_backdated(url: str, i: int) -> None:
    """A complaint filed 8 to 40 days ago: some or all of its reminders and its breach are due."""
    past = build(
        Settings(database_url=url),
        clock=FixedClock(datetime.now(UTC) - timedelta(days=8 + 3 * (i % 11))),
    )
    email = {"name": f"Pelapor Lama {i}", "email": f"lama{i}@contoh.id"}
    submit_complaint(past, submission(past, complainant=email))
    past.uow.engine.dispose()  # type: ignore[attr-defined]


class Sweeper(threading.Thread):
    """Sweeps from this process every few seconds, beside the instances' schedulers.

    With ``url``, it first files a complaint dated weeks ago, so alarms fall due during the load
    and every sweeper (the instances' and this process's) races for them.
    """

    def __init__(self, deps: Deps, every: float, stop: threading.Event, name: str) -> None:
        super().__init__(daemon=True)
        self.deps, self.every, self.stop, self.worker = deps, every, stop, name
        self.url: str | None = None
        self.runs = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                if self.url is not None:
                    file_backdated(self.url, 1000 + self.runs)
                sweep(self.deps, worker=self.worker)
                self.runs += 1
            except Exception as exc:  # noqa: BLE001 - reported as a finding
                self.errors.append(f"{type(exc).__name__}: {exc}"[:300])


def run_soak(opts: Options) -> dict[str, Any]:
    """Run the soak and return every number (also the invariants' violations)."""
    with contextlib.ExitStack() as stack:
        folder = opts.folder or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(database(opts.db, folder))
        smtp_port, mailbox = stack.enter_context(mail_server())
        t0 = time.monotonic()
        deps, tokens = prepare(url, opts.backdated)
        phases = {"prepare": time.monotonic() - t0}
        env = {"ADUAN_SMTP_HOST": "127.0.0.1", "ADUAN_SMTP_PORT": str(smtp_port)}
        n, extra = (1, ("--workers", "2")) if opts.db == "sqlite" else (opts.instances, ())
        servers = [Server(url, folder / f"serve{i}.log", env, *extra) for i in range(n)]
        for server in servers:
            stack.callback(server.stop)
            server.spawn()
        for server in servers:
            server.wait()
        phases["start"] = time.monotonic() - t0 - phases["prepare"]
        result = _drive(opts, deps, tokens, servers, url)
        t1 = time.monotonic()
        result.update(_settle(deps, mailbox, result.pop("killed_at")))
        phases["settle"] = time.monotonic() - t1
        result["phases_s"] = {k: round(v, 1) for k, v in phases.items()}
        for server in servers:
            server.stop()
        result["server_log_locked"] = sum(s.log.read_text().count(LOCKED) for s in servers)
        deps.uow.engine.dispose()  # type: ignore[attr-defined]
    return result


def _drive(
    opts: Options, deps: Deps, tokens: dict[str, str], servers: list[Server], url: str
) -> dict[str, Any]:
    instances = [Instance(s.url) for s in servers]
    load = Load(instances, tokens, wib_date(datetime.now(UTC)), opts.requests)
    sweepers = [Sweeper(deps, opts.sweep_every, load.stop, f"soak-sweeper-{i}") for i in (1, 2)]
    sweepers[0].url = url
    helpers: list[threading.Thread] = [*sweepers]
    writer = CliWriter(url, load.stop) if opts.db == "sqlite" else None
    helpers += [writer] if writer else []
    threads = [threading.Thread(target=run_thread, args=(load, i)) for i in range(opts.threads)]
    started = time.monotonic()
    for t in [*threads, *helpers]:
        t.start()
    kill = _kill_and_restart(opts, load, servers, started) if len(servers) > 1 else None
    load.stop.wait(max(0.0, opts.seconds - (time.monotonic() - started)))
    while len(load.samples) < opts.min_requests and not load.stop.wait(0.2):
        pass  # a slow machine: the checks need some load to mean anything
    load.stop.set()
    for t in [*threads, *helpers]:
        t.join()
    elapsed = time.monotonic() - started
    result = _summarise(load.samples, elapsed, kill)
    result["killed_at"] = kill[0] if kill else None
    result.update(db=opts.db, sweeps=sum(s.runs for s in sweepers))
    result["sweep_errors"] = [e for s in sweepers for e in s.errors]
    if writer is not None:
        result.update(cli_ok=writer.ok, cli_failed=len(writer.failed), cli_locked=writer.locked)
        result["cli_failed_examples"] = writer.failed[:3]
    return result


def _kill_and_restart(
    opts: Options, load: Load, servers: list[Server], started: float
) -> tuple[float, float] | None:
    if not 0 < opts.kill_at < 1 or load.stop.wait(opts.seconds * opts.kill_at):
        return None
    victim = load.instances[0]
    victim.up = False  # no new requests; those in flight fail with the process
    killed_at = time.monotonic()
    servers[0].kill()
    load.stop.wait(opts.down)
    servers[0].start()
    victim.up = True
    return killed_at, time.monotonic()


def _summarise(
    samples: list[Any], elapsed: float, kill: tuple[float, float] | None
) -> dict[str, Any]:
    def in_flight_at_kill(s: Any) -> bool:
        return (
            kill is not None
            and s.instance == 0
            and s.started <= kill[0] <= s.started + s.seconds + 0.5
        )

    killed = [s for s in samples if s.status in (0,) or s.status >= 500]
    excused = [s for s in killed if in_flight_at_kill(s)]
    server_errors = [s for s in samples if s.status >= 500 and not in_flight_at_kill(s)]
    failed_connections = [s for s in samples if s.status == 0 and not in_flight_at_kill(s)]
    unexpected = [s for s in samples if s.body and s.status and s.status < 500]
    kinds: dict[str, Any] = {}
    for kind in sorted({s.kind for s in samples}):
        times = sorted(s.seconds for s in samples if s.kind == kind)
        kinds[kind] = {
            "n": len(times),
            "per_s": round(len(times) / elapsed, 1),
            "p50_ms": round(times[len(times) // 2] * 1000, 1),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 1),
            "status": dict(sorted(_count(s.status for s in samples if s.kind == kind).items())),
        }
    return {
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "per_s": round(len(samples) / elapsed, 1),
        "killed_in_flight": len(excused),
        "http_5xx": len(server_errors),
        "http_5xx_examples": [f"{s.kind} {s.status} {s.body[:200]}" for s in server_errors[:3]],
        "failed_connections": len(failed_connections),
        "unexpected_answers": len(unexpected),
        "unexpected_examples": [f"{s.kind} {s.status} {s.body[:200]}" for s in unexpected[:3]],
        "locked_to_user": sum(s.body.count(LOCKED) for s in samples),
        "kinds": kinds,
    }


def _count(values: Any) -> dict[int, int]:
    found: dict[int, int] = {}
    for v in values:
        found[v] = found.get(v, 0) + 1
    return found


def _settle(deps: Deps, mailbox: TimedMailbox, killed_at: float | None) -> dict[str, Any]:
    """One last sweep, the outbox drained (or 90 s), then the invariants."""
    swept_at = datetime.now(UTC)
    sweep(deps, swept_at)
    engine = deps.uow.engine  # type: ignore[attr-defined]
    deadline = time.monotonic() + 90
    while checks.pending_emails(engine) and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(1)  # the last round's messages reach the mailbox
    found: dict[str, Any] = {}
    found.update(checks.trail_checks(engine))
    found.update(checks.alarm_checks(engine, swept_at))
    with mailbox.lock:
        arrivals = list(zip(mailbox.arrived, mailbox.messages, strict=True))
    found.update(checks.delivery_checks(engine, arrivals, killed_at))
    return found


def violations(result: dict[str, Any]) -> dict[str, int]:
    """Every number that must be 0, by name."""
    names = [*checks.VIOLATIONS, "http_5xx", "failed_connections", "unexpected_answers"]
    names += ["locked_to_user", "cli_locked", "cli_failed"]
    found = {name: int(result.get(name, 0)) for name in names}
    found["sweep_errors"] = len(result.get("sweep_errors", []))
    return found


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print the report; exit 1 if an invariant was violated."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--min-requests", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--down", type=float, default=5.0)
    parser.add_argument("--sweep-every", type=float, default=2.0)
    parser.add_argument(
        "--folder", type=Path, default=None, help="keep the servers' logs here (kept afterwards)"
    )
    args = parser.parse_args(argv)
    opts = Options(**vars(args))
    result = run_soak(opts)
    _print(result)
    print(json.dumps(result, default=str))
    return 1 if any(violations(result).values()) else 0


def _print(result: dict[str, Any]) -> None:
    print(f"soak on {result['db']}: {result['requests']} requests in {result['seconds']} s")
    for kind, row in result["kinds"].items():
        print(
            f"  {kind:<14} {row['n']:>7}  {row['per_s']:7.1f}/s  p50 {row['p50_ms']:7.1f} ms  "
            f"p99 {row['p99_ms']:7.1f} ms  {row['status']}"
        )
    print(f"  killed instance's in-flight requests: {result['killed_in_flight']}")
    for name, value in violations(result).items():
        print(f"  {name:<22} {value}{'' if value == 0 else '   <-- VIOLATION'}")
    print(
        f"  cases {result['cases']}, events {result['events']}, breaches {result['breaches']}, "
        f"alarms fired {result['alarms_fired']}/{result['alarms']} {result['alarms_fired_by']}, "
        f"emails {result['emails_received']}/{result['email_notices']}, sweeps {result['sweeps']}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
