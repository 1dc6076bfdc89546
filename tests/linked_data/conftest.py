"""Fixtures of the linked-data tests: the publication and one dump of it; the shared ones of tests/support under
this folder's names (the app in-process through `client`, the live server's URL as `ld_server`).

RDF read back with rdflib is compared with what is expected through RDFC-1.0 canonical forms (`canonical`):
two graphs are isomorphic exactly when their canonical forms are equal, and computing them takes milliseconds
where rdflib's own isomorphism check takes seconds on graphs with hundreds of blank nodes.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from benelux_graph.dumps import Publication, queries_quads

DEFAULT = "urn:x-rdflib:default"


def ox_term(t):
    if isinstance(t, rdflib.URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, rdflib.BNode):
        return ox.BlankNode(str(t))
    if t.language:
        return ox.Literal(str(t), language=t.language)
    return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))


def canonical(statements) -> set[str]:
    """The RDFC-1.0 canonical N-Quads lines of rdflib (s, p, o) or (s, p, o, graph-IRI) tuples."""
    quads = []
    for st in statements:
        s, p, o = (ox_term(x) for x in st[:3])
        g = st[3] if len(st) > 3 else None
        quads.append(
            ox.Quad(s, p, o, ox.NamedNode(str(g)) if g is not None and str(g) != DEFAULT else ox.DefaultGraph())
        )
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def rdflib_quads(dataset: rdflib.Dataset) -> list[tuple]:
    return [(s, p, o, g.identifier) for g in dataset.graphs() for s, p, o in g]


@pytest.fixture(scope="session")
def publication(settings, store):
    return Publication(store, settings)


@pytest.fixture(scope="session")
def expected_quads(settings, store) -> list[tuple]:
    """Every statement as rdflib reads the source files (one graph per file), plus the saved-queries graph."""
    quads = rdflib_quads(store.dataset)
    queries = rdflib.Dataset()
    queries.parse(data=ox.serialize(queries_quads(settings), format=ox.RdfFormat.N_QUADS), format="nquads")
    return quads + rdflib_quads(queries)


@pytest.fixture(scope="session")
def dump_dir(publication, tmp_path_factory):
    out = tmp_path_factory.mktemp("dump")
    publication.write(out)
    return out


@pytest.fixture(scope="session")
def client(asgi_client):
    return asgi_client


@pytest.fixture(scope="session")
def ld_server(live_server) -> str:
    return live_server.url
