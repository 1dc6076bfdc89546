"""What a fresh probe of a default server found in the HTTP and linked-data conventions (issue 13, hidden probes):
each test is one defect it reproduced, on a real server (this folder's `client`)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.server

FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


#: one path of each kind of conditional answer
CONDITIONAL = [
    "/downloads/benelux-graph.nt",  # a dump (http_conventions.not_modified)
    "/page/greater-region",  # a page
    "/data/greater-region.ttl",  # a description
    "/static/site.css",  # a static file (http_conventions.ConditionalFiles)
]


@pytest.mark.parametrize(
    "path",
    [
        *CONDITIONAL,
        "/vendor/cytoscape/cytoscape.min.js",
        "/benelux-plus/static/benelux-plus.css",
    ],
)
def test_if_modified_since_in_the_future_is_ignored(client, path):
    """A date later than the server's clock is not a valid If-Modified-Since (RFC 2616 14.25): answered 304, a
    client with a wrong clock (or a forged header) would be told "not modified" of every release published until
    then. The answer is the whole representation, as without the header; a true date still revalidates."""
    plain = client.get(path)
    assert plain.status_code == 200, plain.text[:200]
    answer = client.get(path, headers={"If-Modified-Since": FUTURE})
    assert answer.status_code == 200
    assert answer.content == plain.content
    assert client.get(path, headers={"If-Modified-Since": plain.headers["last-modified"]}).status_code == 304


@pytest.mark.parametrize("path", ["/static/site.css", "/static/editor.js", "/vendor/yasgui/yasgui.min.css"])
def test_head_of_a_small_compressed_file_says_its_length(client, path):
    """HEAD answers with GET's headers, Content-Length included: a static file small enough to be compressed
    whole got `Content-Length` on GET but none on HEAD (the compression could not measure a body it never saw)."""
    gzip = {"Accept-Encoding": "gzip"}
    get, head = client.get(path, headers=gzip), client.head(path, headers=gzip)
    assert get.headers["content-encoding"] == head.headers["content-encoding"] == "gzip"
    assert head.headers.get("content-length") == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]
    assert head.content == b""


@pytest.mark.parametrize(
    ("path", "allowed"), [("/validate", {"GET", "HEAD", "POST"}), ("/sparql", {"GET", "HEAD", "POST"})]
)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS"])
def test_405_lists_every_method_of_the_path(client, path, allowed, method):
    """A 405's Allow names every method the path takes (RFC 9110 15.5.6): /validate said `GET, HEAD`, its POST
    being another route (Starlette lists the first route's methods only)."""
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert answer.json()["error"]["type"] == "method-not-allowed"
    assert {m.strip() for m in answer.headers["allow"].split(",")} == allowed


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql?query=SELECT%20(%22%FF%22%20AS%20%3Fx)%20%7B%7D"),
        lambda c: c.post(
            "/sparql",
            content=b"query=SELECT%20(%22%FF%22%20AS%20%3Fx)%20%7B%7D",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ],
    ids=["url", "form"],
)
def test_a_percent_escaped_query_that_is_not_utf8_is_refused(client, send):
    """`%FF` in a query sent in the URL or a form ran as U+FFFD (a literal the client never wrote, answered 200),
    or failed with a parser message about another token; the same bytes posted as application/sparql-query are
    refused as not UTF-8 (W3C protocol test bad_query_non_utf8). Now every form says so."""
    answer = send(client)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "bad-request"
    assert "UTF-8" in error["message"]


GRAPH = "https://w3id.org/benelux-graph/graph/data/countries"


def test_graph_store_indirect_identification_serves_a_named_graph(client):
    """The Graph Store Protocol's `?graph=<IRI>` (indirect identification) on /graph answers the graph, as its
    direct IRI /graph/data/countries does; it was redirected to /graph/ and answered 404 for a graph named
    `…/graph/`."""
    direct = client.get("/graph/data/countries", headers={"Accept": "application/n-triples"})
    indirect = client.get("/graph", params={"graph": GRAPH}, headers={"Accept": "application/n-triples"})
    assert indirect.status_code == 200, indirect.text[:300]
    assert indirect.headers["content-type"].startswith("application/n-triples")
    assert indirect.content == direct.content


def test_graph_store_default_is_the_default_graph(client):
    """`/graph?default` answers the default graph: the statements a query without FROM sees (ontology and data)."""
    answer = client.get("/graph?default", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200, answer.text[:300]
    lines = {line for line in answer.text.splitlines() if line.strip()}
    count = client.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert len(lines) == int(count.text.split()[1])


@pytest.mark.parametrize(
    ("query", "status", "kind"),
    [
        ("", 400, "bad-request"),  # neither
        (f"graph={GRAPH}&default", 400, "bad-request"),  # both
        (f"graph={GRAPH}&graph={GRAPH}", 400, "bad-parameter"),  # two graphs: a parameter repeated (api/parameters.py)
        ("graph=http://example.org/elsewhere", 404, "unknown-graph"),
        ("graph=not%20an%20iri", 404, "unknown-graph"),
    ],
)
def test_graph_store_indirect_errors(client, query, status, kind):
    answer = client.get("/graph?" + query, headers={"Accept": "text/turtle"})
    assert answer.status_code == status, answer.text[:300]
    assert answer.json()["error"]["type"] == kind


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_graph_store_is_read_only(client, method):
    answer = client.request(method, f"/graph?graph={GRAPH}", content=b"<urn:a> <urn:b> <urn:c> .")
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["allow"].split(",")} == {"GET", "HEAD"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/sparql?query=ASK%20%7B", 400),  # malformed
        ("/sparql?query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20%3Fy%20", 400),
        ("/api/graph?type=nope", 400),
        ("/api/graph/benelux-plus?theme=nope", 400),
        ("/api/graph/neighbourhood/nope", 404),
        ("/api/graph/path?from=nope&to=belgium", 404),
        ("/api/graph/metrics?country=XX", 400),
    ],
)
def test_if_none_match_star_does_not_hide_an_error(client, path, status):
    """`If-None-Match: *` is a precondition, evaluated only when the request would succeed (RFC 9110 13.2.1): a
    malformed query or an unknown node was answered 304 (with an ETag), as if a representation existed."""
    answer = client.get(path, headers={"If-None-Match": "*"})
    assert answer.status_code == status, answer.text[:200]
    assert "error" in answer.json()


def test_if_none_match_star_still_revalidates_a_good_answer(client):
    assert client.get("/api/graph?type=country", headers={"If-None-Match": "*"}).status_code == 304
    client.get("/sparql?query=ASK%7B%7D")  # now in the answer cache
    assert client.get("/sparql?query=ASK%7B%7D", headers={"If-None-Match": "*"}).status_code == 304


def test_every_iri_of_the_void_description_resolves(client):
    """Every IRI under the project's base that VoID names resolves on the server (README: every IRI of the graph
    resolves): the publisher, `…/contributors`, answered 404."""
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).text
    base = "https://w3id.org/benelux-graph/"
    paths = {
        "/" + iri.removeprefix(base).split("#")[0]
        for iri in re.findall(r"<(https://w3id\.org/benelux-graph/[^>]*)>", void)
    }
    assert "/contributors" in paths
    broken = [p for p in sorted(paths) if client.get(p, follow_redirects=True).status_code != 200]
    assert broken == []
    publisher = client.get("/contributors", headers={"Accept": "text/turtle"})
    assert publisher.status_code == 303
    assert publisher.headers["location"].endswith("/.well-known/void")


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql?query="),
        lambda c: c.get("/sparql?query=%20%0A"),
        lambda c: c.post("/sparql", data={"query": ""}),
        lambda c: c.post("/sparql", content=b"  ", headers={"Content-Type": "application/sparql-query"}),
    ],
    ids=["get", "blank", "form", "direct"],
)
def test_an_empty_query_is_said_to_be_empty(client, send):
    """An empty query was answered "error at 1:1: expected [_]" (what is left of the parser's list of characters)."""
    answer = send(client)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "malformed-query"
    assert "empty" in error["message"]


def test_an_empty_query_followed_in_a_browser_opens_the_editor(client):
    answer = client.get("/sparql?query=", headers={"Accept": "text/html"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST"])
def test_admin_reload_is_not_there_without_a_token(client, method):
    """Without BENELUX_ADMIN_TOKEN, /admin/reload is a 404 like any unknown path (api/admin.py): only POST was,
    other methods answered 405 `Allow: POST`, saying that it exists."""
    answer = client.request(method, "/admin/reload")
    assert answer.status_code == 404
    assert "allow" not in answer.headers
    assert answer.json()["error"]["type"] == "not-found"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/page/greater-region/", "/page/greater-region"),
        ("/id/greater-region/?lang=fr", "/id/greater-region?lang=fr"),
        ("/data/greater-region.ttl/", "/data/greater-region.ttl"),
        ("/graph/data/countries/", "/graph/data/countries"),
        ("/api/graph/neighbourhood/belgium/", "/api/graph/neighbourhood/belgium"),
    ],
)
def test_a_trailing_slash_on_a_document_redirects_to_it(client, path, target):
    """/sparql/, /sources/<document>/ or /api/queries/<name>/ are redirected to the path without the slash
    (Starlette's redirect_slashes), but an entity, a description, a graph or a node with one was a 404."""
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 307, answer.text[:200]
    assert answer.headers["location"].endswith(target)
    assert answer.headers["content-type"].startswith("text/plain") and target in answer.text  # typed, as all answers
    assert client.get(path, follow_redirects=True).status_code == 200


@pytest.mark.parametrize("path", ["/id/", "/page/", "/graph/nope/", "/page/nope/", "/graph/source%2F", "/id/x%2f"])
def test_a_trailing_slash_never_loops(client, path):
    """An escaped slash (%2F) ends a name: its "redirect" pointed at itself (found by schemathesis in CI)."""
    answer = client.get(path)
    assert answer.status_code in (404, 307), answer.text[:200]
    if answer.status_code == 307:
        assert answer.headers["location"] != path
    answer = client.get(path, follow_redirects=True)
    assert answer.status_code == 404
    assert len(answer.history) <= 1


@pytest.mark.parametrize("which", ["ontology", "shapes"])
@pytest.mark.parametrize(
    ("accept", "ext"), [("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/n-triples", "nt")]
)
def test_a_negotiated_vocabulary_document_names_its_own_url(client, which, accept, ext):
    """/ontology and /shapes negotiate among RDF formats that each have a URL of their own (/ontology.ttl, ...):
    the answer names it in Content-Location (RFC 9110 8.7), so a crawler or cache can tell the representations
    apart; none did. (The HTML page is /ontology itself.)"""
    answer = client.get(f"/{which}", headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers.get("content-location") == f"/{which}.{ext}"
    assert client.get(answer.headers["content-location"]).content == answer.content


PAST = "Thu, 01 Jan 1998 00:00:00 GMT"


@pytest.mark.parametrize("path", CONDITIONAL)
def test_if_match_and_if_unmodified_since_are_evaluated(client, path):
    """RFC 9110 13.1.1/13.1.4: a server MUST evaluate If-Match and If-Unmodified-Since before performing the method;
    they were ignored (200 whatever they said). A tag that is not the answer's, or a date before its last change,
    is a 412 in the error shape; `*`, the answer's own strong tag, and a date after its change are a 200."""
    plain = client.get(path)
    assert plain.status_code == 200
    etag = plain.headers["etag"]
    for headers in ({"If-Match": '"not-this-one"'}, {"If-Unmodified-Since": PAST}):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 412, (headers, answer.status_code)
        assert answer.json()["error"]["type"] == "precondition-failed"
        assert client.head(path, headers=headers).status_code == 412
    assert client.get(path, headers={"If-Match": "*"}).status_code == 200
    assert client.get(path, headers={"If-Unmodified-Since": plain.headers["last-modified"]}).status_code == 200
    own = client.get(path, headers={"If-Match": etag})
    # a weak tag never matches If-Match (strong comparison); a strong one matches itself
    assert own.status_code == (412 if etag.startswith("W/") else 200)


def test_robots_txt_keeps_crawlers_off_what_computes_per_request(client):
    """A crawler asks for /robots.txt first (it was a 404): the pages, linked data and downloads are open to it;
    the routes that compute an answer per URL (queries, search, contributions, the graph API) are not."""
    answer = client.get("/robots.txt")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    rules = {line.split(":", 1)[1].strip() for line in answer.text.splitlines() if line.startswith("Disallow:")}
    assert "User-agent: *" in answer.text
    assert {"/sparql", "/search", "/validate", "/api/"} <= rules
    assert not any(p.startswith(r) for r in rules for p in ("/page/", "/id/", "/data/", "/downloads/", "/"))
    assert client.head("/robots.txt").status_code == 200
