"""Per-client fairness in the server process: while other clients are being served, one client has at most
PER_CLIENT requests in the application at once, a client whose requests take long waits while quicker clients'
requests are in flight, and a client using far more of the server than another waits while that lighter one is served.

A server process serves every client on one event loop and two cores serve everything: a client with 32
connections, or one whose every request costs much (2 MB answers, contributions to check, refusals held back by
api/pacing.py), takes the loop and the cores from a reader whose pages take milliseconds (issue 13). So:

- Each client address (api/ratelimit.client_key: the peer, or the client a trusted proxy names) keeps a moving
  average of how long its requests took in the application (COST_WEIGHT per request, from 0, each counted at most
  COST_CAP seconds; the time waiting here is not counted): a client is slow only after several slow requests, and
  one request held up by the machine does not make an ordinary reader slow. A client is slow when that average
  is above SLOW_AFTER seconds and SLOW_FACTOR times that of the quickest other client being served: with a
  request in flight, or one that ended within GAP seconds (a client sending its next request as soon as it has
  an answer is being served between its requests too).
- Cost per request misses a flood of cheap requests: 400 trivial queries a second from one address are never
  slow, yet take a large share of the event loop and the cores from a reader sending two. So each address also
  has a usage, the share of the server it takes: a count decaying by half every USAGE_HALF_LIFE seconds, to which
  each request adds REQUEST_COST when it arrives (the loop's own work on it, parsing, middleware, logging and
  writing, which no application time shows) and its time in the application (each request at most USAGE_CAP
  seconds, its part so far while it runs: a long request is not light meanwhile, one held up by the machine does
  not make its client heavy for long). A client is heavy when its usage is above SHARE_FLOOR and SHARE_FACTOR
  times that of the lightest other client being served that is neither new (known for less than
  USAGE_HALF_LIFE seconds: its usage says nothing yet) nor slow (slow ones wait for quicker ones, not the
  other way round): weighted fair queueing in spirit, the lighter client goes next. Clients using the server
  alike (a benchmark from many addresses) are never heavy, nor a reader's few pages.
- A request is let in at once when no other client has a request in flight or had one within BUSY_WINDOW
  seconds: a client alone on the server (a benchmark, an analyst's script) may use every worker (issue 15).
- Otherwise a request waits while its client has PER_CLIENT requests in the application (a client's connections
  beyond that queue behind its own requests, not in front of anybody else's), and a slow or heavy client's
  request waits while a quicker or lighter client is being served, at most MAX_WAIT seconds (then it goes in:
  never starved). Waiting requests look again each time a request ends, and every GAP seconds.

/healthz is exempt (a monitor is not a client). The table of clients is bounded like api/demotion's.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import time

from .pacing import Decaying
from .ratelimit import client_key

PER_CLIENT = 4
SLOW_AFTER, SLOW_FACTOR = 0.1, 4.0
COST_WEIGHT, COST_CAP = 0.2, 0.25
BUSY_WINDOW, GAP = 1.0, 0.05
# a request's own cost (the loop's work on one, 1-2 ms, weighted up: a share is foremost requests); the floor (in
# the usage's units, 1.44 for a second of the server each second) is a connection kept busy about 70% of the time
REQUEST_COST, USAGE_HALF_LIFE, USAGE_CAP, SHARE_FLOOR, SHARE_FACTOR = 0.01, 1.0, 1.0, 1.0, 2.0
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
        self.usage = Decaying(USAGE_HALF_LIFE, clock, MAX_CLIENTS)  # key -> usage (1.44 s per second of steady use)
        self.first_seen: collections.OrderedDict[str, float] = collections.OrderedDict()  # key -> since when in use
        self.started: dict[str, list[float]] = {}  # key -> when its requests in flight went in
        self.changed = asyncio.Event()  # set when a request ends: the waiting ones look again

    def others_active(self, key: str) -> bool:
        horizon = self.clock() - BUSY_WINDOW
        while self.last_seen and next(iter(self.last_seen.values())) < horizon:
            self.last_seen.popitem(last=False)
        return len(self.in_flight) > (key in self.in_flight) or len(self.last_seen) > (key in self.last_seen)

    def served(self, key: str) -> set[str]:
        """The other clients being served now: a request in flight, or one answered within GAP seconds."""
        recent = self.clock() - GAP
        ended = itertools.takewhile(lambda e: e[1] >= recent, reversed(self.last_seen.items()))
        return (self.in_flight.keys() | {k for k, _ in ended}) - {key}

    def slow(self, key: str, served: set[str]) -> bool:
        """Whether `key`'s requests take much longer than those of another client being served now."""
        mine = self.cost.get(key, 0.0)
        quickest = min((self.cost.get(k, 0.0) for k in served), default=None)
        return mine > SLOW_AFTER and quickest is not None and mine > SLOW_FACTOR * quickest

    def used(self, key: str) -> float:
        """`key`'s usage, its requests in flight counted as far as they got (a long one is not light meanwhile)."""
        now = self.clock()
        return self.usage.count(key) + sum(min(now - t, USAGE_CAP) for t in self.started.get(key, ()))

    def heavy(self, key: str, served: set[str]) -> bool:
        """Whether `key` uses far more of the server than another client being served now, one known for at least
        USAGE_HALF_LIFE seconds (a newcomer's usage says nothing yet) whose requests are not slow (those wait for
        quicker ones, not the other way round)."""
        mine = self.used(key)
        known = self.clock() - USAGE_HALF_LIFE
        lighter = [k for k in served if self.first_seen.get(k, known) <= known and self.cost.get(k, 0.0) <= SLOW_AFTER]
        lightest = min((self.used(k) for k in lighter), default=None)
        return lightest is not None and mine > max(SHARE_FLOOR, SHARE_FACTOR * lightest)

    def blocked(self, key: str, waited: float) -> bool:
        if not self.others_active(key):
            return False
        if self.in_flight[key] >= self.per_client:
            return waited < CLIENT_WAIT
        if waited >= self.max_wait:
            return False
        served = self.served(key)
        return self.slow(key, served) or self.heavy(key, served)

    async def admit(self, key: str) -> None:
        start = self.clock()
        if self.used(key) < REQUEST_COST:  # new, or back after a long while: its usage starts now
            self.first_seen.pop(key, None)
            self.first_seen[key] = start
            while len(self.first_seen) > MAX_CLIENTS:
                self.first_seen.popitem(last=False)
        self.usage.add(key, REQUEST_COST)
        while self.blocked(key, waited := self.clock() - start):
            limit = CLIENT_WAIT if self.in_flight[key] >= self.per_client else self.max_wait
            event = self.changed
            try:
                await asyncio.wait_for(event.wait(), max(0.001, min(GAP, limit - waited)))
            except TimeoutError:
                pass

    def done(self, key: str, start: float) -> None:
        seconds = self.clock() - start
        self.in_flight[key] -= 1
        self.started[key].remove(start)
        if self.in_flight[key] <= 0:
            del self.in_flight[key], self.started[key]
        self.last_seen.pop(key, None)
        self.last_seen[key] = self.clock()
        old = self.cost.pop(key, 0.0)
        self.cost[key] = old + COST_WEIGHT * (min(seconds, COST_CAP) - old)
        self.usage.add(key, min(seconds, USAGE_CAP))
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
        self.started.setdefault(key, []).append(start := self.clock())
        try:
            await self.app(scope, receive, send)
        finally:
            self.done(key, start)
