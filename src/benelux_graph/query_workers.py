"""A query worker process and its pipe: the worker's main loop (load or inherit the store, limit its memory, seal
itself, run jobs), and the server's side of the pipe (`receive`, read on the event loop as the bytes arrive;
`outcome`). The pool that hands jobs to the workers is engine.py; the validation workers (api/contributions.py)
use the same pipe reading.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import resource
import signal
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any

from .errors import EngineError, EvaluationError, QueryError, QueryRefused, QueryTimeout
from .query_jobs import local_store, run_here
from .results import Result
from .settings import Settings
from .store import GraphStore

#: A lost worker is the server's passing trouble, not the client's error: 503, and a fresh worker replaces it.
WORKER_LOST = (
    "the query worker stopped unexpectedly (the query may need too much memory); a fresh worker is starting: try again"
)


def memory_error(extra: int) -> EngineError:
    """A query that took more memory than a worker may use (the worker is replaced)."""
    return EngineError(
        f"the query needed more memory than a query may use ({extra / 1e6:g} MB) and was stopped; "
        "a fresh worker is starting",
        503,
        "query-out-of-memory",
    )


#: How much memory of its own a worker forked from the server may come to hold before it is replaced by a fresh
#: fork, after the answer that took it there. Oxigraph's in-memory store writes to what it reads (reference
#: counts), so each query copies the pages it touches out of the memory shared with the server: kept, every worker
#: would end up with a copy of the store (1M triples: 550 MB each). Replaced, each holds at most about this much.
GROWTH = 64_000_000
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Growth:
    """Whether a forked worker has come to hold more than GROWTH of its own beyond what it held when it started
    (a fresh fork would hold that much too: replacing it for that would only fork again and again). Counting its
    page faults is cheap (getrusage); only when they add up to GROWTH is /proc read (tens of ms at 1M triples),
    which says whether the faults were copies kept or memory allocated and given back. Made before the worker seals itself (`seal`): the
    file stays open and is read again from its start."""

    def __init__(self) -> None:
        self.faults = self.count()
        rollup = "/proc/self/smaps_rollup"
        self.rollup = open(rollup, "rb", buffering=0) if os.path.exists(rollup) else None  # for the worker's life
        # what it holds already when it starts (more, the more the process it was forked from had written): a
        # fresh fork would hold as much, so only what it comes to hold beyond this counts
        self.start = self.private_memory()

    def private_memory(self) -> int:
        """Bytes of this process's memory that are its own (private dirty pages: copied on write, or new)."""
        if self.rollup is None:
            return 0
        self.rollup.seek(0)
        for line in self.rollup.read().splitlines():
            if line.startswith(b"Private_Dirty:"):
                return int(line.split()[1]) * 1024
        return 0

    @staticmethod
    def count() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    def too_much(self) -> bool:
        now = self.count()
        if (now - self.faults) * PAGE < GROWTH:  # each page it comes to hold costs a fault
            return False
        if self.private_memory() - self.start > GROWTH:
            return True
        self.faults = now  # the faults were memory used and freed: count again from here
        return False


def seal() -> None:
    """Forbid this process to open any new file or socket: fill every free descriptor number below the highest
    one in use, then set the open-file limit to that number. What is open stays usable."""
    in_use = [int(fd) for fd in os.listdir("/proc/self/fd")] if os.path.isdir("/proc/self/fd") else [2]
    top = max(in_use) + 1
    while True:
        fd = os.open(os.devnull, os.O_RDONLY)
        if fd >= top:
            os.close(fd)
            break
    resource.setrlimit(resource.RLIMIT_NOFILE, (top, top))


def address_space() -> int:
    """This process's virtual memory size in bytes (what RLIMIT_AS counts), from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(extra: int) -> None:
    """Let this worker's address space grow by `extra` bytes beyond the loaded store, no more (RLIMIT_AS): a query
    that needs more fails its allocation, which stops the worker, not the machine."""
    limit = address_space() + extra
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:  # a lower limit set from outside stays (raising it is not allowed)
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


#: The server process's merged store, which a worker forked from it queries (QueryEngine: `shared`): the pages
#: are shared with the server and every other worker (copy-on-write; a query only reads them).
INHERITED: GraphStore | None = None
FORKING = threading.Lock()


def close_inherited_descriptors(keep: int) -> None:
    """In a worker forked from the server: close every descriptor but stdio and the worker's pipe. The server's
    sockets must not stay open in a worker (a connection the server closes would stay open)."""
    for fd in [int(fd) for fd in os.listdir("/proc/self/fd")]:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:  # the listing's own descriptor, closed already
                pass


def jobs(conn) -> Iterator[Any]:
    """A worker's jobs, as its server sends them, until it sends None or closes the pipe."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        yield job


def worker_main(
    conn, settings: Settings, snapshot: str, files: dict[str, str], release: str, sealed: bool, forked: bool = False
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    try:
        if forked:
            close_inherited_descriptors(conn.fileno())
            assert INHERITED is not None, "a forked worker inherits the server's store"
            store = INHERITED
        else:
            store = local_store(snapshot, files, release)
        gc.freeze()  # the loaded modules and store stay: no full garbage-collector pass walks them again
        growth = Growth() if forked else None  # a spawned worker's store is its own: nothing shared to copy
        if settings.query_memory > 0:
            limit_memory(settings.query_memory)
        if sealed:
            seal()
    except Exception as e:  # noqa: BLE001 - reported to the parent, which would otherwise wait
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", store.release))
    for job in jobs(conn):
        try:
            message: tuple = ("ok", run_here(store, job))
        except MemoryError:  # Python's own allocation failed (Oxigraph's aborts the process: see WORKER_LOST)
            conn.send(("error", "QueryMemoryError", memory_error(settings.query_memory).message, None, None, True))
            return  # a process that ran out of memory is not trusted with another query
        except QueryError as e:
            message = ("error", type(e).__name__, e.message, e.line, e.column)
        except Exception as e:  # noqa: BLE001 - reported to the caller as an evaluation error
            message = ("error", "EvaluationError", f"the query failed while running: {e}", None, None)
        retire = growth is not None and growth.too_much()
        conn.send((*message, retire))  # the last item: replace this worker after this answer (GROWTH)
        if retire:
            return


@dataclass
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    release: str = ""
    #: the server process's page faults when it forked this worker (engine.faults; QueryEngine._keep)
    forked_at: int = 0


def alive(worker: Worker) -> bool:
    """Whether an idle worker lives: its process runs and its pipe has not come to its end. (A process reaped by
    another thread first, as Process.start does with the finished ones, still looks alive to is_alive.)"""
    try:
        return worker.process.is_alive() and not worker.conn.poll()
    except OSError:
        return False


HEADER = struct.Struct("!i")  # multiprocessing.Connection's length header (-1: a 64-bit length follows)
LONG_HEADER = struct.Struct("!Q")


async def receive(conn) -> Any:
    """The next message on a worker's pipe, read on the event loop as its bytes arrive (the descriptor watched with
    add_reader): a worker still writing a large answer never blocks the loop (Connection.recv did, until the whole
    answer was written: tens of milliseconds for a 2 MB answer on a busy machine). Reads no byte beyond the message.
    EOFError when the worker is gone."""
    loop = asyncio.get_running_loop()
    fd = conn.fileno()
    parts: list[bytes] = []
    state: dict[str, Any] = {"need": HEADER.size, "got": 0, "stage": "header"}
    done = loop.create_future()

    def readable() -> None:
        try:
            while not done.done():
                chunk = os.read(fd, min(state["need"] - state["got"], 1 << 20))
                if not chunk:
                    raise EOFError
                parts.append(chunk)
                state["got"] += len(chunk)
                if state["got"] < state["need"]:
                    continue
                data, parts[:] = b"".join(parts), []
                state["got"] = 0
                if state["stage"] == "header":
                    (size,) = HEADER.unpack(data)
                    state["stage"], state["need"] = ("long", LONG_HEADER.size) if size == -1 else ("body", size)
                elif state["stage"] == "long":
                    state["stage"], state["need"] = "body", LONG_HEADER.unpack(data)[0]
                else:
                    done.set_result(data)
                if state["stage"] == "body" and state["need"] == 0:
                    done.set_result(b"")
        except BlockingIOError:
            return
        except (EOFError, OSError) as e:
            if not done.done():
                done.set_exception(e)

    os.set_blocking(fd, False)
    loop.add_reader(fd, readable)
    try:
        data = await done
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # the pipe's other users (send, poll) expect a blocking descriptor
    return ForkingPickler.loads(data)


def outcome(message: tuple) -> Result:
    """A worker's message as a Result, or the error it reports raised (its last item, whether the worker must be
    replaced, is the caller's: see GROWTH)."""
    if message[0] == "ok":
        return message[1]
    _, kind, text, line, column, _retire = message
    kinds = {"EvaluationError": EvaluationError, "QueryRefused": QueryRefused, "QueryTimeout": QueryTimeout}
    raise kinds.get(kind, QueryError)(text, line, column)
