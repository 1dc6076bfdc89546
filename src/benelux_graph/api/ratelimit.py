"""Per-client rate limiting: a token bucket per client address, answered 429 with `Retry-After` when empty; and a
per-client budget of query time, so that one client's runaway queries cannot take the workers from the others.

`rate_limit` (requests per minute and client; 0, the default, turns it off) fills each client's bucket at that
rate, up to as many requests at once (a burst of a minute's allowance). A request takes one token; a client
whose bucket is empty gets `429 Too Many Requests` in the endpoint's JSON error shape, with `Retry-After` (whole
seconds until a token is back) and `X-RateLimit-Limit`. Static files (page scripts, styles) and /healthz are not
counted: a page load is one request, and a monitor is not a client.

`query_budget` (seconds of query time per minute and client; 0, the default, turns it off) charges each query
on /sparql and /api/queries/... with the time a worker spent on it (the query route tells it, in the request's
`QueryCost`), or, for a query that cost its worker (503 `query-timeout` or `query-out-of-memory`: the worker is killed and a
fresh one loads the store), the server's full time limit (`kill_cost`), however low its own `timeout`. A query is admitted while the
client's balance is positive; the balance may go below zero when a query ends, and then the client waits until
it is positive again (`429 query-time-exhausted` with `Retry-After`). The balance holds at most a sixth of a
minute's budget, so that a client cannot save up for a burst of runaway queries. Answers from a cache cost
nothing.

The client is the connection's peer address (`scope["client"]`). Behind a reverse proxy, run uvicorn with
`--proxy-headers --forwarded-allow-ips=<the proxy>` so that this is the real client, not the proxy. The table of
buckets is bounded (`MAX_CLIENTS`, least recently seen forgotten first): many addresses cost memory, never more.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from .errors import ApiError, error_response

#: Clients remembered at once; the least recently seen is forgotten first (its bucket would be full again).
MAX_CLIENTS = 100_000
#: Paths that are not counted.
EXEMPT_PREFIXES = ("/static/", "/vendor/", "/benelux-plus/static/")
EXEMPT_PATHS = ("/healthz",)
#: Routes whose requests run queries (charged to the query budget).
QUERY_PREFIXES = ("/sparql", "/api/queries/")
#: The scope key of a query request's QueryCost, which the query route (api/execution.py) fills in.
QUERY_COST = "benelux.query_cost"
#: The scope key that tells an inner application (after a reload) that the request was counted already.
COUNTED = "benelux.rate_limited"


@dataclass
class QueryCost:
    """What a request's query cost, told by the route that ran it: the seconds its worker spent on it, and
    whether it cost the worker (killed at the time limit or out of memory: charged the full time limit)."""

    seconds: float = 0.0
    killed: bool = False


class TokenBuckets:
    """Buckets of `per_minute` tokens, one per client key, refilled continuously. Thread-safe."""

    def __init__(
        self, per_minute: float, clock=time.monotonic, max_clients: int = MAX_CLIENTS, capacity: float | None = None
    ):
        self.capacity = float(per_minute if capacity is None else capacity)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)
        self.lock = threading.Lock()

    def balance(self, key: str) -> float:
        """The tokens `key` holds now (negative when in debt)."""
        now = self.clock()
        with self.lock:
            tokens, then = self.buckets.get(key, (self.capacity, now))
            return min(self.capacity, tokens + (now - then) * self.rate)

    def wait(self, key: str) -> float:
        """Seconds until `key` holds a positive balance (0.0 if it does)."""
        tokens = self.balance(key)
        return 0.0 if tokens > 0 else (-tokens + 1e-3) / self.rate

    def charge(self, key: str, amount: float) -> None:
        """Take `amount` tokens from `key`, into debt if need be."""
        now = self.clock()
        with self.lock:
            tokens, then = self.buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            self.buckets[key] = (tokens - amount, now)
            while len(self.buckets) > self.max_clients:
                self.buckets.popitem(last=False)

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when allowed, else the seconds until one is available."""
        now = self.clock()
        with self.lock:
            tokens, then = self.buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self.buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self.buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self.buckets) > self.max_clients:
                self.buckets.popitem(last=False)
            return wait


def client_key(peer) -> str:
    """The key a client is known by: its peer address (`scope["client"]`, a (host, port) pair or None). The
    query engine shares its workers between clients by the same key."""
    return peer[0] if peer else "unknown"


def exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


class RateLimit:
    """ASGI middleware: `limit` requests per minute and client address, `query_budget` seconds of query time per
    minute and client (each 0: off; with both off the middleware passes everything through)."""

    def __init__(self, app, limit: float = 0, version: str = "", query_budget: float = 0, kill_cost: float = 0):
        self.app = app
        self.kill_cost = float(kill_cost or 0)
        self.limit = float(limit or 0)
        self.budget = float(query_budget or 0)
        self.version = version
        self.buckets = TokenBuckets(self.limit) if self.limit > 0 else None
        self.query_time = TokenBuckets(self.budget, capacity=self.budget / 6) if self.budget > 0 else None

    async def __call__(self, scope, receive, send):
        if (
            (self.buckets is None and self.query_time is None)
            or scope["type"] != "http"
            or scope.get(COUNTED)
            or exempt(scope.get("path", ""))
        ):
            return await self.app(scope, receive, send)
        scope = {**scope, COUNTED: True}
        key = client_key(scope.get("client"))
        if self.buckets is not None:
            wait = self.buckets.take(key)
            if wait > 0:
                return await self.refuse(
                    scope,
                    receive,
                    send,
                    wait,
                    "too-many-requests",
                    f"this client sent more than {self.limit:g} requests in a minute",
                )
        path = scope.get("path", "")
        if self.query_time is None or not (path == "/sparql" or path.startswith(QUERY_PREFIXES[1])):
            return await self.app(scope, receive, send)
        query_time = self.query_time  # not None here, also inside charging_send
        wait = query_time.wait(key)
        if wait > 0:
            return await self.refuse(
                scope,
                receive,
                send,
                wait,
                "query-time-exhausted",
                f"this client's queries used more than {self.budget:g} s of query time in a minute",
            )
        start = time.monotonic()
        cost = QueryCost()
        scope[QUERY_COST] = cost

        async def charging_send(message):
            if message["type"] == "http.response.start":  # charged before the client has the answer
                if cost.killed:  # the worker must load the store again: the full time limit, at least
                    query_time.charge(key, max(self.kill_cost, time.monotonic() - start))
                elif cost.seconds > 0:
                    query_time.charge(key, cost.seconds)
            await send(message)

        await self.app(scope, receive, charging_send)

    async def refuse(self, scope, receive, send, wait: float, kind: str, why: str) -> None:
        retry = max(1, math.ceil(wait))
        limit = f"{self.limit:g}/minute" if kind == "too-many-requests" else f"{self.budget:g}s/minute"
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        error = ApiError(
            429,
            kind,
            f"{why}; try again in {retry} s",
            headers={
                "Retry-After": str(retry),
                "X-RateLimit-Limit": limit,
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Expose-Headers": "Retry-After, X-RateLimit-Limit",
                "X-Content-Type-Options": "nosniff",
                **({"X-Benelux-Version": self.version} if self.version else {}),
            },
        )
        response = error_response(headers, error)
        await response(scope, receive, send)
