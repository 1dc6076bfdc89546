"""The event loop's time per layer, from a py-spy profile of one server process (issue 15, the HTTP path).

    py-spy record -r 500 --native -f raw -o prof.raw -d 20 --pid <server process>   # under wrk, e.g.
    wrk -t2 -c8 -d24s -s mix.lua http://127.0.0.1:<port>                            # (bench/wrk.py's script)
    python bench/profile_layers.py prof.raw

Each sample of the main thread (the one running uvloop) goes to the first layer, walking from the innermost
frame outwards, whose rule matches a frame: its exclusive share. py-spy (not a project dependency: pip install
py-spy into a venv) pauses the process to sample it, so only the shares are meaningful, not the rate.
"""

from __future__ import annotations

import collections
import re
import sys

RULES = [
    ("socket write (syscall)", r"^write \(libc|UVStream__try_write|os_write"),
    ("logging", r"requestlog\.py|logging/__init__"),
    ("guard/parse (sparql_text, rewriting, parse cache)", r"sparql_text\.py|query_rewriting\.py|cache\.py|syntax\.py"),
    ("shape (fastlane.shape)", r"^shape \(benelux_graph/fastlane"),
    (
        "engine hand-off (lane/worker, futures)",
        r"fastlane\.py|engine\.py|query_workers\.py|query_jobs\.py|asyncio/futures|concurrent/futures|pyoxigraph",
    ),
    ("negotiation", r"negotiation\.py"),
    ("sparql handler (params, answer, headers)", r"api/sparql\.py|api/execution\.py|http_conventions\.py"),
    ("response object", r"starlette/responses\.py|starlette/datastructures"),
    ("mw Fairness", r"fairness\.py"),
    ("mw Pacing", r"pacing\.py"),
    ("mw Demotion", r"demotion\.py"),
    ("mw RequestHead/PublicOrigin/ServiceHeaders/TrailingSlash/Cors", r"api/middleware\.py|starlette/middleware/cors"),
    ("mw RateLimit", r"ratelimit\.py"),
    ("mw ReleaseSwitch", r"admin\.py"),
    ("mw Compression", r"compression\.py"),
    ("mw Parameters", r"api/parameters\.py"),
    ("Starlette/FastAPI routing, exception layers, request", r"starlette/|fastapi/"),
    ("uvicorn HTTP protocol (and server.py's read deadline)", r"uvicorn/protocols|httptools|benelux_graph/server\.py"),
]


def layers(path: str) -> tuple[int, collections.Counter]:
    main, counts = 0, collections.Counter()
    with open(path, encoding="utf-8") as raw:
        for line in raw:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            frames = stack.split(";")
            if not any("Loop__run" in f or "run_forever" in f for f in frames):
                continue  # another thread: fast-lane threads, the log writer, pipe readers
            if "epoll_pwait" in frames[-1]:  # waiting for events (--native shows it): idle, not a layer's time
                continue  # (it was counted as uvicorn's: uvicorn/server.py is below every frame of the loop)
            main += int(n)
            for frame in reversed(frames):
                hit = next((name for name, rule in RULES if re.search(rule, frame)), None)
                if hit:
                    counts[hit] += int(n)
                    break
            else:
                counts["event loop (uvloop, tasks)"] += int(n)
    return main, counts


if __name__ == "__main__":
    total, found = layers(sys.argv[1])
    print(f"main-thread samples: {total}")
    for name, n in found.most_common():
        print(f"| {name} | {100 * n / max(total, 1):.1f}% |")
