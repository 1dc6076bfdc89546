"""A synchronous client for an ASGI app, in-process (httpx over ASGI: no socket, no query worker started)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx


class AsgiClient:
    """Each call runs one httpx.AsyncClient request in a thread of its own, on an event loop of its own:
    Playwright's synchronous API keeps a loop running in the main thread for the whole session, where
    asyncio.run() would refuse to start."""

    def __init__(self, app, timeout: float = 120):
        self.app = app
        self.timeout = timeout
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asgi-client")

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def go():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, url, **kwargs)

        return self.runner.submit(asyncio.run, go()).result(timeout=self.timeout)

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.runner.shutdown()
