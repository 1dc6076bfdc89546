"""The HTTP layer under attack (issue 13): costly 404s, forwarded headers, the public base URL, slow clients,
ill-formed IRI parameters, the 404's caching headers and the vendor files.

Most tests run against `benelux-graph serve` itself in a subprocess (`serve_command`), as an operator starts it:
one query worker, a rate limit of 60 requests a minute, 127.0.0.2 as the only trusted proxy, a read timeout of
3 s and a public URL. Each test talks from its own loopback address (127.0.0.x), so that each has its own rate
limit bucket (/healthz is not counted).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from reliability_support import ROOT, free_port

from support.live_server import serving

PUBLIC = "https://graph.example.org"
READ_TIMEOUT = 3
EVIL = {
    "Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Host": "evil.example",
    "Forwarded": "for=10.9.9.9;proto=http;host=evil.example",
}


@pytest.fixture(scope="module")
def serve_command(tmp_path_factory):
    """`benelux-graph serve` with the settings of the module's doc."""
    with serving(
        tmp_path_factory.mktemp("serve"),
        workers="1",
        rate_limit="60",
        trusted_proxies="127.0.0.2",
        public_url=PUBLIC,
        read_timeout=str(READ_TIMEOUT),
    ) as url:
        yield url


def client_from(url: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, transport=httpx.HTTPTransport(local_address=address))


# --- forwarded headers ----------------------------------------------------------------------------------------


def test_forwarded_headers_from_an_untrusted_peer_do_not_escape_the_rate_limit(serve_command):
    """80 requests rotating X-Forwarded-For and Forwarded from 127.0.0.1 (which uvicorn trusts by default): it is
    one client of 60 a minute. (The only test here that sends counted requests from 127.0.0.1.)"""
    with client_from(serve_command, "127.0.0.1") as c:
        statuses = [
            c.get(
                "/api/queries", headers={"X-Forwarded-For": f"10.0.0.{i}", "Forwarded": f"for=10.0.1.{i}"}
            ).status_code
            for i in range(80)
        ]
    assert statuses.count(200) <= 65 and statuses.count(429) >= 15, statuses  # the bucket refills one a second


def test_a_trusted_proxy_forwards_each_client_address(serve_command):
    """From the trusted proxy (127.0.0.2), X-Forwarded-For names the client: 80 clients pass, one client is
    limited like any other."""
    with client_from(serve_command, "127.0.0.2") as proxy:
        many = [proxy.get("/api/queries", headers={"X-Forwarded-For": f"10.0.2.{i}"}).status_code for i in range(80)]
        # 120 in a row from one client: past its 60 the bucket refills one a second, so even a slow machine (a few
        # seconds for the lot) sees dozens refused
        one = [proxy.get("/api/queries", headers={"X-Forwarded-For": "10.0.3.1"}).status_code for _ in range(120)]
    assert many == [200] * 80
    assert one.count(429) >= 10, one


def test_serve_refuses_a_proxy_list_public_url_or_api_origin_it_cannot_use():
    for name, value, says in [
        ("BENELUX_TRUSTED_PROXIES", "proxy.example", "proxy.example"),
        ("BENELUX_PUBLIC_URL", "graph.example.org/x", "BENELUX_PUBLIC_URL"),
        ("BENELUX_API_ORIGINS", "https://ok.example,https://graph.example.org/api", "graph.example.org/api"),
        ("BENELUX_API_ORIGINS", "https://a.example; script-src *", "BENELUX_API_ORIGINS"),
    ]:
        env = {**os.environ, "BENELUX_ROOT": str(ROOT), "BENELUX_PORT": str(free_port()), name: value}
        done = subprocess.run(
            [sys.executable, "-m", "benelux_graph", "serve"], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2 and says in done.stderr, (name, done.returncode, done.stderr[-500:])


# --- the public base URL --------------------------------------------------------------------------------------


def test_absolute_urls_come_from_the_public_url_never_from_the_request(serve_command):
    with client_from(serve_command, "127.0.0.4") as c:
        description = c.get("/sparql", headers={**EVIL, "Accept": "text/turtle"})
        void = c.get("/.well-known/void", headers={**EVIL, "Accept": "text/turtle"})
        downloads = c.get("/downloads", headers={**EVIL, "Accept": "text/html"})
        openapi = c.get("/openapi.json", headers=EVIL)
        slash = c.get("/sparql/", headers=EVIL)
        entity = c.get("/id/brussels", headers={**EVIL, "Accept": "text/html"})
    with client_from(serve_command, "127.0.0.2") as proxy:  # a trusted proxy's scheme does not change it either
        proxied = proxy.get("/sparql", headers={**EVIL, "Accept": "text/turtle", "X-Forwarded-For": "10.0.4.1"})
    assert f"<{PUBLIC}/sparql>" in description.text and f"<{PUBLIC}/sparql>" in proxied.text
    assert f"<{PUBLIC}/downloads/" in void.text and f"<{PUBLIC}/sparql>" in void.text
    assert f"{PUBLIC}/downloads" in downloads.text
    assert openapi.json()["servers"][0]["url"] == PUBLIC
    assert entity.status_code == 303 and entity.headers["location"].startswith("/page/brussels")
    for r in (description, void, downloads, openapi, slash, entity, proxied):
        assert "evil.example" not in r.text and "evil.example" not in r.headers.get("location", ""), r.url
    assert slash.status_code == 307 and slash.headers["location"] == PUBLIC + "/sparql"  # Starlette's own redirect


def test_the_public_url_is_http_host_port_by_default(live_server):
    r = httpx.get(live_server.url + "/sparql", headers={**EVIL, "Accept": "application/n-triples"}, timeout=30)
    assert f"<{live_server.url}/sparql>" in r.text and "evil.example" not in r.text


# --- slow clients ---------------------------------------------------------------------------------------------


def read_answer(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection (or `limit` seconds), and when it closed."""
    sock.settimeout(limit)
    start, data = time.monotonic(), b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data, time.monotonic() - start


def trickle(sock: socket.socket, lines: list[bytes], every: float = 1.0) -> bytes:
    """Send one of `lines` every `every` seconds until the server answers or closes; what it sent."""
    for line in lines:
        sock.settimeout(every)
        try:
            data = sock.recv(65536)
        except TimeoutError:
            data = None
        except ConnectionResetError:
            return b""
        if data is not None:  # an answer, or the end of the connection
            return data + read_answer(sock, 5)[0]
        try:
            sock.sendall(line)
        except (BrokenPipeError, ConnectionResetError):
            break
    return read_answer(sock, 5)[0]


def connect(url: str, address: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port_of(url)), timeout=30, source_address=(address, 0))


def read_one(sock: socket.socket) -> bytes:
    """One whole answer (with a Content-Length) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_slow_headers_are_cut_at_the_read_timeout(serve_command):
    """One header line a second, never the blank line that ends them: 408 and closed after about 3 s."""
    with connect(serve_command, "127.0.0.5") as sock:
        start = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        data = trickle(sock, [f"X-Slow-{i}: {i}\r\n".encode() for i in range(15)])
        seconds = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert b'"request-timeout"' in data
    assert seconds < READ_TIMEOUT + 2.5, seconds
    assert httpx.get(serve_command + "/healthz", timeout=10).status_code == 200


def test_a_slow_body_is_cut_at_the_read_timeout(serve_command):
    """A query body sent one byte a second: 408 and closed about 3 s after the request's first byte."""
    with connect(serve_command, "127.0.0.6") as sock:
        start = time.monotonic()
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 200\r\n\r\nASK"
        )
        data = trickle(sock, [b" "] * 15)
        seconds = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert seconds < READ_TIMEOUT + 2.5, seconds
    time.sleep(0.5)
    log = serve_command.log.read_text(errors="replace")
    assert "Traceback" not in log and "unexpected error" not in log, log[-2000:]  # the route saw a disconnect


def test_a_kept_alive_connection_gets_the_read_timeout_again(serve_command):
    """A first request answered, then a second one trickled on the same connection: cut too."""
    with connect(serve_command, "127.0.0.7") as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_one(sock).startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        data = trickle(sock, [f"X-Slow-{i}: {i}\r\n".encode() for i in range(15)])
        seconds = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert seconds < READ_TIMEOUT + 2.5, seconds


def test_an_endless_head_is_cut_at_its_size_limit(serve_command):
    """Headers of 2 MB sent at once: 431 once the head passes 128 KB (httptools has no limit of its own)."""
    with connect(serve_command, "127.0.0.9") as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(40):
                sock.sendall(b"X-Big: " + b"a" * 50_000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        data, _ = read_answer(sock, 10)
    assert data.startswith(b"HTTP/1.1 431"), data[:200]
    assert b'"head-too-large"' in data
    with connect(serve_command, "127.0.0.9") as sock:  # a long URL and header within the limit are still read
        sock.sendall(
            b"GET /page/"
            + b"w" * 60_000
            + b" HTTP/1.1\r\nHost: x\r\nX-Big: "
            + b"a" * 60_000
            + b"\r\nConnection: close\r\n\r\n"
        )
        assert read_answer(sock, 10)[0].startswith(b"HTTP/1.1 404")


@pytest.mark.parametrize("size", [140_000, 190_000])
def test_a_head_past_its_size_limit_is_refused_even_when_it_arrives_whole(live_server, size):
    """A head that ends in the same read as it passes 128 KB was read (the probe: 140 KB at once answered 200)."""
    with connect(live_server.url, "127.0.0.1") as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\nConnection: close\r\n\r\n")
        data, _ = read_answer(sock, 10)
    assert data.startswith(b"HTTP/1.1 431"), data[:200]
    assert b'"head-too-large"' in data


def test_a_body_sent_with_its_head_is_not_counted_in_the_head(live_server):
    body = b"ASK {} #" + b"x" * 300_000
    with connect(live_server.url, "127.0.0.1") as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        data, _ = read_answer(sock, 10)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b'"query-too-large"' in data


def test_a_websocket_handshake_is_answered_as_plain_http(live_server):
    """The server has no WebSocket route: uvicorn answered a handshake 403 with an empty text/plain body, outside
    the error shape and the headers of every answer; with WebSockets off it is an ordinary request."""
    with connect(live_server.url, "127.0.0.1") as sock:
        sock.sendall(
            b"GET /no-such-route HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        data, _ = read_answer(sock, 10)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404"), data[:300]
    assert b"x-content-type-options: nosniff" in head.lower()
    assert json.loads(body)["error"]["type"] == "not-found"


def test_several_server_processes_keep_the_http_settings(tmp_path):
    """`serve --workers 2`: each process has the read timeout and the proxy rule (from 127.0.0.1, rotating
    X-Forwarded-For, a rate limit of 3 a minute holds)."""
    with serving(tmp_path, "--workers", "2", workers="1", rate_limit="3", read_timeout="2") as url:
        with connect(url, "127.0.0.1") as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            assert trickle(sock, [b"X-Slow: 1\r\n"] * 10).startswith(b"HTTP/1.1 408")
        with httpx.Client(base_url=url, timeout=30) as c:  # one connection: one server process
            statuses = [c.get("/api/queries", headers={"X-Forwarded-For": f"10.0.5.{i}"}).status_code for i in range(6)]
    assert statuses.count(429) >= 3, statuses


def test_a_silent_connection_is_closed(serve_command):
    with connect(serve_command, "127.0.0.8") as sock:
        data, seconds = read_answer(sock, 20)
    assert seconds < READ_TIMEOUT + 2.5, seconds
    assert data == b"" or data.startswith(b"HTTP/1.1 408"), data[:200]


# --- costly 404s ----------------------------------------------------------------------------------------------


def test_a_long_unknown_page_path_is_answered_404_at_once(live_server):
    """8,000 words in an unknown /page/ path: the suggestions look up a few of them only."""
    path = "/page/" + "-".join(f"w{i:04d}" for i in range(8000))
    with httpx.Client(base_url=live_server.url, timeout=20) as c:
        assert c.get("/page/no-such-thing", headers={"Accept": "text/html"}).status_code == 404  # indexes built
        start = time.monotonic()
        r = c.get(path, headers={"Accept": "text/html"})
        seconds = time.monotonic() - start
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert seconds < 1.0, seconds  # 32 s before the suggestions were bounded


def test_an_unknown_page_still_suggests_what_it_resembles(client):
    r = client.get("/page/greater-regio", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "/page/greater-region" in r.text


def test_404_answers_say_what_they_vary_on_and_are_not_stored(client):
    html = client.get("/page/no-such-thing", headers={"Accept": "text/html"})
    json_ = client.get("/page/no-such-thing", headers={"Accept": "application/json"})
    for r in (html, json_):
        assert r.status_code == 404
        assert "accept" in [v.strip().lower() for v in r.headers.get("vary", "").split(",")], r.headers
        assert r.headers.get("cache-control") == "no-store", r.headers


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/no-such-route", "/sitemap.xml", "/static/no-such.css", "/api/no-such"])
def test_a_path_no_route_serves_is_a_404_page_for_a_browser_and_json_for_a_program(client, path):
    page = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "fr"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html"), page.text[:200]
    assert "Il n'y a pas de page" in page.text.replace("&#39;", "'") and 'role="search"' in page.text
    assert "accept" in page.headers["vary"].lower() and page.headers["cache-control"] == "no-store"
    for accept in ("application/json", "*/*", None):
        r = client.get(path, headers={"Accept": accept} if accept else {})
        assert r.status_code == 404 and r.json()["error"]["type"] == "not-found", (accept, r.text[:200])


# --- saved-query IRI parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["http://ex/a#b#c", "http://[::1", "http://ex/%zz", "http://ex/a\x01b", "http://ex/\x7f"]
)
def test_an_invalid_iri_parameter_is_a_bad_parameter(client, value):
    r = client.get("/api/queries/secretariat-provider", params={"forum": value})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "bad-parameter" and "'forum'" in error["message"] and "IRI" in error["message"]


# --- vendor files ---------------------------------------------------------------------------------------------


def test_vendor_serves_only_the_files_the_pages_use(client):
    for used in (
        "/vendor/yasgui/yasgui.min.js",
        "/vendor/yasgui/yasgui.min.css",
        "/vendor/cytoscape/cytoscape.min.js",
        "/vendor/layout-base/layout-base.js",
        "/vendor/cose-base/cose-base.js",
        "/vendor/cytoscape-fcose/cytoscape-fcose.js",
    ):
        assert client.get(used).status_code == 200, used
    for other in (
        "/vendor/cytoscape-fcose/demo.html",
        "/vendor/cytoscape-fcose/demo/demo.html",
        "/vendor/cytoscape-fcose/package.json",
        "/vendor/cytoscape-fcose/src/index.js",
        "/vendor/layout-base/package.json",
        "/vendor/cose-base/README.md",
        "/vendor/cytoscape/cytoscape.umd.js",
        "/vendor/yasgui/yasgui.esm.js",
        "/vendor/yasgui/yasgui.min.js.map",
        "/vendor/yasgui/ts/index.d.ts",
    ):
        r = client.get(other)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json"), other


@pytest.mark.parametrize(
    "head",
    [
        b"FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n",  # a method the parser does not know
        b"GET /x\x01y HTTP/1.1\r\nHost: x\r\n\r\n",  # a control character in the target
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",  # NUL in a header
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",  # smuggling
    ],
)
def test_what_the_http_parser_refuses_is_a_400_in_the_error_shape(live_server, head):
    """uvicorn's own answer is plain text 'Invalid HTTP request received.'; ours is the one error shape."""
    with connect(live_server.url, "127.0.0.1") as sock:
        sock.sendall(head)
        data, _ = read_answer(sock, 10)
    status, _, body = data.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400"), data[:300]
    assert json.loads(body)["error"]["type"] == "bad-request", body


# --- CORS preflights ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, headers",
    [("PUT", "content-type"), ("POST", "authorization"), ("DELETE", None), ("GET", "x-anything, content-type")],
)
def test_a_refused_preflight_is_an_error_in_the_one_shape(client, method, headers):
    """Starlette answers a preflight it refuses itself, in plain text ('Disallowed CORS method'), past the
    layer that adds the headers of every answer."""
    asked = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    r = client.options("/sparql", headers=asked)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "bad-request" and "GET, HEAD, POST" in error["message"], error
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-benelux-release"]
    assert r.headers["access-control-allow-origin"] == "*" and "origin" in r.headers["vary"].lower()


def test_an_accepted_preflight_carries_the_headers_of_every_answer(client):
    r = client.options(
        "/sparql",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-benelux-version"]


# --- 405 -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/api/queries", "/api/graph", "/healthz", "/page/greater-region", "/search", "/downloads", "/sparql"]
)
def test_a_405_lists_every_method_the_path_takes(client, path):
    """RFC 9110 15.5.6: Allow lists the methods the resource supports; HEAD is answered on every GET route, but
    the probe found `Allow: GET` alone on most of them."""
    r = client.request("PUT", path)
    assert r.status_code == 405 and r.json()["error"]["type"] == "method-not-allowed"
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed, (path, r.headers["allow"])
    for method in allowed - {"POST"}:
        assert client.request(method, path).status_code < 400, (path, method)


# --- compressed request bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, content_type, body",
    [
        ("/sparql", "application/sparql-query", b"ASK {}"),
        ("/sparql", "application/x-www-form-urlencoded", b"query=ASK%20%7B%7D"),
        ("/validate", "text/turtle", b"<http://ex/a> <http://ex/b> <http://ex/c> ."),
    ],
)
def test_a_compressed_body_is_refused_as_such(client, path, content_type, body):
    """The body was read as if it were not compressed: 'the query is not valid UTF-8', a Turtle syntax error at
    a \\x1f byte. RFC 9110 8.4.1: a content coding the server does not read may be answered 415, saying so."""
    import gzip

    r = client.post(
        path, content=gzip.compress(body), headers={"Content-Type": content_type, "Content-Encoding": "gzip"}
    )
    assert r.status_code == 415, r.text
    error = r.json()["error"]
    assert error["type"] == "unsupported-media-type" and "gzip" in error["message"], error
    plain = client.post(path, content=body, headers={"Content-Type": content_type, "Content-Encoding": "identity"})
    assert plain.status_code == 200, plain.text
