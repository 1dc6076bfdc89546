"""The rate limiter is told a query's engine time by the route (ratelimit.QueryCost in the request's scope), not
read back from a response header: what the route reports is charged, whatever the headers say."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from benelux_graph.api.ratelimit import QUERY_COST, RateLimit


def route(seconds: float = 0.0, killed: bool = False, headers: list | None = None):
    """An ASGI application answering as a query route does: it tells the request's QueryCost what it spent."""

    async def app(scope, receive, send):
        cost = scope[QUERY_COST]
        cost.seconds += seconds
        cost.killed = killed
        await send({"type": "http.response.start", "status": 503 if killed else 200, "headers": headers or []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


def status_of(app, path: str = "/sparql", client: str = "10.0.0.1") -> int:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "client": (client, 1234)}
    # in a thread of its own: the browser tests' Playwright keeps an event loop running in the main thread
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return sent[0]["status"]


def test_the_engine_time_the_route_reports_is_charged_without_any_server_timing_header():
    limiter = RateLimit(route(seconds=4.0), query_budget=6)  # a balance of 1 s at most
    assert status_of(limiter) == 200  # admitted, then charged 4 s
    assert status_of(limiter) == 429  # in debt: query-time-exhausted
    assert status_of(limiter, client="10.0.0.2") == 200  # another client is not concerned


def test_a_header_claiming_engine_time_is_not_charged():
    limiter = RateLimit(route(headers=[(b"server-timing", b"engine;dur=60000")]), query_budget=6)
    assert [status_of(limiter) for _ in range(3)] == [200, 200, 200]


def test_a_query_that_cost_its_worker_is_charged_the_time_limit():
    limiter = RateLimit(route(killed=True), query_budget=6, kill_cost=10)
    assert status_of(limiter) == 503
    assert status_of(limiter) == 429
