"""What the sixth probe of a default server found, route by route (issue 13, hidden probes: security, protocol,
every route): each test is one defect it reproduced, on a real server (this folder's `client`)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from support.live_server import healthz_wait_during

pytestmark = pytest.mark.server


@pytest.mark.parametrize("path", ["/favicon.ico", "/vendor/redoc/redoc.standalone.js"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_file_with_a_lifetime_revalidates_to_304(client, path, encoding):
    """A file cached for a day or a week is revalidated by its ETag when that runs out (README, "Compression and
    caching"): the favicon had an ETag that never gave a 304, ReDoc's 1 MB bundle no validator at all."""
    first = client.get(path, headers={"Accept-Encoding": encoding})
    assert first.status_code == 200 and "max-age" in first.headers["cache-control"]
    etag = first.headers.get("etag")
    assert etag, first.headers
    again = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304, (path, again.status_code)
    assert again.headers["etag"] == etag and again.content == b""
    assert client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": '"other"'}).status_code == 200


#: A valid query whose comment opens a string that never closes, at every one of its 30,000 escaped quotes.
UNCLOSED_QUOTES = 'ASK {} # "' + '\\"' * 30_000


def test_the_fast_lanes_shape_of_a_query_is_read_in_linear_time():
    """fastlane.VARYING masks the strings of a query (its shape) on the event loop: a string that never closes was
    scanned to the end of its line from each of its escaped quotes, quadratic (60 KB: about 50 s)."""
    from benelux_graph.fastlane import shape
    from benelux_graph.query_jobs import Job

    start = time.perf_counter()
    key = shape(Job(query=UNCLOSED_QUOTES))
    assert time.perf_counter() - start < 1.0  # linear: a few ms
    assert key is not None and key[0].startswith("ASK {} #")
    # what it masks is unchanged: strings, IRIs and numbers
    masked = shape(Job(query='SELECT * { ?s <http://x/y> "a\\"b", \'c\', 12.5e3 } # "open'))
    assert masked is not None and masked[0] == 'SELECT * { ?s _ _, _, _ } # "open'


def test_a_query_of_unclosed_quotes_does_not_stall_the_server(live_server):
    answer, waited = healthz_wait_during(live_server.url, UNCLOSED_QUOTES, timeout=120, head_start=0.3)
    assert answer.status_code == 200, answer.text
    assert waited < 0.5, f"/healthz waited {waited:.1f} s"


def test_a_json_contribution_with_an_unclosed_string_is_refused_at_once(client):
    """Before the parser, the validation worker counts the nesting of a JSON-LD body with its strings blanked
    (contribution_check.JSON_SKIPPED): a string that never closed was scanned to the end of the body again from
    each escaped quote, quadratic: 40 KB took 9 s and 100 KB held the one validation worker to its time limit
    (503), so that a few such bodies a minute kept every contributor waiting."""
    body = '["' + '\\"' * 50_000
    start = time.monotonic()
    r = client.post("/validate", content=body.encode(), headers={"Content-Type": "application/ld+json"})
    elapsed = time.monotonic() - start
    assert r.status_code == 400, r.text[:300]
    assert r.json()["error"]["type"] == "syntax-error"
    assert elapsed < 3.0, f"{elapsed:.1f} s"


#: Each format of the endpoint (README, "Formats") by its `format=` name, and its W3C format IRI.
W3C_FORMATS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "trig": "TriG",
    "nquads": "N-Quads",
}


def test_the_service_description_lists_every_result_format_the_endpoint_answers(client):
    """sd:resultFormat says which formats a client may ask for: N-Quads was answered but not listed."""
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    for name in W3C_FORMATS:
        query = "ASK {}" if name in ("json", "xml", "csv", "tsv") else construct
        assert client.get("/sparql", params={"query": query, "format": name}).status_code == 200, name
    described = ox.parse(
        client.get("/sparql", headers={"Accept": "application/n-triples"}).content, ox.RdfFormat.N_TRIPLES
    )
    listed = {
        t.object.value
        for t in described
        if t.predicate.value == "http://www.w3.org/ns/sparql-service-description#resultFormat"
    }
    assert listed == {"http://www.w3.org/ns/formats/" + f for f in W3C_FORMATS.values()}


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/sparql", "GET, HEAD, POST"),
        ("/validate", "GET, HEAD, POST"),
        ("/id/belgium", "GET, HEAD"),
        ("/healthz", "GET, HEAD"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_405_says_which_methods_the_path_answers_in_one_order(client, path, allowed, method):
    """A 405's message was Starlette's "Method Not Allowed", and its Allow listed the methods in the order of a
    set, different from one request to the next (`POST, HEAD, GET`, then `GET, HEAD, POST`)."""
    for _ in range(3):
        answer = client.request(method, path, headers={"Accept": "application/json"})
        assert answer.status_code == 405
        assert answer.headers["allow"] == allowed
        assert allowed in answer.json()["error"]["message"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_a_404_of_a_program_says_where_to_look(client, method):
    """A path no route serves answered a program `"message": "Not Found"`; /admin/reload without a token answers
    alike (it must look like any unknown path)."""
    for path in ("/no-such-thing", "/admin/reload"):
        answer = client.request(method, path, headers={"Accept": "application/json"})
        assert answer.status_code == 404
        message = answer.json()["error"]["message"]
        assert message != "Not Found" and "/" in message, message
    assert client.get("/admin/reload").json() == client.get("/no-such-thing").json()


def test_the_framed_benelux_plus_page_leaves_the_frame_for_pages_that_refuse_one(client):
    """The Benelux+ page is made to be framed by another site (frame-ancestors *), every other page refuses a frame
    (frame-ancestors 'none', X-Frame-Options: DENY): the site header's links and search on the framed page opened
    those pages inside the frame, where the browser refused them. They open in the whole window now; the language
    choice, which stays on the Benelux+ page, stays in the frame."""
    html = client.get("/benelux-plus?lang=nl").text
    header = html[html.index('<header class="site">') : html.index("</header>")]
    links = re.findall(r'<a ([^>]*)href="([^"]*)"([^>]*)>', header)
    assert len(links) >= 10
    for before, href, after in links:
        path = urlsplit(href).path
        framed = "target=" not in before + after
        if path == "/benelux-plus":
            assert framed, href
        else:
            assert 'target="_top"' in before + after, href
            refused = client.get(href, headers={"Accept": "text/html"})
            assert "frame-ancestors 'none'" in refused.headers["content-security-policy"], href
    assert re.search(r'<form role="search" action="[^"]*/search" method="get" target="_top">', header)
    assert "frame-ancestors *" in client.get("/benelux-plus").headers["content-security-policy"]
    # the other pages' headers are unchanged
    assert 'target="_top"' not in client.get("/sources").text


@pytest.mark.browser
def test_a_ministry_framing_the_page_gets_the_next_page_in_its_window(page, live_server):
    """Chromium: a page of another origin (localhost against 127.0.0.1) frames /benelux-plus; following the site
    header's "Sources" leaves the frame and opens the page in the window (inside the frame it was refused)."""
    other_origin = live_server.url.replace("127.0.0.1", "localhost")
    page.goto(other_origin + "/robots.txt")
    page.set_content(
        f'<iframe src="{live_server.url}/benelux-plus?lang=fr" style="width:1200px;height:800px"></iframe>'
    )
    frame = page.frame_locator("iframe")
    frame.locator("header.site nav a[href*='/sources']").click()
    page.wait_for_url("**/sources?lang=fr", timeout=20_000)
    assert page.url.startswith(live_server.url + "/sources")


QUERY_ANSWERS = ["/sparql?query=ASK%7B%7D", "/api/queries/country-participations"]


@pytest.mark.parametrize("path", QUERY_ANSWERS)
def test_if_match_is_evaluated_on_query_answers(client, path):
    """RFC 9110 13.1.1: If-Match is evaluated before the method is performed; files and pages did (the fifth
    probe), query answers ignored it (200 whatever tag it named)."""
    etag = client.get(path).headers["etag"]
    refused = client.get(path, headers={"If-Match": '"not-this-one"'})
    assert refused.status_code == 412, refused.status_code
    assert refused.json()["error"]["type"] == "precondition-failed"
    assert client.head(path, headers={"If-Match": '"not-this-one"'}).status_code == 412
    for tag in ("*", etag):
        assert client.get(path, headers={"If-Match": tag}).status_code == 200, tag


def test_a_post_is_never_answered_304(client):
    """304 answers a conditional GET or HEAD only (RFC 9110 15.4.5); for another method a matching If-None-Match is
    a 412 (13.1.2). A POSTed query naming its answer's tag got a 304, with no body for a client that sent one."""
    etag = client.get("/sparql?query=ASK%7B%7D").headers["etag"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": "*"}):
        answer = client.post("/sparql", data={"query": "ASK{}"}, headers=headers)
        assert answer.status_code == 412, (headers, answer.status_code)
        assert answer.json()["error"]["type"] == "precondition-failed"
    assert client.post("/sparql", data={"query": "ASK{}"}, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/sparql?query=ASK%7B%7D", headers={"If-None-Match": etag}).status_code == 304


AGREEMENT = (
    "@prefix bx: <https://w3id.org/benelux-graph/ontology#> . <https://w3id.org/benelux-graph/id/x> a bx:Agreement ."
)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/turtle", AGREEMENT),
        (
            "application/ld+json",
            '{"@id": "https://w3id.org/benelux-graph/id/x", "@type": "https://w3id.org/benelux-graph/ontology#Agreement"}',
        ),
    ],
)
def test_a_contribution_saved_with_a_byte_order_mark_is_read(client, content_type, body):
    """Editors on Windows save UTF-8 with a byte-order mark: the contribution was refused with "\ufeff is not a
    valid subject" (an invisible character in the message) or "invalid JSON"."""
    answer = client.post("/validate", content=b"\xef\xbb\xbf" + body.encode(), headers={"Content-Type": content_type})
    assert answer.status_code == 200, answer.text[:300]
    plain = client.post("/validate", content=body.encode(), headers={"Content-Type": content_type})
    assert answer.json()["conforms"] == plain.json()["conforms"]


def test_a_form_field_given_twice_is_refused_naming_it(client):
    """The one rule for parameters (a parameter given twice is a 400 naming it) held for /sparql's form, not for
    the /validate form, which silently checked the last `data`."""
    answer = client.post(
        "/validate",
        content=b"data=x&data=y&syntax=turtle",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "bad-parameter"
    assert "'data'" in answer.json()["error"]["message"]
