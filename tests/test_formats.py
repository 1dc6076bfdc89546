"""The format registry (formats.py): every format offered comes from pyoxigraph's own and can be written."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from benelux_graph import formats
from benelux_graph.query_jobs import collect
from benelux_graph.rdf_writers import serialize as dump
from benelux_graph.result_writers import graph, serialize

TRIPLES = [
    ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("één", language="nl")),
    ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/q"), ox.NamedNode("http://e/b")),
]
RDF_OFFERED = sorted({f.name: f for f in formats.GRAPHS + formats.DESCRIPTIONS + formats.DUMPS}.values(), key=str)


@pytest.mark.parametrize("fmt", RDF_OFFERED, ids=lambda f: f.name)
def test_every_rdf_format_offered_is_pyoxigraphs_and_is_written(fmt):
    assert fmt.rdf is not None
    assert (fmt.media_type, fmt.extension, fmt.label) == (fmt.rdf.media_type, fmt.rdf.file_extension, fmt.rdf.name)
    assert ox.RdfFormat.from_media_type(fmt.media_type) == fmt.rdf
    written = [dump(TRIPLES, fmt)]
    if fmt in formats.GRAPHS:
        written.append(graph(TRIPLES, fmt))
    for body in written:
        assert {q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(body, format=fmt.rdf)} == set(TRIPLES)


@pytest.mark.parametrize("fmt", formats.RESULTS, ids=lambda f: f.name)
def test_every_results_format_offered_is_pyoxigraphs_and_is_written(fmt, store):
    assert fmt.results is not None and ox.QueryResultsFormat.from_media_type(fmt.media_type) == fmt.results
    assert fmt.extension == fmt.results.file_extension
    result = collect(store.store.query("SELECT ?x WHERE { VALUES ?x { 1 2 } }"), 10)
    assert serialize(result, fmt)  # a writer for every one offered


def test_each_place_offers_a_format_once_under_each_name():
    for offered in (formats.RESULTS, formats.GRAPHS, formats.DESCRIPTIONS, formats.DUMPS, formats.NETWORK):
        names = [f.name for f in offered]
        assert len(names) == len(set(names))
        extensions = [f.extension for f in offered if f.extension]
        assert len(extensions) == len(set(extensions))
