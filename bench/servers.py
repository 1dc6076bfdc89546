"""The servers the benchmark compares, each started as its own process on 127.0.0.1 and a free port, with its
log in build/bench-logs/, its cold start (process start to the first answer over the data) and the peak RSS of
its processes (the server and every child: uvicorn workers, query workers; Virtuoso's one process).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benelux_graph.server import default_processes

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PROBE = "SELECT ?s WHERE { ?s a <https://w3id.org/benelux-graph/ontology#Country> } LIMIT 1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every descendant of a process (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                out += kids
                todo += kids
        except OSError:
            continue
    return out


def rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemoryWatch:
    """Samples the RSS of a process tree in a thread; `peak` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> int:
        total = sum(rss(p) for p in [self.pid, *children(self.pid)])
        self.peak = max(self.peak, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> int:
        self.sample()
        self._stop.set()
        self._thread.join(2)
        return self.peak


def get(url: str, accept: str = "application/sparql-results+json", timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@dataclass
class Server:
    name: str
    port: int
    extra: dict[str, str] = field(default_factory=dict)  # parameters every query carries (default-graph-uri)
    endpoint: str = "/sparql"  # the path of its SPARQL endpoint
    process: subprocess.Popen | None = None
    pid: int = 0
    cold_start: float = float("nan")  # seconds from process start to the first answer over the data
    note: str = ""
    watch: MemoryWatch | None = None
    stopper: object = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def probe_path(self) -> str:
        return self.endpoint + "?" + urllib.parse.urlencode({"query": PROBE, **self.extra})

    def wait_ready(self, started: float, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} before answering "
                    f"(see build/bench-logs/{self.name}.log)"
                )
            try:
                status, _ = get(self.url + self.probe_path(), timeout=5)
                if status == 200:
                    self.cold_start = time.monotonic() - started
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    def peak_memory(self) -> int:
        return self.watch.peak if self.watch else 0

    def stop(self) -> None:
        if self.watch:
            self.watch.stop()
        if self.stopper:
            self.stopper()
        elif self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def spawn(
    name: str,
    argv: list[str],
    env: dict[str, str],
    logs: Path,
    extra: dict | None = None,
    port: int | None = None,
    endpoint: str = "/sparql",
) -> Server:
    logs.mkdir(parents=True, exist_ok=True)
    log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - the server's output, for as long as it runs
    server = Server(name, port or int(env["BENCH_PORT"]), extra or {}, endpoint)
    started = time.monotonic()
    server.process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    server.pid = server.process.pid
    server.watch = MemoryWatch(server.pid)
    try:
        server.wait_ready(started)
    except Exception:
        server.stop()
        raise
    return server


def project(
    logs: Path,
    workers: int | None = None,
    engine_workers: int | None = None,
    cache_bytes: int | None = None,
    name: str = "benelux-graph",
    extra_env: dict[str, str] | None = None,
) -> Server:
    """`benelux-graph serve [--workers N]` over the project's data; None: as serve runs by default (server
    processes: one per core, at most 2; BENELUX_WORKERS: the setting's default)."""
    port = free_port()
    env = {
        "BENCH_PORT": str(port),
        "BENELUX_PORT": str(port),
        "BENELUX_HOST": HOST,
        "BENELUX_ROOT": str(ROOT),
    }
    if engine_workers is not None:
        env["BENELUX_WORKERS"] = str(engine_workers)
    if cache_bytes is not None:
        env["BENELUX_CACHE_BYTES"] = str(cache_bytes)
    env.update(extra_env or {})
    argv = [sys.executable, "-m", "benelux_graph", "serve"] + (["--workers", str(workers)] if workers else [])
    return spawn(name, argv, env, logs)


def trivial(logs: Path, workers: int | None = None) -> Server:
    """bench/trivial.py under uvicorn, as `serve` runs it (same loop, HTTP parser, log level, workers)."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(ROOT / "bench"),
        "trivial:app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers or default_processes()),
        "--log-level",
        "info",
    ]
    return spawn("trivial-route", argv, {"BENCH_PORT": str(port)}, logs)


def rdflib_endpoint(logs: Path, files: list[Path]) -> Server:
    """rdflib-endpoint's own CLI over the same Turtle files (the default graph: their union), at its path /."""
    port = free_port()
    argv = [sys.executable, "-m", "rdflib_endpoint", "serve", *map(str, files), "--host", HOST, "--port", str(port)]
    return spawn("rdflib-endpoint", argv, {"BENCH_PORT": str(port)}, logs, endpoint="/")


def virtuoso(logs: Path, folder: Path, store) -> Server:
    """A private Virtuoso (scripts/virtuoso.sh) loaded with the release by remote.publish; every query names the
    published union of the ontology and data graphs as its default graph. Cold start: an empty instance started,
    the release published, the first answer."""
    from benelux_graph.publish import publish
    from benelux_graph.remote import UNION_GRAPH

    logs.mkdir(parents=True, exist_ok=True)
    user, password = "benelux-bench", "bench-" + str(os.getpid())
    env = {**os.environ, "BENELUX_STORE_USER": user, "BENELUX_STORE_PASSWORD": password}
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "virtuoso.sh"), "start", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    (logs / "virtuoso.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"Virtuoso did not start: {done.stderr.strip()[-500:]}")
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    port = int(values["VIRTUOSO_HTTP"].rsplit(":", 1)[1])
    server = Server("virtuoso", port, {"default-graph-uri": UNION_GRAPH})
    server.pid = int(values["VIRTUOSO_PID"])
    server.watch = MemoryWatch(server.pid)

    def stop() -> None:
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "virtuoso.sh"), "stop", str(folder)],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)

    server.stopper = stop
    try:
        publish(store, server.url + "/sparql", user, password)
        server.wait_ready(started)
    except Exception:
        server.stop()
        raise
    return server
