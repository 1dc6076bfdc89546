"""gzip of text answers over a real server: the same bytes once decompressed, a distinct ETag (`-gzip`) that
revalidates to 304, `Vary: Accept-Encoding`; never for HEAD, Range requests or files already gzipped; static
files cacheable for long; a favicon."""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
import zlib
from urllib.parse import quote

import pytest

from benelux_graph.api.compression import squeeze
from support.aio import run_async

pytestmark = [pytest.mark.server]

GZIP = {"Accept-Encoding": "gzip"}
TEXT_ROUTES = [
    "/",
    "/page/greater-region",
    "/search?q=region",
    "/ontology",
    "/sparql",
    "/api/graph",
    "/downloads",
    "/static/site.css",
    "/vendor/yasgui/yasgui.min.js",
    "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20500",
]


def raw(http, path, **headers):
    """The answer's bytes as sent (httpx would decode a gzip body: read the stream raw)."""
    with http.stream("GET", path, headers={"Accept": "*/*", **headers}) as r:
        return r, b"".join(r.iter_raw())


@pytest.mark.parametrize("path", TEXT_ROUTES)
def test_a_text_answer_is_gzipped_and_decompresses_to_the_same_bytes(http, path):
    plain, plain_body = raw(http, path)
    packed, packed_body = raw(http, path, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed_body) == plain_body
    assert len(packed_body) < len(plain_body) / 2
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert "accept-encoding" in plain.headers["vary"].lower()
    if "etag" in plain.headers:
        assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'


def test_the_gzip_etag_revalidates(http):
    first, _ = raw(http, "/ontology", **GZIP)
    again = http.get("/ontology", headers={**GZIP, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    plain, _ = raw(http, "/ontology")
    assert http.get("/ontology", headers={"If-None-Match": plain.headers["etag"]}).status_code == 304


def test_range_requests_and_dump_files_are_sent_as_they_are(http):
    """A Range answer is never compressed; a dump file keeps its SHA-256 ETag (its .gz sibling is the
    compressed form)."""
    page, _ = raw(http, "/api/graph", Range="bytes=0-99", **GZIP)
    assert "content-encoding" not in page.headers
    whole, body = raw(http, "/downloads/benelux-graph.ttl", **GZIP)
    assert "content-encoding" not in whole.headers
    assert whole.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    part, part_body = raw(http, "/downloads/benelux-graph.ttl", Range="bytes=100-199", **GZIP)
    assert part.status_code == 206 and "content-encoding" not in part.headers
    assert part_body == body[100:200]
    packed, packed_body = raw(http, "/downloads/benelux-graph.ttl.gz", **GZIP)
    assert "content-encoding" not in packed.headers and gzip.decompress(packed_body) == body


def test_head_gives_the_headers_of_get(http):
    get, _ = raw(http, "/ontology", **GZIP)
    head = http.head("/ontology", headers={"Accept": "*/*", **GZIP})
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "content-encoding", "vary", "content-type", "content-length"):
        assert head.headers[name] == get.headers[name], name


def test_static_files_are_cacheable_and_there_is_a_favicon(http):
    assert http.get("/static/site.css").headers["cache-control"] == "public, max-age=86400"
    assert "max-age=604800" in http.get("/vendor/yasgui/yasgui.min.css").headers["cache-control"]
    icon = http.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\0\0\1\0"


def compression_layer(app):
    """The Compression middleware of a served application (its stack is built at the first request)."""
    layer = app.middleware_stack
    while type(layer).__name__ != "Compression":
        layer = layer.app
    return layer


DOUBLING = (
    'SELECT ?x20 { BIND("ab" AS ?x0) ' + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(20)) + " }"
)


@pytest.mark.parametrize("path", ["/page/greater-region", "/api/queries", "/sparql?query=" + quote(DOUBLING)])
def test_an_answer_compressed_once_is_not_compressed_again(live_server, http, path):
    """The same whole answer asked for again (a page, a list, a 2 MB query answer) is compressed once: the second
    time its gzip comes from the memo of api/compression.py, byte for byte what compressing gave."""
    first, first_body = raw(http, path, **GZIP)
    memo = compression_layer(live_server.app).memo
    hits = memo.hits
    again, again_body = raw(http, path, **GZIP)
    assert first.headers["content-encoding"] == again.headers["content-encoding"] == "gzip"
    assert memo.hits == hits + 1 and again_body == first_body
    assert gzip.decompress(again_body) == raw(http, path)[1]


#: Answers revalidated by their ETag, one of each kind of 304: a page, a negotiated document, a query, the graph
#: API, the downloads, the static and npm files, an in-memory file.
NOT_MODIFIED_ROUTES = [
    "/page/greater-region",
    "/ontology",
    "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20500",
    "/api/graph",
    "/api/graph/benelux-plus",
    "/static/site.css",
    "/vendor/yasgui/yasgui.min.js",
    "/downloads/benelux-graph.ttl",
    "/downloads/benelux-graph.nq.gz",
    "/favicon.ico",
    "/vendor/redoc/redoc.standalone.js",
]


def vary(response) -> list[str]:
    return sorted(v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip())


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
@pytest.mark.parametrize("path", NOT_MODIFIED_ROUTES)
def test_a_304_says_the_vary_its_200_says(http, path, encoding):
    """RFC 9110 15.4.5: a 304 sends the Vary the 200 would; it lacked `Accept-Encoding` (no Content-Type to tell
    a text answer), so a cache that updates its stored headers from the 304 stopped keeping both codings apart."""
    headers = {"Accept": "*/*", "Accept-Encoding": encoding}
    whole = http.get(path, headers=headers)
    assert whole.status_code == 200 and whole.headers.get("etag"), (path, whole.status_code)
    again = http.get(path, headers={**headers, "If-None-Match": whole.headers["etag"]})
    assert again.status_code == 304, (path, again.status_code)
    assert vary(again) == vary(whole), (path, whole.headers.get("vary"), again.headers.get("vary"))


def test_a_large_answer_is_compressed_at_the_lowest_cpu_priority():
    """A 2 MB answer (issue 13's doubled string) is compressed on a thread at nice 19, which takes a core from the
    event loop's thread only when no other wants it (zlib releases the GIL); pages are compressed as before."""
    seen: list[int] = []

    class Recording:  # zlib's compressor, noting the priority of the thread that runs it
        def __init__(self):
            self.zlib = zlib.compressobj(1, zlib.DEFLATED, 31)

        def compress(self, data: bytes) -> bytes:
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return self.zlib.compress(data)

        def flush(self) -> bytes:
            return self.zlib.flush()

    body = b"ab" * 1_000_000
    assert gzip.decompress(run_async(squeeze(Recording(), body, False))) == body  # a thread: see support.aio
    assert seen == [19]
