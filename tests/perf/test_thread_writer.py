"""A fast-lane thread writes SPARQL JSON results with pyoxigraph's own writer (query_jobs.run_in_thread): the same
bytes as a worker writes (`run_here`), the same row count, and the same cuts at the row and byte caps."""

from __future__ import annotations

import json

import pytest

from benelux_graph.query_jobs import Job, json_rows, merge_default_graph, run_here, run_in_thread
from benelux_graph.saved_queries import load_queries
from benelux_graph.store import GraphStore, bind_variables

JSON = ("json", "turtle")
SPECIAL = (
    'SELECT ?x WHERE { VALUES ?x { "say \\"hi\\" \\\\ ,{\\"a\\":1} tab\\t line\\n" "é€😀"@fr-BE '
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer> <http://example.org/a,b> } }'
)
BRACES = 'SELECT ?x WHERE { VALUES ?x { "a value with {} in it" "another" } }'  # counted the usual way


@pytest.fixture(scope="module")
def merged(settings):
    store = GraphStore.load(settings)
    merge_default_graph(store)
    return store


def same(merged, job: Job):
    native, python = run_in_thread(merged, job), run_here(merged, job)
    assert native.body == python.body, job.query
    assert native.size == python.size and native.truncated == python.truncated
    assert native.size == len(json.loads(native.body)["results"]["bindings"])
    return native


def test_the_thread_writes_what_a_worker_writes(settings, merged):
    texts = [SPECIAL, BRACES, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 0", "SELECT * WHERE { ?s a ?c } LIMIT 300"]
    for q in load_queries(settings.queries_dir).values():
        if "GROUP_CONCAT" not in q.text:  # its order is undefined: two runs may differ
            texts.append(bind_variables(q.text, q.bindings({})) if q.params else q.text)
    for text in texts:
        same(merged, Job(text, formats=JSON, max_bytes=settings.max_answer_bytes))


def test_rows_past_the_caps_are_cut_as_a_worker_cuts_them(merged):
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 500"
    assert same(merged, Job(text, formats=JSON, max_rows=7)).size == 7
    cut = same(merged, Job(text, formats=JSON, max_bytes=2_000))
    assert cut.truncated and len(cut.body) <= 2_000


def test_rows_without_a_binding_are_counted(merged):
    text = "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF 1 } }"
    assert same(merged, Job(text, formats=JSON)).size == 3
    assert json_rows(b'{"head":{"vars":["x"]},"results":{"bindings":[{},{}]}}') is None  # counted the usual way


def test_other_formats_and_forms_are_written_as_before(merged):
    for job in (
        Job("SELECT * WHERE { ?s ?p ?o } LIMIT 3", formats=("csv", "turtle")),
        Job("ASK { ?s ?p ?o }", formats=JSON),
        Job("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", formats=JSON),
    ):
        assert run_in_thread(merged, job).body == run_here(merged, job).body
