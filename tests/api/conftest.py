"""Fixtures of the endpoint tests: real uvicorn servers on free 127.0.0.1 ports (in a thread, over the session's
store), a canary HTTP server that records every request it receives, and Debian's Chromium for Playwright.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests import answers.py, whatever pytest's import mode
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # live_server.py

from live_server import CHROMIUM, CHROMIUM_ARGS, Canary, LiveServer  # noqa: E402


@pytest.fixture(scope="session")
def live_server(settings, store):
    server = LiveServer(replace(settings, workers=2, query_timeout=10.0), store).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def capped_server(settings, store):
    """A server with small limits: 5 rows, 2 s, 2,000-byte queries, 4,000-byte bodies; one worker."""
    server = LiveServer(
        replace(settings, workers=1, max_rows=5, max_query_bytes=2_000, max_body_bytes=4_000, query_timeout=2.0), store
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
