"""Per-client fairness in the server process: while other clients are being served, one client has at most
PER_CLIENT requests in the application at once, and a client whose requests take long waits while quicker clients'
requests are in flight.

A server process serves every client on one event loop and two cores serve everything: a client with 32
connections, or one whose every request costs much (2 MB answers, contributions to check, refusals held back by
api/pacing.py), takes the loop and the cores from a reader whose pages take milliseconds (issue 13). So:

- Each client address (api/ratelimit.client_key: the peer, or the client a trusted proxy names) keeps a moving
  average of how long its requests took in the application (COST_WEIGHT per request, from 0, each counted at most
  COST_CAP seconds; the time waiting here is not counted): a client is slow only after several slow requests, and
  one request held up by the machine does not make an ordinary reader slow. A client is slow when that average is above SLOW_AFTER seconds and SLOW_FACTOR times that of the
  quickest other client being served: with a request in flight, or one that ended within GAP seconds (a client
  sending its next request as soon as it has an answer is being served between its requests too).
- A request is let in at once when no other client has a request in flight or had one within BUSY_WINDOW
  seconds: a client alone on the server (a benchmark, an analyst's script) may use every worker (issue 15).
- Otherwise a request waits while its client has PER_CLIENT requests in the application (a client's connections
  beyond that queue behind its own requests, not in front of anybody else's), and a slow client's request waits
  while a quicker client is being served, at most MAX_WAIT seconds (then it goes in: never starved). Waiting
  requests look again each time a request ends, and every GAP seconds.

/healthz is exempt (a monitor is not a client). The table of clients is bounded like api/demotion's.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import time

from .ratelimit import client_key

PER_CLIENT = 4
SLOW_AFTER, SLOW_FACTOR = 0.1, 4.0
COST_WEIGHT, COST_CAP = 0.2, 0.25
BUSY_WINDOW, GAP = 1.0, 0.05
MAX_WAIT, CLIENT_WAIT = 0.5, 60.0
MAX_CLIENTS = 100_000
EXEMPT = ("/healthz",)


class Fairness:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app, clock=time.monotonic, per_client: int = PER_CLIENT, max_wait: float = MAX_WAIT):
        self.app, self.clock, self.per_client, self.max_wait = app, clock, per_client, max_wait
        self.in_flight: collections.Counter[str] = collections.Counter()
        self.last_seen: collections.OrderedDict[str, float] = collections.OrderedDict()  # key -> last request end
        self.cost: collections.OrderedDict[str, float] = collections.OrderedDict()  # key -> average seconds
        self.changed = asyncio.Event()  # set when a request ends: the waiting ones look again

    def others_active(self, key: str) -> bool:
        horizon = self.clock() - BUSY_WINDOW
        while self.last_seen and next(iter(self.last_seen.values())) < horizon:
            self.last_seen.popitem(last=False)
        return len(self.in_flight) > (key in self.in_flight) or len(self.last_seen) > (key in self.last_seen)

    def slow(self, key: str) -> bool:
        """Whether `key`'s requests take much longer than those of another client being served now."""
        mine = self.cost.get(key, 0.0)
        if mine <= SLOW_AFTER:
            return False
        recent = self.clock() - GAP
        served = list(self.in_flight)
        served += [k for k, _ in itertools.takewhile(lambda e: e[1] >= recent, reversed(self.last_seen.items()))]
        quickest = min((self.cost.get(k, 0.0) for k in served if k != key), default=None)
        return quickest is not None and mine > SLOW_FACTOR * quickest

    def blocked(self, key: str, waited: float) -> bool:
        if not self.others_active(key):
            return False
        if self.in_flight[key] >= self.per_client:
            return waited < CLIENT_WAIT
        return waited < self.max_wait and self.slow(key)

    async def admit(self, key: str) -> None:
        start = self.clock()
        while self.blocked(key, waited := self.clock() - start):
            limit = CLIENT_WAIT if self.in_flight[key] >= self.per_client else self.max_wait
            event = self.changed
            try:
                await asyncio.wait_for(event.wait(), max(0.001, min(GAP, limit - waited)))
            except TimeoutError:
                pass

    def done(self, key: str, seconds: float) -> None:
        self.in_flight[key] -= 1
        if self.in_flight[key] <= 0:
            del self.in_flight[key]
        self.last_seen.pop(key, None)
        self.last_seen[key] = self.clock()
        old = self.cost.pop(key, 0.0)
        self.cost[key] = old + COST_WEIGHT * (min(seconds, COST_CAP) - old)
        while len(self.cost) > MAX_CLIENTS:
            self.cost.popitem(last=False)
        self.changed.set()  # wake every waiter, then a fresh event for the next ones
        self.changed = asyncio.Event()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in EXEMPT:
            return await self.app(scope, receive, send)
        key = client_key(scope.get("client"))
        await self.admit(key)
        self.in_flight[key] += 1
        start = self.clock()
        try:
            await self.app(scope, receive, send)
        finally:
            self.done(key, self.clock() - start)
