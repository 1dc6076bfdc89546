"""A bounded load test on a real uvicorn server (a subprocess on 127.0.0.1) with an async httpx client: the saved
queries (and a few direct SPARQL queries) at a fixed number of concurrent clients, every loop bounded in time.

- zero failed requests;
- while one more client hammers runaway queries (cross joins that run into the time limit, each killing its
  worker; LOAD_RUNAWAY_QUERIES of them at once, default 4), the other clients' p99 stays within a factor of its
  normal value (twice in the full form; CI asserts LOAD_FACTOR, default 4, since timings wobble on a shared
  machine) — the numbers are printed. The server runs with a query budget (`query_budget`, LOAD_BUDGET seconds
  of query time per minute and client, default 12).

The engine shares its workers fairly between client addresses (one holds at most all but one), so the hostile
client's queries run one at a time on the default two workers, however many it sends. What fairness cannot
share is the CPU: a runaway query keeps one of two CPUs busy for its whole time limit, and this client process
needs about one itself, so without a budget the others' p99 still grows two- to fourfold here.

Most requests of the mix are answered from the result cache, without a worker; `--uncached` sends every request
with `Cache-Control: no-cache`, so that each runs in a worker and competes with the runaway ones for the workers.

Each client has its own loopback address (127.0.x.y), as clients on a network would: the rate limit, the query
budget and the engine's fair sharing are per address.

CI form: LOAD_SECONDS=10, LOAD_CLIENTS=32 (the defaults). Full form (the issue's 60 s at 64 clients):
`python tests/reliability/test_load.py --seconds 60 --clients 64` (or `make load`), which prints the same report
and exits 1 on a failed request or a p99 beyond twice its normal value.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from support.aio import run_async as run
from support.session_gc import out_of_reach

sys.path.insert(0, str(Path(__file__).resolve().parent))

SECONDS = float(os.environ.get("LOAD_SECONDS", "10"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "32"))
FACTOR = float(os.environ.get("LOAD_FACTOR", "4"))
BUDGET = float(os.environ.get("LOAD_BUDGET", "12"))
RUNAWAY_QUERIES = int(os.environ.get("LOAD_RUNAWAY_QUERIES", "4"))
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DIRECT = [
    "SELECT ?l { bxr:benelux-union skos:prefLabel ?l }",
    "SELECT ?s (COUNT(?o) AS ?n) { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n) LIMIT 10",
    "ASK { bxr:benelux-union ?p ?o }",
    "CONSTRUCT WHERE { bxr:greater-region ?p ?o }",
]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    runaway: dict[int, int] = field(default_factory=dict)

    def p(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, name: str, seconds: float) -> str:
        return (
            f"{name}: {len(self.latencies)} requests in {seconds:.0f} s ({len(self.latencies) / seconds:.0f}/s), "
            f"{len(self.failures)} failed, p50 {self.p(0.5) * 1000:.0f} ms, p99 {self.p(0.99) * 1000:.0f} ms, "
            f"max {max(self.latencies, default=0) * 1000:.0f} ms"
            + (f"; runaway answers {self.runaway}" if self.runaway else "")
        )


def query_mix(saved: list[dict]) -> list[tuple[str, dict]]:
    """(path, params) of the mix: every saved query at its defaults and with varied years and languages, and
    a few direct queries."""
    mix: list[tuple[str, dict]] = []
    for q in saved:
        mix.append((f"/api/queries/{q['name']}", {}))
        for p in q["params"]:
            if p["type"] == "year":
                mix += [(f"/api/queries/{q['name']}", {p["name"]: str(y)}) for y in (2021, 2024, 2026, 2028)]
            if p["type"] == "lang":
                mix += [(f"/api/queries/{q['name']}", {p["name"]: lang}) for lang in ("en", "fr", "de")]
    mix += [("/sparql", {"query": text}) for text in DIRECT]
    return mix


def address(n: int) -> str:
    """A loopback address of its own for client n."""
    return f"127.0.{1 + n // 250}.{2 + n % 250}"


async def run_load(
    url: str, seconds: float, clients: int, runaway: int = 0, seed: int = 7, uncached: bool = False
) -> Stats:
    """`clients` clients sending the query mix one request after another, each from its own address, and with
    `runaway` > 0 one more client sending that many runaway queries at once, all from one address. `uncached`:
    every request says `Cache-Control: no-cache`, so that each runs in a worker (otherwise most are answered
    from the result cache, and a runaway client competes with them for the CPU only)."""
    headers = {"Cache-Control": "no-cache"} if uncached else {}
    stats = Stats()
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        mix = query_mix((await http.get("/api/queries")).json())
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        transport = httpx.AsyncHTTPTransport(local_address=address(n))
        async with httpx.AsyncClient(base_url=url, timeout=60, transport=transport) as http:
            while time.monotonic() < deadline:
                path, params = rng.choice(mix)
                start = time.perf_counter()
                try:
                    r = await http.get(path, params=params, headers=headers)
                    ok = r.status_code == 200
                    why = f"{r.status_code} {path} {params}: {r.text[:200]}"
                except httpx.HTTPError as e:
                    ok, why = False, f"{type(e).__name__} {path} {params}"
                stats.latencies.append(time.perf_counter() - start)
                if not ok:
                    stats.failures.append(why)

    async def hammer(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            try:
                r = await http.get("/sparql", params={"query": RUNAWAY, "timeout": "1"})
                stats.runaway[r.status_code] = stats.runaway.get(r.status_code, 0) + 1
                if r.status_code == 429:
                    await asyncio.sleep(0.05)  # a hostile client does not wait the Retry-After
            except httpx.HTTPError:
                stats.runaway[0] = stats.runaway.get(0, 0) + 1

    limits = httpx.Limits(max_connections=max(1, runaway))
    transport = httpx.AsyncHTTPTransport(local_address="127.0.99.99", limits=limits)
    async with httpx.AsyncClient(base_url=url, timeout=60, transport=transport) as hostile:
        await asyncio.gather(*(client(n) for n in range(clients)), *(hammer(hostile) for _ in range(runaway)))
    return stats


def load_report(
    url: str, seconds: float, clients: int, runaway: int = RUNAWAY_QUERIES, uncached: bool = False
) -> tuple[Stats, Stats]:
    run(run_load(url, 2, min(clients, 8)))  # warm up: workers, caches, pages
    out_of_reach()  # no full collection of the test process's objects inside a measured window
    normal = run(run_load(url, seconds, clients, uncached=uncached))
    print("\n" + normal.line(f"normal, {clients} clients", seconds))
    out_of_reach()
    hammered = run(run_load(url, seconds, clients, runaway=runaway, uncached=uncached))
    print(hammered.line(f"with a runaway client ({runaway} at once), {clients} clients", seconds))
    print(
        f"p99 ratio {hammered.p(0.99) / normal.p(0.99):.2f} (median latency {statistics.median(normal.latencies) * 1000:.1f}"
        f" ms -> {statistics.median(hammered.latencies) * 1000:.1f} ms)"
    )
    return normal, hammered


@pytest.mark.server
def test_load_without_failures_and_runaway_clients_do_not_hurt_others():
    from reliability_support import ServerProcess

    with ServerProcess(workers=2, query_timeout=10.0, query_budget=BUDGET) as server:
        normal, hammered = load_report(server.url, SECONDS, CLIENTS)
        assert not normal.failures, normal.failures[:5]
        assert not hammered.failures, hammered.failures[:5]
        assert len(normal.latencies) > SECONDS * 10  # it did run
        assert hammered.runaway.get(503, 0) >= 1  # the runaway queries did run into the limit
        # normal p99 taken as at least 0.1 s: in 10 s on a shared machine it is 0.06 s in one run and 0.17 s in
        # the next, which alone would move the ratio threefold
        assert hammered.p(0.99) <= FACTOR * max(normal.p(0.99), 0.1), (hammered.p(0.99), normal.p(0.99))
        assert httpx.get(server.url + "/healthz", timeout=30).json()["status"] == "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="query worker processes of the server")
    parser.add_argument("--factor", type=float, default=2.0, help="allowed p99 growth under a runaway client")
    parser.add_argument(
        "--query-budget",
        type=float,
        default=BUDGET,
        help="the server's query_budget (seconds per minute and client; 0: none)",
    )
    parser.add_argument(
        "--runaway-queries", type=int, default=RUNAWAY_QUERIES, help="runaway queries the hostile client sends at once"
    )
    parser.add_argument(
        "--uncached", action="store_true", help="every request with Cache-Control: no-cache (each runs in a worker)"
    )
    parser.add_argument("--url", help="an already running server (default: start one on a free port)")
    args = parser.parse_args()
    if args.url:
        normal, hammered = load_report(args.url, args.seconds, args.clients, args.runaway_queries, args.uncached)
    else:
        from reliability_support import ServerProcess

        with ServerProcess(workers=args.workers, query_timeout=10.0, query_budget=args.query_budget) as server:
            normal, hammered = load_report(server.url, args.seconds, args.clients, args.runaway_queries, args.uncached)
    bad = normal.failures + hammered.failures
    for line in bad[:10]:
        print("failed:", line)
    ratio = hammered.p(0.99) / max(normal.p(0.99), 0.05)
    return 1 if bad or ratio > args.factor else 0


if __name__ == "__main__":
    sys.exit(main())
