"""While other clients are being served, a client whose requests keep failing gets its error answers late, and (with
BENELUX_QUERY_PACING) a client running query after query gets its answers at most QUERY_RATE a second.

A client repeating a refused request (400, 404, 413, 503...) as fast as the answers come back costs the server
process a share of its event loop and of its CPU each time, however cheap the refusal; a dozen such clients raised
an ordinary reader's p99 several times (issue 13). Holding back such a client's error answers (asleep: no CPU)
slows a client that waits for each answer to a few requests a second, whatever it sends.

Each client address carries a count of its error answers that decays by half every HALF_LIFE seconds
(demotion.ErrorCounts). Once it reaches PACE_AFTER, each further error answer to that client is sent DELAY seconds
late, but only while another address has a request in flight or had one within BUSY_WINDOW seconds: a client
alone on the server (a test suite, a developer) is never slowed. Successful answers are never delayed, so a
well-behaved client sharing an address with a failing one (behind one proxy) keeps its pace. /healthz is exempt.

Queries that run (an answer of /sparql or /api/queries/... that a query worker or thread computed, not the cache:
its Server-Timing has `queue;dur=`) cost the server process their parsing, the hand-off to a worker and the
answer's bytes: 70 distinct trivial queries a second from one client tripled an ordinary reader's p99. So each
address's queries that ran are counted (decaying by half every QUERY_HALF_LIFE seconds), and so are all
addresses' together, each one unit plus one per UNIT_MS of its hand-off to the worker and back (Server-Timing's
`worker;dur=` or `thread;dur=`: a 2 MB answer costs more than an ASK); an address whose count is above QUERY_FLOOR
and above FAIR_FACTOR times its fair share (the total divided by the addresses seen within BUSY_WINDOW) gets each
query answer its cost / QUERY_RATE seconds late (at most MAX_QUERY_DELAY), which holds a client that waits for
each answer near QUERY_RATE units a second. Clients running queries at like rates
(a benchmark from many addresses) are never slowed, nor a client alone; answers from the cache cost nothing.
Query pacing is off unless BENELUX_QUERY_PACING is set: "another address served within the last second" is all
it knows of contention, so one visitor's page view would hold a lone analyst's script to ten queries a second while
workers sit idle (issue 15 asks that idle capacity go to whoever wants it).

A client asking for the very same thing again and again (method, path and query string alike, whatever the other
headers say) as fast as it is answered costs the server process its parsing, middleware and writing each time
however cheap the answer: two such clients (the saved-query list with a new X-Forwarded-For each time, the service
description with a foreign Host) took more of the server's event loop than the ordinary client they ran beside
and kept its p99 above twice its quiet p99 (issue 13). So each address's requests are counted per target
(REPEATS, decaying by half every REPEAT_HALF_LIFE seconds); while another address is served, a request whose
target's count is above REPEAT_FLOOR (about REPEAT_FLOOR / 1.44 identical requests a second), above REPEAT_SHARE of
all that address's requests (counted alike), and above FAIR_FACTOR
times the mean of what the other addresses seen within BUSY_WINDOW repeat most waits REPEAT_DELAY seconds (asleep:
no CPU) before it is served. A visitor or a client going through many different requests (a crawler) never comes
near, and clients repeating alike (a benchmark from many addresses) are never slowed; HTTP caching (ETag,
Cache-Control) is the way to ask for the same answer often.
"""

from __future__ import annotations

import asyncio
import collections
import re
import time

from .demotion import ErrorCounts
from .ratelimit import client_key

PACE_AFTER = 8.0
DELAY = 0.25
BUSY_WINDOW = 1.0
EXEMPT = ("/healthz",)
QUERY_RATE, QUERY_FLOOR, FAIR_FACTOR, QUERY_HALF_LIFE = 10.0, 10.0, 1.5, 1.0
UNIT_MS, MAX_QUERY_DELAY = 10.0, 2.0
REPEAT_FLOOR, REPEAT_HALF_LIFE, REPEAT_DELAY, REPEAT_SHARE = 30.0, 1.0, 0.1, 0.5
REPEATS = 100_000  # (address, target) counts kept at most (least recently counted forgotten first)
RAN = b"queue;dur="  # in the Server-Timing of an answer a query worker or thread computed (api/execution.py)
HAND_OFF = re.compile(rb"(?:worker|thread);dur=([0-9.]+)")


def query_cost(headers) -> float:
    """0 for an answer no query ran for (the cache's, a page's), else 1 + its hand-off's milliseconds / UNIT_MS."""
    for k, v in headers:
        if k.lower() == b"server-timing" and RAN in v:
            hand_off = HAND_OFF.search(v)
            return 1.0 + (float(hand_off.group(1)) / UNIT_MS if hand_off else 0.0)
    return 0.0


class Decaying:
    """Counts per key and in all, each count decaying by half every `half_life` seconds (bounded like
    demotion.ErrorCounts: least recently counted forgotten first)."""

    def __init__(self, half_life: float, clock=time.monotonic, max_keys: int = 100_000):
        self.half_life, self.clock, self.max_keys = half_life, clock, max_keys
        self.counts: collections.OrderedDict[str, tuple[float, float]] = collections.OrderedDict()
        self.all = (0.0, 0.0)

    def decayed(self, count: float, when: float) -> float:
        return count * 0.5 ** ((self.clock() - when) / self.half_life)

    def count(self, key: str) -> float:
        return self.decayed(*self.counts.get(key, (0.0, 0.0)))

    def total(self) -> float:
        return self.decayed(*self.all)

    def raise_to(self, key: str, value: float) -> None:
        """`key`'s count becomes `value` if that is more (the total is left as it is)."""
        self.counts[key] = (max(self.count(key), value), self.clock())
        self.counts.move_to_end(key)
        while len(self.counts) > self.max_keys:
            self.counts.popitem(last=False)

    def add(self, key: str, amount: float = 1.0) -> None:
        now = self.clock()
        self.counts[key] = (self.count(key) + amount, now)
        self.counts.move_to_end(key)
        self.all = (self.total() + amount, now)
        while len(self.counts) > self.max_keys:
            self.counts.popitem(last=False)


class Pacing:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app, clock=time.monotonic, pace_queries: bool = False):
        self.app, self.clock, self.pace_queries = app, clock, pace_queries
        self.errors = ErrorCounts(clock)
        self.queries = Decaying(QUERY_HALF_LIFE, clock)
        self.repeats = Decaying(REPEAT_HALF_LIFE, clock, REPEATS)  # per address and target
        self.most = Decaying(REPEAT_HALF_LIFE, clock)  # per address: the count of the target it repeats most
        self.sent = Decaying(REPEAT_HALF_LIFE, clock)  # per address: all its requests
        self.in_flight: collections.Counter[str] = collections.Counter()
        self.last_seen: collections.OrderedDict[str, float] = collections.OrderedDict()  # key -> last request end

    def delay(self, key: str, start: dict) -> float:
        """Seconds the answer that `start` begins is held back (0: sent at once)."""
        if start["status"] >= 400:
            self.errors.add(key)
            return DELAY if self.errors.count(key) >= PACE_AFTER and self.others_busy(key) else 0.0
        cost = query_cost(start.get("headers", [])) if self.pace_queries else 0.0
        if cost > 0:
            self.queries.add(key, cost)
            mine = self.queries.count(key)
            if mine > QUERY_FLOOR and self.others_busy(key):
                fair = self.queries.total() / max(1, len(self.in_flight.keys() | self.last_seen.keys()))
                return min(cost / QUERY_RATE, MAX_QUERY_DELAY) if mine > FAIR_FACTOR * fair else 0.0
        return 0.0

    def repeating(self, key: str, scope) -> bool:
        """Count this request; whether it is one its client has been repeating far beyond its fair share (and
        another client is being served)."""
        target = f"{key} {hash((scope.get('method'), scope.get('path'), scope.get('query_string')))}"
        self.repeats.add(target)
        self.sent.add(key)
        mine = self.repeats.count(target)
        self.most.raise_to(key, mine)
        # a visitor's client going through a few pages as fast as it is answered repeats each often too, but
        # each is a small part of what it sends: paced beside clients sending distinct requests, it waited 0.1 s
        # on a page in ten (issue 13)
        if mine <= max(REPEAT_FLOOR, REPEAT_SHARE * self.sent.count(key)) or not self.others_busy(key):
            return False
        others = [self.most.count(k) for k in self.in_flight.keys() | self.last_seen.keys() if k != key]
        return mine > FAIR_FACTOR * sum(others) / len(others)

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
            if message["type"] == "http.response.start" and (delay := self.delay(key, message)) > 0:
                await asyncio.sleep(delay)
            await send(message)

        if self.repeating(key, scope):
            await asyncio.sleep(REPEAT_DELAY)
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
