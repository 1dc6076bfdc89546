"""Clients whose requests keep failing are served one request at a time, behind everybody else's.

A server process serves every client on one event loop: a client repeating a request that is refused (400, 404,
413, 429, 503...) as fast as the answers come costs the others a share of that loop each time, however cheap the
refusal (issue 13: an ill-formed IRI parameter 200 times a second raised an ordinary client's median latency
fourfold). So each client address carries a count of its error answers (status 400 and above), which decays by half
every HALF_LIFE seconds; a client whose count reaches `demote_after` (a setting, off by default: on one address,
loopback or a proxy, every client would share one fate) is demoted: its requests go through one lane
shared by all demoted clients, one request at a time, and wait at most LANE_WAIT seconds for their turn (with at
most LANE_QUEUE waiting), else 503 with Retry-After. The requests of every other client never wait for the lane. A
demoted client that stops failing is back to normal within a few half-lives. The table of counts is bounded
(MAX_CLIENTS, least recently seen forgotten first). /healthz is exempt (a monitor is not a client), and so is
POST /validate from the lane (its errors still count): its work is done in the validation workers, behind their own
bounded queue, and a contribution waiting there for up to a minute would hold the lane from every other demoted
request.

The client is the connection's peer address, as for the rate limit (api/ratelimit.client_key).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict

from .errors import ApiError, error_response
from .ratelimit import client_key

HALF_LIFE = 10.0
DEMOTED_AT = 8.0  # the value the tests and SECURITY.md use for BENELUX_DEMOTE_AFTER
LANE_WAIT = 10.0
LANE_QUEUE = 64
MAX_CLIENTS = 100_000
EXEMPT = ("/healthz",)
OWN_QUEUE = ("/validate",)


class ErrorCounts:
    """Per client key: error answers, each counted 1 when it happens and decaying by half every HALF_LIFE s."""

    def __init__(self, clock=time.monotonic, max_clients: int = MAX_CLIENTS):
        self.clock, self.max_clients = clock, max_clients
        self.counts: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (count, when)

    def count(self, key: str) -> float:
        count, when = self.counts.get(key, (0.0, 0.0))
        return count * 0.5 ** ((self.clock() - when) / HALF_LIFE)

    def add(self, key: str) -> None:
        now = self.clock()
        self.counts[key] = (self.count(key) + 1.0, now)
        self.counts.move_to_end(key)
        while len(self.counts) > self.max_clients:
            self.counts.popitem(last=False)


class Demotion:
    """ASGI middleware: demoted clients (see the module's docstring) wait for the shared lane."""

    def __init__(self, app, demote_after: float = DEMOTED_AT):
        self.app = app
        self.demote_after = demote_after
        self.errors = ErrorCounts()
        self.lane: asyncio.Semaphore | None = None  # made on the serving loop, at the first demoted request
        self.waiting = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in EXEMPT or self.demote_after <= 0:
            return await self.app(scope, receive, send)
        key = client_key(scope.get("client"))

        async def counting_send(message):
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.errors.add(key)
            await send(message)

        if self.errors.count(key) < self.demote_after or scope.get("path") in OWN_QUEUE:
            return await self.app(scope, receive, counting_send)
        if self.lane is None:
            self.lane = asyncio.Semaphore(1)
        if self.waiting >= LANE_QUEUE:
            return await self.refuse(scope, receive, counting_send)
        self.waiting += 1
        try:
            await asyncio.wait_for(self.lane.acquire(), LANE_WAIT)
        except TimeoutError:
            return await self.refuse(scope, receive, counting_send)
        finally:
            self.waiting -= 1
        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.lane.release()

    async def refuse(self, scope, receive, send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        error = ApiError(
            503,
            "client-demoted",
            "too many of this client's recent requests failed: its requests are served one at a time, after "
            f"everybody else's, and this one found no turn in {LANE_WAIT:g} s; fix the requests, or try again later",
            headers={"Retry-After": str(math.ceil(HALF_LIFE))},
        )
        await error_response(headers, error)(scope, receive, send)
