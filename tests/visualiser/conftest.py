"""Fixtures of the visualiser tests: the app in-process (httpx over ASGI, no socket, no query workers started),
a real uvicorn server on a free 127.0.0.1 port for the browser, and Debian's Chromium for Playwright."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest
import uvicorn

from benelux_graph.api.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, settings, store):
        self.port = free_port()
        self.app = create_app(replace(settings, host="127.0.0.1", port=self.port, workers=1), store)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.thread.is_alive():
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError(f"the test server on port {self.port} did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture(scope="session")
def graph_server(settings, store):
    server = LiveServer(settings, store).start()
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
