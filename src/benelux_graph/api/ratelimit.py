"""Per-client rate limiting: a token bucket per client address, answered 429 with `Retry-After` when empty.

`rate_limit` (requests per minute and client; 0, the default, turns it off) fills each client's bucket at that
rate, up to as many requests at once (a burst of a minute's allowance). A request takes one token; a client
whose bucket is empty gets `429 Too Many Requests` in the endpoint's JSON error shape, with `Retry-After` (whole
seconds until a token is back) and `X-RateLimit-Limit`. Static files (page scripts, styles) and /healthz are not
counted: a page load is one request, and a monitor is not a client.

The client is the connection's peer address (`scope["client"]`). Behind a reverse proxy, run uvicorn with
`--proxy-headers --forwarded-allow-ips=<the proxy>` so that this is the real client, not the proxy. The table of
buckets is bounded (`MAX_CLIENTS`, least recently seen forgotten first): many addresses cost memory, never more.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from .errors import ApiError, error_response

#: Clients remembered at once; the least recently seen is forgotten first (its bucket would be full again).
MAX_CLIENTS = 100_000
#: Paths that are not counted.
EXEMPT_PREFIXES = ("/static/", "/vendor/", "/benelux-plus/static/")
EXEMPT_PATHS = ("/healthz",)
#: The scope key that tells an inner application (after a reload) that the request was counted already.
COUNTED = "benelux.rate_limited"


class TokenBuckets:
    """Buckets of `per_minute` tokens, one per client key, refilled continuously. Thread-safe."""

    def __init__(self, per_minute: float, clock=time.monotonic, max_clients: int = MAX_CLIENTS):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)
        self.lock = threading.Lock()

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


def exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


class RateLimit:
    """ASGI middleware: `limit` requests per minute and client address (0: no limit, the middleware passes)."""

    def __init__(self, app, limit: float = 0, version: str = ""):
        self.app = app
        self.limit = float(limit or 0)
        self.version = version
        self.buckets = TokenBuckets(self.limit) if self.limit > 0 else None

    async def __call__(self, scope, receive, send):
        if self.buckets is None or scope["type"] != "http" or scope.get(COUNTED) or exempt(scope.get("path", "")):
            return await self.app(scope, receive, send)
        scope = {**scope, COUNTED: True}
        client = scope.get("client")
        key = client[0] if client else "unknown"
        wait = self.buckets.take(key)
        if wait <= 0:
            return await self.app(scope, receive, send)
        retry = max(1, math.ceil(wait))
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        error = ApiError(429, "too-many-requests",
                         f"this client sent more than {self.limit:g} requests in a minute; try again in {retry} s",
                         headers={"Retry-After": str(retry), "X-RateLimit-Limit": f"{self.limit:g}/minute",
                                  "Access-Control-Allow-Origin": "*",
                                  "Access-Control-Expose-Headers": "Retry-After, X-RateLimit-Limit",
                                  "X-Content-Type-Options": "nosniff",
                                  **({"X-Benelux-Version": self.version} if self.version else {})})
        response = error_response(headers, error)
        await response(scope, receive, send)
