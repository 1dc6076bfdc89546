"""Query execution in a pool of worker processes, and in fast-lane threads (fastlane.py) for cheap queries.

Where the system can fork (Linux), the server process loads one merged copy of the store and the workers are
forked from it: they share its memory (copy-on-write; queries only read it), start at once, and keep none of the
server's descriptors (close_inherited_descriptors). Memory then hardly grows with the number of workers. The fast
lane (`query_threads` > 0) queries that same copy. Elsewhere each worker is spawned and loads its own copy.

A query runs in a worker; the caller waits at most its time limit. A worker whose query runs past the limit is
killed (SIGKILL: the work really stops) and replaced by a fresh one, so a runaway query neither keeps a worker
busy nor slows the other users, who are served by the remaining workers meanwhile.

Each worker loads the same files as the parent's store, copies the default graphs (ontology and data) into its
store's own default graph (`merge_default_graph`: a query then runs over one graph rather than a union of some
fifteen, 3 to 10 times faster, for a second copy of those triples in the worker's memory), warms up, and then,
unless SERVICE endpoints are
allow-listed, seals itself: its open-file limit is lowered to the descriptors it already holds, so nothing a query
does can open a socket or a file (no SERVICE fetch, no FROM <file:...> read), whatever the query text.

Each worker may also take only `query_memory` bytes of address space beyond its loaded store (RLIMIT_AS): a
query needing more makes an allocation fail, which stops that worker (Oxigraph aborts: SIGABRT), and its caller
gets 503 `query-out-of-memory` while a fresh worker starts. Any other death of a worker (SIGKILL, SIGSEGV) fails
the one request it was running, 503 `engine-unavailable`, and the worker is replaced likewise.

The engine returns Python objects (a `Result`: rows of pyoxigraph terms, a boolean, or triples), cut at
`max_rows`, and where their text passes a few times `Job.max_bytes`, with the cut recorded. A job may name the formats its answer is wanted in (`Job.formats`): the worker
then writes the answer itself (result_writers.py) and sends back only its bytes (`Result.body`), so the server
process neither unpickles terms nor serializes them, and several answers are written in parallel.

`run_async` waits on the event loop itself, with no thread: for a free worker and for its answer (the worker's
pipe is watched with add_reader). Threads waking up under a busy event loop would wait for the interpreter lock,
which is what made the slowest answers several times slower than the typical one. `run` (tools, tests) is
`run_async` on an event loop of its own, in a thread, and blocks its caller.

The workers are shared fairly between clients (`Job.client`, the rate limiter's client key: the peer address),
and none is left idle while a query waits for one it may take. The pool runs `workers` processes plus one spare
(SPARE), and the rule is: the last idle worker goes only to a client holding none. So a client alone may fill every
one of the `workers` (its parallel queries run at once), while a newcomer's query still finds the spare at once,
however long the first client's queries run. A worker given back goes to the waiting caller whose client holds
the fewest workers at that moment (among equals, the one that has waited longest), of those it may go to.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import multiprocessing
import resource
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import query_workers
from .errors import EngineError, QueryTimeout
from .fastlane import LANE_BYTES, FastLane, shape
from .query_jobs import Job, local_store, run_in_thread
from .query_workers import (
    FORKING,
    WORKER_LOST,
    Worker,
    alive,
    memory_error,
    outcome,
    receive,
    worker_main,
)
from .results import Result
from .settings import Settings
from .store import GraphStore

log = logging.getLogger(__name__)

#: Workers beyond `Settings.workers`, kept for clients holding none: a newcomer's query starts at once even while
#: one client fills every other worker (see the module's docstring).
SPARE = 1

#: How long a new worker may take to load the store before it is given up.
START_TIMEOUT = 120.0

#: Seconds between two looks at the idle forked workers' own memory (QueryEngine._keep); 0: no looks, the default.
#: Off because what it goes by, this process's page faults since a fork, also counts memory used and given back:
#: a busy server (or a test process) reached 64 MB of faults every few seconds and re-forked its idle workers that
#: often. A worker's own check after each job (query_workers.Growth) stays on.
KEEP_EVERY = 0.0


def faults() -> int:
    """Page faults of this process so far (each new page it wrote: memory it allocated, or copied on write)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@dataclass(eq=False)
class Waiter:
    """A run_async caller waiting for a worker, on its event loop."""

    client: str | None
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future


class QueryEngine:
    """A pool of `settings.workers` + SPARE worker processes over the files of `store`."""

    def __init__(self, settings: Settings, store):
        self.settings = settings
        # Workers, replacements included, load this snapshot of the store: the release the server holds, even
        # if the files on disk have changed since.
        self.snapshot = str(store.snapshot())
        self.files = {g: str(p) for g, p in store.files.items()}
        self.release = store.release
        #: the workers one client may fill at once; the pool runs SPARE more, kept for clients holding none
        self.size = max(1, settings.workers)
        self.sealed = not settings.service_allowlist
        self._context = multiprocessing.get_context("spawn")
        # All under self._lock (workers are given back from respawn threads too):
        self._idle: list[Worker] = []
        self._waiters: list[Waiter] = []  # in the order they came
        self._held: collections.Counter = collections.Counter()  # client -> workers it holds now
        self._all: set[int] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._closing = threading.Event()  # wakes the keeper (_keep) to end
        #: threads of this process running queries known to be cheap (fastlane.py); None: every query in a worker
        self.lane: FastLane | None = None
        self.shared: GraphStore | None = None  # the merged copy forked workers inherit

    # life cycle

    def start(self) -> None:
        """Start the workers and wait until they are ready (a second call does nothing)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        if "fork" in multiprocessing.get_all_start_methods():  # one merged copy: the forked workers', the lane's
            self.shared = local_store(self.snapshot, self.files, self.release)
            if self.settings.query_threads > 0:
                self.lane = FastLane(
                    self.shared, self.settings.query_threads, run_in_thread, self.settings.query_memory
                )
        pending = [self._spawn() for _ in range(self.size + SPARE)]
        for worker in pending:
            self._await_ready(worker)
        if self.shared is not None and KEEP_EVERY > 0:
            threading.Thread(target=self._keep, name="benelux-worker-keeper", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._closing.set()
        if self.lane is not None:
            self.lane.close()
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            self._stop(worker)

    def __enter__(self) -> QueryEngine:  # noqa: PYI034
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self) -> Worker:
        """A new worker: forked from this process when it holds the merged store (memory shared, started at
        once), else spawned to load the snapshot itself."""
        forked = self.shared is not None
        context = multiprocessing.get_context("fork") if forked else self._context
        parent, child = context.Pipe()
        process = context.Process(
            target=worker_main,
            args=(child, self.settings, self.snapshot, self.files, self.release, self.sealed, forked),
            name="benelux-query-worker",
            daemon=True,
        )
        with FORKING:  # two engines (a reload) must not fork with each other's store
            if forked:
                query_workers.INHERITED = self.shared
            process.start()
        child.close()
        return Worker(process, parent, forked_at=faults())

    def _await_ready(self, worker: Worker) -> None:
        if not worker.conn.poll(START_TIMEOUT):
            self._stop(worker)
            raise EngineError("a query worker did not start in time")
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._stop(worker)
            raise EngineError("a query worker died while starting") from None
        if message[0] != "ready":
            self._stop(worker)
            raise EngineError(f"a query worker could not load the store: {message[1]}")
        worker.release = message[1]
        if worker.release != self.release:
            log.warning("query worker loaded release %s, the server holds %s", worker.release, self.release)
        if self._closed:
            self._stop(worker)
            return
        assert worker.process.pid is not None  # it answered, so it was started
        self._all.add(worker.process.pid)
        self._release(worker)

    def _stop(self, worker: Worker) -> None:
        self._all.discard(worker.process.pid)
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)

    def _replace(self, worker: Worker, client: str | None) -> None:
        """Kill a worker that `client` held and start its successor in the background."""
        with self._lock:
            self._unhold(client)
            self._dispatch()
        self._stop(worker)
        if self._closed:
            return

        def respawn() -> None:
            try:
                self._await_ready(self._spawn())
            except EngineError as e:
                log.error("%s", e)

        threading.Thread(target=respawn, name="benelux-worker-respawn", daemon=True).start()

    def _keep(self) -> None:
        """Replace the idle forked workers that may have come to hold more than query_workers.GROWTH of their own
        without running a query: a page this process writes after a fork (its own queries, answers, caches) leaves
        the old one to the workers forked before it. A worker checks itself after each job (query_workers.Growth);
        this replaces, every KEEP_EVERY seconds, the idle ones forked before this process faulted in GROWTH more
        (its faults bound what it rewrote; a worker cannot tell the old pages it shares with the other old ones)."""
        while not self._closing.wait(KEEP_EVERY):
            now = faults()
            with self._lock:
                old = [w for w in self._idle if (now - w.forked_at) * query_workers.PAGE > query_workers.GROWTH]
                for worker in old:
                    self._idle.remove(worker)
            for worker in old:
                self._stop(worker)
                if self._closed:
                    continue
                try:
                    self._await_ready(self._spawn())
                except EngineError as e:
                    log.error("%s", e)

    @property
    def worker_pids(self) -> set[int]:
        return set(self._all)

    # handing workers out (_unhold, _next_waiter and _dispatch are called with self._lock held)

    def _unhold(self, client: str | None) -> None:
        self._held[client] -= 1
        if self._held[client] <= 0:
            del self._held[client]

    def _may_take(self, client: str | None) -> bool:
        """Whether `client` may take an idle worker now: the last SPARE idle ones are for clients holding none."""
        return len(self._idle) > SPARE or self._held[client] == 0

    def _next_waiter(self) -> Waiter | None:
        """The waiter whose client holds fewest workers (first come among equals), of those who may take one."""
        self._waiters = [w for w in self._waiters if not w.future.done()]  # gave up: time limit, cancelled
        eligible = [w for w in self._waiters if self._may_take(w.client)]
        return min(eligible, key=lambda w: self._held[w.client]) if eligible else None

    def _dispatch(self) -> None:
        """Hand idle workers to waiters, fairest first."""
        while self._idle and (waiter := self._next_waiter()) is not None:
            self._waiters.remove(waiter)
            worker = self._idle.pop()
            try:
                waiter.loop.call_soon_threadsafe(self._hand, waiter, worker)
            except RuntimeError:  # that loop is closed
                self._idle.append(worker)
                continue
            self._held[waiter.client] += 1

    def _release(self, worker: Worker, client: str | None = None, held: bool = False) -> None:
        """Give a worker back (held by `client`, when `held`) and hand the idle ones to the waiting callers."""
        with self._lock:
            if held:
                self._unhold(client)
            self._idle.append(worker)
            self._dispatch()

    def _hand(self, waiter: Waiter, worker: Worker) -> None:
        """On the waiter's loop: its worker, unless it gave up meanwhile."""
        if waiter.future.done():
            self._release(worker, waiter.client, held=True)
        else:
            waiter.future.set_result(worker)

    async def _acquire(self, timeout: float, client: str | None) -> Worker:
        """A live worker for `client`, waited for on the event loop (its turn: see the module's docstring)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            worker: Worker | None = None
            waiter: Waiter | None = None
            with self._lock:
                if self._idle and self._may_take(client) and self._next_waiter() is None:
                    worker = self._idle.pop()  # nobody before this caller: no hop through the loop
                    self._held[client] += 1
                else:
                    waiter = Waiter(client, loop, loop.create_future())
                    self._waiters.append(waiter)
            if waiter is not None:
                try:
                    worker = await asyncio.wait_for(waiter.future, max(0.0, deadline - loop.time()))
                except TimeoutError:
                    raise EngineError(f"every query worker stayed busy for {timeout:g} s; try again later") from None
                finally:
                    if waiter.future.done() and not waiter.future.cancelled() and worker is None:
                        self._release(waiter.future.result(), client, held=True)  # handed over too late
            assert worker is not None  # taken from the idle list, or handed over by the future
            if alive(worker):
                return worker
            log.warning("query worker %s had died; replacing it", worker.process.pid)
            self._replace(worker, client)

    # running queries

    def run(self, job: Job, timeout: float) -> Result:
        """As `run_async`, for a caller with no event loop (tools, tests): blocks its thread."""
        self.start()
        with ThreadPoolExecutor(1, thread_name_prefix="benelux-engine-run") as pool:
            return pool.submit(asyncio.run, self.run_async(job, timeout)).result()

    async def run_async(self, job: Job, timeout: float) -> Result:
        """Run a job in a fast-lane thread when its shape is known to be cheap (fastlane.py), else in a worker,
        waiting on the event loop at most `timeout` seconds for a free worker and as long again for the answer."""
        if not self._started:
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(self.start)
        asked = time.perf_counter()
        key, tried = None, 0.0
        if self.lane is not None:
            key = shape(job)
            result = await self.lane.run(job, key, timeout)
            if result is not None:
                return result
            tried = time.perf_counter() - asked  # a run given up at the lane's budget counts against the limit
            timeout -= tried
            if timeout <= 0:
                raise QueryTimeout("the query ran longer than its time limit and was stopped")
        try:
            result = await self._in_worker(job, timeout, timeout + tried)
        except QueryTimeout:
            if self.lane is not None:
                self.lane.learn(key, float("inf"))
            raise
        if self.lane is not None:
            self.lane.learn(key, result.seconds, len(result.body) if result.body is not None else LANE_BYTES + 1)
        result.waited += tried
        return result

    async def _in_worker(self, job: Job, timeout: float, limit: float) -> Result:
        """Run a job in a worker (see run_async), stopped after `timeout` seconds (the rest of `limit`)."""
        asked = time.perf_counter()
        worker = await self._acquire(timeout, job.client)
        sent = time.perf_counter()
        try:
            worker.conn.send(job)
            message = await asyncio.wait_for(receive(worker.conn), timeout)
        except TimeoutError:
            self._replace(worker, job.client)
            raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s and was stopped") from None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker, job.client)
            # Oxigraph aborts (SIGABRT) when an allocation fails: under RLIMIT_AS, the query took too much memory
            if self.settings.query_memory > 0 and worker.process.exitcode == -signal.SIGABRT:
                raise memory_error(self.settings.query_memory) from None
            raise EngineError(WORKER_LOST) from None
        except BaseException:  # cancelled while the worker runs: its answer would come to the next caller
            self._replace(worker, job.client)
            raise
        if message[0] == "error" and message[1] == "QueryMemoryError":  # the worker stops after a MemoryError
            self._replace(worker, job.client)
            raise EngineError(message[2], 503, "query-out-of-memory")
        if message[-1]:  # it holds too much memory of its own (query_workers.GROWTH): a fresh fork replaces it
            self._replace(worker, job.client)
        else:
            self._release(worker, job.client, held=True)
        result = outcome(message)
        result.waited, result.round_trip = sent - asked, time.perf_counter() - sent
        return result
