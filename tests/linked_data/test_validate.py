"""POST /validate: a valid and an invalid contribution, syntax errors with line and column, JSON-LD without
remote contexts, the size limit; nothing is stored and nothing is fetched."""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import replace

import pytest

from benelux_graph.api.app import create_app
from benelux_graph.api.contribution_check import EXAMPLE, parse_contribution
from support.asgi import AsgiClient

PREFIXES = """@prefix bx: <https://w3id.org/benelux-graph/ontology#> .
@prefix bxr: <https://w3id.org/benelux-graph/id/> .
@prefix src: <https://w3id.org/benelux-graph/id/source/> .
@prefix role: <https://w3id.org/benelux-graph/id/role/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
# A membership with no role and no source passage, pointing to a passage-less forum
INVALID = (
    PREFIXES
    + """
bxr:membership-example-invalid a org:Membership ;
    org:member bxr:luxembourg ;
    org:organization bxr:greater-region .
"""
)
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def valid_report(client):
    return client.post("/validate", content=EXAMPLE.encode(), headers=TURTLE)


@pytest.fixture(scope="module")
def invalid_report(client):
    return client.post("/validate", content=INVALID.encode(), headers=TURTLE)


def test_a_valid_contribution_conforms(valid_report, store):
    assert valid_report.status_code == 200, valid_report.text
    body = valid_report.json()
    assert body["conforms"] is True and body["counts"]["violations"] == 0
    assert body["statements"] == 6 and body["release"] == store.release


def test_an_invalid_contribution_gets_its_violations(invalid_report):
    assert invalid_report.status_code == 200  # non-conformance is a result, not an error
    body = invalid_report.json()
    assert body["conforms"] is False
    problems = {(r["focus_node"], r["path"]) for r in body["results"] if r["severity"] == "Violation"}
    assert ("bxr:membership-example-invalid", "org:role") in problems
    assert ("bxr:membership-example-invalid", "prov:wasDerivedFrom") in problems
    # only what the contribution brings: no warning the data already has (missing translations, ...)
    assert all(r["focus_node"] == "bxr:membership-example-invalid" for r in body["results"])


def test_nothing_is_stored(client, invalid_report, store):
    before = len(store)
    r = client.get("/id/membership-example-invalid", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and len(store) == before


def test_a_syntax_error_gives_line_and_column(client):
    r = client.post(
        "/validate", content=(PREFIXES + "bxr:x a bx:Body ;\n    skos:prefLabel .\n").encode(), headers=TURTLE
    )
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "syntax-error" and error["line"] == 9 and error["column"] >= 1
    bad_json = client.post(
        "/validate", content=b'{"@id": "x",\n  "a": }', headers={"Content-Type": "application/ld+json"}
    )
    assert bad_json.status_code == 400 and bad_json.json()["error"]["line"] == 2


def test_jsonld_is_read_with_an_inline_or_the_projects_context_only():
    as_turtle = sorted(map(str, parse_contribution(EXAMPLE.encode(), "turtle")))
    document = {
        "@context": "https://w3id.org/benelux-graph/context.jsonld",
        "@id": "bxr:membership-luxembourg-greater-region-presidency-example",
        "@type": "org:Membership",
        "org:member": {"@id": "bxr:luxembourg"},
        "org:organization": {"@id": "bxr:greater-region"},
        "org:role": {"@id": "role:presidency"},
        "org:memberDuring": {"@id": "bxr:period-2027-2028"},
        "prov:wasDerivedFrom": {"@id": "src:benelux-plus-3"},
    }
    assert sorted(map(str, parse_contribution(json.dumps(document).encode(), "jsonld"))) == as_turtle
    inline = {
        **document,
        "@context": {
            "bxr": "https://w3id.org/benelux-graph/id/",
            "src": "https://w3id.org/benelux-graph/id/source/",
            "role": "https://w3id.org/benelux-graph/id/role/",
            "org": "http://www.w3.org/ns/org#",
            "prov": "http://www.w3.org/ns/prov#",
        },
    }
    assert sorted(map(str, parse_contribution(json.dumps(inline).encode(), "jsonld"))) == as_turtle


def test_a_remote_context_is_refused_and_never_fetched(client):
    fetched = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            fetched.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"@context": {}}')

        def log_message(self, *args):
            pass

    canary = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{canary.server_address[1]}/context.jsonld"
        for doc in (
            {"@context": url, "@id": "http://example.org/a", "http://example.org/p": "x"},
            {"@context": [{"ex": "http://example.org/"}, url], "@id": "ex:a"},
            {"@graph": [{"@context": url, "@id": "http://example.org/a"}]},
        ):
            r = client.post(
                "/validate", content=json.dumps(doc).encode(), headers={"Content-Type": "application/ld+json"}
            )
            assert r.status_code == 400 and r.json()["error"]["type"] == "remote-context", doc
    finally:
        canary.shutdown()
        canary.server_close()
    assert fetched == []


def test_limits_and_media_types(settings, store, client):
    small = AsgiClient(create_app(replace(settings, workers=1, max_body_bytes=200), store))
    try:
        r = small.post("/validate", content=INVALID.encode(), headers=TURTLE)
        assert r.status_code == 413 and r.json()["error"]["type"] == "body-too-large"
    finally:
        small.runner.shutdown()
    assert client.post("/validate", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert (
        client.post("/validate", content=PREFIXES.encode(), headers=TURTLE).json()["error"]["type"]
        == "empty-contribution"
    )


def test_the_page_posts_a_form_and_shows_the_report(client):
    page = client.get("/validate")
    assert page.status_code == 200 and '<form method="post" action="/validate"' in page.text
    r = client.post("/validate", data={"syntax": "turtle", "data": INVALID})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Does not conform" in r.text and "bxr:membership-example-invalid" in r.text
    assert "needs exactly one org:role" in r.text
    broken = client.post("/validate", data={"syntax": "turtle", "data": "bxr:x a ."})
    assert broken.status_code == 400 and "cannot be read" in broken.text and "line 1" in broken.text
