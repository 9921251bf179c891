"""A database that refuses writes: the server keeps serving reads, writes get a clear 503.

Issue 17: a full disk gave generic 500s while ``/healthz`` said ok, and a read-only file system
killed ``aduan serve`` at start with a traceback. The tests run as root in CI, where file
permissions do not stop writes, so a read-only database is opened read-only (``mode=ro``, what
SQLite does on a read-only file or folder) and a full disk is SQLite's ``max_page_count``
(``SQLITE_FULL``, what a full disk returns).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text

from aduan import service
from aduan.ports import CaseQuery, FixedClock
from aduan.service import Deps
from tests.conftest import wired
from tests.integration import builders as b
from tests.web.conftest import Web
from tests.web.server import aduan_serve
from tests.web.test_public_intake import opened_form, public_form

BODY = {
    "complainant": {"name": "Siti Aminah", "email": "siti@contoh.id"},
    "subject": "Izin usaha belum terbit",
    "description": "Sudah tiga minggu sejak berkas lengkap",
    "service_code": "15121",
    "service_received_on": "2026-02-23",
}

LONG = "Sudah lama menunggu. " * 150  # a few pages of text: needs pages a full disk has not


def cases(deps: Deps) -> int:
    return len(service.list_cases(deps, CaseQuery()))


def test_aduan_serve_starts_on_a_read_only_database_serves_reads_and_refuses_writes(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "aduan.db"
    with wired(f"sqlite:///{path}", clock) as deps:
        code = b.submit(deps).tracking_code
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    log = tmp_path / "serve.log"
    with aduan_serve(read_only, log, "--no-scheduler") as (url, proc):
        with httpx.Client(base_url=url, timeout=30) as client:
            health = client.get("/healthz").json()
            tracked = client.get(f"/api/v1/public/track/{code}")
            refused = client.post(
                "/api/v1/public/complaints",
                json=BODY,
                headers={"Idempotency-Key": "c0ffee00-1111-2222-3333-444455556666"},
            )
            page = client.get("/lapor", headers={"Accept": "text/html"})
        assert proc.poll() is None
    output = log.read_text()
    assert "Traceback" not in output
    assert "serving reads only" in output  # the line the operator sees at start
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "storage_refuses_writes" for line in lines)
    assert (health["status"], health["storage"], health["database"]) == (
        "degraded",
        "read_only",
        "ok",
    )
    assert tracked.status_code == 200
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "storage_refused"
    assert problem["detail"].startswith("basis data hanya dapat dibaca: perubahan tidak disimpan")
    assert page.status_code in (200, 503) and "Traceback" not in page.text


def fill_up(web: Web) -> None:
    """From now on the database may not grow: what a full disk does to SQLite."""
    engine = b.engine_of(web.deps)

    def limit(dbapi: Any, _record: Any) -> None:
        size = dbapi.execute("PRAGMA page_count").fetchone()[0]
        dbapi.execute(f"PRAGMA max_page_count = {size}")

    event.listen(engine, "connect", limit)
    web.deps.uow.close(drop=True)  # type: ignore[attr-defined]
    engine.dispose()


def test_a_full_disk_refuses_writes_with_503_keeps_reads_and_health_says_so(
    sqlite_web: Web,
) -> None:
    first = b.submit(sqlite_web.deps)
    fill_up(sqlite_web)
    public = sqlite_web.anon()
    statuses = []
    for i in range(200):  # each complaint needs pages until none is left
        before = cases(sqlite_web.deps)
        key = {"Idempotency-Key": f"c0ffee00-1111-2222-3333-{i:012d}"}
        sent = public.post(
            "/api/v1/public/complaints",
            json={**BODY, "description": LONG},
            headers=key,
        )
        statuses.append(sent.status_code)
        if sent.status_code != 201:
            break
    assert set(statuses[:-1]) <= {201} and statuses[-1] == 503, statuses
    assert sent.json()["code"] == "storage_refused"
    assert sent.json()["detail"].startswith("penyimpanan basis data penuh")
    assert cases(sqlite_web.deps) == before  # nothing half-written

    assert public.get(f"/api/v1/public/track/{first.tracking_code}").status_code == 200
    health = public.get("/healthz")
    assert health.status_code == 200
    assert (health.json()["status"], health.json()["storage"]) == ("degraded", "full")
    browser = sqlite_web.anon(headers={"Accept": "text/html"})
    form = public_form(sqlite_web.deps, description=LONG)
    page = browser.post("/lapor", data={**opened_form(browser), **form})
    assert page.status_code == 503
    assert "penyimpanan basis data penuh: perubahan tidak disimpan" in page.text
    assert 'name="subject"' in page.text  # the form again, filled in, to send later
    assert cases(sqlite_web.deps) == before


def test_health_is_ok_again_once_a_write_succeeds(sqlite_web: Web) -> None:
    sqlite_web.deps.uow.refused = "full"  # type: ignore[attr-defined]
    assert sqlite_web.anon().get("/healthz").json()["storage"] == "full"
    b.submit(sqlite_web.deps)
    assert sqlite_web.anon().get("/healthz").json()["storage"] == "ok"
    with b.engine_of(sqlite_web.deps).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
