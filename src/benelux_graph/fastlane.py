"""The fast lane: queries known to be cheap run in threads of the server process, with no hand-off to a worker.

pyoxigraph releases the interpreter lock while it evaluates, so a few threads answer cheap queries in parallel,
without the pickling, pipe round trip and event-loop wake-ups a worker process costs (about as much as the
query itself for the typical one). But a query in a thread cannot be stopped: pyoxigraph has no cancellation,
and a thread cannot be killed. So the rule is:

1. A query of a *shape* never seen (its text with strings, IRIs and numbers masked, and the same graphs and
   formats) runs in a killable worker process, as every query did before; the worker's time is learned.
2. A shape runs in a thread only once a worker ran it in less than FAST seconds, with an answer of at most
   LANE_BYTES (writing a long answer holds the interpreter lock, which the server's event loop needs); a shape
   whose answer was ever longer, in a worker or in a thread, stays in the workers.
3. A thread run still going after BUDGET seconds is given up by its caller, who runs the query in a worker
   within what is left of the time limit (the hard limit holds for the answer: the worker is killed at the limit),
   and its shape goes to the workers for good (this release).
4. At most `threads` thread runs at once; one past its budget keeps its thread until pyoxigraph returns. When
   no thread is free, queries go to the workers: a stuck thread never makes anyone wait.
5. A given-up run is watched (every WATCH_EVERY seconds, by a thread that runs only while there is one): when it
   is still running at its time limit, or this process has grown by more than `memory` bytes (the worker's
   BENELUX_QUERY_MEMORY) since it was given up, the lane *trips*: `on_runaway` is called, which in a server
   process under `benelux-graph serve` makes that process drain (stop accepting, finish what it is answering,
   within the time limit) and exit, and uvicorn's supervisor starts a fresh one on the same socket
   (api/app.py: `drain_and_exit`). So the CPU and memory a runaway takes in a thread end at the same limits as
   in a worker, at the price of one server process's restart (a few seconds; with one server process its pending
   connections wait in the listening socket's backlog; with several, new ones go to the others: server.balanced).
   Where no supervisor would start another (an application embedded in a test), the trip is only logged.

So a runaway query can reach a thread only by sharing its shape with queries that ran fast, and then holds that
thread only: never a caller past BUDGET, never the event loop, never the workers, and never past the time limit.
Queries that hold the word SERVICE standing alone (as the guard reads it: sparql_text.LONE_SERVICE, which also
finds one a tokenizer would misread as inside an IRI) or a codepoint escape (which could spell it) never run here:
the server process is not sealed like a worker. A name such as `bx:Service` or `<...#Service>` is no SERVICE call
(such queries ran in the workers only, at ~1 ms more each). A run within its BUDGET has no memory limit of its
own (RLIMIT_AS is per process): what a shape known to answer in milliseconds can allocate in a quarter of a
second is bounded by that time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .sparql_text import LONE_SERVICE

log = logging.getLogger(__name__)

#: A shape's worker runs must all have taken less than this (seconds, evaluation and writing) to run in a thread.
FAST = 0.025
#: A shape whose written answer was ever longer than this (bytes) runs in the workers.
LANE_BYTES = 64_000
#: A thread run taking longer is given up: the query runs in a worker instead, and its shape stays there.
BUDGET = 0.25
#: How often a given-up run is checked against its time limit and the process's memory (seconds).
WATCH_EVERY = 0.1
#: Bytes of a memory page (/proc/self/statm counts pages).
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: What a tripped lane does when no `on_runaway` was given: api/app.py sets it in a server process under
#: `benelux-graph serve`'s supervisor (drain and exit); None only logs.
ON_RUNAWAY: Callable[[str], None] | None = None
#: The interpreter's switch interval (seconds) in a process running a lane: how long a thread back from pyoxigraph
#: waits for the interpreter lock while the event loop holds it (Python's default, 5 ms, is paid two or three times
#: per thread run: to start, after evaluating and writing). 0.5 ms: the varied mix executed at c=32 answered with a
#: median of 40 ms and a p99 of 122 ms against 57 and 255 ms at 5 ms (medians of 3 interleaved runs, busy machine);
#: at c=8 p99 64 against 88 ms.
SWITCH_INTERVAL = 0.0005
#: Shapes remembered at most (the table is cleared when full: everything starts in the workers again).
MAX_SHAPES = 20_000

#: What varies between queries of one shape: string literals, IRIs, numbers. A quote that no quote closes on its
#: line (in a comment, a long string) is read to the line's end and kept as it is (`masked`): scanned again from
#: each of its escaped quotes, 30,000 of them took 50 s of the event loop; none of them could close either.
VARYING = re.compile(
    r""""(?:[^"\\\n]|\\.)*+(?P<dq>")?|'(?:[^'\\\n]|\\.)*+(?P<sq>')?"""
    r"""|<[^<>"{}|^`\\\x00-\x20]*>|(?<![\w?$])[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?"""
)


def masked(match: re.Match) -> str:
    text = match.group()
    if text[0] in "\"'" and match.group("dq" if text[0] == '"' else "sq") is None:
        return text  # an unclosed quote: no literal, its text stays in the shape
    return "_"


def text_shape(text: str) -> str | None:
    """A query text with what varies masked, or None when it must never run in the server process."""
    if "\\u" in text or "\\U" in text or LONE_SERVICE.search(text):
        return None
    return VARYING.sub(masked, text)


#: The shapes of the last texts seen, up to CACHED_CHARS long each: a text sent again (a saved query with the same
#: parameters, a notebook's cell) is not scanned again on the event loop (0.1-0.2 ms for a saved query's 2-5 KB
#: with its header: all of its characters go through VARYING). At most 512 x 6,000 characters, key and shape.
cached_text_shape = functools.lru_cache(maxsize=512)(text_shape)
CACHED_CHARS = 6_000


def shape(job) -> tuple | None:
    """The shape of a job (what its cost is learned by), or None when it must never run in the server process."""
    text = cached_text_shape(job.query) if len(job.query) <= CACHED_CHARS else text_shape(job.query)
    if text is None:
        return None
    return (
        text,
        job.default_graphs,
        job.named_graphs,
        job.formats,
        job.max_rows,
        job.max_bytes,
        tuple(job.substitutions) if job.substitutions else None,
    )


class FastLane:
    """Threads running jobs on the server process's own merged copy of the store (see the module's rule)."""

    def __init__(self, store, threads: int, execute, memory: int = 0, on_runaway: Callable[[str], None] | None = None):
        sys.setswitchinterval(SWITCH_INTERVAL)  # this process's: a lane thread waits less for the lock
        self.store = store
        self.threads = threads
        self.memory = memory  # bytes a given-up run may grow this process by (0: not watched)
        self.on_runaway = on_runaway  # called once when a given-up run passes its limits (see the rule, 5.)
        self.tripped = ""  # why the lane tripped; "" while it has not
        self._watched: list[dict] = []  # states of given-up runs still in pyoxigraph
        self._watching = False
        self._execute = execute  # (store, job) -> Result written in the job's format (query_jobs.run_in_thread)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="benelux-fastlane")
        self._lock = threading.Lock()
        self._busy = 0  # jobs submitted and not done (running or queued)
        self._stuck = 0  # of those, runs given up at BUDGET that pyoxigraph has not returned from yet
        self._fastest: dict[tuple, float] = {}  # shape -> fastest worker run (seconds); inf: never in a thread
        self.abandoned = 0  # thread runs given up at BUDGET (their threads ran on)

    def learn(self, key: tuple | None, seconds: float, size: int = 0) -> None:
        """A worker ran a job of this shape in `seconds` (inf: it was stopped at its time limit), its answer
        `size` bytes long."""
        if key is None:
            return
        with self._lock:
            if len(self._fastest) >= MAX_SHAPES:
                self._fastest.clear()
            known = self._fastest.get(key)
            if seconds == float("inf") or size > LANE_BYTES or known == float("inf"):
                self._fastest[key] = float("inf")  # stopped, given up or long: in the workers for good
            else:  # the fastest run says what the shape costs (a busy machine makes some runs slow)
                self._fastest[key] = seconds if known is None else min(known, seconds)

    def _take(self, key: tuple | None) -> bool:
        """Whether a job of this shape may run in a thread now: a cheap shape, and a thread that is not stuck
        with at most one job queued behind it."""
        with self._lock:
            live = self.threads - self._stuck
            if key is None or self._fastest.get(key, FAST) >= FAST or live <= 0 or self._busy >= self._stuck + 2 * live:
                return False
            self._busy += 1
            return True

    def _call(self, job, state: dict):
        with self._lock:
            if state.get("given_up"):  # given up while queued: it never runs
                return None
            state["started"] = True
        return self._execute(self.store, job)

    def _done(self, state: dict) -> None:
        with self._lock:
            self._busy -= 1
            state["done"] = True
            if state.get("stuck"):
                self._stuck -= 1

    def _watch(self) -> None:
        """While given-up runs are in pyoxigraph: trip the lane when one passes its time limit or the process grows
        by more than `memory` since it was given up (the rule, 5.)."""
        while True:
            time.sleep(WATCH_EVERY)
            with self._lock:
                self._watched = [s for s in self._watched if not s.get("done")]
                if not self._watched or self.tripped:
                    self._watching = False
                    return
                watched = list(self._watched)
            now, size = time.monotonic(), resident()
            for state in watched:
                if now >= state["deadline"]:
                    self._trip("a query in a fast-lane thread ran past its time limit")
                elif self.memory and size - state["grown_from"] > self.memory:
                    self._trip(f"a query in a fast-lane thread took more than {self.memory / 1e6:g} MB")

    def _trip(self, reason: str) -> None:
        if self.tripped:
            return
        self.tripped = reason
        action = self.on_runaway or ON_RUNAWAY
        log.error("%s: %s", reason, "this server process drains and is replaced" if action else "logged only")
        if action is not None:
            action(reason)

    async def run(self, job, key: tuple | None, limit: float = float("inf")):
        """The job's Result from a thread, or None if it is to run in a worker (unknown or slow shape, no thread
        to be had, or given up at BUDGET). Errors of the query (syntax, evaluation) are raised as a worker's are."""
        if not self._take(key):
            return None
        started = time.perf_counter()
        state: dict = {"deadline": time.monotonic() + limit}
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()

        def call():  # in the thread: the outcome goes to the waiter directly (wrap_future and wait_for cost the
            try:  # event loop twice as much per job, 28 against 15 us, issue 15)
                outcome = self._call(job, state)
            except BaseException as exc:
                _settle_soon(loop, waiter, None, exc)
                raise
            _settle_soon(loop, waiter, outcome, None)
            return outcome

        try:
            future = self._pool.submit(call)
        except RuntimeError:  # the pool was shut down (the engine is closing)
            self._done(state)
            return None
        future.add_done_callback(lambda _: self._done(state))  # a thread is free when pyoxigraph returns
        timer = loop.call_later(BUDGET, _settle, waiter, None, TimeoutError())
        try:
            result = await waiter
        except asyncio.CancelledError:
            future.cancel()  # the caller left: a job still queued never runs
            raise
        except TimeoutError:
            with self._lock:
                state["given_up"] = True
                if state.get("started") and not future.done():  # past the budget: the shape goes to the workers
                    state["stuck"] = True
                    self._stuck += 1
                    if key is not None:
                        self._fastest[key] = float("inf")
                    self.abandoned += 1
                    state["grown_from"] = resident()
                    self._watched.append(state)
                    if not self._watching:
                        self._watching = True
                        threading.Thread(target=self._watch, name="benelux-fastlane-watch", daemon=True).start()
            return None
        finally:
            timer.cancel()
        result.round_trip = time.perf_counter() - started
        result.lane = "thread"
        if result.body is None or len(result.body) > LANE_BYTES:
            self.learn(key, 0.0, LANE_BYTES + 1)  # answered here this time; the workers write it from now on
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _settle(waiter: asyncio.Future, outcome, error: BaseException | None) -> None:
    """On the event loop: the waiter's outcome, unless it has one (given up at BUDGET, or cancelled)."""
    if not waiter.done():
        if error is None:
            waiter.set_result(outcome)
        else:
            waiter.set_exception(error)


def _settle_soon(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future, outcome, error: BaseException | None):
    try:
        loop.call_soon_threadsafe(_settle, waiter, outcome, error)
    except RuntimeError:  # the loop is closed: nobody waits
        pass


def resident() -> int:
    """This process's resident memory in bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0
