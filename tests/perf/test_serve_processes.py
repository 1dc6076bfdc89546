"""`benelux-graph serve` runs one server process per core by default (at most 2): one event loop sets the pace of
executed queries, and a second process on a second core answers them about 1.5x as fast (README, Performance)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from benelux_graph.server import MAX_DEFAULT_PROCESSES, default_processes
from support.live_server import children, serving

pytestmark = pytest.mark.server


def server_processes(supervisor: int) -> list[int]:
    """The supervisor's server processes (spawned Python children, not multiprocessing's resource tracker)."""
    found = []
    for child in children(supervisor):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            found.append(child)
    return found


def test_the_default_is_one_process_per_core_at_most_two():
    cores = len(os.sched_getaffinity(0))
    assert default_processes() == max(1, min(cores, MAX_DEFAULT_PROCESSES))


def test_serve_without_workers_runs_the_default_number_of_server_processes(tmp_path):
    with serving(tmp_path, processes=None, workers="1") as url:
        deadline = time.monotonic() + 60
        while len(found := server_processes(url.process.pid)) < default_processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(found) == default_processes(), url.tail()
        for i in range(8):  # every request answered, whichever process takes it
            r = httpx.get(url + "/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {i}"}, timeout=60)
            assert r.status_code == 200 and r.json()["boolean"] is True


def test_workers_still_sets_the_number(tmp_path):
    with serving(tmp_path, "--workers", "1", workers="1") as url:
        time.sleep(1)
        assert len(server_processes(url.process.pid)) == 1
