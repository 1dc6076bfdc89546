"""What the seventh probe of a default server found (issue 13, hidden probes: security, protocol, every route),
where the six before it were thin: result formats on edge values, every route's parameters. Each test is one
defect it reproduced, on a real server (this folder's `client`)."""

from __future__ import annotations

import xml.dom.minidom
from urllib.parse import quote

import httpx
import pytest
import rdflib
from reliability_settings import reliability_settings

from support.live_server import LiveServer

pytestmark = pytest.mark.server


def xml_literal(body: bytes) -> str:
    """The text of the first literal of a SPARQL XML results document, read by a real XML parser."""
    literal = xml.dom.minidom.parseString(body).getElementsByTagName("literal")[0]
    return "".join(node.data for node in literal.childNodes)


def test_a_carriage_return_survives_the_xml_results(client):
    """A literal holding a carriage return was written raw into the SPARQL XML results: every XML parser reads
    a raw CR as a line feed (XML 1.0, 2.11), so "a\\rb" came back "a\\nb", an altered value. JSON kept it."""
    answer = client.get("/sparql", params={"query": 'SELECT ?e { VALUES ?e { "a\\rb" } }', "format": "xml"})
    assert answer.status_code == 200, answer.text
    assert xml_literal(answer.content) == "a\rb"


def test_a_carriage_return_survives_a_construct_in_rdf_xml(client):
    """The same in a CONSTRUCT's RDF/XML (Oxigraph's writer, which Oxigraph's own parser reads back unchanged,
    but rdflib, through expat, as a line feed)."""
    query = 'CONSTRUCT { <http://example.org/s> <http://example.org/p> "a\\rb" } WHERE {}'
    answer = client.get("/sparql", params={"query": query, "format": "rdfxml"})
    assert answer.status_code == 200, answer.text
    graph = rdflib.Graph().parse(data=answer.content, format="xml")  # expat, as most XML clients read it
    assert [str(o) for o in graph.objects()] == ["a\rb"]


@pytest.mark.parametrize(
    "query, fmt",
    [
        ('SELECT ?e { VALUES ?e { "x\\u0001y" } }', "xml"),
        ('CONSTRUCT { <http://example.org/s> <http://example.org/p> "x\\u0001y" } WHERE {}', "rdfxml"),
    ],
    ids=["select-xml", "construct-rdfxml"],
)
def test_a_character_xml_cannot_carry_is_refused_not_written(client, query, fmt):
    """U+0001 is no XML 1.0 character, even as a reference: it was written raw, a 200 that no XML parser can
    read ("not well-formed"). Now a clear error that names the character and the formats that can carry it."""
    answer = client.get("/sparql", params={"query": query, "format": fmt})
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert error["type"] == "query-failed"
    assert "U+0001" in error["message"] and "JSON" in error["message"]
    fine = client.get("/sparql", params={"query": query, "format": "json" if fmt == "xml" else "ntriples"})
    assert fine.status_code == 200 and "\\u0001" in fine.text


@pytest.mark.parametrize(
    "target",
    [
        "/search?q=%FF&format=json",
        "/search?q=lux&lang=%FF",
        "/api/queries/facts-from-section?section=%FF",
        "/api/graph?theme=%C3",
        "/page/belgium?x%FF=1",
    ],
)
def test_a_parameter_that_is_not_utf8_is_refused_on_every_route(client, target):
    """`%FF` was read as U+FFFD on every route but /sparql (fixed by the sixth probe): /search looked for a
    character the client never sent, and a saved query bound it into a literal and answered 200 with no rows."""
    answer = client.get(target, headers={"Accept": "application/json"})
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert error["type"] == "bad-request" and "UTF-8" in error["message"], error


def test_a_parameter_in_utf8_is_still_read(client):
    answer = client.get("/search?q=belgi%C3%AB&format=json")
    assert answer.status_code == 200 and answer.json()["query"] == "belgië"


def test_the_utf8_check_decodes_each_distinct_run_of_a_saved_query_once(monkeypatch):
    """The check decoded every run of %-escapes of a query string on the event loop, hundreds for a saved query
    (its titles in four languages and every escaped space): 0.23 ms a request, which cut the cached saved-query
    mix's throughput by a third. Only runs of bytes of 0x80 and more can break UTF-8, each distinct one decoded
    once; a bad one among them is still found and named."""
    from pathlib import Path

    from benelux_graph.api import parameters

    decoded: list[bytes] = []
    real = parameters.is_utf8
    monkeypatch.setattr(parameters, "is_utf8", lambda run: decoded.append(run) or real(run))
    text = (Path(__file__).parents[2] / "queries" / "themes-new.rq").read_text(encoding="utf-8")
    query_string = b"query=" + quote(text).encode("ascii")
    letters = {c for c in text if ord(c) > 127}
    assert letters, "the saved query has letters beyond ASCII"
    parameters.utf8(query_string)
    assert 0 < len(decoded) == len(set(decoded)) <= len(letters), decoded
    with pytest.raises(parameters.ApiError, match="'x' is not valid UTF-8"):
        parameters.utf8(query_string + b"&x=%C3%A9%FF")


COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def count(answer) -> int:
    assert answer.status_code == 200, answer.text[:300]
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("blank", ["default-graph-uri=", "named-graph-uri=", "default-graph-uri=%20&named-graph-uri="])
def test_a_blank_graph_uri_selects_no_dataset(client, blank):
    """A blank `default-graph-uri=` (a form's empty field) was read as naming no graph, yet as a dataset given:
    the query saw an empty default graph and answered 0 rows, where without the field it sees the ontology and
    the data. A blank names no graph; an ill-formed one is still a 400 (`relative`)."""
    query = "query=" + quote(COUNT)
    plain = count(client.get(f"/sparql?{query}"))
    assert plain > 1000
    assert count(client.get(f"/sparql?{query}&{blank}")) == plain
    bad = client.get(f"/sparql?{query}&default-graph-uri=relative")
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "bad-parameter"


QUOTED = {
    "unclosed": "ASK {" + "<" * 30_000,
    "nested": "ASK { " + "<< " * 100 + "?s ?p ?o" + " >> ?p ?o" * 100 + " }",
}


@pytest.mark.parametrize("kind", QUOTED)
def test_quoted_triples_nest_like_brackets(client, live_server, kind):
    """The nesting guard (sparql_text.MAX_DEPTH, 64 levels) counted brackets, not a quoted triple's `<<`, which
    Oxigraph parses recursively too: 30,000 `<` overflowed a worker's stack (503 engine-unavailable, the worker
    killed and replaced), 100 nested quoted triples kept one busy for minutes (up to the time limit). Both are
    refused before any worker, with the place."""
    live_server.wait_for_workers(2)
    before = set(live_server.engine.worker_pids)
    answer = client.post("/sparql", data={"query": QUOTED[kind]})
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert error["type"] == "query-refused" and "<<" in error["message"] and error["line"] == 1, error
    assert set(live_server.engine.worker_pids) == before, "a query worker died"


def test_a_quoted_triple_and_comparisons_still_run(client):
    query = "SELECT ?t { BIND(<<( <http://e/s> <http://e/p> 1 )>> AS ?t) FILTER(1<2 && 2>1 && 3 >= 2) }"
    answer = client.post("/sparql", data={"query": query})
    assert answer.status_code == 200, answer.text[:300]
    assert len(answer.json()["results"]["bindings"]) == 1


BASED = "https://data.example.org/benelux"


@pytest.fixture(scope="module")
def based(settings, store):
    """A server whose public base URL has a path (a reverse proxy serving it under /benelux)."""
    with LiveServer(reliability_settings(settings, workers=1, public_url=BASED), store) as server:
        yield server


@pytest.mark.parametrize(
    "path, target", [("/sparql/", "/sparql"), ("/downloads/?format=json", "/downloads?format=json")]
)
def test_a_framework_redirect_stays_under_a_public_url_with_a_path(based, path, target):
    """Every absolute URL the server writes starts with BENELUX_PUBLIC_URL (README): Starlette's own trailing-
    slash redirect took only its scheme and host, `/sparql/` went to https://data.example.org/sparql, outside
    the deployment. The service description, written from the base URL, was right."""
    answer = httpx.get(based.url + path, timeout=30)
    assert answer.status_code == 307, answer.text[:200]
    assert answer.headers["location"] == BASED + target
    described = httpx.get(based.url + "/sparql", headers={"Accept": "application/n-triples"}, timeout=30)
    assert f"<{BASED}/sparql>" in described.text


TOKEN = "s3cret-token-for-the-probe"


@pytest.fixture(scope="module")
def admin(settings, store):
    with LiveServer(reliability_settings(settings, workers=1, admin_token=TOKEN), store) as server:
        yield server


def test_two_authorization_headers_are_refused(admin):
    """Authorization holds one credential (RFC 9110 11.6.2), not a list: with two, POST /admin/reload read the
    first and reloaded (200) whatever the second said, as two Content-Types were read before the sixth probe.
    Now a 400 that does not repeat the values; one right token still reloads, a wrong one is a 401."""
    right, wrong = ("authorization", f"Bearer {TOKEN}"), ("authorization", "Bearer nothing")
    with httpx.Client(base_url=admin.url, timeout=120) as c:
        twice = c.post("/admin/reload", headers=httpx.Headers([right, wrong]))
        assert twice.status_code == 400, twice.text[:200]
        assert twice.json()["error"]["type"] == "bad-request" and TOKEN not in twice.text
        assert c.post("/admin/reload", headers=httpx.Headers([wrong])).status_code == 401
        assert c.post("/admin/reload", headers=httpx.Headers([right])).status_code == 200


def test_the_language_links_of_a_page_keep_its_escaped_path(client):
    """The language choice, canonical and hreflang links were written from Starlette's `url.path`, which escapes
    `?` only: on /page/a%3Fb%20c%23d (the 404 page a browser gets) they read `/page/a%3Fb c#d?lang=fr`, a raw
    space and a `#` that cut the link to /page/a%3Fb c."""
    answer = client.get("/page/a%3Fb%20c%23d", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert 'href="/page/a%3Fb%20c%23d?lang=fr"' in answer.text
    assert "/page/a%3Fb%20c%23d?lang=en" in answer.text.split('rel="canonical"')[1].split(">")[0]
