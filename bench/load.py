"""The load generator: a fixed number of asyncio tasks, each on its own keep-alive HTTP/1.1 connection to
127.0.0.1, sending GET requests one after another until the run's request count or time is spent.

The default client speaks HTTP/1.1 itself over asyncio streams (uvloop when installed): it costs the machine
about a tenth of what httpx costs per request, so on a small machine the client is not what limits the
servers (httpx topped out near 1,200 requests/s here, below a trivial FastAPI route). `client="httpx"` runs
the same loop with one httpx.AsyncClient per task instead.

Only 127.0.0.1 is ever a target: `run` refuses any other host. Each task connects from a loopback address of
its own (127.0.x.y), as clients on a network would: the server shares its query workers fairly between client
addresses, so that from one address all the tasks would be one client, given at most all workers but one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Outcome:
    """What one run measured."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    statuses: dict[int, int] = field(default_factory=dict)
    cache_hits: int = 0  # answers saying X-Benelux-Cache: hit
    first_error: str = ""

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)


def address(n: int) -> str:
    """A loopback address of its own for task n."""
    return f"127.0.{1 + n // 250}.{2 + n % 250}"


class Connection:
    """One keep-alive HTTP/1.1 connection: GET, read the status, headers and body (Content-Length or chunked)."""

    def __init__(self, port: int, headers: dict[str, str], local: str | None = None):
        self.port = port
        self.local = local
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            HOST, self.port, local_addr=(self.local, 0) if self.local else None
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
        if self.writer is None:
            await self.open()
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{self.extra}\r\n".encode("latin-1"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body += (await self.reader.readexactly(size + 2))[:-2]
            body = bytes(body)
        else:
            body = await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, headers, body


class HttpxConnection:
    def __init__(self, port: int, headers: dict[str, str], local: str | None = None):
        import httpx

        self.client = httpx.AsyncClient(
            base_url=f"http://{HOST}:{port}",
            headers=headers,
            timeout=60,
            transport=httpx.AsyncHTTPTransport(local_address=local),
        )

    async def get(self, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
        r = await self.client.get(path)
        return r.status_code, {k.encode(): v.encode() for k, v in r.headers.items()}, r.content

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        await self.client.aclose()


async def load(
    port: int,
    paths: Callable[[int], str],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    headers: dict[str, str] | None = None,
    client: str = "raw",
    first: int = 0,
    one_address: bool = False,
) -> Outcome:
    """Send requests paths(first), paths(first + 1), ... from `concurrency` tasks until `max_requests` were
    sent or `max_seconds` passed (requests under way then are finished and counted); every task from one client
    address when `one_address` (one client as the server sees it: a script, a notebook, a proxy)."""
    headers = {"Accept": "application/sparql-results+json", **(headers or {})}
    out = Outcome()
    counter = first
    deadline = time.perf_counter() + max_seconds
    sent = 0

    async def worker(n: int) -> None:
        nonlocal counter, sent
        local = address(0 if one_address else n)
        conn = HttpxConnection(port, headers, local) if client == "httpx" else Connection(port, headers, local)
        try:
            while sent < max_requests and time.perf_counter() < deadline:
                sent += 1
                k, counter = counter, counter + 1
                path = paths(k)
                started = time.perf_counter()
                try:
                    status, answer_headers, _ = await conn.get(path)
                except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                    conn.close()
                    if client != "httpx":
                        conn = Connection(port, headers, local)
                    out.requests += 1
                    out.errors += 1
                    out.first_error = out.first_error or f"{type(e).__name__}: {e}"
                    continue
                elapsed = time.perf_counter() - started
                out.requests += 1
                out.statuses[status] = out.statuses.get(status, 0) + 1
                if status == 200:
                    out.latencies.append(elapsed)
                    if answer_headers.get(b"x-benelux-cache") == b"hit":
                        out.cache_hits += 1
                else:
                    out.errors += 1
                    out.first_error = out.first_error or f"HTTP {status} on request {k}"
        finally:
            if isinstance(conn, HttpxConnection):
                await conn.aclose()
            else:
                conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    out.seconds = time.perf_counter() - started
    return out


def run(
    port: int,
    paths: Callable[[int], str],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    headers: dict[str, str] | None = None,
    client: str = "raw",
    first: int = 0,
    one_address: bool = False,
) -> Outcome:
    """`load` on a fresh event loop (uvloop when installed)."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is optional
        runner = asyncio.run
    return runner(load(port, paths, concurrency, max_requests, max_seconds, headers, client, first, one_address))
