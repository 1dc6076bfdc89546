"""Fixtures of the endpoint tests (the live server, canary and Chromium are the shared ones of tests/support): a
server with small limits and an HTTP client on the live server."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests import answers.py, whatever pytest's import mode

from support.live_server import LiveServer  # noqa: E402


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
