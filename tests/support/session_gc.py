"""The garbage collector in a test process (tests/conftest.py loads this hook).

A test process holds up to a million objects for the whole session: the libraries, the collected tests, the
session fixtures and what the applications cache (stores, rdflib graphs, pages). Each of Python's full collections
walks them all (0.4 s), and pySHACL and rdflib make garbage fast enough for about 35 of them: 15 of a `make check`
worker's 50 s of CPU. So what exists once the tests are collected is moved out of the collector's reach
(gc.freeze, as the server does after its startup, api/app.py), and a full collection waits for 100 younger ones
instead of 10: cyclic garbage lives a little longer, in memory only."""

from __future__ import annotations

import gc


def pytest_collection_finish(session) -> None:
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)


def out_of_reach() -> None:
    """Before a latency measurement made in the test process: what exists now is moved out of the collector's reach,
    so that a full collection during the measurement walks only what the measurement creates. Late in `make test`
    one walk of everything takes 0.4 s or more, and one falling inside a measured window paused the measuring
    client: counted as the server's latency, it alone made a p99 (test_load failed twice in three CI runs, passing
    at 1.6x when run alone)."""
    gc.collect()
    gc.freeze()
