"""Saved queries rewritten so that Oxigraph does less give the same answers, byte for byte, as they were written
before: for every parameter value the benchmark rotates over (bench/mix.py) and, for fact-sources, every fact.

Each entry of REWRITTEN is (the text the query holds now, the text it replaced): the reference query is the
saved query with the first put back in place of the second. Both run over the store as the server holds it (the
default graphs merged) and are written by pyoxigraph's JSON writer, as a fast-lane thread writes them.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from benelux_graph.query_jobs import Job, local_store, run_in_thread
from benelux_graph.saved_queries import load_queries

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from mix import bound_text, parameter_values  # noqa: E402 - the bench's own rotation, from bench/

REWRITTEN: dict[str, list[tuple[str, str]]] = {
    "fact-sources": [
        (
            """  OPTIONAL {
    ?citation oa:hasSelector ?quoteSelector .
    ?quoteSelector a oa:TextQuoteSelector ; oa:exact ?quote .
    OPTIONAL {
      ?citation oa:hasSelector ?positionSelector .
      ?positionSelector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    }
    FILTER(BOUND(?end))
  }
""",
            """  OPTIONAL {
    ?citation oa:hasSelector ?quoteSelector , ?positionSelector .
    ?quoteSelector a oa:TextQuoteSelector ; oa:exact ?quote .
    ?positionSelector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
""",
        )
    ],
}


@pytest.fixture(scope="module")
def served(store):
    return local_store(str(store.snapshot()), {g: str(p) for g, p in store.files.items()}, store.release)


@pytest.fixture(scope="module")
def queries(settings):
    return load_queries(settings.queries_dir)


def reference(text: str, name: str) -> str:
    for now, before in REWRITTEN[name]:
        assert now in text, f"{name}.rq no longer holds the rewritten text: update REWRITTEN"
        text = text.replace(now, before)
    return text


def rotation(store, q) -> list[dict[str, str]]:
    """The parameter values the bench's varied mix sends, and for fact-sources each fact's own."""
    values = parameter_values(store, q)
    turns = max([len(v) for v in values.values()] or [1])
    given = [{p: v[t % len(v)] for p, v in values.items() if v} for t in range(turns)]
    if q.name == "fact-sources":
        facts = store.query(
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            "SELECT DISTINCT ?s ?p ?o { ?f rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }"
        )
        iris = [r for r in facts if all(type(r[v]).__name__ == "NamedNode" for v in ("s", "p", "o"))]
        given += [{"subject": r["s"].value, "predicate": r["p"].value, "object": r["o"].value} for r in iris]
    return given


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_rewritten_saved_query_answers_as_before(name, store, served, queries):
    q = queries[name]
    before = replace(q, text=reference(q.text, name))
    sets = rotation(store, q)
    rows = 0
    for given in sets:
        now = run_in_thread(served, Job(bound_text(q, given), formats=("json", None)))
        was = run_in_thread(served, Job(bound_text(before, given), formats=("json", None)))
        assert now.body == was.body, f"{name} answers differently with {given}"
        rows += now.count or 0
    assert rows > 0, f"{name}: no parameter value gave a row, so nothing was compared"
