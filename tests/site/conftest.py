"""Fixtures of the site tests: one real uvicorn server on a free 127.0.0.1 port over the session's store, an
HTTP client on it that asks for no compression unless told, and Debian's Chromium for Playwright."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # live_server.py

from live_server import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402


@pytest.fixture(scope="session")
def site_server(settings, store):
    server = LiveServer(replace(settings, workers=1, query_timeout=10.0), store).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http(site_server):
    """A client that sends `Accept-Encoding: identity` (httpx asks for gzip by default) and decodes nothing."""
    with httpx.Client(base_url=site_server.url, timeout=30, headers={"Accept-Encoding": "identity"}) as c:
        yield c


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
