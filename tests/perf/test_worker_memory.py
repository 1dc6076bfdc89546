"""A query worker forked from the server shares the server's memory, but Oxigraph's in-memory store writes to what
a query reads (reference counts), so each query copies the pages it touches: a worker that has come to hold more
than query_workers.GROWTH of its own is replaced by a fresh fork after its answer, and memory does not grow with the
number of workers."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from benelux_graph import engine as engine_module
from benelux_graph import query_workers
from benelux_graph.engine import SPARE, QueryEngine
from benelux_graph.query_jobs import Job

#: reads and sorts every triple of the store: copies the pages that hold them (about 30 MB of the project's data)
SCAN = "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?o"
SHARE = 20_000_000


def private_dirty(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("Private_Dirty:"))


def settled(engine, count: int, timeout: float = 30.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while len(engine.worker_pids) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return engine.worker_pids


@pytest.fixture
def engine_with_growth(settings, store, monkeypatch):
    def start(growth: int, keep_every: float = 3600) -> QueryEngine:
        monkeypatch.setattr(query_workers, "GROWTH", growth)  # the forked workers inherit it
        monkeypatch.setattr(engine_module, "KEEP_EVERY", keep_every)  # the idle workers' check: off unless asked
        engine = QueryEngine(replace(settings, workers=1, query_threads=0), store)
        engine.start()
        engines.append(engine)
        return engine

    engines: list[QueryEngine] = []
    yield start
    for engine in engines:
        engine.close()


def test_a_worker_that_copied_more_than_its_share_is_replaced_after_its_answer(engine_with_growth):
    """A share of 1 byte: whatever a worker comes to hold of its own after its fork is more (what a worker holds
    right after it is forked depends on the state of the process it is forked from, here pytest's after the tests
    before; a worker within its share is kept: the next test)."""
    engine = engine_with_growth(1)
    before = settled(engine, 1 + SPARE)
    answer = engine.run(Job(SCAN, max_rows=100_000), 20)
    assert len(answer.rows) > 10_000 and not answer.truncated  # answered in full before its worker went
    after = settled(engine, 1 + SPARE)
    assert len(after) == 1 + SPARE and len(before - after) == 1  # the worker that ran it, replaced by a fresh fork
    assert engine.run(Job("ASK { ?s ?p ?o }"), 20).boolean is True


def test_a_worker_within_its_share_is_kept(engine_with_growth):
    engine = engine_with_growth(query_workers.GROWTH)
    before = settled(engine, 1 + SPARE)
    for _ in range(3):
        engine.run(Job(SCAN), 20)
    assert settled(engine, 1 + SPARE) == before  # no fork for a worker holding little of its own


def test_idle_workers_left_holding_pages_the_server_rewrote_are_replaced(engine_with_growth):
    """The server's own writes after a fork leave the old pages to the workers forked before, each its own copy:
    idle workers holding more than their share that way are replaced too, though they ran no query."""
    ballast = bytearray(2 * SHARE)
    ballast[:: query_workers.PAGE] = b"a" * len(range(0, len(ballast), query_workers.PAGE))  # resident before the fork
    engine = engine_with_growth(SHARE, keep_every=0.2)
    before = settled(engine, 1 + SPARE)
    fresh = max(private_dirty(p) for p in before)  # what a worker holds when it is forked (not the ballast)
    ballast[:: query_workers.PAGE] = b"b" * len(range(0, len(ballast), query_workers.PAGE))  # copied on write here
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pids = settled(engine, 1 + SPARE)
        if len(pids) == 1 + SPARE and not pids & before:
            break
        time.sleep(0.2)
    pids = engine.worker_pids
    assert len(pids) == 1 + SPARE and not pids & before, (before, pids)  # each held the old ballast: replaced
    assert max(private_dirty(p) for p in pids) < fresh + SHARE  # the new forks do not hold the old ballast
    assert engine.run(Job("ASK { ?s ?p ?o }"), 20).boolean is True
