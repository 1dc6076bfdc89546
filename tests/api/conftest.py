"""Fixtures of the endpoint tests: real uvicorn servers on free 127.0.0.1 ports (in a thread, over the session's
store), a canary HTTP server that records every request it receives, and Debian's Chromium for Playwright.
"""

from __future__ import annotations

import http.server
import sys
import threading
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests import answers.py, whatever pytest's import mode
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # live_server.py

from live_server import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402


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
