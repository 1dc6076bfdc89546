"""What each saved query costs the engine, as the varied mix sends it (issue 15, the saved-query mix executed).

    python bench/saved_costs.py [rotations]      # default 20: each query with its first 20 parameter values

Over the store as a server process holds it (query_jobs.local_store: the default graphs merged), each request of
the varied mix (bench/mix.py, the bench's rotation) is run twice in this thread: as a fast-lane thread runs it
(query_jobs.run_in_thread: pyoxigraph's own JSON writer) and as a worker does (run_here: rows read in Python,
then written). CPU time of this thread (time.thread_time: the machine's other load does not count), the second
of two runs (the first warms the caches of the query just before). The lane is the fast lane's rule
(fastlane.py): a thread once a worker ran the shape in less than FAST and its answers were never longer than
LANE_BYTES. The share is of the mix's engine time (each query is 1/Q of the requests).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from mix import Mix

from benelux_graph.fastlane import FAST, LANE_BYTES
from benelux_graph.query_jobs import Job, local_store, run_here, run_in_thread
from benelux_graph.saved_queries import load_queries
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore


def cpu_ms(run, store, job: Job) -> tuple[float, int]:
    run(store, job)
    start = time.thread_time()
    result = run(store, job)
    return (time.thread_time() - start) * 1000, len(result.body or b"")


def main(argv: list[str]) -> int:
    rotations = int(argv[0]) if argv else 20
    settings = Settings.from_env(root=ROOT)
    store = GraphStore.load(settings)
    mix = Mix(store, load_queries(settings.queries_dir))
    served = local_store(str(store.snapshot()), {g: str(p) for g, p in store.files.items()}, store.release)
    costs: dict[str, dict[str, list]] = {}
    for k in range(len(mix) * rotations):
        request = mix.varied(k)
        job = Job(request.text, formats=("json", None), max_rows=settings.max_rows, max_bytes=settings.max_answer_bytes)
        thread, size = cpu_ms(run_in_thread, served, job)
        worker, _ = cpu_ms(run_here, served, job)
        c = costs.setdefault(request.query, {"thread": [], "worker": [], "bytes": []})
        c["thread"].append(thread)
        c["worker"].append(worker)
        c["bytes"].append(size)
    total = sum(statistics.median(c["thread"]) for c in costs.values())
    print("| saved query | thread ms (median) | worker ms (median) | answer bytes (median / max) | lane | share |")
    print("| --- | ---: | ---: | ---: | --- | ---: |")
    for name, c in sorted(costs.items(), key=lambda item: -statistics.median(item[1]["thread"])):
        thread, worker = statistics.median(c["thread"]), statistics.median(c["worker"])
        lane = "thread" if max(c["bytes"]) <= LANE_BYTES and worker < FAST * 1000 else "worker"
        print(
            f"| {name} | {thread:.2f} | {worker:.2f} | {int(statistics.median(c['bytes']))} / {max(c['bytes'])} "
            f"| {lane} | {thread / total:.1%} |"
        )
    print(f"\nMean engine CPU per request of the mix (thread path): {total / len(costs):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
