"""Fixtures of the reliability and security tests.

- `ReliabilitySettings`: Settings with the reliability fields (`rate_limit`, `admin_token`, `reload_signal`), so
  the tests can set them whether or not settings.py declares them yet; the application reads them with defaults
  (api/runtime.py).
- `LiveServer`: create_app served by uvicorn in a thread on a free 127.0.0.1 port (real query workers);
  `ServerProcess`: the same in a subprocess (`serve_app.py`), for load tests (the client's work does not share
  the server's interpreter) and for signals (SIGHUP reaches the main thread of the server only).
- `live_server`, `client`, `capped_server`: this folder's servers, with the reliability settings (they override
  the shared `live_server` of tests/support).

The canary, `project_copy` and Chromium's settings are the shared fixtures of tests/support.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # reliability_settings and helpers, importable by name (query workers too)
sys.path.insert(0, str(HERE.parent))  # the support package (also when test_load.py runs as a script)

from reliability_settings import reliability_settings  # noqa: E402 - after the sys.path line above

ROOT = HERE.parents[1]
from support.live_server import LiveServer, free_port  # noqa: E402,F401 - re-exported
from support.project import copy_project  # noqa: E402,F401 - re-exported


class ServerProcess:
    """serve_app.py in a subprocess: uvicorn over create_app with the given settings, on a free port."""

    def __init__(self, root: Path = ROOT, **settings):
        self.port = free_port()
        self.settings = {"root": str(root), "host": "127.0.0.1", "port": self.port, **settings}
        self.process: subprocess.Popen | None = None
        self.log = b""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "serve_app.py"), json.dumps(self.settings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server process stopped: {self.log.decode(errors='replace')}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server process did not start")

    def _read(self) -> None:
        for line in self.process.stdout:
            self.log += line

    def signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> ServerProcess:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture(scope="session")
def live_server(settings, store):
    """The project's data, two workers, the default limits."""
    with LiveServer(reliability_settings(settings, workers=2), store) as server:
        yield server


@pytest.fixture(scope="session")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def capped_server(settings, store):
    """Small limits: 5 rows, 2 s, 2,000-byte queries, 4,000-byte bodies; one worker."""
    with LiveServer(
        reliability_settings(
            settings, workers=1, max_rows=5, max_query_bytes=2_000, max_body_bytes=4_000, query_timeout=2.0
        ),
        store,
    ) as server:
        yield server
