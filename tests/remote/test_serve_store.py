"""`benelux-graph serve --store URL`: every API of the project served over a real Virtuoso, compared with the
same APIs served over the embedded store, under the same safety rules.

Two real uvicorn servers on 127.0.0.1 (tests/live_server.py): one over the embedded store, one over the release
published into Virtuoso (tests/remote/conftest.py). Answers are compared as in test_queries.py.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from typer.testing import CliRunner

from benelux_graph.cli import app as cli
from benelux_graph.publish import publish
from benelux_graph.remote import RemoteStoreError, served_store
from benelux_graph.saved_queries import load_queries
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore

sys.path.insert(0, str(Path(__file__).parent))  # remote_answers.py
from remote_answers import answer, concat_columns  # noqa: E402

from support.live_server import Canary, LiveServer  # noqa: E402

pytestmark = pytest.mark.remote

QUERIES = load_queries(Path(__file__).resolve().parents[2] / "queries")
RESULTS_JSON = "application/sparql-results+json"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def over_store_settings(settings, endpoint: str, **extra):
    return replace(settings, workers=1, query_timeout=10.0, store_url=endpoint, serve_from_store=True, **extra)


@pytest.fixture(scope="module")
def servers(published, virtuoso, settings, store):
    """(embedded server, server over Virtuoso), both serving the same release."""
    remote_settings = over_store_settings(settings, virtuoso.endpoint)
    over_store = LiveServer(remote_settings, served_store(remote_settings)).start()
    embedded = LiveServer(replace(settings, workers=1, query_timeout=10.0), store).start()
    yield embedded, over_store
    over_store.stop()
    embedded.stop()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


def results(response: httpx.Response):
    assert response.status_code == 200, response.text
    return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)


def test_the_server_over_the_store_serves_the_published_release(servers, store):
    embedded, over_store = servers
    health = httpx.get(over_store.url + "/healthz").json()
    assert health["release"] == store.release == httpx.get(embedded.url + "/healthz").json()["release"]
    assert health["triples"] == len(store)
    assert over_store.runtime.engine.worker_pids == set()  # no local copy: the store answers


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_saved_query_answers_the_same_over_the_store(name, servers):
    embedded, over_store = servers
    concat = concat_columns(QUERIES[name].text)
    got, expected = (
        answer(results(httpx.get(f"{s.url}/api/queries/{name}", headers={"Accept": RESULTS_JSON}, timeout=30)), concat)
        for s in (over_store, embedded)
    )
    assert got == expected, f"{name}: {sum(got.values())} rows over the store, {sum(expected.values())} embedded"


def test_saved_query_parameters_over_the_store(servers):
    embedded, over_store = servers
    for year, rows in (("2021", 0), ("2025", 2), ("2028", 1)):
        got, expected = (
            answer(
                results(
                    httpx.get(
                        f"{s.url}/api/queries/presidency-in-year",
                        params={"year": year},
                        headers={"Accept": RESULTS_JSON},
                    )
                )
            )
            for s in (over_store, embedded)
        )
        assert got == expected and sum(got.values()) == rows, year


def sparql(server, query: str, fmt, **graphs):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    for g in graphs.get("default", ()):
        sw.addDefaultGraph(g)
    for g in graphs.get("named", ()):
        sw.addNamedGraph(g)
    return sw.query().convert()


def test_the_sparql_protocol_over_the_store_in_every_result_format(servers, store):
    embedded, over_store = servers
    select = SKOS + 'SELECT ?s ?l WHERE { ?s skos:prefLabel ?l FILTER(lang(?l) = "nl") } ORDER BY ?s ?l'
    for fmt in (JSON, XML, CSV):
        got, expected = (sparql(s, select, fmt) for s in (over_store, embedded))
        if fmt is XML:
            got, expected = got.toxml(), expected.toxml()
        assert got == expected, fmt
    for ask, truth in (
        ("ASK { ?s a <https://w3id.org/benelux-graph/ontology#Country> }", True),
        ("ASK { ?s <urn:x:never> ?o }", False),
    ):
        assert sparql(over_store, ask, JSON)["boolean"] is sparql(embedded, ask, JSON)["boolean"] is truth
    construct = SKOS + 'CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s skos:prefLabel ?l FILTER(lang(?l) = "de") }'
    got, expected = (set(ox.parse(sparql(s, construct, TURTLE), ox.RdfFormat.TURTLE)) for s in (over_store, embedded))
    assert got == expected and len(got) > 10


def test_dataset_clauses_and_graph_parameters_over_the_store(servers, store):
    """FROM / FROM NAMED in the text and the protocol's graph parameters name the same dataset on both."""
    embedded, over_store = servers
    countries = "https://w3id.org/benelux-graph/graph/data/countries"
    count = "SELECT (COUNT(*) AS ?n) %s WHERE { ?s ?p ?o }"
    graphs = "SELECT DISTINCT ?g %s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    cases = [
        (count % f"FROM <{countries}>", {}),
        (count % "", {"default": [countries]}),
        (count % "FROM <urn:x:not-a-graph-of-the-release>", {}),
        (graphs % f"FROM NAMED <{countries}>", {}),
        (graphs % "", {"named": [countries]}),
        (graphs % "", {}),
    ]
    for query, dataset in cases:
        got, expected = (sparql(s, query, JSON, **dataset)["results"]["bindings"] for s in (over_store, embedded))
        assert got == expected, (query, dataset)
    every = [row["g"]["value"] for row in sparql(over_store, graphs % "", JSON)["results"]["bindings"]]
    # never the store's own graphs (Virtuoso's system graphs): the release's, the saved queries' one included
    assert set(every) == set(store.files) | {"https://w3id.org/benelux-graph/graph/queries"}


def test_pages_graph_api_and_dumps_are_the_same_over_the_store(servers):
    embedded, over_store = servers
    for path in (
        "/api/graph",
        "/api/graph/benelux-plus?lang=fr",
        "/api/graph/neighbourhood/scheldt-council",
        "/downloads/benelux-graph.nq",
        "/downloads/benelux-graph.ttl",
        "/data/belgium.ttl",
        "/ontology.ttl",
        "/shapes.nt",
        "/api/queries",
        "/search?q=Scheldt&format=json",
    ):
        got, expected = (
            httpx.get(s.url + path, headers={"Accept": "application/json"}, timeout=60) for s in (over_store, embedded)
        )
        assert got.status_code == expected.status_code == 200, (path, got.status_code, got.text[:300])
        if path.startswith("/ontology"):  # embedded: the hand-written source file; over the store: serialised
            assert isomorphic(
                rdflib.Graph().parse(data=got.content, format="turtle"),
                rdflib.Graph().parse(data=expected.content, format="turtle"),
            )
        else:
            assert got.content == expected.content, path
    for path in (
        "/page/belgium",
        "/page/scheldt-council?lang=nl",
        "/benelux-plus",
        "/sparql",
        "/ontology",
        "/shapes",
        "/downloads",
        "/.well-known/void",
    ):
        got = httpx.get(over_store.url + path, headers={"Accept": "text/html"}, timeout=60)
        assert got.status_code == 200, (path, got.text[:300])
    assert httpx.get(over_store.url + "/id/belgium", headers={"Accept": "text/turtle"}).status_code == 303


def test_the_safety_rules_hold_over_the_store(servers, canary):
    _, over_store = servers
    refused = {
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }": "query-refused",
        f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}": "query-refused",
        "LOAD <http://127.0.0.1:1/x>": "query-refused",
    }
    for query, kind in refused.items():
        response = httpx.post(over_store.url + "/sparql", data={"query": query})
        assert response.status_code == 400 and response.json()["error"]["type"] == kind, query
    for query in (
        f"SELECT * FROM <{canary.url}/data.nt> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{canary.url}/g.nt> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } } LIMIT 5",
    ):
        response = httpx.get(over_store.url + "/sparql", params={"query": query}, headers={"Accept": RESULTS_JSON})
        assert response.status_code == 200, (query, response.text)
        assert response.json()["results"]["bindings"] == [], query
    system = httpx.get(
        over_store.url + "/sparql",
        params={
            "query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
            "default-graph-uri": "http://www.openlinksw.com/schemas/virtrdf#",
        },
        headers={"Accept": RESULTS_JSON},
    )
    assert system.status_code == 200 and system.json()["results"]["bindings"] == []
    assert canary.requests == []


def test_a_query_past_the_time_limit_is_stopped_by_the_store(servers):
    _, over_store = servers
    cross = SKOS + "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
    response = httpx.get(
        over_store.url + "/sparql",
        params={"query": cross, "timeout": "1"},
        headers={"Accept": RESULTS_JSON},
        timeout=30,
    )
    assert response.status_code == 503, response.text
    assert response.json()["error"]["type"] == "query-timeout"
    quick = httpx.get(over_store.url + "/api/queries/legal-instruments", headers={"Accept": RESULTS_JSON})
    assert quick.status_code == 200


MARKER = (
    "<https://w3id.org/benelux-graph/id/belgium> <http://www.w3.org/2000/01/rdf-schema#comment> "
    '"a statement only the second release has"@en .\n'
)


def changed_release(root: Path, folder: Path) -> GraphStore:
    """A copy of the project with one statement more: another release."""
    for name in ("ontology", "data", "queries"):
        shutil.copytree(root / name, folder / name)
    with open(folder / "data" / "countries.ttl", "a", encoding="utf-8") as f:
        f.write("\n" + MARKER)
    return GraphStore.load(Settings(root=folder))


def test_serve_refuses_a_store_without_a_release_reloads_a_new_one_and_says_when_the_store_is_gone(
    start_virtuoso, tmp_path, settings, store
):
    instance = start_virtuoso(tmp_path / "second")
    runner = CliRunner()
    bare = runner.invoke(cli, ["serve", "--store", instance.endpoint, "--port", "9"])
    assert bare.exit_code == 2 and "holds no published release" in bare.output, bare.output
    unreachable = runner.invoke(cli, ["serve", "--store", "http://127.0.0.1:9/sparql", "--port", "9"])
    assert unreachable.exit_code == 2 and "cannot reach" in unreachable.output, unreachable.output

    publish(store, instance.endpoint, instance.user, instance.password)
    remote_settings = over_store_settings(settings, instance.endpoint, admin_token="reload-token")
    marker = {
        "query": "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#comment> "
        '"a statement only the second release has"@en }'
    }
    with (
        LiveServer(remote_settings, served_store(remote_settings)) as server,
        httpx.Client(base_url=server.url, headers={"Accept": RESULTS_JSON}, timeout=60) as client,
    ):
        assert client.get("/api/queries/legal-instruments").status_code == 200
        assert client.get("/sparql", params=marker).json()["boolean"] is False

        second = changed_release(settings.root, tmp_path / "second-release")
        publish(second, instance.endpoint, instance.user, instance.password)
        reloaded = client.post("/admin/reload", headers={"Authorization": "Bearer reload-token"})
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["release"] == second.release != store.release
        assert client.get("/healthz").json()["release"] == second.release
        assert client.get("/sparql", params=marker).json()["boolean"] is True

        instance.stop()
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
        assert response.status_code == 502, response.text
        error = response.json()["error"]
        assert "graph store did not answer" in error["message"] and instance.endpoint in error["message"]
        refused = client.post("/admin/reload", headers={"Authorization": "Bearer reload-token"})
        assert refused.status_code in (409, 422, 503) and "cannot serve" in refused.text, refused.text
        assert client.get("/healthz").json()["release"] == second.release  # the old one keeps serving


def test_served_store_needs_a_url(settings):
    with pytest.raises(RemoteStoreError, match="serve --store URL"):
        served_store(replace(settings, store_url=""))
