"""The SPARQL engine's limits under attack (issue 13), over HTTP against real uvicorn servers with real query
workers: a client's tiny `timeout` does not buy a worker's death, a killed worker costs the client's query budget
the full time limit, answers are capped in bytes as well as rows, a query that needs too much memory stops its
worker only, a worker that crashes (SIGKILL, SIGSEGV) fails its own request only, and a server process that dies
under `benelux-graph serve` is started again on the same port."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import threading
import time
import uuid

import httpx
import pyoxigraph as ox
import pytest
from reliability_settings import reliability_settings
from reliability_support import LiveServer

from benelux_graph.engine import SPARE
from support.live_server import children, serving

pytestmark = pytest.mark.server

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MAX_BYTES = 100_000


def doubling(times: int) -> str:
    """A 1 KB query whose one answer is a string of 16 x 2^times characters."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(times))
    return f'SELECT ?x {{ BIND("0123456789abcdef" AS ?x0) {binds} BIND(?x{times} AS ?x) }}'


@pytest.fixture(scope="module")
def limited(settings, store):
    s = reliability_settings(
        settings,
        workers=2,
        query_timeout=3.0,
        min_query_timeout=1.0,
        query_budget=60,
        max_answer_bytes=MAX_BYTES,
        query_memory=300_000_000,
    )
    with LiveServer(s, store) as server:
        server.wait_for_workers(2)
        yield server


def from_address(server, address: str) -> httpx.Client:
    """A client from another loopback address: its own share of the workers and its own query budget."""
    return httpx.Client(base_url=server.url, timeout=60, transport=httpx.HTTPTransport(local_address=address))


def error_of(r: httpx.Response, status: int, kind: str) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json") and "Traceback" not in r.text
    error = r.json()["error"]
    assert error["type"] == kind, error
    return error["message"]


# --- the timeout floor and the query budget -------------------------------------------------------------------


def test_a_tiny_timeout_does_not_kill_a_worker(limited):
    pids = limited.engine.worker_pids
    with from_address(limited, "127.0.0.11") as c:
        for _ in range(5):
            r = c.get("/sparql", params={"query": f"ASK {{}} #{uuid.uuid4()}", "timeout": "1e-6"})
            assert r.status_code == 200 and r.json()["boolean"] is True, r.text
        assert c.get("/healthz").json()["workers"] == 2 + SPARE
    assert limited.engine.worker_pids == pids  # no worker was killed and started again


def test_the_timeout_floor_still_stops_a_runaway_query(limited):
    with from_address(limited, "127.0.0.12") as c:
        start = time.monotonic()
        message = error_of(c.get("/sparql", params={"query": CROSS_JOIN, "timeout": "1e-6"}), 503, "query-timeout")
        assert 0.9 < time.monotonic() - start < 2.9 and "1 s" in message  # the floor, not 1e-6 s nor 3 s
    limited.wait_for_workers(2)


def test_a_killed_worker_costs_the_full_time_limit_of_the_budget(limited):
    # 60 s a minute (1 s a second), at most 10 s saved up: each runaway is stopped after 1 s (the floor) but
    # charged 3 s (the server's limit), about 2 s more than comes back meanwhile: the client is soon refused.
    # (Charged only the time it held its worker, it would never be.)
    # (A 503 for a worker still starting after the previous kill is not the client's doing, and costs nothing.)
    with from_address(limited, "127.0.0.13") as c:
        kinds = []
        while "query-time-exhausted" not in kinds and len(kinds) < 12:
            r = c.get("/sparql", params={"query": CROSS_JOIN + f" #{len(kinds)}", "timeout": "0.001"})
            kinds.append(r.json()["error"]["type"])
        assert kinds[-1] == "query-time-exhausted" and r.status_code == 429, kinds
        assert set(kinds[:-1]) <= {"query-timeout", "engine-unavailable"}, kinds
        assert 3 <= kinds.count("query-timeout") <= 6, kinds
        with from_address(limited, "127.0.0.14") as other:  # someone else is still served
            assert other.get("/sparql", params={"query": "ASK { ?s ?p ?o } #other"}).status_code == 200
    limited.wait_for_workers(2)


# --- answers capped in bytes ----------------------------------------------------------------------------------


def test_a_doubling_query_gets_a_cut_answer_not_megabytes(limited):
    with from_address(limited, "127.0.0.15") as c:
        r = c.get("/sparql", params={"query": doubling(20)})  # one 16 MB string
        assert r.status_code == 200, r.text
        assert len(r.content) <= MAX_BYTES
        assert r.headers["x-benelux-truncated"] == "true" and r.headers["x-benelux-byte-limit"] == str(MAX_BYTES)
        assert r.json()["truncated"] is True


SELECT_MANY = "SELECT ?s ?p ?o ?x { ?s ?p ?o . VALUES ?x { 1 2 3 } }"  # some 13,000 rows, about 2 MB
CONSTRUCT_MANY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"  # 4,354 triples, about 800 KB


@pytest.mark.parametrize(
    "query, fmt",
    [
        (SELECT_MANY, "json"),
        (SELECT_MANY, "xml"),
        (SELECT_MANY, "csv"),
        (SELECT_MANY, "tsv"),
        (CONSTRUCT_MANY, "turtle"),
        (CONSTRUCT_MANY, "ntriples"),
        (CONSTRUCT_MANY, "jsonld"),
        (CONSTRUCT_MANY, "rdfxml"),
        (CONSTRUCT_MANY, "trig"),
    ],
)
def test_answers_are_cut_at_the_byte_limit_in_every_format_and_still_parse(limited, query, fmt):
    with from_address(limited, "127.0.0.16") as c:
        r = c.get(
            "/sparql", params={"query": query, "format": fmt, "timeout": "3"}, headers={"Cache-Control": "no-cache"}
        )
    assert r.status_code == 200, r.text
    assert MAX_BYTES / 2 < len(r.content) <= MAX_BYTES, len(r.content)  # cut, and not much more than needed
    assert r.headers["x-benelux-truncated"] == "true"
    text = r.content.decode("utf-8")
    if fmt == "json":
        assert json.loads(text)["truncated"] is True
    elif fmt == "xml":
        assert text.rstrip().endswith("</sparql>")
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))
        assert len(rows) > 100
    else:
        rdf = {
            "turtle": ox.RdfFormat.TURTLE,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD,
            "rdfxml": ox.RdfFormat.RDF_XML,
            "trig": ox.RdfFormat.TRIG,
        }[fmt]
        assert len(list(ox.parse(r.content, format=rdf))) > 100


# --- memory ---------------------------------------------------------------------------------------------------


def test_a_query_needing_too_much_memory_stops_its_worker_only(limited):
    with from_address(limited, "127.0.0.17") as c:
        message = error_of(c.get("/sparql", params={"query": doubling(26)}), 503, "query-out-of-memory")  # 1 GB
        assert "300 MB" in message
        for i in range(3):  # the next queries are answered, by the other worker and the fresh one
            r = c.get("/sparql", params={"query": f"ASK {{ bxr:benelux-union ?p ?o }} #{i}"})
            assert r.status_code == 200 and r.json()["boolean"] is True
    limited.wait_for_workers(2)


# --- crashes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV], ids=["SIGKILL", "SIGSEGV"])
def test_a_worker_crashing_mid_query_fails_that_request_only(limited, sig):
    limited.wait_for_workers(2)
    outcome = {}

    def runaway():
        with from_address(limited, "127.0.0.18") as c:
            outcome["r"] = c.get("/sparql", params={"query": CROSS_JOIN + f" #{sig}"})

    thread = threading.Thread(target=runaway)
    thread.start()
    deadline = time.monotonic() + 30
    busy: set[int] = set()
    # the worker now running the query: not among the idle ones (the workers of now: one replaced after the tests
    # before, for the memory it came to hold, is not among those of the start)
    while len(busy) != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
        busy = set(limited.engine.worker_pids) - {w.process.pid for w in limited.engine._idle}
    [pid] = busy
    time.sleep(0.3)
    os.kill(pid, sig)
    with from_address(limited, "127.0.0.19") as other:  # meanwhile, another client is answered
        assert other.get("/sparql", params={"query": f"ASK {{ ?s ?p ?o }} #{sig}"}).status_code == 200
    thread.join(30)
    error_of(outcome["r"], 503, "engine-unavailable")
    limited.wait_for_workers(2)
    assert pid not in limited.engine.worker_pids
    with from_address(limited, "127.0.0.18") as c:
        assert c.get("/sparql", params={"query": f"ASK {{ ?s ?p ?o }} #after {sig}"}).status_code == 200


# --- the server process under its supervisor --------------------------------------------------------------------


def test_a_killed_server_process_is_replaced_on_the_same_port(tmp_path):
    with serving(tmp_path, workers="1") as url:
        server = url.server_process()
        assert server is not None, children(url.process.pid)
        os.kill(server, signal.SIGKILL)
        back = url.wait_healthy(90)  # a few seconds (8 s measured); loading the store takes longer on a busy machine
        assert back < 60, back  # the supervisor starts a server process again at once
        r = httpx.get(url + "/sparql", params={"query": "ASK { bxr:benelux-union ?p ?o }"}, timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert url.server_process() not in (None, server)
