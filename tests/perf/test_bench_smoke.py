"""The benchmark command runs end to end in its smoke mode (real servers on 127.0.0.1, a few seconds)."""

from __future__ import annotations

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
    assert "| benelux-graph | varied | 8 |" in text and "| trivial-route | repeated | 8 |" in text
    assert "## Cold start and memory" in text and "## Scale" in text and "## Targets" in text
    assert "| 2,000 |" in text
