"""The query workers are shared fairly between clients (engine.QueryEngine): a freed worker goes to the waiting
caller whose client holds the fewest workers (among equals, the longest waiting), and one client holds at most
max(1, workers - 1) workers, so that however many queries it sends at once, another client's query finds a
worker. Real worker processes; the slow queries are cross joins stopped at their time limit.

Also: the guard reads a long query text off the event loop (api/execution.py), a short one inline.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest
from reliability_support import LiveServer

from benelux_graph.engine import Job, QueryEngine
from benelux_graph.errors import QueryTimeout

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def run(coroutine):
    """asyncio.run on a thread of its own (Playwright may keep an event loop running on the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def wait_for_workers(engine: QueryEngine, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(engine.worker_pids) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(engine.worker_pids) >= count


async def runaway(engine: QueryEngine, client: str, timeout: float) -> None:
    with pytest.raises(QueryTimeout):
        await engine.run_async(Job(CROSS_JOIN, client=client), timeout)


async def cancel(tasks) -> None:
    """Stop running queries (their workers are replaced) and wait until they have stopped."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def quick(engine: QueryEngine, client: str, log: list, name: str):
    result = await engine.run_async(Job("ASK {}", client=client), 60)
    log.append(name)
    return result


@pytest.fixture(scope="module")
def two_workers(settings, store):
    with QueryEngine(replace(settings, workers=2), store) as engine:
        yield engine


def test_one_client_never_holds_every_worker(two_workers):
    """Client a sends three slow queries at once: it runs one at a time (its others wait, a worker stays free),
    and client b's quick query gets the free worker at once, not after a's queries."""
    engine = two_workers
    wait_for_workers(engine, 2)

    async def scenario():
        hog = [asyncio.ensure_future(runaway(engine, "a", 3.0)) for _ in range(3)]
        await asyncio.sleep(0.3)
        assert len(engine._idle) == 1  # a's second and third queries wait, though a worker is free
        start = time.monotonic()
        answer = await quick(engine, "b", [], "b")
        elapsed = time.monotonic() - start
        assert answer.boolean is True
        assert elapsed < 1.5 and answer.waited < 1.0, (elapsed, answer.waited)  # first come: about 3 s
        await cancel(hog)

    run(scenario())
    wait_for_workers(engine, 2)


def test_a_freed_worker_goes_to_the_client_holding_fewest(settings, store):
    """Three workers (a client holds two at most). a holds two, c one; then a, c and d each wait for one, in
    that order. The first worker freed goes to d (holds none), then a before c (equal: a waited longer)."""
    with QueryEngine(replace(settings, workers=3), store) as engine:
        wait_for_workers(engine, 3)
        order: list[str] = []

        async def scenario():
            first = asyncio.ensure_future(runaway(engine, "a", 1.0))  # frees its worker first (replaced)
            held = [asyncio.ensure_future(runaway(engine, client, 30.0)) for client in ("a", "c")]
            await asyncio.sleep(0.3)
            assert not engine._idle
            waiting = []
            for client in ("a", "c", "d"):
                waiting.append(asyncio.ensure_future(quick(engine, client, order, client)))
                await asyncio.sleep(0.1)
            await first
            await asyncio.wait_for(asyncio.gather(*waiting), 60)
            await cancel(held)

        run(scenario())
        assert order == ["d", "a", "c"]  # first come, first served would give ["a", "c", "d"]


def test_a_client_alone_waits_for_its_own_queries(two_workers):
    """The cap holds with nobody else waiting: a worker is always left for a client that comes next."""
    engine = two_workers
    wait_for_workers(engine, 2)

    async def scenario():
        hog = [asyncio.ensure_future(runaway(engine, "a", 2.0)) for _ in range(2)]
        await asyncio.sleep(0.5)
        assert len(engine._idle) == 1 and engine._held["a"] == 1
        await cancel(hog)

    run(scenario())
    wait_for_workers(engine, 2)


def test_over_http_each_address_is_a_client(settings, store):
    """Through /sparql: one address's two runaway queries hold one worker of two; another address's query is
    answered meanwhile."""
    with LiveServer(replace(settings, workers=2, query_timeout=10.0), store) as server:
        server.wait_for_workers(2)

        async def scenario():
            def client(host: str) -> httpx.AsyncClient:
                return httpx.AsyncClient(base_url=server.url, timeout=60,
                                         transport=httpx.AsyncHTTPTransport(local_address=host))

            async with client("127.0.0.2") as hog, client("127.0.0.3") as other:
                slow = [asyncio.ensure_future(hog.get("/sparql", params={"query": CROSS_JOIN, "timeout": "4"}))
                        for _ in range(2)]
                await asyncio.sleep(0.5)
                start = time.monotonic()
                r = await other.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                    headers={"Cache-Control": "no-cache",
                                             "Accept": "application/sparql-results+json"})
                elapsed = time.monotonic() - start
                assert r.status_code == 200 and r.json()["boolean"] is True
                assert elapsed < 2.0, elapsed  # first come, first served: after a runaway query (4 s)
                answers = await asyncio.gather(*slow)
                assert [a.status_code for a in answers] == [503, 503]

        run(scenario())


def test_the_guard_reads_a_long_text_off_the_event_loop(live_server, monkeypatch):
    """A text longer than GUARD_INLINE_BYTES is read in a thread; a short one on the event loop."""
    from benelux_graph.api import cache, execution

    seen: list[tuple[int, bool]] = []
    parse = cache.Caches.parse

    def watched(self, text, *args):
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((len(text), on_loop))
        return parse(self, text, *args)

    monkeypatch.setattr(cache.Caches, "parse", watched)
    short = "ASK { ?s ?p ?o }"
    long = "# " + "x" * execution.GUARD_INLINE_BYTES + "\nASK { ?s ?p ?o }"
    for text in (short, long):
        r = httpx.get(live_server.url + "/sparql", params={"query": text}, timeout=30)
        assert r.status_code == 200, r.text
    assert seen == [(len(short), True), (len(long), False)]
