"""Where Virtuoso 7.2.5 and Oxigraph answer differently on purpose or by design, stated as tests so the list stays
true: if Virtuoso (or Oxigraph) changes, these fail and the documentation must change with them.
Wrong answers and errors on saved queries are listed in test_queries.VIRTUOSO_DEFECTS."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

pytestmark = pytest.mark.remote

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
BENELUX_UNION = "https://w3id.org/benelux-graph/id/benelux-union"


def one(result, name):
    rows = list(result)
    assert len(rows) == 1
    return rows[0][name]


def test_group_concat_of_language_strings(store, remote):
    """Oxigraph keeps a language tag all the values share; Virtuoso returns a plain string (as SPARQL 1.1 says)."""
    query = (
        SKOS
        + f"""SELECT (GROUP_CONCAT(?l; separator="|") AS ?labels) WHERE {{
      <{BENELUX_UNION}> skos:prefLabel ?l FILTER(lang(?l) = "en") }}"""
    )
    embedded, virtuoso = one(store.query(query), "labels"), one(remote.query(query), "labels")
    assert embedded.value == virtuoso.value
    assert embedded.language == "en"
    assert virtuoso.language is None and virtuoso.datatype.value == XSD_STRING


def test_group_concat_of_nothing(store, remote):
    """A group whose values are all unbound: Oxigraph leaves GROUP_CONCAT unbound, Virtuoso gives ""."""
    query = f"""SELECT ?s (GROUP_CONCAT(STR(?o); separator=" ") AS ?all) WHERE {{
      VALUES ?s {{ <{BENELUX_UNION}> }} OPTIONAL {{ ?s <urn:x:never> ?o }} }} GROUP BY ?s"""
    assert one(store.query(query), "all") is None
    assert one(remote.query(query), "all") == ox.Literal("")


def test_describe(store, remote):
    """DESCRIBE is left to the store: Oxigraph gives the triples with the resource as subject, Virtuoso also those
    with it as object."""
    query = f"DESCRIBE <{BENELUX_UNION}>"
    embedded, virtuoso = {str(t) for t in store.query(query)}, {str(t) for t in remote.query(query)}
    assert embedded < virtuoso
    assert all(t.startswith(f"<{BENELUX_UNION}> ") for t in embedded)
    assert any(t.endswith(f" <{BENELUX_UNION}>") for t in virtuoso - embedded)


@pytest.mark.parametrize("graph", ["urn:x:absent", "http://www.openlinksw.com/schemas/virtrdf#"])
def test_a_graph_not_in_the_dataset(store, remote, graph):
    """GRAPH <g> { … } for a g outside the dataset (absent, or one of Virtuoso's own graphs): SELECT gives no
    rows on both, but Virtuoso answers ASK with true and COUNT(*) with 1 (Oxigraph: false, 0). No data of the
    graph comes through (COUNT(?s) is 0)."""
    pattern = f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert list(store.query("SELECT * " + pattern)) == list(remote.query("SELECT * " + pattern)) == []
    assert not store.query("ASK " + pattern)
    assert remote.query("ASK " + pattern)
    assert one(store.query("SELECT (COUNT(*) AS ?n) " + pattern), "n").value == "0"
    assert one(remote.query("SELECT (COUNT(*) AS ?n) " + pattern), "n").value == "1"
    count = "SELECT (COUNT(?s) AS ?n) " + pattern
    assert one(store.query(count), "n").value == one(remote.query(count), "n").value == "0"


def test_transitive_path_without_a_bound_end(store, remote):
    """Virtuoso refuses `?a skos:broader* ?b` with neither end bound ("transitive start not given")."""
    from benelux_graph.remote import RemoteStoreError

    query = SKOS + "SELECT * WHERE { ?a skos:broader* ?b }"
    assert len(list(store.query(query))) > 0
    with pytest.raises(RemoteStoreError, match="transitive start not given"):
        remote.query(query)
