"""Fixtures of the visualiser tests: the app in-process (httpx over ASGI, no socket, no query workers started),
a real uvicorn server on a free 127.0.0.1 port for the browser, and Debian's Chromium for Playwright."""

from __future__ import annotations

import asyncio
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from benelux_graph.api.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # live_server.py

from live_server import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402


class AsgiClient:
    """A synchronous client for an ASGI app, in-process: each call runs one httpx.AsyncClient request.

    The request runs in a thread of its own, on an event loop of its own: Playwright's synchronous API keeps a
    loop running in the main thread for the whole session, where asyncio.run() would refuse to start.
    """

    def __init__(self, app):
        self.app = app
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asgi-client")

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def go():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, url, **kwargs)

        return self.runner.submit(asyncio.run, go()).result(timeout=60)

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)


@pytest.fixture(scope="session")
def app(settings, store):
    return create_app(replace(settings, workers=1), store)


@pytest.fixture(scope="session")
def api(app):
    client = AsgiClient(app)
    yield client
    client.runner.shutdown()


@pytest.fixture(scope="session")
def graph_server(settings, store):
    server = LiveServer(replace(settings, workers=1), store).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Playwright's wait_for_function evaluates its predicate inside the page, which the page's CSP (no eval)
    # rightly forbids; the CSP itself is tested in tests/reliability.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: run `make setup-browser`"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
