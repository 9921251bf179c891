"""The load of the soak (bench/soak.py): threads on loopback mixing what an office does.

Each thread loops until the stop event or the request budget: public submissions, staff actions
with the expected version (mostly one the case page offers the person, sometimes one it does not,
which must be refused), the case list, the queue (soonest deadline first) and the search. Every
answer is recorded with its kind, the instance it went to, its status and its latency.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from aduan.workflow.states import Action
from tests.integration.builders import PAYLOADS, SERVICE

STAFF = ("budi", "sari", "agus", "dewi")  # officer, two supervisors, head
# How often each kind of request is sent (weights).
MIX = {"submit": 15, "act": 35, "list": 15, "queue": 15, "search": 10, "case": 10}
REFUSED = {403, 404, 409, 422}  # what a wrong or stale action may answer
WORDS = ("izin", "sertifikat", "terbit", "berkas", "verifikasi", "lambat")


@dataclass
class Sample:
    """One answered (or failed) request."""

    kind: str
    instance: int
    status: int  # 0: the connection failed
    started: float
    seconds: float
    body: str = ""  # kept only for unexpected answers


@dataclass
class Instance:
    """One ``aduan serve`` the load may use; ``up`` is False while it is killed."""

    url: str
    up: bool = True


@dataclass
class Load:
    """Shared state of the load threads."""

    instances: list[Instance]
    tokens: dict[str, str]
    service_date: date
    budget: int
    stop: threading.Event = field(default_factory=threading.Event)
    refs: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)
        if len(self.samples) >= self.budget:
            self.stop.set()


def run_thread(load: Load, seed: int) -> None:
    """Send requests until told to stop (each thread its own clients and random stream)."""
    rng = random.Random(seed)
    clients = {
        i: httpx.Client(base_url=inst.url, timeout=30) for i, inst in enumerate(load.instances)
    }
    kinds, weights = list(MIX), list(MIX.values())
    try:
        while not load.stop.is_set():
            up = [i for i, inst in enumerate(load.instances) if inst.up]
            if not up:
                time.sleep(0.05)
                continue
            i = rng.choice(up)
            kind = rng.choices(kinds, weights)[0]
            if kind in ("act", "case") and not load.refs:
                kind = "submit"
            _one(load, rng, kind, i, clients[i])
    finally:
        for client in clients.values():
            client.close()


def _one(load: Load, rng: random.Random, kind: str, i: int, client: httpx.Client) -> None:
    started = time.monotonic()
    try:
        kind, status, body = _send(load, rng, kind, client)
    except httpx.TransportError as exc:
        status, body = 0, type(exc).__name__
    seconds = time.monotonic() - started
    if kind == "act_unoffered":  # an action the page did not offer: only a refusal is right
        expected = status in REFUSED
    else:
        expected = status in (200, 201) or (kind == "act" and status in REFUSED)
    load.record(Sample(kind, i, status, started, seconds, "" if expected else body[:500]))


def _send(load: Load, rng: random.Random, kind: str, client: httpx.Client) -> tuple[str, int, str]:
    if kind == "submit":
        return (kind, *_submit(load, client))
    user = rng.choice(STAFF)
    auth = {"Authorization": f"Bearer {load.tokens[user]}"}
    if kind == "act":
        return _act(load, rng, client, auth)
    if kind == "case":
        answer = client.get(f"/api/v1/cases/{rng.choice(load.refs)}", headers=auth)
        return kind, answer.status_code, answer.text
    params: dict[str, Any] = {"limit": 50}
    if kind == "queue":
        params["sort"] = "deadline"
    elif kind == "search":
        params["q"] = rng.choice(WORDS)
    answer = client.get("/api/v1/cases", params=params, headers=auth)
    return kind, answer.status_code, answer.text


def _submit(load: Load, client: httpx.Client) -> tuple[int, str]:
    n = next(load.counter)
    form = {
        "complainant": {"name": f"Pelapor Soak {n}", "email": f"pelapor{n}@contoh.id"},
        "subject": f"Izin usaha belum terbit ({n})",
        "description": "Sudah tiga minggu sejak berkas lengkap dan belum ada kabar",
        "service_code": SERVICE,
        "service_received_on": (load.service_date - timedelta(days=3)).isoformat(),
    }
    answer = client.post("/api/v1/public/complaints", json=form)
    if answer.status_code == 201:
        with load.lock:
            load.refs.append(answer.json()["tracking_code"])
    return answer.status_code, answer.text


def _act(
    load: Load, rng: random.Random, client: httpx.Client, auth: dict[str, str]
) -> tuple[str, int, str]:
    ref = rng.choice(load.refs)
    case = client.get(f"/api/v1/cases/{ref}", headers=auth)
    if case.status_code != 200:
        return "act", case.status_code, case.text
    detail = case.json()
    offered = [a for a in detail["allowed_actions"] if Action(a) in PAYLOADS]
    kind = "act"
    if offered and rng.random() < 0.85:
        action = rng.choice(offered)
    else:  # one the page does not offer: must be refused
        kind = "act_unoffered"
        action = rng.choice([a.value for a in PAYLOADS if a.value not in detail["allowed_actions"]])
    body = {
        "action": action,
        "payload": PAYLOADS[Action(action)],
        "expected_version": detail["version"],
    }
    answer = client.post(f"/api/v1/cases/{ref}/actions", json=body, headers=auth)
    return kind, answer.status_code, answer.text
