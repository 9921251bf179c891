"""Real servers for tests over HTTP: uvicorn in a thread, or ``aduan serve`` as a process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from tests.integration.servers import free_port

__all__ = ["HTTP_TIMEOUT", "aduan_serve", "free_port", "live"]

# Seconds a test client waits for an answer. httpx's default (5 s) is shorter than the stalls
# a loaded 2-core CI machine can cause; a test asserts what the server says, not how fast.
HTTP_TIMEOUT = 30.0


@contextlib.contextmanager
def live(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` until the block ends; yield its base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def aduan_serve(
    db_url: str, log: Path, *options: str, **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``aduan serve`` as a process (its output in ``log``) until /healthz answers; stopped after.

    Yields the base URL and the process (the caller may check how it ended).
    """
    port = free_port()
    environ = {**os.environ, "ADUAN_DATABASE_URL": db_url, "ADUAN_LOG_FORMAT": "json", **env}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aduan.cli", "serve", "--port", str(port), *options],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log.read_text()
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield url, proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
