"""A fresh probe of the HTTP layer of a default `benelux-graph serve` (issue 13, hidden probes), with raw sockets
where a client library would refuse to send the request: each test is a defect it found.

Tried and found sound (no test here, most have one elsewhere): Content-Length with Transfer-Encoding, two
Content-Lengths, bad or huge chunk sizes, a negative or signed Content-Length, chunk extensions and trailers,
pipelined requests, HTTP/1.0 without Host, Expect: 100-continue with a body over the limit, absolute-form
targets, CONNECT, TRACE, unknown methods, 5,000 small headers, a 200 KB header, odd header names, obsolete line
folding, %2F, %00, overlong UTF-8 and dot segments in paths, `//` paths, 120 KB query strings, Range and If-Range
on every download, thousands of Accept / Accept-Language / Accept-Encoding entries, cookies, keep-alive after
404, 405, 415, 416 and 400 answers, and a client closing mid-download.
"""

from __future__ import annotations

import socket

import httpx
import pytest

from support.live_server import serving

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`benelux-graph serve` with its defaults (one query worker, to start quickly)."""
    with serving(tmp_path_factory.mktemp("probe"), workers="1") as url:
        yield url


def exchange(url: str, data: bytes, answers: int = 1, timeout: float = 20) -> list[tuple[int, bytes, bytes]]:
    """Send raw bytes on one connection, read `answers` responses: (status, head, body) each."""
    host, port = url.removeprefix("http://").split(":")
    out: list[tuple[int, bytes, bytes]] = []
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        buffer = b""
        while len(out) < answers:
            while b"\r\n\r\n" not in buffer:
                chunk = s.recv(65536)
                if not chunk:
                    return out
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(buffer) < length:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buffer += chunk
            out.append((int(head.split(b" ")[1]), head, buffer[:length]))
            buffer = buffer[length:]
    return out


HEALTH = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_the_next_request_is_answered_after_a_413_whose_body_was_sent(server):
    """A body over BENELUX_MAX_BODY_BYTES is answered 413 before it is read; the rest of it, still arriving, was
    counted as the head of the next request: the request after it on the same connection got 431."""
    body = b"a" * 2_000_000
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    (first, _, error), (second, _, health) = exchange(server, request + HEALTH, answers=2)
    assert first == 413 and b'"body-too-large"' in error
    assert second == 200 and b'"status":"ok"' in health


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",  # no Host
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
    ],
    ids=["no-host", "two-hosts", "two-hosts-http10"],
)
def test_an_http11_request_has_one_host_header(server, head):
    """RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host, and to any with two (the first
    was taken silently); HTTP/1.0 without Host stays fine."""
    [(status, _, body)] = exchange(server, head)
    assert status == 400
    assert b'"bad-request"' in body and b"Host" in body
    [(status, _, _)] = exchange(server, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert status == 200


@pytest.mark.parametrize("codings", ["gzip, chunked", "identity, chunked", "x-custom, chunked"])
def test_a_transfer_coding_other_than_chunked_is_not_read_as_plain(server, codings):
    """`Transfer-Encoding: gzip, chunked` was answered 200, the gzip bytes read as the query itself: a coding the
    server does not understand is a 501 (RFC 9112 6.1), in the error shape, and the connection closed."""
    body = b"7\r\nASK {}\n\r\n0\r\n\r\n"
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        + f"Transfer-Encoding: {codings}\r\n\r\n".encode()
    )
    answers = exchange(server, head + body + HEALTH, answers=2)
    assert answers[0][0] == 501
    assert b'"http-error"' in answers[0][2] and codings.encode() in answers[0][2]
    assert len(answers) == 1 and b"connection: close" in answers[0][1].lower()


def test_options_asterisk_is_about_the_server(server):
    """`OPTIONS *` (RFC 9110 9.3.7) asks what the server as a whole takes: it said 404 `Not Found`."""
    [(status, head, _)] = exchange(server, b"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status == 204
    assert b"allow: get, head, post, options" in head.lower()


@pytest.mark.parametrize("weight", ["inf", "nan", "2", "abc", "-1"])
def test_an_invalid_language_weight_never_wins(server, weight):
    """Accept-Language `de;q=inf` made the page German over `fr` (q=1): a weight not written as RFC 9110 12.4.2
    says is no weight."""
    page = httpx.get(
        server + "/page/greater-region",
        headers={"Accept": "text/html", "Accept-Language": f"de;q={weight}, fr;q=0.5"},
        timeout=30,
    )
    assert page.status_code == 200
    assert '<html lang="fr"' in page.text


@pytest.mark.parametrize(
    ("accept_encoding", "gzip"),
    [("*;q=1, gzip;q=0", False), ("gzip;q=0, *", False), ("gzip;q=inf", False), ("*;q=0.5", True), ("gzip", True)],
)
def test_gzip_only_when_accepted(server, accept_encoding, gzip):
    """RFC 9110 12.5.3: gzip's own entry wins over `*` wherever it stands (`*;q=1, gzip;q=0` got gzip)."""
    answer = httpx.get(server + "/static/site.css", headers={"Accept-Encoding": accept_encoding}, timeout=30)
    assert answer.status_code == 200
    assert (answer.headers.get("content-encoding") == "gzip") is gzip


def server_time(answer: httpx.Response) -> float:
    """The server's own time for the answer (Server-Timing total, ms)."""
    return float(answer.headers["server-timing"].rpartition("total;dur=")[2].split(",")[0])


@pytest.mark.parametrize(
    ("path", "header", "first"),
    [
        ("/sparql?query=ASK%7B%7D", "Accept", "application/sparql-results+json"),
        ("/page/greater-region", "Accept-Language", "fr"),
    ],
)
def test_a_header_of_thousands_of_entries_costs_no_more_than_a_short_one(server, path, header, first):
    """An Accept of 9,000 ranges (120 KB, under the head limit) took 0.1 s of the event loop per request on
    /sparql, an Accept-Language 37 ms: only the first 64 entries are read (negotiation.MAX_ENTRIES)."""
    filler = ",".join(f"x-{i}/y;q=0.{i % 10}" if header == "Accept" else f"x{i};q=0.{i % 10}" for i in range(9000))
    headers = {"Accept": "text/html"} if header != "Accept" else {}
    with httpx.Client(base_url=server, timeout=30) as client:
        times = []
        for _ in range(5):
            answer = client.get(path, headers={**headers, header: f"{first},{filler[:120_000]}"})
            assert answer.status_code == 200
            times.append(server_time(answer))
    assert min(times) < 10, times


@pytest.mark.parametrize(
    "path, types",
    [
        ("/sparql", (b"application/sparql-query", b"application/x-www-form-urlencoded")),
        ("/sparql", (b"application/sparql-query", b"application/sparql-query")),
        ("/validate", (b"text/turtle", b"application/ld+json")),
    ],
    ids=["sparql-two-types", "sparql-same-twice", "validate-two-types"],
)
def test_a_request_has_one_content_type(server, path, types):
    """RFC 9110 5.3: a field that is not a list is not repeated. Two Content-Type headers on a POST were read as
    the first, silently: a 400 in the error shape naming both, the connection closed (the body is left unread);
    the server goes on answering."""
    body = b"ASK {}" if path == "/sparql" else b"<http://e.org/s> <http://e.org/p> <http://e.org/o> ."
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
    head += b"".join(b"Content-Type: " + t + b"\r\n" for t in types)
    head += f"Content-Length: {len(body)}\r\n\r\n".encode()
    answers = exchange(server, head + body + HEALTH, answers=2)
    assert answers[0][0] == 400, answers[0][:2]
    error = answers[0][2]
    assert b'"bad-request"' in error and b"Content-Type" in error and types[1] in error
    assert len(answers) == 1 and b"connection: close" in answers[0][1].lower()
    assert httpx.get(server + "/healthz", timeout=10).status_code == 200
    one = head.replace(b"Content-Type: " + types[1] + b"\r\n", b"", 1).replace(
        b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"
    )
    [(status, _, answer)] = exchange(server, one + body)  # one of them alone is read as before
    assert b"Content-Type header" not in answer and status in (200, 201), (status, answer[:300])
