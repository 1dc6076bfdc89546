"""The query workers' speed-ups change no answer: the merged default graph, answers written in the worker."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from benelux_graph.api.negotiation import GRAPHS, RESULTS
from benelux_graph.query_jobs import Job, execute, merge_default_graph, written
from benelux_graph.result_writers import serialize
from benelux_graph.saved_queries import load_queries
from benelux_graph.store import GraphStore, bind_variables


def rows(result) -> set:
    """Rows as comparable tuples; a literal by its sorted characters (GROUP_CONCAT's order is undefined)."""

    def norm(t):
        if t is None:
            return None
        if isinstance(t, ox.BlankNode):
            return ("bnode",)
        if isinstance(t, ox.Literal):
            return ("literal", "".join(sorted(t.value)), t.language or t.datatype.value)
        return str(t)

    return {tuple(norm(t) for t in row) for row in result.rows}


@pytest.fixture(scope="module")
def stores(settings, store):
    merged = GraphStore.load(settings)
    merge_default_graph(merged)
    return store, merged


def test_the_merged_default_graph_gives_the_same_answers(settings, stores):
    plain, merged = stores
    assert merged.merged_default_graph and not getattr(plain, "merged_default_graph", False)
    for q in load_queries(settings.queries_dir).values():
        text = bind_variables(q.text, q.bindings({})) if q.params else q.text
        assert rows(execute(merged, Job(text))) == rows(execute(plain, Job(text))), q.name


def test_graph_selection_is_unchanged_by_the_merge(stores):
    plain, merged = stores
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    countries = ("https://w3id.org/benelux-graph/graph/data/countries",)
    for job in (
        Job(count),
        Job(named),
        Job(count, default_graphs=countries),
        Job(
            "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/benelux-graph/graph/shapes/common> WHERE { ?s ?p ?o }",
            query_has_dataset=True,
        ),
    ):
        assert rows(execute(merged, job)) == rows(execute(plain, job)), job.query


def test_an_answer_written_in_the_worker_is_the_one_written_by_the_server(stores):
    plain, _ = stores
    select = execute(
        plain,
        Job(
            "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label } ORDER BY ?s ?label",
            prefixes={"skos": "http://www.w3.org/2004/02/skos/core#"},
        ),
    )
    for fmt in RESULTS:
        out = written(select, (fmt.name, None))
        assert out.body == serialize(select, fmt) and out.size == select.size and not out.rows
    graph = execute(plain, Job("CONSTRUCT WHERE { ?s a ?c } LIMIT 5"))
    for fmt in GRAPHS:
        assert written(graph, (None, fmt.name)).body == serialize(graph, fmt)
    assert written(select, (None, "turtle")).body is None  # no format for its kind: the terms come back


def test_run_async_waits_its_turn_for_a_worker(settings, store):
    """More queries than workers: each waits on the event loop for a free worker, first come first served; one
    that cannot get a worker in its time is told so."""
    import asyncio
    from dataclasses import replace

    from benelux_graph.engine import EngineError, QueryEngine

    engine = QueryEngine(replace(settings, workers=1), store)
    heavy = Job("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")

    async def scenario():
        answers = await asyncio.gather(*(engine.run_async(Job(f"SELECT ({i} AS ?i) WHERE {{}}"), 10) for i in range(5)))
        assert [a.rows[0][0].value for a in answers] == ["0", "1", "2", "3", "4"]
        busy = asyncio.ensure_future(engine.run_async(heavy, 1.5))
        await asyncio.sleep(0.2)
        with pytest.raises(EngineError, match="busy"):
            await engine.run_async(Job("ASK {}"), 0.3)
        with pytest.raises(Exception, match="time limit"):
            await busy
        assert (await engine.run_async(Job("ASK {}"), 30)).boolean is True  # after the replacement worker

    # On a thread of its own: Playwright's session (browser tests) keeps an event loop running in this one.
    from concurrent.futures import ThreadPoolExecutor

    with engine, ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
