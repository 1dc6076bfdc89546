"""The engine: worker processes that hold the store, stop runaway queries by being killed, and cannot open a
socket or a file once sealed (so even a SERVICE the text reader missed fetches nothing)."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from benelux_graph.engine import SPARE, QueryEngine
from benelux_graph.errors import QueryError, QueryRefused, QueryTimeout
from benelux_graph.query_jobs import Job, execute

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def engine(settings, store):
    with QueryEngine(replace(settings, workers=2), store) as e:
        yield e


def wait_for(engine, count, timeout=30.0):
    deadline = time.monotonic() + timeout
    while len(engine.worker_pids) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return engine.worker_pids


def test_answers_like_the_embedded_store(engine, store):
    text = "SELECT ?s ?label { ?s a bx:Country ; skos:prefLabel ?label }"
    prefixes = {"bx": "https://w3id.org/benelux-graph/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#"}
    result = engine.run(Job(text, prefixes=prefixes), 10)
    expected = {(s["s"], s["label"]) for s in store.query(text, prefixes=prefixes)}
    assert result.kind == "bindings" and result.variables == ["s", "label"]
    assert set(result.rows) == expected and expected


def test_a_syntax_error_has_line_and_column(engine):
    with pytest.raises(QueryError) as e:
        engine.run(Job("SELECT *\nWHERE { ?s ?p ?o }\nLIMIT x"), 10)
    assert (e.value.line, e.value.column) == (3, 7)  # the x
    assert "expected" in e.value.message


def test_a_runaway_query_is_stopped_and_its_worker_replaced(engine):
    before = wait_for(engine, 2 + SPARE)
    start = time.monotonic()
    with pytest.raises(QueryTimeout) as e:
        engine.run(Job(CROSS_JOIN), 1.0)
    assert time.monotonic() - start < 3
    assert "1 s" in e.value.message
    assert engine.run(Job("ASK { ?s ?p ?o }"), 10).boolean is True  # the other worker answers meanwhile
    after = wait_for(engine, 2 + SPARE)  # forked from the server, a successor is ready at once
    assert len(after) == 2 + SPARE and len(before - after) == 1  # one killed, one new


def test_a_worker_that_dies_is_replaced(engine):
    pids = wait_for(engine, 2 + SPARE)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert engine.run(Job("ASK {}"), 20).boolean is True  # waits for a successor
    # A dead idle worker is found when it is next taken. Three clients at once, each with a query of a few tenths of
    # a second, take every worker (two, and the spare for the client holding none), so each killed one is found.
    slow = "SELECT (COUNT(*) AS ?n) { { SELECT ?a { ?a ?b ?c } LIMIT 2000 } { SELECT ?d { ?d ?e ?f } LIMIT 2000 } }"
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda client: engine.run(Job(slow, client=client), 20), "abc"))
    assert all(a.rows for a in answers)
    assert not pids & wait_for(engine, 2 + SPARE)


def test_a_sealed_worker_fetches_nothing_even_when_the_text_reader_is_bypassed(engine, canary):
    query = f"SELECT * {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryRefused):
        engine.run(Job(query), 10)
    silent = engine.run(Job(f"SELECT * {{ SERVICE SILENT <{canary.url}/sparql> {{ ?s ?p ?o }} }}"), 10)
    assert all(term is None for row in silent.rows for term in row)  # SILENT: the failed call matches nothing
    assert canary.requests == []


def test_without_the_seal_oxigraph_would_fetch(store, canary):
    """Why the seal exists: the same query, run in this (unsealed) process, reaches the canary."""
    with pytest.raises(QueryError):
        execute(store, Job(f"SELECT * {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"))
    assert canary.requests


def test_from_a_file_or_url_reads_nothing(engine, canary):
    for iri in ("file:///etc/passwd", canary.url + "/data.nt"):
        result = engine.run(
            Job(
                f"SELECT * FROM <{iri}> FROM NAMED <{iri}> {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}",
                query_has_dataset=True,
            ),
            10,
        )
        assert result.rows == []
    assert canary.requests == []


def test_rows_are_capped(engine):
    result = engine.run(Job("SELECT * { ?s ?p ?o }", max_rows=7), 10)
    assert result.truncated and len(result.rows) == 7
    graph = engine.run(Job("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=7), 10)
    assert graph.truncated and len(graph.triples) == 7
