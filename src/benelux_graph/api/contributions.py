"""Contributions to POST /validate, read and checked with SHACL in worker processes of their own.

A contribution is untrusted input to native parsers (Oxigraph's Turtle and JSON-LD) and to pySHACL, whose cost
grows with the input in ways a size limit alone does not bound: 10,000 chained JSON-LD terms overflow the
parser's stack and kill its process, a cooperation with 1,200 partners keeps pySHACL busy for minutes. So none of
that runs in the server process, neither on its event loop nor on the threads that serve pages: each
contribution goes to one of `validate_workers` processes, which hold the ontology, shapes and data as rdflib
graphs (loaded once and warmed up), and is bounded there:

- time: the server waits at most `validate_timeout` seconds for the answer, then kills the worker (SIGKILL);
- memory: a worker's address space may grow `validate_memory_bytes` beyond its loaded size (RLIMIT_AS); past it
  Python raises MemoryError (422) and a native allocation aborts the worker (a crash, below);
- number: at most `validate_queue` requests wait for a worker; more are refused at once (503, Retry-After).

A worker that dies fails its own request only, with a clear error, and a fresh one replaces it: a native crash
(SIGSEGV, SIGABRT) is blamed on the contribution, 400 while it was being parsed (the worker says "parsed" when it
is) and 422 after; a SIGKILL is the machine's doing (an operator, the kernel's OOM killer), 503: try again. A
worker that has grown by more than GROWTH after a job is replaced too, so that the memory comes back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..engine import START_TIMEOUT
from ..priority import idle_after
from ..query_workers import Worker, alive, jobs, limit_memory, receive  # a worker and its pipe, as the query engine's
from ..settings import Settings
from .contribution_errors import refusal
from .errors import ApiError

if TYPE_CHECKING:
    from ..validation import ValidationReport

log = logging.getLogger(__name__)

#: A worker whose memory grew by more than this during a job is replaced after it (a fresh one is ~150 MB).
GROWTH = 64_000_000
KINDS = ("ontology", "shapes", "data")


def memory_of(status: str) -> int:
    """Bytes of one field (VmRSS, VmSize) of this process's /proc/self/status; 0 where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(status + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


#: How much lower than the server's the validation workers' CPU priority is (os.nice).
NICENESS = 10


# --- the worker process -----------------------------------------------------------------------------------


def worker_main(conn, material: str, graphs: dict[str, list[str]], memory: int) -> None:
    """Load the graphs, warm up, limit the memory, then check the contributions the server sends, one at a time.

    Messages to the server: ("ready",) once; for each job ("form", syntax, text) when it came from the page's
    form, ("parsed", statements) once it is read, then ("ok", report, statements, retire) or ("error", status,
    type, message, line, column, retire); `retire` asks to be replaced (grown too much, or short of memory)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    # A check may keep a core busy up to its time limit: at a lower priority than the server, the pages and the
    # queries of everybody else go first on a machine with few cores.
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    try:
        from .contribution_check import EXAMPLE, Validator, parse_contribution, read_form

        store = ox.Store()
        store.bulk_load(path=material, format=ox.RdfFormat.N_QUADS)
        validator = Validator.from_store(store, graphs)
        del store
        validator.check(parse_contribution(EXAMPLE.encode(), "turtle"))  # imports, SPARQL of the shapes parsed
        gc.collect()
        gc.freeze()
        loaded = memory_of("VmRSS")
        if memory > 0:
            limit_memory(memory)
    except Exception as e:  # noqa: BLE001 - reported to the server, which would otherwise wait
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready",))
    for body, syntax in jobs(conn):
        back = [True]
        try:
            if syntax == "form":
                syntax, text = read_form(body)
                conn.send(("form", syntax, text))
                body = text.encode("utf-8")
                del text
            triples = parse_contribution(body, syntax)
            del body
            conn.send(("parsed", len(triples)))
            # A check still running after IDLE_AFTER is a large one: on spare CPU only from then (priority.py).
            # Reading stays at the worker's nice level: it is bounded by size and nesting, and the quick refusals
            # of the audit's bodies then never wait behind every other process of a busy machine.
            with idle_after() as back:
                report = validator.check(triples)
            conn.send(("ok", report, len(triples), memory_of("VmRSS") > loaded + GROWTH))
        except ApiError as e:
            conn.send(refused(e, memory_of("VmRSS") > loaded + GROWTH))
        except MemoryError:
            limit = f"{memory:,}"
            conn.send(refused(refusal(422, "validation-too-large", "refusal_memory", limit=limit), True))
        except RecursionError:
            conn.send(refused(refusal(400, "nested-too-deep", "refusal_too_deep"), True))
        except Exception as e:  # noqa: BLE001 - any other failure is this contribution's answer, not a 500
            detail = f"{type(e).__name__}: {str(e)[:300]}"
            conn.send(refused(refusal(422, "validation-failed", "refusal_check_failed", detail=detail), True))
        if not back[0]:
            return  # left at SCHED_IDLE: the server replaces a worker that has gone


def refused(e: ApiError, replace: bool) -> tuple:
    """A refusal as the worker sends it (an exception with keyword arguments does not pickle), and whether the
    worker asks to be replaced."""
    return ("error", e.status, e.type, e.message, e.line, e.column, e.key, e.params, replace)


# --- the pool, in the server process ----------------------------------------------------------------------


@dataclass(eq=False)
class Waiter:
    """A request waiting for a worker, on its event loop."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future


def signal_name(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


@dataclass
class Outcome:
    """What a worker made of a contribution: its report (validation.ValidationReport) and its statements."""

    report: ValidationReport
    statements: int


class ContributionChecker:
    """`settings.validate_workers` worker processes checking contributions (see the module's docstring)."""

    def __init__(self, settings: Settings, store):
        self.store = store
        self.size = max(1, settings.validate_workers)
        self.queue = max(0, settings.validate_queue)
        self.timeout = settings.validate_timeout
        self.memory = settings.validate_memory_bytes
        #: the longest a request waits for a worker: its turn behind a full queue, and a replacement's start
        self.wait_limit = (self.queue // self.size + 1) * self.timeout + 60
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._workers: dict[int | None, Worker] = {}  # every started worker, busy or idle, by pid
        self._idle: list[Worker] = []
        self._waiters: collections.deque[Waiter] = collections.deque()
        self._starting = 0
        self._material: tuple[str, dict[str, list[str]]] | None = None
        self._temporary: Path | None = None
        self._closed = False

    # life cycle

    def start(self) -> None:
        """Start the missing workers in the background (their loading takes seconds); returns at once."""
        with self._lock:
            if self._closed:
                return
            missing = self.size - len(self._workers) - self._starting
            self._starting += max(0, missing)
        for _ in range(missing):
            threading.Thread(target=self._add_worker, name="benelux-validate-start", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers, self._idle = list(self._workers.values()), {}, []
        for worker in workers:
            self._stop(worker)
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)

    @property
    def worker_pids(self) -> set[int]:
        return {pid for pid in self._workers if pid is not None}

    def material(self) -> tuple[str, dict[str, list[str]]]:
        """An N-Quads file holding the ontology, shapes and data, and the named graphs of each kind."""
        with self._lock:
            if self._material is None:
                graphs = {kind: list(self.store.graphs(kind)) for kind in KINDS}
                if hasattr(self.store, "snapshot"):  # the embedded store: the file its query workers load too
                    path = str(self.store.snapshot())
                else:  # a remote store: its graphs of those kinds, fetched once
                    handle, path = tempfile.mkstemp(prefix="benelux-validate-", suffix=".nq")
                    os.close(handle)
                    quads = [q for kind in KINDS for g in graphs[kind] for q in self.store.quads(g)]
                    ox.serialize(quads, output=path, format=ox.RdfFormat.N_QUADS)
                    self._temporary = Path(path)
                self._material = (path, graphs)
            return self._material

    def _add_worker(self) -> None:
        worker = None
        try:
            path, graphs = self.material()
            parent, child = self._context.Pipe()
            process = self._context.Process(
                target=worker_main, args=(child, path, graphs, self.memory), name="benelux-validate-worker", daemon=True
            )
            process.start()
            child.close()
            worker = Worker(process, parent)
            if not parent.poll(START_TIMEOUT):
                raise RuntimeError("it did not start in time")
            message = parent.recv()
            if message[0] != "ready":
                raise RuntimeError(message[1])
        except Exception as e:  # noqa: BLE001 - logged; the next request starts another one
            if self._closed:  # the pool closed while this one started (the server stopping): nothing is wrong
                log.debug("a validation worker starting at close stopped: %r", e)
            else:
                log.error("a validation worker could not start: %r", e)
            with self._lock:
                self._starting -= 1
            if worker is not None:
                self._stop(worker)
            return
        with self._lock:
            self._starting -= 1
            if not self._closed:
                self._workers[process.pid] = worker
        if self._closed:
            self._stop(worker)
        else:
            self._give_back(worker)

    def _stop(self, worker: Worker) -> None:
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)

    def _replace(self, worker: Worker) -> None:
        """Kill a worker and start its successor; the waiting for its end (a big process takes a while to go,
        more so on a busy machine) happens in a thread, not on the event loop."""
        with self._lock:
            self._workers.pop(worker.process.pid, None)
        if worker.process.is_alive():
            worker.process.kill()
        threading.Thread(target=self._stop, args=(worker,), name="benelux-validate-stop", daemon=True).start()
        self.start()

    # handing workers out

    def _give_back(self, worker: Worker) -> None:
        """An idle worker goes to the first waiter that still waits, else to the idle list."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if waiter.future.done():
                    continue
                try:
                    waiter.loop.call_soon_threadsafe(self._hand, waiter, worker)
                    return
                except RuntimeError:  # that loop is closed
                    continue
            self._idle.append(worker)

    def _hand(self, waiter: Waiter, worker: Worker) -> None:
        if waiter.future.done():  # gave up meanwhile
            self._give_back(worker)
        else:
            waiter.future.set_result(worker)

    async def _acquire(self) -> Worker:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_limit
        while True:
            self.start()  # replaces workers that could not start
            with self._lock:
                worker = self._idle.pop() if self._idle else None
                if worker is None:
                    waiting = sum(1 for w in self._waiters if not w.future.done())
                    if waiting >= self.queue:
                        raise refusal(
                            503,
                            "validation-busy",
                            "refusal_busy",
                            headers={"Retry-After": str(max(1, round(self.timeout)))},
                            waiting=waiting,
                        )
                    waiter = Waiter(loop, loop.create_future())
                    self._waiters.append(waiter)
            if worker is None:
                assert waiter is not None
                try:
                    worker = await asyncio.wait_for(waiter.future, max(0.0, deadline - loop.time()))
                except TimeoutError:
                    raise refusal(
                        503,
                        "validation-busy",
                        "refusal_no_worker",
                        headers={"Retry-After": "10"},
                        limit=f"{self.wait_limit:g}",
                    ) from None
            assert worker is not None  # taken from the idle list, or handed over by the future
            if alive(worker):
                return worker
            log.warning("validation worker %s had died; replacing it", worker.process.pid)
            self._replace(worker)

    # checking

    async def check(self, body: bytes, syntax: str, form: dict | None = None) -> Outcome:
        """The report of a contribution (`syntax` turtle, jsonld, or form for the page's form-encoded body), or
        an ApiError: the contribution's own (syntax, nesting...), or the limits' (time, memory, busy). For a form,
        `form` receives its syntax and text as soon as the worker has read them (the page shows them)."""
        worker = await self._acquire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        stage = "parsing"
        try:
            # In a thread: a pipe holds 64 KB, so sending a megabyte waits for the worker (niced, below) to read it,
            # which on a busy machine held the event loop, and every other request, for hundreds of milliseconds.
            await asyncio.wait_for(
                asyncio.to_thread(worker.conn.send, (body, syntax)), max(0.0, deadline - loop.time())
            )
            while True:
                message = await self._receive(worker, loop, deadline)
                if message[0] == "form" and form is not None:
                    form.update(syntax=message[1], text=message[2])
                elif message[0] == "parsed":
                    stage = "validating"
                else:
                    break
        except TimeoutError:
            self._replace(worker)
            raise refusal(503, "validation-timeout", "refusal_timeout", limit=f"{self.timeout:g}") from None
        except (EOFError, OSError):
            for _ in range(200):  # its exit code says why it died: waited for on the loop, 2 s at most
                if worker.process.exitcode is not None:
                    break
                await asyncio.sleep(0.01)
            exitcode = worker.process.exitcode
            self._replace(worker)
            raise self.lost(stage, exitcode) from None
        except BaseException:  # cancelled while the worker runs: its answer would go to the next request
            self._replace(worker)
            raise
        if message[-1]:  # the worker asks to be replaced
            self._replace(worker)
        else:
            self._give_back(worker)
        if message[0] == "ok":
            return Outcome(message[1], message[2])
        _, status, kind, text, line, column, key, params, _ = message
        raise ApiError(status, kind, text, line, column, key=key, params=params)

    async def _receive(self, worker: Worker, loop, deadline: float) -> tuple:
        """The worker's next message, read on the event loop as it arrives (engine.receive) until `deadline`."""
        return await asyncio.wait_for(receive(worker.conn), max(0.0, deadline - loop.time()))

    def lost(self, stage: str, exitcode: int | None) -> ApiError:
        """The error of a request whose worker died under it."""
        if exitcode == -signal.SIGKILL:
            return refusal(503, "validation-unavailable", "refusal_worker_stopped", headers={"Retry-After": "5"})
        if stage == "parsing":
            return refusal(400, "unreadable-contribution", "refusal_parser_crashed", detail=signal_name(exitcode))
        limit = f"{self.memory:,}"
        return refusal(422, "validation-failed", "refusal_crashed", detail=signal_name(exitcode), limit=limit)
