"""SPARQLWrapper, an analyst's client, against a real server: SELECT, ASK, CONSTRUCT and DESCRIBE in each format
it knows, by GET and POST, with the answers converted by SPARQLWrapper and compared with the embedded store's."""

from __future__ import annotations

import csv
import io
import warnings

import pytest
import rdflib
from answers import PREFIX_MAP, expected_rows, expected_triples, json_rows
from rdflib.compare import to_isomorphic
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

pytestmark = pytest.mark.server

PROLOGUE = "".join(f"PREFIX {p}: <{PREFIX_MAP[p]}>\n" for p in ("bx", "bxr", "skos", "org"))
SELECT = (
    PROLOGUE
    + """SELECT ?organisation ?member ?label WHERE {
  ?m org:organization ?organisation ; org:member ?member .
  ?member skos:prefLabel ?label .
}"""
)
ASK = PROLOGUE + "ASK { bxr:benelux-union a ?type }"
CONSTRUCT = (
    PROLOGUE + "CONSTRUCT { ?m org:member ?member ; org:organization ?o } WHERE { ?m org:member ?member ; "
    "org:organization ?o }"
)
DESCRIBE = PROLOGUE + "DESCRIBE bxr:secretariat-general"


def wrapper(live_server, query, fmt, method=GET) -> SPARQLWrapper:
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(POST if method == POSTDIRECTLY else method)
    if method == POSTDIRECTLY:
        sparql.setRequestMethod(POSTDIRECTLY)
    return sparql


def convert(live_server, query, fmt, method=GET):
    with warnings.catch_warnings():
        # SPARQLWrapper warns (RuntimeWarning) when the content type does not match the format asked for
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return wrapper(live_server, query, fmt, method).queryAndConvert()


def as_graph(triples: set[tuple]) -> rdflib.Graph:
    g = rdflib.Graph()
    for s, p, o in triples:
        g.add((rdflib.URIRef(s[1]), rdflib.URIRef(p[1]), rdflib.URIRef(o[1]) if o[0] == "uri" else to_literal(o)))
    return g


def to_literal(term: tuple) -> rdflib.Literal:
    _, value, kind = term
    if kind.startswith("http"):
        return rdflib.Literal(value, datatype=None if kind.endswith("#string") else rdflib.URIRef(kind))
    return rdflib.Literal(value, lang=kind)


@pytest.mark.parametrize("method", [GET, POST, POSTDIRECTLY])
def test_select_json(live_server, store, method):
    doc = convert(live_server, SELECT, JSON, method)
    assert json_rows(doc) == expected_rows(store, SELECT)


def test_select_xml(live_server, store):
    document = convert(live_server, SELECT, XML)
    rows = set()
    for result in document.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            node = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = node.firstChild.data if node.firstChild else ""
            if node.tagName == "uri":
                row[binding.getAttribute("name")] = ("uri", text)
            else:
                row[binding.getAttribute("name")] = (
                    "literal",
                    text,
                    node.getAttribute("xml:lang")
                    or node.getAttribute("datatype")
                    or "http://www.w3.org/2001/XMLSchema#string",
                )
        rows.add((row["organisation"], row["member"], row["label"]))
    assert rows == expected_rows(store, SELECT)


@pytest.mark.parametrize("fmt, delimiter", [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(live_server, store, fmt, delimiter):
    text = convert(live_server, SELECT, fmt).decode("utf-8")
    table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    expected = expected_rows(store, SELECT)
    if fmt == CSV:
        assert table[0] == ["organisation", "member", "label"]
        assert {tuple(r) for r in table[1:]} == {(o[1], m[1], label[1]) for o, m, label in expected}
    else:
        assert table[0] == ["?organisation", "?member", "?label"]
        assert len(table) - 1 == len(expected)
        assert {r[0] for r in table[1:]} == {f"<{o[1]}>" for o, _, _ in expected}


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(live_server, fmt):
    answer = convert(live_server, ASK, fmt)
    if fmt == JSON:
        assert answer["boolean"] is True
    else:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_graphs(live_server, store, query, fmt):
    graph = convert(live_server, query, fmt)
    if isinstance(graph, bytes):  # SPARQLWrapper parses Turtle/N3 answers only on request
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    expected = as_graph(expected_triples(store, query))
    assert len(expected) > 0
    assert to_isomorphic(graph) == to_isomorphic(expected)


@pytest.mark.parametrize("return_format", ["json", "xml"])
def test_rdflib_sparqlstore_asking_for_sparql_results_gets_constructs_and_describes(live_server, store, return_format):
    # rdflib's SPARQLStore sends only its returnFormat's SPARQL result type in Accept, whatever the query's form
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = rdflib.Graph(SPARQLStore(live_server.url + "/sparql", returnFormat=return_format))
    for query in (CONSTRUCT, DESCRIBE):
        got = remote.query(query).graph
        assert got is not None and len(got) > 0
        assert to_isomorphic(got) == to_isomorphic(as_graph(expected_triples(store, query)))
    rows = list(remote.query(SELECT))
    assert len(rows) == len(expected_rows(store, SELECT))
