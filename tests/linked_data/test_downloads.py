"""/downloads: the listing, the files (the same bytes as `dump`), validators and 304, byte ranges, the JSON-LD
context, and the VoID description with this server's links."""

from __future__ import annotations

import hashlib
import json

import pyoxigraph as ox
import pytest
import rdflib

from benelux_graph.dumps import FORMATS
from benelux_graph.rdf_writers import jsonld_context

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DATASET = rdflib.URIRef("https://w3id.org/benelux-graph/dataset")


def test_the_listing_shows_sizes_counts_checksums_and_licence(client, dump_dir, store):
    html = client.get("/downloads", headers={"Accept": "text/html"}).text
    for path in dump_dir.iterdir():
        data = path.read_bytes()
        assert f'href="/downloads/{path.name}"' in html
        assert hashlib.sha256(data).hexdigest() in html
        assert f"{len(data):,}" in html
    assert "CC BY 4.0" in html and store.release in html and "/.well-known/void" in html
    listing = client.get("/downloads", headers={"Accept": "application/json"}).json()
    assert listing["release"] == store.release
    by_name = {f["name"]: f for f in listing["files"]}
    assert by_name["benelux-graph.nq"]["statements"] == by_name["benelux-graph.trig.gz"]["statements"] > 4000
    assert by_name["benelux-graph.nq"]["named_graphs"] and not by_name["benelux-graph.ttl"]["named_graphs"]


def test_the_files_are_the_dump_commands_bytes(client, dump_dir):
    for path in dump_dir.iterdir():
        r = client.get(f"/downloads/{path.name}")
        assert r.status_code == 200
        assert r.content == path.read_bytes(), path.name
        assert r.headers["etag"] == f'"{hashlib.sha256(path.read_bytes()).hexdigest()}"'
    assert client.get("/downloads/benelux-graph.ttl").headers["content-type"] == "text/turtle; charset=utf-8"
    gz = client.get("/downloads/benelux-graph.nq.gz")
    assert gz.headers["content-type"] == "application/gzip" and "content-encoding" not in gz.headers
    assert client.get("/downloads/nothing.ttl").status_code == 404
    assert client.get("/downloads/..%2Fsecret").status_code == 404


def test_conditional_requests_answer_304(client):
    first = client.get("/downloads/benelux-graph.nt")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    r = client.get("/downloads/benelux-graph.nt", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    assert client.get("/downloads/benelux-graph.nt", headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get("/downloads/benelux-graph.nt", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/downloads/benelux-graph.nt", headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get("/downloads/benelux-graph.nt", headers={"If-Modified-Since": old}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert (
        client.get(
            "/downloads/benelux-graph.nt", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
        ).status_code
        == 200
    )


def test_range_requests(client, dump_dir):
    whole = (dump_dir / "benelux-graph.nq.gz").read_bytes()
    r = client.get("/downloads/benelux-graph.nq.gz", headers={"Range": "bytes=100-1099"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 100-1099/{len(whole)}"
    assert r.content == whole[100:1100]
    tail = client.get("/downloads/benelux-graph.nq.gz", headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.content == whole[-16:]
    stale = client.get("/downloads/benelux-graph.nq.gz", headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert stale.status_code == 200 and stale.content == whole
    fresh = client.get(
        "/downloads/benelux-graph.nq.gz", headers={"Range": "bytes=0-9", "If-Range": stale.headers["etag"]}
    )
    assert fresh.status_code == 206 and fresh.content == whole[:10]
    beyond = client.get("/downloads/benelux-graph.nq.gz", headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416
    head = client.head("/downloads/benelux-graph.nq.gz")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == len(whole)
    assert head.headers["accept-ranges"] == "bytes"


def test_the_jsonld_context_is_published(client, dump_dir):
    r = client.get("/context.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert (
        r.json()
        == jsonld_context()
        == {"@context": json.loads((dump_dir / "benelux-graph.jsonld").read_text())["@context"]}
    )


def test_void_lists_this_servers_dumps_and_endpoint_and_the_stores_counts(client, store, publication, settings):
    r = client.get("/.well-known/void")  # asked of http://testserver: the URLs are the public base URL's
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    assert (
        int(g.value(DATASET, VOID.triples)) == len(publication.quads) == len(store)
    )  # the store holds the queries' graph too
    base = settings.base_url  # http://HOST:PORT of the settings, never the request's Host
    assert str(g.value(DATASET, VOID.sparqlEndpoint)) == base + "/sparql"
    dumps = {str(o) for o in g.objects(DATASET, VOID.dataDump)}
    assert len(dumps) == 2 * len(FORMATS) and base + "/downloads/benelux-graph.nq.gz" in dumps
    for url in dumps:
        size = int(g.value(rdflib.URIRef(url), DCAT.byteSize))
        assert size == len(client.get(url.removeprefix(base)).content)
    for graph in store.files:
        n = sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        assert int(g.value(rdflib.URIRef(graph), VOID.triples)) == n
    assert str(g.value(DATASET, rdflib.URIRef("http://www.w3.org/ns/dcat#version"))) == store.release
    html = client.get("/.well-known/void", headers={"Accept": "text/html"}).text
    assert "void:Dataset" in html
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert len(rdflib.Graph().parse(data=jsonld.content, format="json-ld")) == len(g)
    assert client.get("/dataset").status_code == 303


@pytest.mark.parametrize("path", ["/downloads/benelux-graph.nq.gz", "/favicon.ico", "/static/site.css"])
@pytest.mark.parametrize("value", ["items=0-1", "bytes=5-1", "bytes=a-b", "bytes=", "bytes=-", "0-9"])
def test_a_range_that_is_not_usable_is_ignored(client, path, value):
    """RFC 9110 14.2: a unit the server does not know MUST be ignored, an invalid range may be: the whole file,
    never Starlette's plain-text 400."""
    whole = client.get(path)
    r = client.get(path, headers={"Range": value})
    assert r.status_code == 200, (r.status_code, r.text[:200])
    assert r.content == whole.content


@pytest.mark.parametrize(
    "path", ["/downloads/benelux-graph.nq.gz", "/favicon.ico", "/static/site.css", "/vendor/cytoscape/cytoscape.min.js"]
)
def test_a_range_beyond_the_file_is_a_416_in_the_error_shape(client, path):
    """Starlette answers it with an empty text/plain body; the route probe found it outside the one error shape."""
    size = len(client.get(path, headers={"Accept-Encoding": "identity"}).content)
    for accept in ("*/*", "application/json", None):
        r = client.get(path, headers={"Range": f"bytes={size + 10}-", **({"Accept": accept} if accept else {})})
        assert r.status_code == 416, r.status_code
        assert r.headers["content-range"] == f"bytes */{size}"
        error = r.json()["error"]
        assert error["status"] == 416 and str(size) in error["message"], error
        assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
    assert client.head(path, headers={"Range": f"bytes={size + 10}-"}).status_code == 416


def test_the_favicon_is_served_as_the_static_files_are(client):
    """/favicon.ico goes through the one path of the static files (api/site.py CachedStatic): its 304, Range,
    beyond-the-end 416, HEAD and preconditions are theirs, not a copy of them (If-Match was ignored)."""
    for path in ("/favicon.ico", "/static/site.css"):
        whole = client.get(path, headers={"Accept-Encoding": "identity"})
        etag, size = whole.headers["etag"], len(whole.content)
        assert whole.headers["cache-control"] == "public, max-age=86400" and "last-modified" in whole.headers
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
        assert again.headers["cache-control"] == "public, max-age=86400"
        since = client.get(path, headers={"If-Modified-Since": whole.headers["last-modified"]})
        assert since.status_code == 304, (path, since.status_code)
        part = client.get(path, headers={"Range": "bytes=0-9", "Accept-Encoding": "identity"})
        assert part.status_code == 206 and part.content == whole.content[:10]
        assert part.headers["content-range"] == f"bytes 0-9/{size}"
        assert client.get(path, headers={"Range": f"bytes={size}-"}).status_code == 416
        head = client.head(path, headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == str(size)
        refused = client.get(path, headers={"If-Match": '"other"'})
        assert refused.status_code == 412, (path, refused.status_code)
        assert refused.json()["error"]["type"] == "precondition-failed"
