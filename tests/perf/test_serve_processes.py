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


def listening(port: int) -> int:
    """Sockets listening on `port` (/proc/net/tcp state 0A)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(int(f[1].split(":")[1], 16) == port and f[3] == "0A" for f in (line.split() for line in lines))


def established(pid: int, port: int) -> int:
    """Connections to `port` that process `pid` holds open (its socket descriptors among /proc/net/tcp's
    established ones on that local port)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def test_two_server_processes_share_a_burst_of_connections(tmp_path):
    """32 keep-alive connections opened at once, as a benchmark or a pool of clients does, are spread over both
    server processes (each listens on a socket of its own, SO_REUSEPORT): on one shared socket the process that
    woke first accepted every one waiting, and the other sat idle while its twin's p99 grew (issue 15)."""
    import socket

    with serving(tmp_path, processes=2, workers="1") as url:
        deadline = time.monotonic() + 60
        while len(found := server_processes(url.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(found) == 2, url.tail()
        port = int(url.rsplit(":", 1)[1])
        # a process listens once it has loaded the store: until both do, the first takes every connection
        while listening(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert listening(port) == 2, url.tail()
        for _ in range(3):  # three bursts: each must be shared
            conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
            try:
                for c in conns:
                    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                for c in conns:
                    assert c.recv(12).startswith(b"HTTP/1.1 200")
                shares = sorted(established(pid, port) for pid in found)
                assert sum(shares) == 32, shares
                assert shares[0] >= 6, f"connections per server process: {shares}"
            finally:
                for c in conns:
                    c.close()
