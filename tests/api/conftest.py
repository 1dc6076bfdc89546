"""Fixtures of the endpoint tests: real uvicorn servers on free 127.0.0.1 ports (in a thread, over the session's
store), a canary HTTP server that records every request it receives, and Debian's Chromium for Playwright.
"""

from __future__ import annotations

import http.server
import socket
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn

from benelux_graph.api.app import create_app

sys.path.insert(0, str(Path(__file__).parent))  # the tests import answers.py, whatever pytest's import mode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """create_app(settings, store) served by uvicorn in a thread; its query workers are real processes."""

    def __init__(self, settings, store):
        self.port = free_port()
        self.settings = replace(settings, host="127.0.0.1", port=self.port)
        self.app = create_app(self.settings, store)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine(self):
        return self.app.state.runtime.engine

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

    def wait_for_workers(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.engine.worker_pids) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture(scope="session")
def live_server(settings, store):
    server = LiveServer(replace(settings, workers=2, query_timeout=10.0), store).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def capped_server(settings, store):
    """A server with small limits: 5 rows, 2 s, 2,000-byte queries, 4,000-byte bodies; one worker."""
    server = LiveServer(replace(settings, workers=1, max_rows=5, max_query_bytes=2_000, max_body_bytes=4_000,
                                query_timeout=2.0),
                        store).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c


class Canary:
    """An HTTP server on another loopback port that answers anything and remembers every request."""

    def __init__(self):
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                canary.requests.append(f"{self.command} {self.path}")
                body = b"<http://canary/s> <http://canary/p> \"CANARY-CONTENT\" ."
                self.send_response(200)
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
