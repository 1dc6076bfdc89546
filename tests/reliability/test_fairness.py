"""api/fairness.py in a real uvicorn on 127.0.0.1, with real HTTP clients each on a loopback address of its own,
in front of a small application that sleeps as long as its path says and records how many requests of each client
it holds at once: a client with many connections has at most PER_CLIENT requests in while another client is
served, a lone client is never held (issue 15), and a client whose requests take long waits while a quicker
client's request is in flight (issue 13)."""

from __future__ import annotations

import asyncio
import collections
import threading
import time

import httpx
import pytest
import uvicorn

from benelux_graph.api import fairness
from benelux_graph.api.fairness import Fairness
from support.aio import run_async as run
from support.live_server import free_port

pytestmark = pytest.mark.server


class Sleeper:
    """GET /sleep/<ms>: answers 200 after that many milliseconds; `peak` holds each client's most requests at once."""

    def __init__(self):
        self.now: collections.Counter[str] = collections.Counter()
        self.peak: collections.Counter[str] = collections.Counter()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        client = scope["client"][0]
        self.now[client] += 1
        self.peak[client] = max(self.peak[client], self.now[client])
        try:
            await asyncio.sleep(int(scope["path"].rsplit("/", 1)[1]) / 1000)
        finally:
            self.now[client] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def sleeper():
    app = Sleeper()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(Fairness(app), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    app.url = f"http://127.0.0.1:{port}"
    yield app
    server.should_exit = True
    thread.join(10)


def client(url: str, address: str, connections: int = 1) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address, limits=httpx.Limits(max_connections=connections))
    return httpx.AsyncClient(base_url=url, transport=transport, timeout=30)


async def sequential(c: httpx.AsyncClient, path: str, seconds: float) -> list[float]:
    """Requests one after another for `seconds`: their latencies."""
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        assert (await c.get(path)).status_code == 200
        latencies.append(time.perf_counter() - start)
    return latencies


async def burst(c: httpx.AsyncClient, path: str, n: int) -> None:
    answers = await asyncio.gather(*(c.get(path) for _ in range(n)))
    assert [r.status_code for r in answers] == [200] * n


def test_a_client_with_many_connections_has_few_requests_in_while_another_is_served(sleeper):
    async def scenario():
        async with client(sleeper.url, "127.0.8.1") as other, client(sleeper.url, "127.0.8.2", 32) as many:
            reader = asyncio.ensure_future(sequential(other, "/sleep/20", 2.0))
            await asyncio.sleep(0.2)
            await burst(many, "/sleep/100", 32)
            return await reader

    reader = run(scenario())
    assert sleeper.peak["127.0.8.2"] == fairness.PER_CLIENT, sleeper.peak
    assert max(reader) < 0.5, reader  # never behind the 32: at most their first PER_CLIENT share the loop with it


def test_one_request_held_up_does_not_make_a_quick_client_slow(sleeper):
    async def scenario():
        async with client(sleeper.url, "127.0.8.6") as reader, client(sleeper.url, "127.0.8.7") as other:
            await sequential(reader, "/sleep/10", 0.3)
            await reader.get("/sleep/1500")  # a page held up once (a busy machine)
            others = asyncio.ensure_future(sequential(other, "/sleep/5", 2.0))
            await asyncio.sleep(0.1)
            after = await sequential(reader, "/sleep/10", 1.5)
            await others
            return after

    after = run(scenario())
    assert max(after) < fairness.MAX_WAIT / 2, after


def test_a_lone_client_may_have_every_request_in(sleeper):
    async def scenario():
        async with client(sleeper.url, "127.0.8.3", 32) as many:
            await burst(many, "/sleep/300", 32)

    run(scenario())
    assert sleeper.peak["127.0.8.3"] == 32, sleeper.peak


def test_a_slow_client_waits_while_a_quicker_one_is_served_but_is_never_starved(sleeper):
    async def scenario():
        async with client(sleeper.url, "127.0.8.4", 2) as quick, client(sleeper.url, "127.0.8.5") as slow:
            alone = await sequential(slow, "/sleep/300", 1.5)  # its requests are known to take 0.3 s
            # two connections, one request after another on each, half a request apart: the quick client always
            # has one in flight
            readers = [asyncio.ensure_future(sequential(quick, "/sleep/30", 3.0))]
            await asyncio.sleep(0.015)
            readers.append(asyncio.ensure_future(sequential(quick, "/sleep/30", 3.0)))
            await asyncio.sleep(0.1)
            held = await sequential(slow, "/sleep/300", 2.0)
            return alone, held, [x for r in readers for x in await r]

    alone, held, quick = run(scenario())
    assert max(alone) < 0.3 + fairness.MAX_WAIT / 2, alone  # alone: never held
    assert min(held) >= 0.3 + fairness.MAX_WAIT * 0.8, held  # waited while the quick client was served...
    assert max(held) < 0.3 + fairness.MAX_WAIT + 0.5, held  # ... at most MAX_WAIT
    assert len(held) >= 2  # not starved
    assert max(quick) < 0.3, max(quick)
