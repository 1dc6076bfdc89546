"""The benchmark command runs end to end in its smoke mode (real servers on 127.0.0.1, a few seconds)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.server
def test_bench_smoke(tmp_path):
    out = tmp_path / "bench.md"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--smoke",
            "--servers",
            "benelux-graph,trivial",
            "--sizes",
            "2000",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    assert "| benelux-graph | varied | many | 8 |" in text and "| trivial-route | repeated | many | 8 |" in text
    # every query executed (Cache-Control: no-cache), from many client addresses and from one, on both mixes
    for mix in ("generic", "varied"):
        for client in ("many", "one"):
            assert f"| benelux-graph | {mix} executed | {client} | 32 |" in text, text
    if shutil.which("wrk"):  # the standard load generator, when installed (`make bench` installs it)
        assert (
            "| benelux-graph | generic executed | wrk | 8 |" in text
            and "| trivial-route | repeated | wrk | 8 |" in text
        )
    assert "every query executed, c=8, one client: >= 1x Virtuoso" in text
    assert "## Cold start and memory" in text and "## Scale" in text and "## Targets" in text
    assert "| 2,000 |" in text
