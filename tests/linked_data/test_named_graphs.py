"""Named-graph IRIs resolve (issue 13): `/graph/data/<file>`, `/graph/ontology`, `/graph/shapes/<file>` and
`/graph/queries` answer with a listing for a browser and the graph's statements by content negotiation, and
`/id/...` gives N-Triples to a client asking for text/plain and serves N-Quads and TriG. Over HTTP, on a real
uvicorn server (`ld_server`)."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from benelux_graph.dumps import QUERIES_GRAPH
from benelux_graph.namespaces import GRAPH

RDF = {  # media type -> pyoxigraph format
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


@pytest.fixture(scope="module")
def http(ld_server):
    with httpx.Client(base_url=ld_server, timeout=60) as c:
        yield c


def graph_quads(store, iri: str) -> set[ox.Quad]:
    return set(store.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))


def test_every_named_graph_of_void_resolves(http, store):
    void = ox.Store()
    void.load(http.get("/.well-known/void", headers={"Accept": "text/turtle"}).content, format=ox.RdfFormat.TURTLE)
    graphs = {
        s.value
        for (s,) in void.query(
            "SELECT DISTINCT ?g { ?d <http://rdfs.org/ns/void#subset> ?g . "
            "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/benelux-graph/graph/')) }"
        )
    }
    assert str(GRAPH["data/countries"]) in graphs and QUERIES_GRAPH in graphs, graphs
    for iri in graphs:
        r = http.get("/" + iri.split("https://w3id.org/benelux-graph/", 1)[1], headers={"Accept": "text/turtle"})
        assert r.status_code == 200, (iri, r.text)


@pytest.mark.parametrize("media_type", list(RDF))
@pytest.mark.parametrize("path", ["data/countries", "ontology", "queries"])
def test_a_named_graph_in_every_rdf_format_holds_its_statements(http, store, path, media_type):
    iri = str(GRAPH[path])
    r = http.get(f"/graph/{path}", headers={"Accept": media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type and "Accept" in r.headers["vary"]
    parsed = list(ox.parse(r.content, format=RDF[media_type]))
    expected = graph_quads(store, iri)
    assert len({(q.subject, q.predicate, q.object) for q in parsed if not isinstance(q.subject, ox.BlankNode)}) == len(
        {(q.subject, q.predicate, q.object) for q in expected if not isinstance(q.subject, ox.BlankNode)}
    )
    assert len(parsed) == len(expected)
    if media_type in ("application/trig", "application/n-quads"):  # the graph keeps its name
        assert {q.graph_name for q in parsed} == {ox.NamedNode(iri)}


def test_a_named_graph_for_a_browser_lists_its_subjects(http, store):
    r = http.get("/graph/data/countries", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "https://w3id.org/benelux-graph/graph/data/countries" in r.text or "data/countries" in r.text
    assert 'href="/page/belgium"' in r.text and "data/countries.ttl" in r.text
    assert http.get("/graph/data/countries?format=nq").headers["content-type"].startswith("application/n-quads")


def test_an_unknown_graph_is_404_in_the_error_shape(http):
    r = http.get("/graph/data/nothing-here", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.json()["error"]["type"] == "unknown-graph"
    assert "/.well-known/void" in r.json()["error"]["message"]


def test_an_unknown_graph_in_a_browser_is_the_404_page(http):
    """It was the JSON error shape, while an unknown /page/... or any other path is the site's 404 page."""
    r = http.get("/graph/data/nothing-here", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert 'role="search"' in r.text and "/graph/data/nothing-here" in r.text
    assert r.headers["cache-control"] == "no-store" and "accept" in r.headers["vary"].lower()


@pytest.mark.parametrize(
    "accept, location, media_type, fmt",
    [
        ("text/plain", "/data/belgium.nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/n-quads", "/data/belgium.nq", "application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", "/data/belgium.trig", "application/trig", ox.RdfFormat.TRIG),
    ],
)
def test_an_entity_iri_answers_text_plain_n_quads_and_trig(http, accept, location, media_type, fmt):
    r = http.get("/id/belgium", headers={"Accept": accept})
    assert r.status_code == 303 and r.headers["location"] == location
    data = http.get(location)
    assert data.status_code == 200 and data.headers["content-type"].split(";")[0] == media_type
    subjects = {q.subject for q in ox.parse(data.content, format=fmt)}
    assert ox.NamedNode("https://w3id.org/benelux-graph/id/belgium") in subjects


def test_the_endpoint_holds_what_void_counts(http):
    void = ox.Store()
    void.load(http.get("/.well-known/void", headers={"Accept": "text/turtle"}).content, format=ox.RdfFormat.TURTLE)
    counts = {s.value: int(n.value) for s, n in void.query("SELECT ?d ?n { ?d <http://rdfs.org/ns/void#triples> ?n }")}

    def count(where: str) -> int:
        r = http.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ {where} }}"})
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    assert count("GRAPH ?g { ?s ?p ?o }") == counts["https://w3id.org/benelux-graph/dataset"]
    assert count(f"GRAPH <{QUERIES_GRAPH}> {{ ?s ?p ?o }}") == counts[QUERIES_GRAPH] > 0


def test_every_format_the_schema_lists_for_graph_answers_the_default_graph(http):
    """OpenAPI lists `html` among /graph's formats: `/graph?default&format=html` answered 406; it is the default
    graph's page now (as `Accept: text/html` gets), and every format listed answers `?default`."""
    schema = http.get("/openapi.json").json()["paths"]["/graph"]["get"]["parameters"]
    listed = next(p for p in schema if p["name"] == "format")["schema"]["enum"]
    assert "html" in listed
    for name in listed:
        answer = http.get(f"/graph?default&format={name}")
        assert answer.status_code == 200, (name, answer.text[:300])
    page = http.get("/graph?default&format=html")
    assert page.headers["content-type"].startswith("text/html")
    assert "The default graph" in page.text and "/id/theme/" in page.text
    assert "/graph?default&amp;format=turtle" in page.text
    browser = http.get("/graph?default", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.text.partition("<main")[2] == page.text.partition("<main")[2]
    for accept in ("*/*", ""):  # a client naming no type gets Turtle, as before
        answer = http.get("/graph?default", headers={"Accept": accept})
        assert answer.headers["content-type"].startswith("text/turtle"), accept


@pytest.mark.parametrize("path", ["/data/greater-region.ttl", "/ontology.ttl", "/shapes.ttl"])
def test_a_format_against_the_extension_is_a_400_naming_both(http, path):
    """The extension names the document's format; `format` naming another one was silently ignored (the
    extension won). Now a 400 saying both; the same format (by any of its names) or none still answers."""
    answer = http.get(path, params={"format": "jsonld"}, headers={"Accept": "application/ld+json"})
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert error["type"] == "bad-parameter"
    assert "format=jsonld" in error["message"] and "application/ld+json" in error["message"]
    assert "text/turtle" in error["message"] and path.replace(".ttl", ".jsonld") in error["message"]
    for same in ("turtle", "text/turtle", ""):
        answer = http.get(path, params={"format": same})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle"), same
    unknown = http.get(path, params={"format": "bogus"})
    assert unknown.status_code == 406 and unknown.json()["error"]["type"] == "not-acceptable"
