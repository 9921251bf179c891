"""`make demo` as a new user runs it: scripts/demo.sh walks its sample cases to the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_walks_every_sample_case_through(tmp_path: Path) -> None:
    aduan = Path(sys.executable).parent / "aduan"
    env = {
        **os.environ,
        "ADUAN": str(aduan),
        "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
    }
    env.pop("ADUAN_USER", None)
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "galat/error" not in out and "Traceback" not in out
    listing = proc.stdout.split("$ aduan list")[-1]
    # The three sample cases end where the demo takes them: closed, recorded (a late
    # complaint accepted), and with APIP after the agency head's approval.
    assert [status in listing for status in ("closed", "recorded", "apip_handling")] == [
        True,
        True,
        True,
    ]
