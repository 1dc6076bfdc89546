"""The query workers are shared fairly between clients (engine.QueryEngine) and none is wasted: the pool runs
`workers` + SPARE processes, the last idle one goes only to a client holding none, and a freed worker goes to the
waiting caller whose client holds the fewest workers (among equals, the longest waiting). So a client alone fills
every one of the `workers`, and another client's query still finds a worker at once. Real worker processes; the
slow queries are cross joins stopped at their time limit.

Also: the guard reads a long query text off the event loop (api/execution.py), a short one inline.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx
import pytest
from reliability_support import LiveServer

from benelux_graph.engine import SPARE, QueryEngine
from benelux_graph.errors import QueryTimeout
from benelux_graph.query_jobs import Job
from support.aio import run_async as run

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: a query that finishes, after about a second of work (millions of pairs of triples counted)
# About a second or two of work whatever the data holds: pairs of the ontology's triples, 24 times (over the whole
# graph it took 2 s on 2,868 triples and over the 10 s limit on 13,946).
PAIRS = (
    "SELECT (COUNT(*) AS ?n) { VALUES ?k { " + " ".join(map(str, range(24))) + " } "
    "GRAPH <https://w3id.org/benelux-graph/graph/ontology> { ?a ?b ?c . ?d ?e ?f FILTER(isIRI(?f)) } }"
)


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
    # The worker pool alone: with the fast lane (fastlane.py) on, the quick queries here, once learned cheap,
    # would run in threads and never wait for a worker (tests/reliability/test_fast_lane.py tests that lane).
    with QueryEngine(replace(settings, workers=2, query_threads=0), store) as engine:
        yield engine


def test_one_client_never_holds_every_worker(two_workers):
    """Client a sends three slow queries at once: two run (every worker it may fill), its third waits though the
    spare is free, and client b's quick query gets the spare at once, not after a's queries."""
    engine = two_workers
    wait_for_workers(engine, 2 + SPARE)

    async def scenario():
        hog = [asyncio.ensure_future(runaway(engine, "a", 3.0)) for _ in range(3)]
        await asyncio.sleep(0.3)
        assert engine._held["a"] == 2 and len(engine._idle) == SPARE  # a's third query waits: the spare is kept
        start = time.monotonic()
        answer = await quick(engine, "b", [], "b")
        elapsed = time.monotonic() - start
        assert answer.boolean is True
        assert elapsed < 1.5 and answer.waited < 1.0, (elapsed, answer.waited)  # first come: about 3 s
        await cancel(hog)

    run(scenario())
    wait_for_workers(engine, 2 + SPARE)


def test_a_freed_worker_goes_to_the_client_holding_fewest(two_workers):
    """Two workers and the spare. a holds both workers, c the spare; then a, c and d each wait for one, in that
    order. The first worker freed (the last idle one) goes to d (holds none), not to a or c, who each hold one
    and wait; when a's long query is stopped, a holds none and is served before c, who still holds one."""
    engine = two_workers
    wait_for_workers(engine, 2 + SPARE)
    order: list[str] = []

    async def scenario():
        first = asyncio.ensure_future(runaway(engine, "a", 1.0))  # frees its worker first (replaced)
        held = [asyncio.ensure_future(runaway(engine, client, 30.0)) for client in ("a", "c")]
        await asyncio.sleep(0.3)
        assert not engine._idle and engine._held["a"] == 2 and engine._held["c"] == 1
        waiting = []
        for client in ("a", "c", "d"):
            waiting.append(asyncio.ensure_future(quick(engine, client, order, client)))
            await asyncio.sleep(0.1)
        await first
        deadline = time.monotonic() + 60
        while not order and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert order == ["d"]  # the freed worker, idle again after d, stays kept for a client holding none
        await cancel(held[:1])  # a's: a holds none, c one
        await asyncio.wait_for(waiting[0], 60)
        await cancel(held[1:])  # one at a time: with forked workers the two successors are ready at once, and
        await asyncio.wait_for(asyncio.gather(*waiting), 60)  # which of a or c answered first was a race

    run(scenario())
    assert order == ["d", "a", "c"]  # first come, first served would give ["a", "c", "d"]
    wait_for_workers(engine, 2 + SPARE)


def test_a_client_alone_fills_every_worker_but_the_spare(two_workers):
    """With nobody else waiting a client runs as many queries at once as there are workers, and the spare is
    still kept for a client that comes next."""
    engine = two_workers
    wait_for_workers(engine, 2 + SPARE)

    async def scenario():
        hog = [asyncio.ensure_future(runaway(engine, "a", 2.0)) for _ in range(3)]
        await asyncio.sleep(0.5)
        assert len(engine._idle) == SPARE and engine._held["a"] == 2
        await cancel(hog)

    run(scenario())
    wait_for_workers(engine, 2 + SPARE)


def engine_and_queue(response: httpx.Response) -> tuple[float, float]:
    """The seconds the worker spent and the query waited for one (Server-Timing: engine;dur=..., queue;dur=...)."""
    parts = dict(p.strip().split(";dur=") for p in response.headers["Server-Timing"].split(",") if ";dur=" in p)
    return float(parts["engine"]) / 1000, float(parts["queue"]) / 1000


def test_over_http_a_lone_address_fills_every_worker_and_another_still_gets_one(settings, store):
    """Through /sparql. One address alone on an idle server: its two slow queries run at once (in time, each
    query's run ends after the other's began). Then while that address holds both workers with runaway queries,
    another address's cheap query is answered at once (on the spare), not after them."""
    with LiveServer(replace(settings, workers=2, query_timeout=10.0), store) as server:
        server.wait_for_workers(2 + SPARE)

        async def scenario():
            def client(host: str) -> httpx.AsyncClient:
                return httpx.AsyncClient(
                    base_url=server.url, timeout=60, transport=httpx.AsyncHTTPTransport(local_address=host)
                )

            async with client("127.0.0.2") as hog, client("127.0.0.3") as other:

                async def timed(text: str, timeout: str = "10") -> tuple[httpx.Response, float]:
                    r = await hog.get(
                        "/sparql", params={"query": text, "timeout": timeout}, headers={"Cache-Control": "no-cache"}
                    )
                    return r, time.monotonic()

                answers = await asyncio.gather(*(timed(PAIRS + f" # {i}") for i in range(2)))
                runs = []  # (start, end) of each query's run in its worker, on this clock
                for r, end in answers:
                    assert r.status_code == 200, r.text
                    busy, queued = engine_and_queue(r)
                    runs.append((end - busy, end))
                    assert queued < 0.5, queued  # one after the other: the second waits the first's whole run
                assert max(s for s, _ in runs) < min(e for _, e in runs), runs  # the runs overlap in time
                print(
                    "lone address, runs (start, end) relative:",
                    [(round(s - runs[0][0], 3), round(e - runs[0][0], 3)) for s, e in runs],
                )

                start = time.monotonic()
                slow = [asyncio.ensure_future(timed(CROSS_JOIN + f" # {i}", "4")) for i in range(2)]
                await asyncio.sleep(0.5)
                asked = time.monotonic()
                r = await other.get(
                    "/sparql",
                    params={"query": "ASK { ?s ?p ?o }"},
                    headers={"Cache-Control": "no-cache", "Accept": "application/sparql-results+json"},
                )
                elapsed = time.monotonic() - asked
                print(f"newcomer's cheap query answered in {elapsed * 1000:.0f} ms while the workers were held")
                assert r.status_code == 200 and r.json()["boolean"] is True
                assert elapsed < 1.0, elapsed  # first come, first served: after a runaway query (4 s)
                stopped = await asyncio.gather(*slow)
                assert [a.status_code for a, _ in stopped] == [503, 503]
                # both ran from the start (about 4 s each); one after the other, the second would end near 8 s
                assert max(end for _, end in stopped) - start < 6.5, [end - start for _, end in stopped]

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
