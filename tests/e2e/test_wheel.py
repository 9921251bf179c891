"""Aduan installed as a package: build the wheel, install it in a fresh venv, migrate and serve.

The wheel is built offline from a copy of the sources (``pip wheel --no-build-isolation`` with
this venv's setuptools, so nothing is downloaded and the checkout gets no ``build/`` folder).

The fresh venv has no system site-packages and gets the wheel with ``--no-deps``. Downloading
its dependencies again would take most of a minute and need the package index, so the venv is
given the ones this venv already has, but only those the wheel's ``Requires-Dist`` asks for
(followed transitively): they are linked into one folder named in a ``.pth`` file. A dependency
missing from ``pyproject.toml``, a dev tool imported at run time, a file left out of the
package data (the migrations, templates, static files, catalogs, translations) or code that
only works from the checkout makes this test fail.
"""

from __future__ import annotations

import contextlib
import email.parser
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.integration.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "aduan"


def _run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> str:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"{' '.join(map(str, args))}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _shipped_files() -> set[str]:
    """Every file of the package in the checkout, as the wheel names it."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "aduan", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
        "--no-build-isolation", "--wheel-dir", out, source,
        cwd=source,
    )  # fmt: skip
    (built,) = out.glob("aduan-*.whl")
    return built


def test_the_wheel_ships_every_file_of_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "aduan/migrations/env.py",
        "aduan/migrations/script.py.mako",
        "aduan/catalog/services.toml",
        "aduan/py.typed",
    ):
        assert required in names
    assert any(n.startswith("aduan/migrations/versions/0001_") for n in names)
    assert any(n.startswith("aduan/web/templates/") for n in names)
    assert any(n.startswith("aduan/web/static/") for n in names)
    assert sorted(_shipped_files() - names) == []


def _requirements(dist: metadata.Distribution, extras: frozenset[str]) -> Iterator[Requirement]:
    for line in dist.requires or ():
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras):
            yield req


def _runtime_closure(wheel: Path) -> list[metadata.Distribution]:
    """The installed distributions the wheel's ``Requires-Dist`` need, transitively."""
    meta = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA"))
    message = email.parser.Parser().parsestr(zipfile.ZipFile(wheel).read(meta).decode())
    todo = [(Requirement(r), frozenset({""})) for r in message.get_all("Requires-Dist") or ()]
    todo = [(r, x) for r, x in todo if r.marker is None or r.marker.evaluate({"extra": ""})]
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req, _ = todo.pop()
        name = canonicalize_name(req.name)
        extras = frozenset({"", *req.extras})
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        dist = found.setdefault(name, metadata.distribution(name))
        todo.extend((r, extras) for r in _requirements(dist, extras))
    return list(found.values())


def _link_dependencies(wheel: Path, into: Path) -> None:
    """Link the runtime dependencies' top-level files of this venv into ``into``."""
    into.mkdir()
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    for dist in _runtime_closure(wheel):
        tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in tops:
            target = site / top
            if target.exists() and not (into / top).exists():
                (into / top).symlink_to(target)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel (and only its runtime dependencies); its ``bin`` folder."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv)
    python = venv / "bin" / "python"
    # Installed before the dependencies are visible, so pip sees an empty venv.
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
        "--no-index", wheel,
        cwd=venv,
    )  # fmt: skip
    deps = venv / "dependencies"
    _link_dependencies(wheel, deps)
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv)
    Path(site.strip(), "aduan-dependencies.pth").write_text(f"{deps}\n")
    return venv / "bin"


def _clean_env() -> dict[str, str]:
    """The environment without this checkout or test settings (no ADUAN_*, no PYTHONPATH)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {k: v for k, v in os.environ.items() if k in keep}


@contextlib.contextmanager
def _serving(aduan: Path, folder: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    log = folder.parent / f"{folder.name}-serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(aduan), "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_installed_package_migrates_and_serves_from_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    env = _clean_env()
    code = "import aduan; print(aduan.__file__)"
    where = _run(installed / "python", "-c", code, cwd=folder, env=env)
    assert Path(where.strip()).is_relative_to(installed.parent), where  # the wheel, not ROOT
    _run(installed / "aduan", "db", "upgrade", cwd=folder, env=env, timeout=60)
    assert (folder / "aduan.db").is_file()
    with _serving(installed / "aduan", folder, env) as url:
        health = httpx.get(f"{url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json()["ok"] is True
    assert health.json()["database"] == "ok"
