"""The same case life in Aduan, in SpiffWorkflow and as the raw floor, side by side (issue 15).

Needs SpiffWorkflow 3, which is not a dependency of Aduan: ``pip install SpiffWorkflow`` (into
the same environment; or ``pip install -e '.[bench]'``).

The case life is bench/lifecycle.py's: submit, classify, review, internal track, one escalation
with a written report, result, inform, report to superior, close: 9 committed steps. Run by

- **Aduan**: ``submit_complaint`` then eight ``perform_action`` through the real service layer
  (deadlines, alarms, notices, audit, statistics: everything a step does in production);
- **SpiffWorkflow 3**: the BPMN model ``bench/peer_case_life.bpmn`` (nine user tasks in a row).
  Each step is what a deployment would do per request: in one transaction, read the workflow's
  serialized state (the first step creates it), deserialize it, complete the ready task with the
  same payload Aduan gets, serialize it, UPDATE its row and INSERT an audit row, commit;
- **the floor**: one UPDATE of the case's row and one INSERT of an audit row per commit.

All three write to the same database (one made and migrated by the bench), with the same
durability: SQLite in WAL mode with synchronous=FULL and BEGIN IMMEDIATE (Aduan's engine sets
both on every connection it opens, and the other two use connections from that engine);
PostgreSQL with the server's defaults (fsync, synchronous_commit on). Rounds are interleaved in
one process (each round runs ``n / rounds`` cases of each, the order rotating), so load on this
shared machine hits all three alike.

Printed per engine: steps/s, client CPU ms per step (and on PostgreSQL the server's: the CPU
the bench database's backends used during each system's rounds, read from /proc, so only for a
server on this machine), p50/p99 of a step, statements per step (Aduan: counted by a
``before_cursor_execute`` listener on its engine, which its prepared statements announce too;
SpiffWorkflow and the floor run on the driver's cursor, counted by a wrapper around its
``execute``; BEGIN and COMMIT are not counted for any of them) and the ratios to the floor and
to SpiffWorkflow; then, on PostgreSQL, each system's round trips per step in a short untimed
pass (libpq's trace of the protocol: each Sync or simple Query, BEGIN and COMMIT included). It
asserts nothing::

    .venv/bin/python bench/peer.py --n 300 --db both
    .venv/bin/python bench/peer.py --n 300 --db postgres --procs 4   # and in 4 processes at once

With ``--procs N`` each system also runs in N processes at once, each on its own cases
(bench/peer_procs.py): all their steps over the wall time, client and server CPU per step, and
the same ratios.

Measured on the 2-core machine shared with other work. Issue 15's write-path round (search
index written only when the case's text changed, the deadline copy only for a routed case, the
related-record lookups in one statement, filed reports counted not read, the notices of a change
in one INSERT, a submission's trail not read back, and on PostgreSQL the writes pipelined with
the next statement that needs an answer or with the COMMIT; the instructions and rates below
were measured before the last of these, which saves two more statements per submission):

- statements per step 8.22 -> 6.56; PostgreSQL round trips per step 10.22 -> 4.56
  (SpiffWorkflow 4.93, the floor 4.00), deterministic;
- client instructions per step (``valgrind --tool=callgrind``, 30 case lives minus 10, so
  start-up and first use cancel out): SQLite 6.47 M -> 5.78 M (-11 %), PostgreSQL
  6.43 M -> 6.10 M (-5 %; pipeline mode costs some of what the fewer statements save);
- rates (noisy: load 4 on the shared machine), two runs of each tree alternated, ``--n 150
  --rounds 6 --db both``, before -> after:
  SQLite: Aduan 0.77x / 0.77x -> 1.06x / 1.03x SpiffWorkflow, 19.5 % / 21.9 % -> 27.3 % /
  37.4 % of the floor, client CPU 1.49x / 1.39x -> 1.19x / 1.15x SpiffWorkflow's;
  PostgreSQL: Aduan 0.48x / 0.72x -> 0.56x / 0.69x SpiffWorkflow, 20.3 % / 22.9 % -> 19.9 % /
  18.5 % of the floor, client + server CPU 1.97x / 1.68x -> 1.63x / 1.45x SpiffWorkflow's.

Issue 15's client-CPU round (what a step computed that it need not: the table's rows per
status, action and role worked out once for the actions offered after each step, not scanned
per action; the errors the authority guards raise and catch there, about 2.5 per step, no
longer render their texts in two languages when raised; ASCII text folded for the search
without decomposing it; one shared empty payload for those guards; the acting user's column
labels listed once; a notice's template context built only when a notice is planned; on
SQLite a datetime already in UTC written without a converted copy):

- client instructions per step (``valgrind --tool=callgrind``, 20 case lives after a warm-up of
  10, collected only around those 20 by a client request, the reference and calendar caches'
  clocks held still so that no 60-second reload lands in a run that lasts minutes): SQLite
  5.86 M -> 5.51 M (-6.0 %), PostgreSQL 6.14 M -> 5.92 M (-3.7 %). 2.46 M of each step is the
  PIN's argon2 hash (once per submission, its strength a security decision, left as it is):
  the rest went 3.40 M -> 3.05 M (-10 %) on SQLite and 3.68 M -> 3.45 M (-6 %) on PostgreSQL.
  two runs of the same tree agree within 0.1 % on either engine;
- what is left per step (SQLite, the same count split by function): the read of the user and
  the case 0.62 M with the case's rebuild, the UPDATE of the case 0.31 M with its row, the
  alarms 0.30 M, the notices 0.20 M, the search index 0.19 M (FTS5 re-indexes the whole row
  when a note is appended to its log), the lifecycle machine 0.17 M, the commit 0.15 M, the
  audit INSERT 0.15 M;
- rates (noisy: load 4-5 on the shared machine; the same tree measured 0.85x and 1.09x
  SpiffWorkflow in two runs), two runs of each tree alternated, ``--n 150 --rounds 6 --db
  both``, before -> after: SQLite: Aduan 0.85x / 1.09x -> 0.86x / 0.92x SpiffWorkflow, client
  CPU 1.22x / 1.11x -> 1.15x / 1.07x SpiffWorkflow's; PostgreSQL: Aduan 1.00x / 0.80x -> 0.81x
  / 0.75x SpiffWorkflow, client + server CPU 1.29x / 1.35x -> 1.30x / 1.33x SpiffWorkflow's.
  Issue 15's 1.5x is not in reach by removing avoidable work alone.

On this machine the database is on the same host: a round trip costs little next to the
statements' own work, and a micro-benchmark of four INSERTs and a COMMIT, pipelined or one by
one, measured the same. The 5.7 round trips saved per step count where the database is on
another host: each costs a network round trip (0.2-1 ms in one data centre), about the whole
of a step's time here.

Aduan does more per step (deadlines, alarms, notices, the search index, the agency queue's
deadline copy), which is most of its 6.6 statements; SpiffWorkflow reads, deserializes,
serializes and writes back its whole workflow (about 11 kB of JSON with the model) on every
step.

django-helpdesk is not included (issue 15 lists it as optional): it needs a Django project,
settings and its own migrations around it, more than this comparison needs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lifecycle import (  # noqa: E402
    DEFAULT_PG_URL,
    TRACK,
    _engine,
    postgres_deps,
    sqlite_deps,
    submit_command,
)
from sqlalchemy import event  # noqa: E402

from aduan.bootstrap import configure_logging  # noqa: E402
from aduan.config import Settings  # noqa: E402
from aduan.schemas.commands import ActionCommand  # noqa: E402
from aduan.service import Deps, list_services, perform_action, submit_complaint  # noqa: E402

STEPS = 1 + len(TRACK)  # submit, then the eight actions
MODEL = Path(__file__).resolve().parent / "peer_case_life.bpmn"
PEER_TABLES = {
    "sqlite": [
        "CREATE TABLE peer_workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL,"
        " updated_at TEXT NOT NULL)",
        "CREATE TABLE peer_audit (id INTEGER PRIMARY KEY, workflow_id INTEGER NOT NULL,"
        " step TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL)",
    ],
    "postgresql": [
        "CREATE TABLE peer_workflows (id BIGINT PRIMARY KEY, state TEXT NOT NULL,"
        " updated_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE peer_audit (id BIGSERIAL PRIMARY KEY, workflow_id BIGINT NOT NULL,"
        " step TEXT NOT NULL, actor TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, data TEXT NOT NULL)",
    ],
}


@dataclass
class Tally:
    """What one system did: step latencies, client CPU and statements."""

    latencies: list[float] = field(default_factory=list)  # seconds per committed step
    cpu: float = 0.0  # process CPU seconds
    server_cpu: float | None = None  # PostgreSQL backends' CPU seconds (a local server)
    statements: int = 0

    def steps_per_s(self) -> float:
        return len(self.latencies) / sum(self.latencies) if self.latencies else 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


class Raw:
    """The driver's connection of the bench's engine, with a counting cursor."""

    def __init__(self, deps: Deps) -> None:
        engine = _engine(deps)
        self.sqlite = engine.dialect.name == "sqlite"
        self.conn = engine.raw_connection()  # the engine's connect hook: WAL + FULL on SQLite
        self.cursor = self.conn.cursor()
        self.mark = "?" if self.sqlite else "%s"
        self.count = 0

    def begin(self) -> None:
        if self.sqlite:  # autocommit mode on the driver (Aduan's engine): our own BEGIN
            self.cursor.execute("BEGIN IMMEDIATE")

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        self.count += 1
        self.cursor.execute(sql.replace("?", self.mark), params)

    def commit(self) -> None:
        if self.sqlite:
            self.cursor.execute("COMMIT")
        else:
            self.conn.commit()

    def now(self) -> Any:
        at = datetime.now(UTC)
        return at.replace(tzinfo=None).isoformat(" ") if self.sqlite else at

    def close(self) -> None:
        self.cursor.close()
        self.conn.close()


def payloads(i: int, service_code: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(step, actor, payload) of case ``i``'s nine steps, as Aduan gets them."""
    first = ("submit", "pelapor", submit_command(i, service_code).model_dump(mode="json"))
    return [first] + [(a.value, user, make(i, service_code)) for a, user, make in TRACK]


def run_aduan(deps: Deps, cases: range, codes: list[str], tally: Tally) -> None:
    """Each case through the service layer, every step timed."""
    for i in cases:
        code = codes[i % len(codes)]
        t = time.perf_counter()
        ref = str(submit_complaint(deps, submit_command(i, code)).id)
        tally.latencies.append(time.perf_counter() - t)
        for action, user, make in TRACK:
            command = ActionCommand(case_ref=ref, action=action, payload=make(i, code))
            t = time.perf_counter()
            perform_action(deps, command, user)
            tally.latencies.append(time.perf_counter() - t)


class Spiff:
    """The case life as a SpiffWorkflow 3 BPMN process, stored after every step."""

    def __init__(self, raw: Raw) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.util.task import TaskState

        parser = BpmnParser()
        parser.add_bpmn_file(str(MODEL))
        self.spec = parser.get_spec("case_life")
        self.workflow = BpmnWorkflow
        self.ready = TaskState.READY
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure())
        self.raw = raw

    def step(self, wf_id: int, step: str, actor: str, data: dict[str, Any]) -> None:
        """One committed step: read, complete the ready task, write state and audit."""
        raw = self.raw
        raw.begin()
        if step == "submit":
            wf = self.workflow(self.spec)
            wf.do_engine_steps()
        else:
            lock = "" if raw.sqlite else " FOR UPDATE"
            raw.execute(f"SELECT state FROM peer_workflows WHERE id = ?{lock}", (wf_id,))
            wf = self.serializer.deserialize_json(raw.cursor.fetchone()[0])
        task = wf.get_next_task(state=self.ready, manual=True)
        assert task is not None, step
        assert task.task_spec.name == step, (task.task_spec.name, step)
        task.data.update(data)
        task.run()
        wf.do_engine_steps()
        state, now = self.serializer.serialize_json(wf), raw.now()
        if step == "submit":
            sql = "INSERT INTO peer_workflows (state, updated_at, id) VALUES (?, ?, ?)"
        else:
            sql = "UPDATE peer_workflows SET state = ?, updated_at = ? WHERE id = ?"
        raw.execute(sql, (state, now, wf_id))
        raw.execute(
            "INSERT INTO peer_audit (workflow_id, step, actor, at, data) VALUES (?, ?, ?, ?, ?)",
            (wf_id, step, actor, now, json.dumps(data)),
        )
        raw.commit()


def run_spiff(spiff: Spiff, cases: range, codes: list[str], tally: Tally) -> None:
    """Each case through the BPMN process, every step timed."""
    for i in cases:
        for step, actor, data in payloads(i, codes[i % len(codes)]):
            t = time.perf_counter()
            spiff.step(i, step, actor, data)
            tally.latencies.append(time.perf_counter() - t)


def run_floor(raw: Raw, cases: range, ids: list[int], tally: Tally) -> None:
    """One UPDATE of a case row and one INSERT of an event per commit, nine per case."""
    update = "UPDATE cases SET status = ?, version = version + 1, assignee = ?, updated_at = ?"
    insert = (
        "INSERT INTO case_events (case_id, at, actor, role, action, from_status, to_status,"
        " note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for i in cases:
        case_id = ids[i % len(ids)]
        for _ in range(STEPS):
            t = time.perf_counter()
            now = raw.now()
            raw.begin()
            raw.execute(update + " WHERE id = ?", ("closed", "sari", now, case_id))
            row = (case_id, now, "sari", "supervisor", "bench", "closed", "closed", "", "{}")
            raw.execute(insert, row)
            raw.commit()
            tally.latencies.append(time.perf_counter() - t)


class ServerCpu:
    """CPU seconds of the bench database's PostgreSQL backends, from /proc (a local server).

    Only one system runs at a time, so the CPU the backends used during its round is its own.
    None where the server's processes cannot be read (SQLite, a remote server).
    """

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> dict[int, float] | None:
        if self.raw.sqlite:
            return None
        self.raw.cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        )
        found = {}
        for (pid,) in self.raw.cursor.fetchall():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return None
            found[pid] = (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
        self.raw.conn.commit()
        return found

    @staticmethod
    def used(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
        if before is None or after is None:
            return None
        return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def round_trips(pgconn: Any, run: Callable[[], None], steps: int) -> float:
    """How often ``run`` (``steps`` steps) waited for the server, per step.

    Counted from libpq's trace of the protocol: a round trip is a Sync (extended protocol) or a
    simple Query (psycopg's BEGIN and COMMIT).
    """
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        try:
            run()
        finally:
            pgconn.untrace()
        trace.seek(0)
        sent = [line.split("\t") for line in trace]
    waits = sum(1 for f in sent if len(f) > 3 and f[1] == "F" and f[3].strip() in ("Sync", "Query"))
    return waits / steps


def pg_round_trips(deps: Deps, spiff: Spiff, raw: Raw, codes: list[str], ids: list[int]) -> None:
    """Round trips per step of each system on PostgreSQL, in a short untimed pass (printed)."""
    with deps.uow() as uow:  # the connection the next writing unit of work gets back
        aduan = uow.cases.conn.connection.dbapi_connection.pgconn  # type: ignore[attr-defined]
    cases = range(2 * 10**6, 2 * 10**6 + 3)
    steps = len(cases) * STEPS
    found = {
        "aduan": round_trips(aduan, lambda: run_aduan(deps, cases, codes, Tally()), steps),
        "spiffworkflow": round_trips(
            raw.conn.pgconn, lambda: run_spiff(spiff, cases, codes, Tally()), steps
        ),
        "floor": round_trips(raw.conn.pgconn, lambda: run_floor(raw, cases, ids, Tally()), steps),
    }
    print("  round trips per step: " + ", ".join(f"{k} {v:.2f}" for k, v in found.items()))


@contextlib.contextmanager
def counted(deps: Deps, tally: Tally) -> Iterator[None]:
    """Count the statements Aduan's engine sends (``before_cursor_execute``)."""

    def listen(*args: Any) -> None:
        params, many = args[3], args[5]
        tally.statements += len(params) if many else 1

    engine = _engine(deps)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def bench_engine(deps: Deps, url: str, label: str, args: argparse.Namespace) -> None:
    """Warm up, then interleaved rounds of the three; print the table (and with ``--procs``,
    the same in that many processes at once: bench/peer_procs.py)."""
    codes = [s.code for s in list_services(deps)]
    raw = Raw(deps)
    for sql in PEER_TABLES["sqlite" if raw.sqlite else "postgresql"]:
        raw.begin()
        raw.execute(sql, ())
        raw.commit()
    spiff = Spiff(raw)
    tallies = {name: Tally() for name in ("aduan", "spiffworkflow", "floor")}
    run_aduan(deps, range(10**6, 10**6 + 5), codes, Tally())  # warm-up, untimed
    run_spiff(spiff, range(10**6, 10**6 + 5), codes, Tally())
    with _engine(deps).connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM cases ORDER BY id")]
    per_round = max(1, args.n // args.rounds)
    runs: dict[str, Callable[[range, Tally], None]] = {
        "aduan": lambda cases, t: run_aduan(deps, cases, codes, t),
        "spiffworkflow": lambda cases, t: run_spiff(spiff, cases, codes, t),
        "floor": lambda cases, t: run_floor(raw, cases, ids, t),
    }
    names = list(runs)
    server_cpu = ServerCpu(raw)
    for r in range(args.rounds):
        cases = range(r * per_round, (r + 1) * per_round)
        for name in names[r % 3 :] + names[: r % 3]:
            tally = tallies[name]
            raw.count = 0
            server = server_cpu()
            cpu = time.process_time()
            with counted(deps, tally) if name == "aduan" else contextlib.nullcontext():
                runs[name](cases, tally)
            tally.cpu += time.process_time() - cpu
            used = ServerCpu.used(server, server_cpu())
            if used is not None:
                tally.server_cpu = (tally.server_cpu or 0.0) + used
            if name != "aduan":
                tally.statements += raw.count
    report(label, tallies, args)
    if not raw.sqlite:
        pg_round_trips(deps, spiff, raw, codes, ids)
    if args.procs > 1:
        from peer_procs import bench_procs

        bench_procs(url, raw, ids, args.n, args.rounds, args.procs)
    raw.close()


def report(label: str, tallies: dict[str, Tally], args: argparse.Namespace) -> None:
    """One line per system, with the ratios."""
    print(f"{label}: {args.n} cases x {STEPS} steps each, {args.rounds} interleaved rounds")
    rows(tallies, statements=True)
    mean = statistics.fmean(tallies["aduan"].latencies) * 1000
    print(f"  (Aduan mean step {mean:.2f} ms; load {os.getloadavg()[0]:.1f})")


def rows(tallies: Mapping[str, Tally], *, statements: bool) -> None:
    """Each system's line: rate, CPU per step, p50/p99, (statements,) ratios to the floor and
    to SpiffWorkflow."""
    floor, peer = tallies["floor"].steps_per_s(), tallies["spiffworkflow"].steps_per_s()
    for name, t in tallies.items():
        steps = len(t.latencies)
        server = "" if t.server_cpu is None else f" + server {t.server_cpu / steps * 1000:5.2f}"
        counted = f" {t.statements / steps:5.2f} statements/step |" if statements else ""
        print(
            f"  {name:<14} {t.steps_per_s():8.1f} steps/s | client CPU {t.cpu / steps * 1000:5.2f}"
            f"{server} ms/step | p50 {t.quantile(0.5):6.2f} ms p99 {t.quantile(0.99):6.2f} ms |"
            f"{counted} {t.steps_per_s() / floor:5.1%} of the floor |"
            f" {t.steps_per_s() / peer:4.2f}x SpiffWorkflow"
        )


def main() -> None:
    """Parse the options and run each engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="cases per system and engine")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument(
        "--procs", type=int, default=1, help="also run each system in this many processes at once"
    )
    parser.add_argument("--pg-url", default=os.environ.get("ADUAN_BENCH_PG_URL", DEFAULT_PG_URL))
    args = parser.parse_args()
    configure_logging(Settings(log_level="warning"))  # as lifecycle.py: no line per step
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        opener = sqlite_deps(None) if kind == "sqlite" else postgres_deps(args.pg_url)
        with opener as (deps, url):
            label = "SQLite (WAL, synchronous=FULL)" if kind == "sqlite" else "PostgreSQL"
            bench_engine(deps, url, label, args)


if __name__ == "__main__":
    main()
