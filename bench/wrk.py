"""The standard load generator: `wrk` (Debian's package), keep-alive connections from one client address
(127.0.0.1), with a Lua script that sends the mix's paths in turn. Only 127.0.0.1 is ever a target.

Each wrk thread runs its own copy of the script, so each goes through the paths from the start: with 2 threads a
text is sent twice in a row of the rotation (no matter for executed queries; a result cache sees more repeats).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import load

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Outcome(load.Outcome):
    """What wrk measured: its own latency percentiles (it reports no single latencies)."""

    p50_ms: float = math.nan
    p99_ms: float = math.nan

    @property
    def p50(self) -> float:
        return self.p50_ms

    @property
    def p99(self) -> float:
        return self.p99_ms


def installed() -> bool:
    return shutil.which("wrk") is not None


def script(paths: list[str], headers: dict[str, str]) -> str:
    lines = ["local paths = {"]
    lines += [f"  [==[{p}]==]," for p in paths]
    lines.append("}")
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    lines += [
        "local i = 0",
        "request = function()",
        "  i = i + 1",
        "  return wrk.format('GET', paths[(i % #paths) + 1])",
        "end",
    ]
    return "\n".join(lines) + "\n"


def duration_ms(text: str) -> float:
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")


def run(port: int, paths: list[str], connections: int, seconds: float, headers: dict[str, str] | None = None):
    """wrk at `connections` keep-alive connections for `seconds`: rps, and p50 and p99 from wrk's latencies."""
    headers = {"Accept": "application/sparql-results+json", **(headers or {})}
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        lua = Path(folder) / "mix.lua"
        lua.write_text(script(paths, headers), encoding="utf-8")
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                str(lua),
                f"http://{load.HOST}:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    text = done.stdout
    out = Outcome()
    total = re.search(r"(\d+) requests in ([0-9.]+)(us|ms|s|m)", text)
    if done.returncode != 0 or not total:
        out.first_error = (done.stderr or text).strip()[-200:]
        return out
    out.requests = int(total.group(1))
    out.seconds = duration_ms(total.group(2) + total.group(3)) / 1000
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out.errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    if out.errors:
        out.first_error = "wrk: non-2xx or socket errors"
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.MULTILINE)
    if p50 and p99:
        out.p50_ms, out.p99_ms = duration_ms(p50.group(1)), duration_ms(p99.group(1))
        out.latencies = [out.p50_ms / 1000, out.p99_ms / 1000]  # not a distribution: says there were answers
    return out
