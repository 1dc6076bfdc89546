"""A client whose requests keep failing gets its error answers late while other clients are being served.

A client repeating a refused request (400, 404, 413, 503...) as fast as the answers come back costs the server
process a share of its event loop and of its CPU each time, however cheap the refusal; a dozen such clients raised
an ordinary reader's p99 several times (issue 13). Holding back such a client's error answers (asleep: no CPU)
slows a client that waits for each answer to a few requests a second, whatever it sends.

Each client address carries a count of its error answers that decays by half every HALF_LIFE seconds
(demotion.ErrorCounts). Once it reaches PACE_AFTER, each further error answer to that client is sent DELAY seconds
late, but only while another address has a request in flight or had one within BUSY_WINDOW seconds: a client
alone on the server (a test suite, a developer) is never slowed. Successful answers are never delayed, so a
well-behaved client sharing an address with a failing one (behind one proxy) keeps its pace. /healthz is exempt.
"""

from __future__ import annotations

import asyncio
import collections
import time

from .demotion import ErrorCounts
from .ratelimit import client_key

PACE_AFTER = 8.0
DELAY = 0.25
BUSY_WINDOW = 1.0
EXEMPT = ("/healthz",)


class ErrorPacing:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app, clock=time.monotonic):
        self.app, self.clock = app, clock
        self.errors = ErrorCounts(clock)
        self.in_flight: collections.Counter[str] = collections.Counter()
        self.last_seen: collections.OrderedDict[str, float] = collections.OrderedDict()  # key -> last request end

    def others_busy(self, key: str) -> bool:
        """Whether another client has a request in flight, or finished one within BUSY_WINDOW seconds."""
        self.forget()
        return len(self.in_flight) > (key in self.in_flight) or len(self.last_seen) > (key in self.last_seen)

    def forget(self) -> None:
        """Drop the clients seen last before the window (oldest first): the table holds one second's clients."""
        horizon = self.clock() - BUSY_WINDOW
        while self.last_seen and next(iter(self.last_seen.values())) < horizon:
            self.last_seen.popitem(last=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in EXEMPT:
            return await self.app(scope, receive, send)
        key = client_key(scope.get("client"))

        async def pacing_send(message):
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.errors.add(key)
                if self.errors.count(key) >= PACE_AFTER and self.others_busy(key):
                    await asyncio.sleep(DELAY)
            await send(message)

        self.in_flight[key] += 1
        try:
            await self.app(scope, receive, pacing_send)
        finally:
            self.in_flight[key] -= 1
            if self.in_flight[key] <= 0:
                del self.in_flight[key]
            self.last_seen.pop(key, None)
            self.last_seen[key] = self.clock()
            self.forget()
