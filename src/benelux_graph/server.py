"""How `benelux-graph serve` runs uvicorn: the HTTP layer's settings in one place (the tests' servers use them too).

- Proxies: `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from a peer listed in `trusted_proxies`
  (uvicorn's proxy-headers middleware, off when the list is empty, the default). That middleware alone rewrites
  `scope["client"]`, the address the rate limit, the query budget and the fair sharing of the workers count by,
  so all three follow the same rule. `Forwarded` (RFC 7239) is never read.
- Slow clients: h11 and httptools wait for a request's head and body for ever. `ReadDeadline`, mixed into
  uvicorn's HTTP protocol, gives each request `read_timeout` seconds from its first byte (a new connection: from
  its opening) to arrive whole; a slower one is answered 408 and disconnected. Between requests, uvicorn's
  keep-alive timeout (5 s) closes an idle connection. httptools (uvicorn's choice when installed) also reads
  headers of any size: a head beyond MAX_HEAD_BYTES is answered 431.
- WebSockets are off (no route takes one): a handshake is answered as the ordinary request it also is.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import multiprocess

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools comes with uvicorn[standard]; without it uvicorn uses h11
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from .api.admin import SUPERVISOR
from .api.middleware import api_origin
from .errors import BeneluxGraphError
from .settings import Settings

APP_FACTORY = "benelux_graph.api.app:app_from_env"
#: The largest request head (request line and headers) read: httptools refuses a URL beyond 64 KB by itself
#: (400), which leaves as much again for the headers (h11's own limit is 16 KB).
MAX_HEAD_BYTES = 128 * 1024
#: Server processes `serve` runs by default at most: one event loop is the pace of a process (an executed query
#: costs it ~1 ms of Python), and two on 2 cores answered executed queries ~1.4-1.7x faster than one (bench,
#: same sitting). More than the cores only adds copies of the store.
MAX_DEFAULT_PROCESSES = 2


def default_processes() -> int:
    """How many server processes `serve` runs without --workers: one per core this process may use, at most
    MAX_DEFAULT_PROCESSES."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_DEFAULT_PROCESSES))


def check_port(settings: Settings) -> None:
    """Refuse at once an address another server holds (an earlier `serve` still running, or anything on 8000),
    saying what to change: uvicorn only says "[Errno 98] Address already in use" once the store has loaded.
    Bound as uvicorn binds (SO_REUSEADDR), then let go."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as e:
            raise BeneluxGraphError(
                f"cannot listen on {settings.host}:{settings.port}: {e.strerror or e}; is another server there? "
                "choose another port with BENELUX_PORT (BENELUX_PORT=8080 make serve) or serve --port"
            ) from None


def check(settings: Settings) -> None:
    """Refuse, before serving, a public URL or a proxy list that would not work (BeneluxGraphError)."""
    if settings.public_url:
        url = urlsplit(settings.public_url)
        if url.scheme not in ("http", "https") or not url.hostname or url.username or url.query or url.fragment:
            raise BeneluxGraphError(
                f"BENELUX_PUBLIC_URL must be an http(s) URL with a host and no user, query or "
                f"fragment, such as https://graph.example.org, not '{settings.public_url}'"
            )
    for entry in settings.trusted_proxies:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise BeneluxGraphError(
                f"BENELUX_TRUSTED_PROXIES: '{entry}' is neither an IP address nor a network (CIDR), nor *"
            ) from None
    for origin in settings.api_origins:
        if api_origin(origin) is None:
            raise BeneluxGraphError(
                f"BENELUX_API_ORIGINS: '{origin}' is not an origin: write scheme://host[:port] (http or https, "
                "no path, user, query or fragment), such as https://graph.example.org"
            )
    if settings.read_timeout <= 0:
        raise BeneluxGraphError(
            f"BENELUX_READ_TIMEOUT must be a positive number of seconds, not {settings.read_timeout:g}"
        )


def options(settings: Settings) -> dict:
    """uvicorn.Config's keyword arguments for the HTTP layer."""
    return {
        "host": settings.host,
        "port": settings.port,
        "http": http_protocol(),
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies) or "",
        "server_header": False,
        "ws": "none",  # no WebSocket route: a handshake is an ordinary request (uvicorn refused it 403, empty)
    }


class ServerConfig(uvicorn.Config):
    """uvicorn's Config with the request read timeout the protocol reads (kept on the config, which uvicorn
    gives each connection's protocol and copies into each server process)."""

    def __init__(self, app, settings: Settings, **kwargs):
        super().__init__(app, **{**options(settings), **kwargs})
        self.read_timeout = settings.read_timeout


def config(app, settings: Settings, **kwargs) -> ServerConfig:
    return ServerConfig(app, settings, **kwargs)


class ServerProcess(multiprocess.Process):
    """uvicorn's server process, with the supervisor's copy of the child's end of the health-check pipe closed once
    the child has started. uvicorn keeps it open, so a process that dies while a check waits for its answer (one
    draining after a runaway: api/app.py `drain_and_exit`) leaves no end-of-file to see: the supervisor waited the
    check's whole timeout (60 s) before starting another, with no server meanwhile. (A module-level class: the
    spawned child unpickles it.)"""

    def start(self) -> None:
        super().start()
        self.child_conn.close()

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover - in the child
        super().target([own_listener(s) for s in sockets or []])


def port_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to (host, port), not listening yet; with SO_REUSEPORT when `reuse_port`."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def own_listener(inherited: socket.socket) -> socket.socket:
    """In a server process: a listening socket of its own on the supervisor's address when the supervisor bound
    it with SO_REUSEPORT (see `balanced`), else the supervisor's socket itself."""
    if not getattr(socket, "SO_REUSEPORT", None) or not inherited.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT):
        return inherited
    host, port = inherited.getsockname()[:2]
    own = port_socket(host, port, reuse_port=True)
    inherited.close()
    return own


def balanced(cfg: uvicorn.Config, processes: int) -> socket.socket:
    """The supervisor's socket. With several server processes, where the system has SO_REUSEPORT (Linux), it is
    only bound (holding the port; never listening) and each server process listens on a socket of its own bound
    beside it: the kernel spreads new connections evenly over the listening ones. On one shared listening socket
    the process whose event loop woke first accepted every connection waiting (uvloop accepts until none is left):
    a benchmark's 32 keep-alive connections all went to one of the two processes while the other idled, and the
    cached mix's p99 at c=32 was 7x its p50. (A process that stops, to drain or crash, closes its socket: the
    connections it had not accepted yet are reset, new ones go to the others until its successor listens.)"""
    if processes < 2 or not getattr(socket, "SO_REUSEPORT", None) or cfg.uds or cfg.fd is not None:
        return cfg.bind_socket()
    return port_socket(cfg.host, cfg.port, reuse_port=True)


def run(app, settings: Settings, workers: int = 1, **kwargs) -> None:
    """Serve `app`. Given as an import string (APP_FACTORY, as `serve` does), under uvicorn's supervisor even with one
    server process: this process holds the socket and starts a server process again, on the same socket, when one
    dies (a crash, the OOM killer, SIGKILL). An application object (the tests' servers) is served in this process."""
    cfg = config(app, settings, workers=workers, **kwargs)
    if isinstance(app, str):
        # the class uvicorn's supervisor makes its server processes with (a module global, read at each start)
        setattr(multiprocess, "Process", ServerProcess)  # noqa: B010
        os.environ[SUPERVISOR] = f"{os.getpid()} {workers}"  # a reload in one reaches the others (api/admin.py)
        multiprocess.Multiprocess(cfg, sockets=[balanced(cfg, workers)]).run()
        return
    server = uvicorn.Server(cfg)
    server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE: the application did not start


def error_bytes(status: int, reason: str, kind: str, message: str) -> bytes:
    """A whole HTTP answer in the project's error shape, written by the protocol itself (no application yet)."""
    body = json.dumps({"error": {"status": status, "type": kind, "message": message}}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncache-control: no-store\r\n"
        f"x-content-type-options: nosniff\r\nconnection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode() + body


# For the type checker the mixin is an H11Protocol (whose methods it extends); at run time it is a plain mixin.
if TYPE_CHECKING:
    _Protocol = H11Protocol
else:
    _Protocol = object


class ReadDeadline(_Protocol):
    """Mixed into uvicorn's HTTP protocol (h11 or httptools): a request must arrive whole within `read_timeout`
    seconds (on the config) of its first byte, or of the connection's opening, else 408; and its head (request
    line and headers) may hold at most MAX_HEAD_BYTES (httptools sets no limit at all), else 431. Either way the
    connection is then closed. The clock stops once the body is complete or the application has started
    answering."""

    _deadline = None
    _head_bytes = 0
    _draining = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._draining:  # answered already: what the client still sends is dropped until it reads the answer
            return
        before = self.cycle
        waiting = before is None or before.response_complete  # for the head of a new request
        if waiting:
            self._arm()
            if before is None or not before.more_body:  # not the rest of a body answered early (413): no head
                self._head_bytes += len(data)
        super().data_received(data)
        cycle = self.cycle
        if waiting and self._head_size(data, ended=cycle is not before) > MAX_HEAD_BYTES:
            self._answer_and_close(
                error_bytes(
                    431,
                    "Request Header Fields Too Large",
                    "head-too-large",
                    f"the request line and headers hold more than {MAX_HEAD_BYTES} bytes",
                ),
                linger=2.0,
            )
        elif cycle is not None and not cycle.response_complete and (not cycle.more_body or cycle.response_started):
            self._disarm()

    def _head_size(self, data: bytes, ended: bool) -> int:
        """Bytes of the head read so far; when it ended in `data`, up to its blank line (a body may follow in the
        same read, and a head that arrived whole is measured too, not only one still arriving)."""
        if not ended:
            return self._head_bytes
        end = data.find(b"\r\n\r\n")
        return self._head_bytes - len(data) + (end + 4 if end >= 0 else 3)  # -1: the blank line began a read before

    def send_400_response(self, msg: str) -> None:
        """What the HTTP parser cannot read (an unknown method, control characters or bytes beyond ASCII in the
        request line or a header): uvicorn's own 400 is plain text; this one is in the error shape."""
        self._answer_and_close(
            error_bytes(
                400, "Bad Request", "bad-request", "the request is not valid HTTP/1.1 (method, target or header)"
            )
        )

    def _arm(self) -> None:
        seconds = getattr(self.config, "read_timeout", None)
        if self._deadline is None and seconds:
            self._head_bytes = 0
            self._deadline = self.loop.call_later(seconds, self._expired, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, seconds: float) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete and self.cycle.response_started:
            return  # the application is answering: its own limits hold
        self._answer_and_close(
            error_bytes(
                408,
                "Request Timeout",
                "request-timeout",
                (f"the request did not arrive whole within {seconds:g} s of its first byte"),
            )
        )

    def _answer_and_close(self, answer: bytes, linger: float = 0.0) -> None:
        """Write `answer` and close; with `linger`, first read and drop what the client is still sending for up
        to that many seconds (closing on unread data resets the connection, and the client may lose the answer)."""
        self._disarm()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # what the application reads now is a disconnect, what it sends is dropped
            cycle.message_event.set()
        if self.transport.is_closing():
            return
        self.transport.write(answer)
        if linger and self.transport.can_write_eof():
            self._draining = True
            self.transport.write_eof()
            self.loop.call_later(linger, self.transport.close)
        else:
            self.transport.close()


class TimedH11Protocol(ReadDeadline, H11Protocol):
    pass


TimedHttpToolsProtocol = (
    None
    if HttpToolsProtocol is None
    else type("TimedHttpToolsProtocol", (ReadDeadline, HttpToolsProtocol), {"__module__": __name__})
)


def http_protocol() -> type:
    """uvicorn's own choice ("auto": httptools if installed, else h11), with the read deadline."""
    return TimedHttpToolsProtocol or TimedH11Protocol
