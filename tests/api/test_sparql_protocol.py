"""The SPARQL 1.1 Protocol on a real server (httpx): the three ways to send a query, every answer format parsed
back and compared with the embedded store, datasets from the protocol and from FROM, the service description,
and the 400/406/415 edges."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from answers import expected_rows, expected_triples, json_rows, norm_ox, parsed_rows, parsed_triples

pytestmark = pytest.mark.server

SELECT = """SELECT ?country ?label WHERE {
  ?country a bx:Country ; skos:prefLabel ?label .
} ORDER BY ?country ?label"""
CONSTRUCT = "CONSTRUCT { ?c skos:prefLabel ?l ; a bx:Country } WHERE { ?c a bx:Country ; skos:prefLabel ?l }"
GRAPH = "https://w3id.org/benelux-graph/graph/"


@pytest.fixture(scope="module")
def expected(store):
    rows = expected_rows(store, SELECT)
    assert len(rows) > 3, "the data should hold labelled countries"
    return rows


def test_get_post_form_and_post_direct_agree(client, expected):
    answers = [
        client.get("/sparql", params={"query": SELECT}),
        client.post("/sparql", data={"query": SELECT}),
        client.post("/sparql", content=SELECT.encode(), headers={"content-type": "application/sparql-query"}),
        client.post(
            "/sparql?format=json",
            content=SELECT.encode(),
            headers={"content-type": "application/sparql-query; charset=utf-8"},
        ),
    ]
    for r in answers:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        assert json_rows(r.json()) == expected
        assert r.json()["truncated"] is False and r.headers["x-benelux-truncated"] == "false"


@pytest.mark.parametrize(
    "accept, media_type, fmt",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (
            "text/csv;q=0.2, application/sparql-results+xml;q=0.8",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
    ],
)
def test_select_formats_parse_back(client, expected, accept, media_type, fmt):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
    assert parsed_rows(r.content, fmt) == expected


def test_select_csv(client, store):
    r = client.get("/sparql", params={"query": SELECT, "format": "csv"}, headers={"accept": "application/json"})
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == ["country", "label"]
    expected = {
        (s["country"].value, s["label"].value)
        for s in store.query(
            SELECT,
            prefixes={"bx": "https://w3id.org/benelux-graph/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#"},
        )
    }
    assert {tuple(row) for row in table[1:]} == expected


@pytest.mark.parametrize(
    "fmt, body", [("json", b'"boolean":true'), ("xml", b"<boolean>true</boolean>"), ("csv", b"true"), ("tsv", b"true")]
)
def test_ask(client, fmt, body):
    r = client.get("/sparql", params={"query": "ASK { bxr:benelux-union ?p ?o }", "format": fmt})
    assert r.status_code == 200 and body in r.content
    no = client.get("/sparql", params={"query": "ASK { bxr:no-such-thing ?p ?o }", "format": fmt})
    assert b"false" in no.content


@pytest.mark.parametrize(
    "accept, rdf_format",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads", ox.RdfFormat.N_QUADS),  # the probe: 406, though TriG and /id/ were offered
    ],
)
def test_construct_formats_parse_back(client, store, accept, rdf_format):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(rdf_format.media_type)
    assert parsed_triples(r.content, rdf_format) == expected_triples(store, CONSTRUCT)


def test_describe(client, store):
    query = "DESCRIBE bxr:benelux-union"
    r = client.get("/sparql", params={"query": query, "format": "ntriples"})
    got = parsed_triples(r.content, ox.RdfFormat.N_TRIPLES)
    assert got == expected_triples(store, query) and got


def test_prefixes_of_the_project_need_no_declaration_but_may_be_redeclared(client):
    r = client.get("/sparql", params={"query": "SELECT * { bxr:benelux-union a ?type }"})
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    redeclared = "PREFIX bxr: <http://example.org/> SELECT * { bxr:benelux-union a ?type }"
    assert client.get("/sparql", params={"query": redeclared}).json()["results"]["bindings"] == []


def count(client, query, **params) -> int:
    r = client.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_ontology_and_data_not_shapes(client, store):
    n = count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    triples = set()
    for g in store.default_graphs:
        triples |= {
            (q.subject, q.predicate, q.object) for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        }
    assert n == len(triples)


def test_protocol_dataset_selects_graphs_of_the_store(client, store):
    ontology = GRAPH + "ontology"
    size = sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(ontology)))
    assert count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"default-graph-uri": ontology}) == size
    assert (
        count(
            client,
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
            **{"default-graph-uri": "http://example.org/not-in-the-store"},
        )
        == 0
    )
    named = client.get(
        "/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": ontology}
    )
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [ontology]


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("iri", ["not an iri", "graph/ontology", "http://[::1", "http://ex/%zz"])
def test_a_graph_parameter_that_is_no_iri_is_a_bad_parameter(client, name, iri):
    """Named as the parameter it is, not as a query that 'failed while running'."""
    r = client.get("/sparql", params={"query": "ASK {}", name: iri})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "bad-parameter" and name in error["message"], error


def test_from_selects_graphs_of_the_store(client, store):
    ontology = GRAPH + "ontology"
    size = sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(ontology)))
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> {{ ?s ?p ?o }}") == size
    r = client.get(
        "/sparql", params={"query": f"SELECT DISTINCT ?g FROM NAMED <{ontology}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"}
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [ontology]
    # the protocol's dataset wins over the query's
    assert (
        count(
            client,
            f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> {{ ?s ?p ?o }}",
            **{"default-graph-uri": "http://example.org/empty"},
        )
        == 0
    )


def test_without_graph_parameters_every_named_graph_is_visible(client, store):
    r = client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
    # one per source file, and the saved queries' graph (built from queries/, named in VoID)
    queries = "https://w3id.org/benelux-graph/graph/queries"
    assert {b["g"]["value"] for b in r.json()["results"]["bindings"]} == set(store.files) | {queries}


@pytest.mark.parametrize(
    "query, accept",
    [
        # (text/html alone is a browser: the editor opens with the query, tests/site/test_home_and_words.py)
        (SELECT, "image/png"),
        (CONSTRUCT, "image/png"),
        (SELECT, "application/pdf"),
        (CONSTRUCT, "application/pdf"),
    ],
)
def test_not_acceptable(client, query, accept):
    r = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert r.status_code == 406
    error = r.json()["error"]
    assert error["type"] == "not-acceptable" and "format=" in error["message"]


@pytest.mark.parametrize(
    "query, accept, expected",
    [
        # rdflib's SPARQLStore (returnFormat="json") and Redland's roqet send these for every query, CONSTRUCT too
        (CONSTRUCT, "application/sparql-results+json", "text/turtle"),
        (CONSTRUCT, "application/sparql-results+xml", "text/turtle"),
        (CONSTRUCT, "application/sparql-results+json, application/sparql-results+xml;q=0.9", "text/turtle"),
        (CONSTRUCT, "text/csv", "text/turtle"),
        (
            f"DESCRIBE <{ox.NamedNode('https://w3id.org/benelux-graph/id/belgium').value}>",
            "application/sparql-results+xml",
            "text/turtle",
        ),
        # and the converse: a client that asks only for RDF gets SPARQL JSON for a SELECT or an ASK
        (SELECT, "text/turtle", "application/sparql-results+json"),
        ("ASK { ?s ?p ?o }", "application/rdf+xml", "application/sparql-results+json"),
    ],
)
def test_a_client_accepting_only_the_other_kind_gets_the_default_format(client, query, accept, expected):
    r = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    if expected == "text/turtle":
        assert list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    else:
        assert "head" in r.json()


def test_a_format_parameter_naming_the_other_kind_stays_not_acceptable(client):
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert r.status_code == 406 and r.json()["error"]["type"] == "not-acceptable"


def test_unknown_format_parameter_is_not_acceptable(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "excel"})
    assert r.status_code == 406


def test_service_description_for_machines(client, store):
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode(str(client.base_url) + "/sparql")
    assert ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in triples
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert names == set(store.files) | {"https://w3id.org/benelux-graph/graph/queries"}  # every graph it holds
    parts = {t.object.value for t in triples if t.predicate.value == "http://purl.org/dc/terms/hasPart"}
    assert parts == set(store.default_graphs)
    formats = {t.object.value for t in triples if t.predicate.value == sd + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    see_also = {t.object.value for t in triples if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#seeAlso"}
    assert see_also == {str(client.base_url) + "/.well-known/void"}
    jsonld = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))) == len(triples)
    assert client.get("/sparql", headers={"accept": "image/png"}).status_code == 406


def test_editor_for_browsers(client):
    r = client.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "yasgui.min.js" in r.text and "secretariat-provider" in r.text
    assert client.get("/static/editor.js").status_code == 200
    vendor = client.get("/vendor/yasgui/yasgui.min.js")
    assert vendor.status_code == 200, "run `npm ci`: the editor's files come from node_modules"


@pytest.mark.parametrize(
    "request_kwargs, status, kind",
    [
        ({"method": "POST", "url": "/sparql", "data": {"format": "json"}}, 400, "bad-request"),
        (
            {"method": "POST", "url": "/sparql", "content": b"<x/>", "headers": {"content-type": "application/xml"}},
            415,
            "unsupported-media-type",
        ),
        ({"method": "GET", "url": "/sparql?query=ASK%7B%7D&query=ASK%7B%7D"}, 400, "bad-parameter"),  # repeated
        (
            {
                "method": "POST",
                "url": "/sparql?query=ASK%7B%7D",
                "content": b"ASK {}",
                "headers": {"content-type": "application/sparql-query"},
            },
            400,
            "bad-request",
        ),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"\xff\xfe",
                "headers": {"content-type": "application/sparql-query"},
            },
            400,
            "bad-request",
        ),
        ({"method": "GET", "url": "/sparql?query=ASK%7B%7D&timeout=soon"}, 400, "bad-parameter"),
        ({"method": "GET", "url": "/sparql?query=ASK%7B%7D&timeout=-1"}, 400, "bad-parameter"),
        ({"method": "PUT", "url": "/sparql"}, 405, "method-not-allowed"),
        ({"method": "GET", "url": "/nowhere"}, 404, "not-found"),
    ],
)
def test_protocol_errors(client, request_kwargs, status, kind):
    r = client.request(**request_kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"]["type"] == kind and r.json()["error"]["status"] == status


def test_head_is_get_without_body(client):
    get = client.get("/sparql", params={"query": SELECT})
    head = client.head("/sparql", params={"query": SELECT})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize("params", [{"query": SELECT}, {}])
def test_head_in_a_browser_is_the_editor_as_get_is(client, params):
    """A browser's HEAD /sparql?query=... got 406 while its GET got the editor page."""
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    get, head = (
        client.get("/sparql", params=params, headers=browser),
        client.head("/sparql", params=params, headers=browser),
    )
    assert (head.status_code, head.headers["content-type"]) == (get.status_code, get.headers["content-type"])
    assert head.headers["content-type"].startswith("text/html") and head.content == b""


def test_bnode_and_typed_terms_round_trip(client):
    query = 'SELECT ?b ?n ?d { BIND(BNODE() AS ?b) BIND(3 AS ?n) BIND("2025"^^xsd:gYear AS ?d) }'
    rows = json_rows(client.get("/sparql", params={"query": query}).json())
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert rows == {(("bnode",), ("literal", "3", xsd + "integer"), ("literal", "2025", xsd + "gYear"))}
    assert norm_ox(None) is None


def test_relative_iris_resolve_against_the_documented_base(client):
    # the W3C protocol test query_content_type_construct: relative IRIs in the template, no BASE
    r = client.get(
        "/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"accept": "application/n-triples"}
    )
    assert r.status_code == 200, r.text
    assert r.text.strip() == (
        "<https://w3id.org/benelux-graph/s> <https://w3id.org/benelux-graph/p> "
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )
    # so a relative IRI names the graph's own resources
    r = client.get("/sparql", params={"query": "ASK { <id/belgium> a bx:Country }"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    # and a query's own BASE wins
    r = client.get("/sparql", params={"query": "BASE <http://example.org/> SELECT ?x { BIND(<y> AS ?x) }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/y"


def test_a_406_names_the_kind_of_answer_in_english(client):
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["message"].startswith("an ASK answer can be given as"), r.text
