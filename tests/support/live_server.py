"""A real uvicorn server for the tests, in a thread on a free 127.0.0.1 port; `benelux-graph serve` itself in a
subprocess (`serving`); a canary HTTP server; Debian's Chromium settings."""

from __future__ import annotations

import contextlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import uvicorn

from benelux_graph import server
from benelux_graph.api.app import create_app

from .project import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """create_app(settings, store) served by uvicorn in a thread, with the HTTP settings of `benelux-graph serve`
    (benelux_graph.server: proxies, read timeout); its query workers are real processes."""

    def __init__(self, settings, store):
        self.port = free_port()
        self.settings = replace(settings, host="127.0.0.1", port=self.port)
        self.app = create_app(self.settings, store)
        config = server.config(self.app, self.settings, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def runtime(self):
        return self.app.state.runtime

    @property
    def engine(self):
        """The engine of the release now served (after a reload, the new one's)."""
        releases = self.runtime.releases
        return releases.current.runtime.engine if releases is not None else self.runtime.engine

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.started:
                return self
            if not self.thread.is_alive():
                break
            time.sleep(0.05)
        raise RuntimeError(f"the test server on port {self.port} did not start")

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.engine.worker_pids) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.engine.worker_pids) >= count, "the query workers did not come back"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)

    def __enter__(self) -> LiveServer:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Served(str):
    """The URL of a `benelux-graph serve` subprocess, with its log (stdout and stderr) at `.log` and the process
    started (uvicorn's supervisor) at `.process`."""

    log: Path
    process: subprocess.Popen

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until /healthz answers 200; fails at `timeout`, or at once if the supervisor stopped."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            assert self.process.poll() is None, "benelux-graph serve stopped: " + self.tail()
            try:
                if httpx.get(self + "/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self} did not answer within {timeout} s: " + self.tail())

    def server_process(self) -> int | None:
        """The pid of the server process the supervisor runs (a spawned Python child), None while there is none."""
        for child in children(self.process.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
                return child
        return None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextlib.contextmanager
def serving(folder: Path, *args: str, processes: int | None = 1, **settings: str) -> Iterator[Served]:
    """`benelux-graph serve ARGS` in a subprocess with these BENELUX_* settings (`workers="1"` is BENELUX_WORKERS),
    on a free port, its output in `folder`/serve.log; its URL once /healthz answers. Stopped (SIGTERM) on exit.
    `processes` server processes (serve --workers) unless ARGS say `--workers`; None: serve's default (one per
    core, at most 2). One by default, so that what a test counts per process (rate limit, pacing, the workers'
    pids) sees every request."""
    if processes is not None and "--workers" not in args:
        args = ("--workers", str(processes), *args)
    port = free_port()
    log = folder / "serve.log"
    env = {
        **os.environ,
        "BENELUX_ROOT": str(ROOT),
        "BENELUX_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **{"BENELUX_" + k.upper(): v for k, v in settings.items()},
    }
    output = log.open("wb")
    url = Served(f"http://127.0.0.1:{port}")
    url.log = log
    url.process = subprocess.Popen(
        [sys.executable, "-m", "benelux_graph", "serve", *args], env=env, stdout=output, stderr=subprocess.STDOUT
    )
    try:
        url.wait_healthy(120)
        yield url
    finally:
        url.process.terminate()
        try:
            url.process.wait(20)
        except subprocess.TimeoutExpired:
            url.process.kill()
            url.process.wait(10)
        output.close()


class Canary:
    """An HTTP server on another loopback port that answers anything (redirects on /redirect) and remembers every
    request it receives."""

    def __init__(self):
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                canary.requests.append(f"{self.command} {self.path}")
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = (
                    b'{"@context": {"x": "http://canary/x"}}'
                    if self.path.endswith(".jsonld")
                    else b'<http://canary/s> <http://canary/p> "CANARY-CONTENT" .'
                )
                self.send_response(200)
                self.send_header(
                    "Content-Type", "application/ld+json" if self.path.endswith(".jsonld") else "application/n-triples"
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = do_PUT = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def healthz_wait_during(
    url: str, query: str, timeout: float = 60, head_start: float = 0.2
) -> tuple[httpx.Response, float]:
    """POST `query` to /sparql in a thread and, `head_start` seconds later, time a GET /healthz: the query's answer
    and how long /healthz waited (a query held on the event loop would hold /healthz with it)."""
    outcome = {}

    def hostile():
        outcome["r"] = httpx.post(
            url + "/sparql",
            content=query.encode(),
            headers={"content-type": "application/sparql-query"},
            timeout=timeout,
        )

    thread = threading.Thread(target=hostile)
    thread.start()
    time.sleep(head_start)
    start = time.monotonic()
    assert httpx.get(url + "/healthz", timeout=timeout).status_code == 200
    waited = time.monotonic() - start
    thread.join(timeout)
    return outcome["r"], waited
