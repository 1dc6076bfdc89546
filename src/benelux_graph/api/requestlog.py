"""One log line per request, cheap to write (logger `benelux_graph.api`).

A request that ran a query leaves its query line (api/execution.py: `query sha256=... via=... cache=...`) with
the client, method and HTTP version added; any other request leaves an access line as uvicorn writes it
(`<client> "<METHOD> <path?query> HTTP/<v>" <status> ms=<total>`), whose own access log `serve` turns off.
Before, a query request left two lines (uvicorn's and the query line), and logging cost a quarter of the server
process's time on a cached query.

Cheap: the record is made directly (no walk up the stack for the caller's file and line, which no line shows),
and the handler `show_query_log` installs only keeps the record: formatting and writing to stderr happen in
batches in a thread of its own (BatchHandler), off the event loop.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import sys
import threading
import time

log = logging.getLogger("benelux_graph.api")

#: The query line's format and values of the request being served (execution.py fills it), or None.
_note: contextvars.ContextVar[dict | None] = contextvars.ContextVar("benelux_request_note", default=None)


def write(message: str, *args) -> None:
    """Log an INFO line on `benelux_graph.api` without looking up the caller (Logger.info's costliest part)."""
    if log.isEnabledFor(logging.INFO):
        log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, message, args, None))


def query_line(message: str, *args) -> None:
    """The query line of this request: written with the request's access details by RequestLog, or at once when
    no RequestLog serves the request."""
    note = _note.get()
    if note is None:
        write(message, *args)
    else:
        note["query"] = (message, args)


class RequestLog:
    """ASGI middleware: one line per HTTP request, written when its answer has been sent."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        note: dict = {"status": "-"}  # no answer started: the client left, or the server failed
        token = _note.set(note)

        async def sending(message):
            if message["type"] == "http.response.start":
                note["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _note.reset(token)
            client = scope.get("client")
            host = client[0] if client else "-"
            if "query" in note:
                message, args = note["query"]
                write(
                    message + " client=%s method=%s http=%s",
                    *args,
                    host,
                    scope["method"],
                    scope.get("http_version", "1.1"),
                )
            else:
                path = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "")
                if scope.get("query_string"):
                    path += "?" + scope["query_string"].decode("latin-1")
                write(
                    '%s "%s %s HTTP/%s" %s ms=%.1f',
                    host,
                    scope["method"],
                    path,
                    scope.get("http_version", "1.1"),
                    note["status"],
                    (time.perf_counter() - start) * 1000,
                )


class BatchHandler(logging.Handler):
    """Keeps records in a list (cheap, on the event loop) and has a thread format and write them to stderr, every
    FLUSH_EVERY seconds, all in one write. A queue woken on each record would make that thread and the event loop
    take the interpreter lock from each other on every request, which cost more than the formatting saved."""

    FLUSH_EVERY = 0.2
    #: records kept at most while the writer is held up (stderr not read): more are counted, not kept
    MAX_PENDING = 100_000

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.pending: list[logging.LogRecord] = []
        self.dropped = 0
        self.writing = threading.Lock()
        threading.Thread(target=self._run, name="benelux-log-writer", daemon=True).start()
        atexit.register(self.flush)  # the lines still pending are written before the process ends

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.pending) < self.MAX_PENDING:
            self.pending.append(record)
        else:
            self.dropped += 1

    def flush(self) -> None:
        # emit runs under self.lock (Handler.handle): held only to take the records, never while writing, so
        # that a stderr nobody reads holds up this thread, not the event loop
        assert self.lock is not None  # Handler.__init__ made it
        with self.writing:  # one writer at a time (the thread, or atexit)
            with self.lock:
                records, self.pending = self.pending, []
                dropped, self.dropped = self.dropped, 0
            if not records and not dropped:
                return
            stream = self.stream or sys.stderr
            text = "".join(self.format(r) + "\n" for r in records)
            if dropped:
                text += f"{dropped} log lines dropped: stderr was not read fast enough\n"
            try:
                stream.write(text)
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stream at exit: the lines are lost, nothing else
                pass

    def _run(self) -> None:
        while True:
            time.sleep(self.FLUSH_EVERY)
            self.flush()


def show_query_log() -> None:
    """Print the service's log lines (one per request) to stderr, unless logging is configured already: written
    in batches by a thread of their own (BatchHandler)."""
    logger = logging.getLogger("benelux_graph")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = BatchHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
