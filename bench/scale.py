"""Scale: the embedded engine on synthetic graphs of 10k, 100k and 1M triples (bench/synthetic.py).

    python bench/scale.py [--sizes 10000,100000,1000000] [--runs 3]

For each size, in a fresh process (so that its memory is its own): the load as the server does it
(GraphStore.load of every file, then the query workers' merged default graph), the peak resident memory, and
the latency of every saved query at its default parameters as a query worker runs it (engine.execute, answers
cut at the row cap), median of `--runs` runs (one when a run takes more than two seconds). For comparison it
also times pyoxigraph's own bulk parser (Store.load of the same files), which GraphStore.load does not use.
Prints one table per size and one of how each query grows.

The times are wall-clock: on a two-core machine that is running other work they can be twice as long, so compare
runs made under the same load (`uptime`). What made saved queries slow on Oxigraph 0.5 (see the comments in
queries/*.rq): a UNION, an OPTIONAL of more than one pattern, or a sub-SELECT next to a parameter's VALUES is
evaluated on its own, over the whole graph, and then hash-joined; a FILTER on a parameter applies only after the
group's patterns are all joined; a BIND in a UNION branch to a variable bound outside it keeps the branch from
running per row; a path with neither end bound visits every node. ORDER BY decodes both IRIs or strings at every
comparison, so sorting tens of thousands of rows takes a few hundred milliseconds by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
SLOW = 2.0  # seconds: a query this slow is run once
#: Seconds a saved query may run here (the server's default time limit): one still running then is recorded at
#: this time, marked `stopped`, and left to its thread (pyoxigraph cannot be interrupted) until this measuring
#: process ends (os._exit). Unbounded, one slow query at 1M triples kept `make bench` waiting for tens of minutes.
LIMIT = 10.0


def measure(folder: Path, runs: int) -> dict:
    """In this process: load the synthetic project in `folder` and time every saved query."""
    import pyoxigraph as ox
    from mix import Mix

    from benelux_graph.query_jobs import Job, execute, merge_default_graph
    from benelux_graph.saved_queries import load_queries
    from benelux_graph.settings import Settings
    from benelux_graph.store import GraphStore, graph_name, project_files

    settings = Settings(root=folder)
    started = time.perf_counter()
    store = GraphStore.load(settings)
    loaded = time.perf_counter() - started
    triples = len(store)
    data_triples = sum(
        1 for g in store.graphs("data") for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    )
    load_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    merge_default_graph(store)
    merged = time.perf_counter() - started
    merged_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    started = time.perf_counter()
    bulk = ox.Store()
    for path in project_files(settings):
        bulk.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_name(path, settings)))
    bulk_seconds = time.perf_counter() - started
    del bulk

    mix = Mix(store, load_queries(settings.queries_dir))
    queries = {}
    for request in mix.defaults():
        job = Job(request.text, max_rows=settings.max_rows)
        times, result = [], None
        stopped = False
        for _ in range(runs):
            t = time.perf_counter()
            pool = ThreadPoolExecutor(1)
            try:
                result = pool.submit(execute, store, job).result(timeout=LIMIT)
            except FutureTimeout:
                stopped = True
            pool.shutdown(wait=False)
            times.append(time.perf_counter() - t)
            if times[-1] > SLOW or stopped:
                break
        queries[request.query] = {
            "ms": statistics.median(times) * 1000,
            "rows": result.size if result is not None and not stopped else 0,
            "truncated": result.truncated if result is not None and not stopped else False,
            "stopped": stopped,
        }
    return {
        "triples": triples,
        "data_triples": data_triples,
        "load_s": loaded,
        "merge_s": merged,
        "bulk_load_s": bulk_seconds,
        "load_rss": load_rss,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "merged_rss": merged_rss,
        "queries": queries,
    }


#: Query workers of the served measurements (memory with 1 and with 4).
SERVED_WORKERS = (1, 4)


def run_size(size: int, workdir: Path, runs: int, seed: int = 1, served: tuple[int, ...] = SERVED_WORKERS) -> dict:
    """Generate the synthetic project of `size` triples and measure it in a fresh process."""
    from synthetic import write_project  # bench/ is on sys.path (run.py)

    folder = workdir / f"synthetic-{size}"
    started = time.perf_counter()
    write_project(folder, size, seed=seed, source_root=ROOT)
    generated = time.perf_counter() - started
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder), "--runs", str(runs)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {size} triples failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["size"], result["generate_s"] = size, generated
    result["served"] = [served_memory(folder, w) for w in served]
    return result


def pss(pid: int) -> int:
    """Proportional resident memory of one process, in bytes (shared pages divided among their sharers)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def served_memory(folder: Path, workers: int) -> dict:
    """`benelux-graph serve` over a synthetic project with `workers` query workers: seconds to the first answer,
    then, after the saved queries ran in the workers, the resident memory of the server's process tree, summed as
    RSS (shared pages counted in every process) and as PSS (counted once)."""
    import servers
    from mix import bound_text

    from benelux_graph.engine import SPARE
    from benelux_graph.saved_queries import load_queries

    logs = ROOT / "build" / "bench-logs"
    port = servers.free_port()
    env = {"BENCH_PORT": str(port), "BENELUX_PORT": str(port), "BENELUX_HOST": servers.HOST}
    env |= {"BENELUX_ROOT": str(folder), "BENELUX_WORKERS": str(workers)}
    # one server process: what is compared is the query workers of a process (serve's default runs one per core,
    # each with its own store and workers: the tree's memory doubles on 2 cores, the 4-to-1 ratio stays)
    argv = [sys.executable, "-m", "benelux_graph", "serve", "--workers", "1"]
    server = servers.spawn(f"scale-{workers}-workers", argv, env, logs)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            status, body = servers.get(server.url + "/healthz", "application/json")
            if status == 200 and json.loads(body).get("workers", 0) >= workers + SPARE:
                break
            time.sleep(0.2)

        def run(text: str) -> None:
            request = urllib.request.Request(
                server.url + "/sparql?" + urllib.parse.urlencode({"query": text}),
                headers={"Accept": "application/sparql-results+json", "Cache-Control": "no-cache"},
            )
            try:
                urllib.request.urlopen(request, timeout=120).read()
            except OSError:
                pass

        # Each saved query `workers` times at once, each a shape of its own (a comment): new shapes run in the
        # workers (not in the fast lane), spread over them.
        with ThreadPoolExecutor(workers) as pool:
            for q in load_queries(folder / "queries").values():
                texts = [bound_text(q, {}) + f"\n# run {chr(97 + i)}" for i in range(workers)]
                list(pool.map(run, texts))
        tree = [server.pid, *servers.children(server.pid)]
        return {
            "workers": workers,
            "ready_s": server.cold_start,
            "rss": sum(servers.rss(p) for p in tree),
            "pss": sum(pss(p) for p in tree),
        }
    finally:
        server.stop()


def mb(n: float) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def report(results: list[dict]) -> tuple[str, dict]:
    """Markdown tables, and the figures the targets need (for the largest size)."""
    lines = [
        "## Scale: the embedded engine on synthetic graphs",
        "",
        (
            "| size | data triples | store triples | GraphStore.load | + merged default graph | pyoxigraph bulk "
            "load (not used) | memory after load | peak memory | median query | p90 query | slowest query |"
        ),
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        times = sorted(q["ms"] for q in r["queries"].values())
        slowest = max(r["queries"].items(), key=lambda kv: kv[1]["ms"])
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        lines.append(
            f"| {r['size']:,} | {r['data_triples']:,} | {r['triples']:,} | {r['load_s']:.2f} s | "
            f"{r['merge_s']:.2f} s | {r['bulk_load_s']:.2f} s | {mb(r['load_rss'])} | {mb(r['peak_rss'])} | "
            f"{statistics.median(times):.1f} ms | {p90:.1f} ms | {slowest[1]['ms']:.0f} ms "
            f"({slowest[0]}{', stopped at the limit' if slowest[1].get('stopped') else ''}) |"
        )
    lines += [
        "",
        (
            "Latency of each saved query (default parameters; median ms, rows in brackets; * cut at the "
            "row cap) and its growth from the smallest to the largest size:"
        ),
        "",
        "| query | " + " | ".join(f"{r['size']:,}" for r in results) + " | growth |",
        "| --- | " + " | ".join("---:" for _ in results) + " | ---: |",
    ]
    for name in results[0]["queries"]:
        cells = []
        for r in results:
            q = r["queries"][name]
            cells.append(f"{q['ms']:.1f} ({q['rows']}{'*' if q['truncated'] else ''})")
        first, last = results[0]["queries"][name]["ms"], results[-1]["queries"][name]["ms"]
        growth = f"{last / first:.0f}x" if first > 0 else "-"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {growth} |")
    if len(results) > 1:
        a, b = results[0], results[-1]
        factor = b["data_triples"] / a["data_triples"]
        ta = statistics.median(q["ms"] for q in a["queries"].values())
        tb = statistics.median(q["ms"] for q in b["queries"].values())
        lines += [
            "",
            (
                f"From {a['size']:,} to {b['size']:,} triples ({factor:.0f}x the data): load time x"
                f"{b['load_s'] / a['load_s']:.0f}, memory x{b['load_rss'] / a['load_rss']:.1f}, median query "
                f"x{tb / ta:.0f}."
            ),
        ]
    lines += [
        "",
        "Served (`benelux-graph serve`, each saved query run once per worker, no-cache): memory of the whole "
        "process tree (server and query workers) by the number of query workers (plus the spare); PSS counts a "
        "page shared by several processes once, RSS in every one of them:",
        "",
        "| size | query workers | cold start | RSS | PSS |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for m in r.get("served", []):
            lines.append(f"| {r['size']:,} | {m['workers']} | {m['ready_s']:.1f} s | {mb(m['rss'])} | {mb(m['pss'])} |")
    last = results[-1]
    times = [q["ms"] for q in last["queries"].values()]
    figures = {
        "size": last["size"],
        "load_s": last["load_s"],
        "load_rss": last["load_rss"],
        "median_ms": statistics.median(times),
        "slowest_ms": max(times),
        "slowest": max(last["queries"], key=lambda n: last["queries"][n]["ms"]),
        "slowest_stopped": any(q.get("stopped") for q in last["queries"].values()),
        "bulk_load_s": last["bulk_load_s"],
        "merge_s": last["merge_s"],
        "served": last.get("served", []),
    }
    return "\n".join(lines), figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default=str(ROOT / "build" / "scale"))
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure one folder, print JSON
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.runs)), flush=True)
        sys.stderr.flush()
        os._exit(0)  # a query stopped at LIMIT still runs in its thread: end without waiting for it
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = []
    for size in sizes:
        print(f"scale: {size:,} triples ...", file=sys.stderr, flush=True)
        results.append(run_size(size, Path(args.workdir), args.runs))
    text, _ = report(results)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
