"""The result writers agree with pyoxigraph's own serializers (parsed back, term by term)."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from benelux_graph.api.negotiation import GRAPHS, RESULTS
from benelux_graph.query_jobs import collect
from benelux_graph.result_writers import serialize

FORMATS = {f.name: f for f in RESULTS + GRAPHS}
QUERY = """SELECT ?iri ?plain ?lang ?typed ?unbound ?blank WHERE {
  VALUES (?iri ?plain ?lang ?typed) {
    (<http://e/a?x=1&y=2> "tab\\there, \\"quoted\\"\\nnew line" "fran\\u00e7ais"@fr 42)
    (<http://e/b> "<xml> & stuff" "Nederlands"@nl "2025"^^<http://www.w3.org/2001/XMLSchema#gYear>)
  }
  BIND(BNODE() AS ?blank)
}"""
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}


def rows(solutions) -> list[tuple]:
    out = []
    for s in solutions:
        out.append(
            tuple(
                "BNODE" if isinstance(t, ox.BlankNode) else t
                for t in (s[v] for v in ("iri", "plain", "lang", "typed", "unbound"))
            )
        )
    return sorted(out, key=str)


@pytest.mark.parametrize("name", sorted(RESULT_FORMATS))
def test_select_round_trips_like_pyoxigraph(name):
    store = ox.Store()
    mine = serialize(collect(store.query(QUERY), 100), FORMATS[name])
    theirs = store.query(QUERY).serialize(format=RESULT_FORMATS[name])
    parsed_mine = ox.parse_query_results(mine, format=RESULT_FORMATS[name])
    parsed_theirs = ox.parse_query_results(theirs, format=RESULT_FORMATS[name])
    assert rows(parsed_mine) == rows(parsed_theirs)


def test_csv_follows_the_w3c_form():
    text = serialize(collect(ox.Store().query(QUERY), 100), FORMATS["csv"]).decode()
    assert text.startswith("iri,plain,lang,typed,unbound,blank\r\n")
    table = list(csv.reader(io.StringIO(text)))
    assert table[1][:5] == ["http://e/a?x=1&y=2", 'tab\there, "quoted"\nnew line', "français", "42", ""]
    assert table[1][5].startswith("_:")


def test_json_carries_the_truncation_flag():
    result = collect(ox.Store().query("SELECT ?n { VALUES ?n { 1 2 3 } }"), 2)
    doc = json.loads(serialize(result, FORMATS["json"]))
    assert doc["truncated"] is True and len(doc["results"]["bindings"]) == 2
    assert result.truncated and result.size == 2


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_ask(name):
    answer = serialize(collect(ox.Store().query("ASK {}"), 10), FORMATS[name])
    if name in ("json", "xml"):
        fmt = RESULT_FORMATS[name]
        assert bool(ox.parse_query_results(answer, format=fmt)) is True
    else:
        assert answer == b"true"


@pytest.mark.parametrize("name", ["turtle", "ntriples", "jsonld", "rdfxml", "trig"])
def test_graphs_parse_back(name):
    store = ox.Store()
    query = 'CONSTRUCT { <http://e/a> <http://e/p> "é"@fr, 3 ; <http://e/q> _:x } WHERE {}'
    body = serialize(collect(store.query(query), 100), FORMATS[name])
    rdf_format = ox.RdfFormat.from_media_type(FORMATS[name].media_type)
    triples = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in ox.parse(body, format=rdf_format)
        if not isinstance(q.object, ox.BlankNode)
    }
    assert ("<http://e/a>", "<http://e/p>", '"é"@fr') in triples
    assert len(list(ox.parse(body, format=rdf_format))) == 3
