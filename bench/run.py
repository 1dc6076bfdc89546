"""The benchmark: this project's endpoint against rdflib-endpoint and Virtuoso, on the same data and queries.

    python bench/run.py                  everything (about 6 minutes on 2 cores): table printed and in build/bench.md
    python bench/run.py --smoke          a few seconds: every server that is installed, tiny runs, 2k-triple scale
    python bench/run.py --no-scale       the HTTP part only;   --only-scale   the scale part only
    python bench/run.py --no-scale --only-wrk --servers benelux-graph,no-lane,virtuoso,trivial
                                         about 2 minutes: executed throughput with wrk against Virtuoso
    --mixes "generic executed,generic"   only these mixes' lines (with the above: the executed generic lines)
    --no-tests                           without the two fair-sharing tests the Targets table runs (a minute)

Servers, each its own process on 127.0.0.1 and a free port:
- benelux-graph: `benelux-graph serve` over the project's data, as it runs by default (one server process per
  core, at most 2, each with its own caches and BENELUX_WORKERS query workers);
- benelux-graph, 1 process: the same with `serve --workers 1` and 6 query workers (the default before the
  server processes were: one event loop sets the pace of executed queries);
- benelux-graph, no result cache: the first with BENELUX_CACHE_BYTES=0 (what the engine alone gives);
- benelux-graph, fast lane off: the first with BENELUX_QUERY_THREADS=0, every query handed to a worker process
  (src/benelux_graph/fastlane.py: on by default), against the default in the same run;
- rdflib-endpoint (PyPI, the closest peer): its CLI serving the same Turtle files (ontology and data);
- Virtuoso 7 (Debian's virtuoso-opensource, scripts/virtuoso.sh), loaded with the release by remote.publish and
  queried with the published union of the ontology and data graphs as default graph;
- a trivial FastAPI route under the same uvicorn settings: the ceiling of the HTTP stack on this machine.

Besides the project's own client, `wrk` (Debian's package) measures the generic and varied mixes from one client
address (bench/wrk.py), and every query is also sent with `Cache-Control: no-cache` (lines `... executed`).

Load: bench/load.py, asyncio tasks on keep-alive connections, bounded in requests and seconds, at concurrency 1,
8 and 32, GET /sparql?query=... with the same texts for every server. Mixes (bench/mix.py): "varied", every
saved query in turn with its parameters rotating over the data's entities and years (a result cache meets a
text again only after a rotation; the share of cache hits is printed), and "repeated", the saved queries at
their defaults. A query that some server cannot answer is left out of the mixes of all (listed). Cold start:
process start to the first answer over the data; memory: peak RSS of the server's processes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import load
import scale
import servers
import wrk
from mix import GenericMix, Mix

from benelux_graph.saved_queries import load_queries
from benelux_graph.server import default_processes
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore

OURS, NOCACHE, RDFLIB, VIRTUOSO, TRIVIAL = (
    "benelux-graph",
    "benelux-graph (no result cache)",
    "rdflib-endpoint",
    "virtuoso",
    "trivial-route",
)
ONE = "benelux-graph (1 process)"
NOLANE = "benelux-graph (fast lane off)"  # BENELUX_QUERY_THREADS=0: every query in a worker (the lane is on by default)
CONCURRENCY = (1, 8, 32)


#: The request header that makes this project's server run a query again rather than answer from its cache.
EXECUTED = " executed"
NO_CACHE = {"Cache-Control": "no-cache"}


@dataclass
class Row:
    server: str
    mix: str  # "varied", "repeated", "generic"; with EXECUTED appended: sent with Cache-Control: no-cache
    concurrency: int
    outcome: load.Outcome
    client: str = "many"  # "many": the project's client, a loopback address per connection; "one": one address;
    # "wrk": wrk, from 127.0.0.1


def installed_rdflib_endpoint() -> bool:
    try:
        import click  # noqa: F401
        import rdflib_endpoint  # noqa: F401
    except ImportError:
        return False
    return True


def installed_virtuoso() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def rows_of(body: bytes) -> int | None:
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    if "boolean" in doc:
        return 1
    return len(doc.get("results", {}).get("bindings", []))


def check_answers(server: servers.Server, mix: Mix) -> dict[str, int | str]:
    """Each saved query once at its defaults: rows answered, or the error status (also warms the server up)."""
    out: dict[str, int | str] = {}
    for request in mix.defaults():
        status, body = servers.get(server.url + request.path(server.extra, server.endpoint), timeout=120)
        out[request.query] = rows_of(body) if status == 200 else f"HTTP {status}"
    return out


def paths_of(server: servers.Server, mix: Mix, generic: GenericMix, kind: str, count: int) -> list[str]:
    """The first `count` request paths of a mix, as this server takes them."""
    base = kind.removesuffix(EXECUTED)
    make = {"varied": mix.varied, "repeated": mix.repeated, "generic": generic.request}[base]
    return [make(k).path(server.extra, server.endpoint) for k in range(count)]


def line(row: Row) -> None:
    o = row.outcome
    print(
        f"  {row.server:32s} {row.mix:17s} {row.client:4s} c={row.concurrency:<3d} {o.rps:9.1f} req/s  "
        f"p50 {o.p50:8.2f} ms  p99 {o.p99:8.2f} ms  hits {o.cache_hits}/{o.requests}  "
        f"errors {o.errors}{'  ' + o.first_error if o.errors else ''}",
        file=sys.stderr,
        flush=True,
    )


def measure(server: servers.Server, mix: Mix, generic: GenericMix, plan: list[tuple], args) -> list[Row]:
    """Each (mix, client, concurrencies) of the plan, one line each, every mix's paths made once."""
    rows = []
    count = min(args.requests * len(CONCURRENCY), 20_000)
    made: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    for kind, client, levels in plan:
        paths = made.get(kind)
        if paths is None:
            paths = made[kind] = paths_of(server, mix, generic, kind, count)
        headers = NO_CACHE if kind.endswith(EXECUTED) else None
        for c in levels:
            if client == "wrk":
                outcome = wrk.run(server.port, paths, c, args.seconds, headers)
            else:
                start = first.get(kind, 0)
                outcome = load.run(
                    server.port,
                    lambda k, paths=paths: paths[k % len(paths)],
                    c,
                    args.requests,
                    args.seconds,
                    headers,
                    client=args.client,
                    first=start,
                    one_address=client == "one",
                )
                first[kind] = start + outcome.requests
            rows.append(Row(server.name, kind, c, outcome, client))
            line(rows[-1])
    return rows


def plan_for(name: str, use_wrk: bool) -> list[tuple]:
    """What is measured of each server: the cached mixes at c=1, 8 and 32 from many addresses; the generic mix;
    for this project every query executed (no-cache), from many addresses, from one, and with wrk."""
    both = (8, 32)
    if name == TRIVIAL:
        return [("repeated", "many", CONCURRENCY)] + ([("repeated", "wrk", both)] if use_wrk else [])
    if name == NOCACHE:
        return [("varied", "many", CONCURRENCY)]
    if name == NOLANE:
        clients = ("many", "one", "wrk") if use_wrk else ("many", "one")
        return [(kind + EXECUTED, client, both) for kind in ("generic", "varied") for client in clients]
    if name == ONE:
        clients = ("many", "one", "wrk") if use_wrk else ("many", "one")
        out = [("varied", "many", CONCURRENCY), ("repeated", "many", CONCURRENCY)]
        return out + [("generic" + EXECUTED, client, both) for client in clients]
    out = [("varied", "many", CONCURRENCY), ("repeated", "many", CONCURRENCY), ("generic", "many", both)]
    if name == OURS:
        for kind in ("generic" + EXECUTED, "varied" + EXECUTED):
            out += [(kind, "many", both), (kind, "one", both)]
            out += [(kind, "wrk", both)] if use_wrk else []
    elif name == VIRTUOSO and use_wrk:
        out += [("generic", "wrk", both), ("varied", "wrk", both)]
    return out


def ratio(a: float, b: float | None) -> str:
    if not b or math.isnan(b) or math.isnan(a):
        return "-"
    r = a / b
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"


def peer_of(by: dict, peer: str, r: Row) -> load.Outcome | None:
    """The peer's line to compare a line with: same mix (peers have no result cache: their lines are executed
    queries), same concurrency, same client if measured so, else from many addresses."""
    mix = "repeated" if r.server == TRIVIAL else r.mix.removesuffix(EXECUTED)
    return by.get((peer, mix, r.concurrency, r.client)) or by.get((peer, mix, r.concurrency, "many"))


def table(rows: list[Row]) -> str:
    by = {(r.server, r.mix, r.concurrency, r.client): r.outcome for r in rows}
    lines = [
        (
            "| server | mix | client | concurrency | requests/s | p50 ms | p99 ms | p99/p50 | vs rdflib-endpoint | "
            "vs Virtuoso | cache hits | errors |"
        ),
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        o = r.outcome
        peer, virt = peer_of(by, RDFLIB, r), peer_of(by, VIRTUOSO, r)
        ours = r.server in (OURS, ONE, NOCACHE, NOLANE) and r.client != "wrk"
        hits = f"{100 * o.cache_hits / o.requests:.0f}%" if o.requests and ours else "-"
        lines.append(
            f"| {r.server} | {r.mix} | {r.client} | {r.concurrency} | {o.rps:.1f} | {o.p50:.2f} | {o.p99:.2f} | "
            f"{o.p99 / o.p50:.1f} | {ratio(o.rps, peer.rps if peer else None)} | "
            f"{ratio(o.rps, virt.rps if virt else None)} | {hits} | {o.errors} |"
        )
    return "\n".join(lines)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("holds" if ok else "DOES NOT HOLD")


#: Done-when lines of issue 15 that a test proves (the bench runs it): what it shows, and the test.
SHARING_TESTS = (
    (
        "one client alone on an idle server uses every worker (its parallel queries overlap)",
        "tests/reliability/test_fair_workers.py::test_over_http_a_lone_address_fills_every_worker_and_another_still_gets_one",
    ),
    (
        "a second client's cheap query starts within 100 ms while the first holds every worker",
        "tests/reliability/test_fast_lane.py::test_a_newcomers_cheap_query_starts_within_100_ms_while_others_hold_every_worker",
    ),
)


def sharing_lines() -> list[str]:
    """Run the tests of SHARING_TESTS (a minute or so): one table line each, with the test's verdict."""
    out = []
    for what, test in SHARING_TESTS:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        tail = (done.stdout.strip().splitlines() or ["no output"])[-1]
        out.append(f"| {what} | `{test.split('::')[1]}`: {tail} | {verdict(done.returncode == 0)} |")
    return out


def targets(rows: list[Row], scale_figures: dict | None, sharing: list[str] | None = None) -> list[str]:
    by = {(r.server, r.mix, r.concurrency, r.client): r.outcome for r in rows}
    out = ["| target | measured | verdict |", "| --- | --- | --- |"]

    def rps(server, mix, c, client="many"):
        o = by.get((server, mix, c, client))
        return o.rps if o else None

    # Issue 15: every query executed, against Virtuoso (its lines: the same mix, from many addresses, or wrk)
    for mix, factor in (("generic", 1.0), ("varied", 1.5)):
        for c in (8, 32):
            for client in ("many", "one", "wrk"):
                ours = rps(OURS, mix + EXECUTED, c, client)
                virt = rps(VIRTUOSO, mix, c, client) or rps(VIRTUOSO, mix, c)
                if ours is None:
                    continue
                target = f"{mix} mix, every query executed, c={c}, {client} client: >= {factor:g}x Virtuoso"
                if virt:
                    out.append(
                        f"| {target} | {ours:.0f} vs {virt:.0f} req/s = {ours / virt:.2f}x | "
                        f"{verdict(ours >= factor * virt)} |"
                    )
                else:
                    out.append(f"| {target} | Virtuoso not measured | n/a |")

    ours8 = rps(OURS, "varied", 8)
    peer8, virt8 = rps(RDFLIB, "varied", 8), rps(VIRTUOSO, "varied", 8)
    nocache8 = rps(NOCACHE, "varied", 8)
    hits = by.get((OURS, "varied", 8, "many"))
    hit_share = f"{100 * hits.cache_hits / hits.requests:.0f}% cache hits" if hits and hits.requests else ""
    if ours8 is not None and peer8:
        out.append(
            f"| varied mix, c=8: >= 50x rdflib-endpoint | {ours8:.0f} vs {peer8:.1f} req/s = "
            f"{ours8 / peer8:.0f}x ({hit_share}; without the result cache "
            f"{(nocache8 or 0) / peer8:.0f}x) | {verdict(ours8 >= 50 * peer8)} |"
        )
    else:
        out.append("| varied mix, c=8: >= 50x rdflib-endpoint | rdflib-endpoint not measured | n/a |")
    if ours8 is not None and virt8:
        out.append(
            f"| varied mix, c=8: >= 2x Virtuoso | {ours8:.0f} vs {virt8:.0f} req/s = {ours8 / virt8:.1f}x "
            f"(without the result cache {(nocache8 or 0) / virt8:.1f}x) | {verdict(ours8 >= 2 * virt8)} |"
        )
    else:
        out.append("| varied mix, c=8: >= 2x Virtuoso | Virtuoso not measured | n/a |")
    for c in CONCURRENCY:
        rep, triv = rps(OURS, "repeated", c), rps(TRIVIAL, "repeated", c)
        if rep and triv:
            out.append(
                f"| repeated queries, c={c}: within 3x of the trivial route | {rep:.0f} vs {triv:.0f} req/s "
                f"({triv / rep:.1f}x slower) | {verdict(rep * 3 >= triv)} |"
            )
    for mix in ("varied", "repeated"):
        o = by.get((OURS, mix, 32, "many"))
        if o and o.latencies:
            out.append(
                f"| {mix} mix, c=32: p99 <= 5x p50 | p50 {o.p50:.1f} ms, p99 {o.p99:.1f} ms "
                f"({o.p99 / o.p50:.1f}x) | {verdict(o.p99 <= 5 * o.p50)} |"
            )
    out += sharing or []
    if scale_figures:
        f = scale_figures
        big = f"{f['size']:,} triples"
        out.append(
            f"| {big}: load < 10 s | GraphStore.load {f['load_s']:.1f} s (+{f['merge_s']:.1f} s merging the "
            f"default graph in each query worker; pyoxigraph's bulk Store.load: {f['bulk_load_s']:.1f} s) | "
            f"{verdict(f['load_s'] < 10)} |"
        )
        out.append(
            f"| {big}: memory < 1 GB | {f['load_rss'] / 2**20:.0f} MB after loading | "
            f"{verdict(f['load_rss'] < 2**30)} |"
        )
        out.append(f"| {big}: median saved query < 50 ms | {f['median_ms']:.1f} ms | {verdict(f['median_ms'] < 50)} |")
        served = {m["workers"]: m for m in f.get("served", [])}
        if 1 in served and 4 in served:
            one, four = served[1], served[4]
            out.append(
                f"| {big}: resident memory with 4 query workers < 1.5x that with 1 | PSS {four['pss'] / 2**20:.0f} "
                f"vs {one['pss'] / 2**20:.0f} MB = {four['pss'] / one['pss']:.2f}x (RSS summed: "
                f"{four['rss'] / one['rss']:.2f}x) | {verdict(four['pss'] < 1.5 * one['pss'])} |"
            )
        out.append(
            f"| {big}: slowest saved query < 1 s | {f['slowest_ms']:.0f} ms ({f['slowest']}"
            f"{', stopped at ' + format(scale.LIMIT, 'g') + ' s' if f.get('slowest_stopped') else ''}) | "
            f"{verdict(f['slowest_ms'] < 1000)} |"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: tiny runs, 2k-triple scale")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--only-scale", action="store_true")
    parser.add_argument("--sizes", default=None, help="scale sizes, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--seconds", type=float, default=None, help="longest run (default 6, smoke 0.5)")
    parser.add_argument("--requests", type=int, default=None, help="most requests in a run (default 3000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes of benelux-graph and of the trivial route (default: serve's, one per core, at most 2)",
    )
    parser.add_argument(
        "--engine-workers",
        type=int,
        default=None,
        help="query workers per server process (BENELUX_WORKERS; default: the setting's)",
    )
    parser.add_argument(
        "--servers",
        default="benelux-graph,one-process,no-cache,no-lane,rdflib-endpoint,virtuoso,trivial",
        help="which servers, comma-separated",
    )
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--no-wrk", action="store_true", help="leave out the lines measured with wrk")
    parser.add_argument(
        "--no-tests", action="store_true", help="leave out the two fair-sharing tests the Targets table runs"
    )
    parser.add_argument(
        "--only-wrk", action="store_true", help="only the lines measured with wrk (with --no-scale: about 2 minutes)"
    )
    parser.add_argument(
        "--mixes",
        default=None,
        help="only these mixes, comma-separated (e.g. 'generic executed,generic' for the executed-throughput lines)",
    )
    parser.add_argument("--out", default=str(ROOT / "build" / "bench.md"))
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (0.5 if args.smoke else 6.0)
    args.requests = args.requests or (100 if args.smoke else 3000)
    wanted = set(args.servers.split(","))
    if args.smoke:
        wanted -= {
            "virtuoso",
            "one-process",
            "no-lane",
        }  # starting and loading Virtuoso takes longer than the smoke run
    build = ROOT / "build"
    logs = build / "bench-logs"
    started = time.monotonic()
    notes: list[str] = []
    rows: list[Row] = []
    cold: list[tuple[str, float, int]] = []

    settings = Settings.from_env(root=ROOT)
    store = GraphStore.load(settings)
    queries = load_queries(settings.queries_dir)
    if not args.only_scale:
        if "rdflib-endpoint" in wanted and not installed_rdflib_endpoint():
            notes.append("rdflib-endpoint is not installed (pip install 'rdflib-endpoint[cli]'): not measured.")
            wanted.discard("rdflib-endpoint")
        if "virtuoso" in wanted and not installed_virtuoso():
            notes.append("Virtuoso is not installed (scripts/virtuoso.sh install): not measured.")
            wanted.discard("virtuoso")
        full = Mix(store, queries)
        files = [settings.ontology_dir / "benelux.ttl"] + sorted(settings.data_dir.glob("*.ttl"))
        plan = [
            (OURS, "benelux-graph", lambda: servers.project(logs, args.workers, args.engine_workers)),
            (ONE, "one-process", lambda: servers.project(logs, 1, 6, name="benelux-graph-1-process")),
            (
                NOCACHE,
                "no-cache",
                lambda: servers.project(logs, args.workers, args.engine_workers, 0, name="benelux-graph-no-cache"),
            ),
            (
                NOLANE,
                "no-lane",
                lambda: servers.project(
                    logs,
                    args.workers,
                    args.engine_workers,
                    name="benelux-graph-no-fast-lane",
                    extra_env={"BENELUX_QUERY_THREADS": "0"},
                ),
            ),
            (RDFLIB, "rdflib-endpoint", lambda: servers.rdflib_endpoint(logs, files)),
            (VIRTUOSO, "virtuoso", lambda: servers.virtuoso(logs, Path(tempfile.mkdtemp(prefix="bench-virt-")), store)),
            (TRIVIAL, "trivial", lambda: servers.trivial(logs, args.workers)),
        ]
        running: dict[str, servers.Server] = {}
        answers: dict[str, dict] = {}
        # first every server once, to learn which queries all of them answer
        skip: set[str] = set()
        for name, key, start in plan:
            if key not in wanted or name == TRIVIAL:
                continue
            print(f"starting {name} ...", file=sys.stderr, flush=True)
            try:
                server = start()
            except Exception as e:  # noqa: BLE001 - reported in the table's notes
                notes.append(f"{name} could not be started: {e}")
                continue
            server.name = name
            answers[name] = check_answers(server, full)
            skip |= {q for q, a in answers[name].items() if isinstance(a, str)}
            running[name] = server
        mix = Mix(store, queries, skip=tuple(sorted(skip)))
        generic = GenericMix(store)
        use_wrk = wrk.installed() and not args.no_wrk
        if not use_wrk:
            notes.append("wrk is not installed (apt-get install wrk, `make bench` does): no wrk lines.")
        if skip:
            notes.append(
                "Left out of every mix, because a server answered them with an error: "
                + ", ".join(
                    f"{q} ({', '.join(f'{s}: {a[q]}' for s, a in answers.items() if isinstance(a[q], str))})"
                    for q in sorted(skip)
                )
                + "."
            )
        differ = [q for q in full.defaults() if q.query not in skip and len({a[q.query] for a in answers.values()}) > 1]
        if differ:
            notes.append(
                "Rows answered at the defaults differ between servers for: "
                + "; ".join(f"{q.query} ({', '.join(f'{s} {a[q.query]}' for s, a in answers.items())})" for q in differ)
                + "."
            )
        notes.append(f"Mix: {len(mix)} saved queries; the varied mix holds {mix.distinct()} different texts.")
        for name, key, start in plan:
            if key not in wanted:
                continue
            server = running.get(name)
            if server is None and name == TRIVIAL:
                print(f"starting {name} ...", file=sys.stderr, flush=True)
                server = start()
                server.name = name
            if server is None:
                continue
            plan_lines = plan_for(name, use_wrk)
            if args.only_wrk:
                plan_lines = [p for p in plan_lines if p[1] == "wrk"]
            if args.mixes:
                plan_lines = [p for p in plan_lines if p[0] in args.mixes.split(",")]
            rows += measure(server, mix, generic, plan_lines, args)
            server.stop()
            cold.append((name, server.cold_start, server.peak_memory()))
    scale_text, scale_figures = "", None
    if not args.no_scale:
        sizes = [int(s) for s in (args.sizes or ("2000" if args.smoke else "10000,100000,1000000")).split(",")]
        results = []
        for size in sizes:
            print(f"scale: {size:,} triples ...", file=sys.stderr, flush=True)
            served = (1,) if args.smoke else scale.SERVED_WORKERS  # the smoke run: one served measurement
            results.append(scale.run_size(size, build / "scale", 1 if args.smoke else 3, served=served))
        scale_text, scale_figures = scale.report(results)

    elapsed = time.monotonic() - started
    out = [
        (
            f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
            f"{elapsed / 60:.1f} minutes{', smoke run' if args.smoke else ''})"
        ),
        "",
    ]
    if rows:
        out += [
            "## Throughput and latency",
            "",
            (
                f"GET /sparql, {args.client} asyncio client, at most {args.requests} requests or {args.seconds:g} s "
                f"per line; benelux-graph: `serve --workers {args.workers or default_processes()}` with "
                f"{args.engine_workers or settings.workers} query workers per process (and a spare; the "
                "1-process line: `--workers 1` with 6); the trivial "
                "route, under the same uvicorn settings, answers one constant body. Client `many`: the project's "
                "client, each connection from a loopback address of its own; `one`: all from one address (one "
                "client, as the server's fair sharing sees it); `wrk`: wrk from 127.0.0.1. Mix `generic`: counts, "
                "label lookups, class counts, ASK, label search, an entity's properties over rotating constants; "
                "`... executed`: sent with `Cache-Control: no-cache`, so that this project runs every query (the "
                "peers have no result cache: their lines are compared as they are)."
            ),
            "",
            table(rows),
            "",
            "## Cold start and memory",
            "",
            "| server | process start to first answer | peak RSS |",
            "| --- | ---: | ---: |",
        ]
        out += [f"| {n} | {c:.2f} s | {m / 2**20:.0f} MB |" for n, c, m in cold]
        out.append("")
    if scale_text:
        out += [scale_text, ""]
    sharing = [] if args.smoke or args.only_wrk or args.no_tests else sharing_lines()
    out += ["## Targets", ""] + targets(rows, scale_figures, sharing) + [""]
    if notes:
        out += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    text = "\n".join(out)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
