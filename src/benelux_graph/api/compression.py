"""gzip for every text answer, as plain ASGI middleware just inside ServiceHeaders (which empties HEAD answers
after this has measured them, so HEAD gets the headers GET would, Content-Length included).

- Only when the client accepts gzip, the answer is text (HTML, CSS, JavaScript, JSON, SPARQL results, RDF, CSV,
  SVG, ...), 200 and at least MIN_BYTES long (or streamed); never for a Range request or a 206, an answer already
  encoded, or the dump files of /downloads/ (their ETag is their SHA-256, and each has its own `.gz`).
- A compressed answer is another representation: its ETag gets `-gzip` (`"abc"` -> `"abc-gzip"`) and it says
  `Vary: Accept-Encoding`. An `If-None-Match` (or `If-Match`) naming the `-gzip` tag is given to the route without the suffix, so
  the route's own 304 logic keeps working, and a 304 names the tag the client sent.
- A 304 says the `Vary: Accept-Encoding` its 200 would (RFC 9110 15.4.5), here for every route: it has no
  Content-Type, so the path tells (text_answer).
- Streamed bodies are compressed chunk by chunk: nothing is held whole in memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import zlib

from starlette.concurrency import run_in_threadpool

from ..priority import low_priority_threads
from .cache import LRU
from .negotiation import entries, qvalue

MIN_BYTES = 512
#: The release's dump files are sent as they are: their ETag is their SHA-256 (SHA256SUMS) and each has a .gz.
AS_IS = ("/downloads/",)
#: gzip's level; an answer whose first part is over FAST_BYTES gets FAST_LEVEL, 3 to 4 times cheaper: level 6 took
#: half a second of a core for a 2 MB answer (a query doubling a string twenty times), on the server's own CPU.
LEVEL, FAST_LEVEL, FAST_BYTES = 6, 1, 256 * 1024
OFF_LOOP_BYTES = 64 * 1024  # a larger part is compressed in a worker thread, not on the event loop
SUFFIX = "-gzip"
#: Parts over FAST_BYTES are compressed here, at nice 19: zlib releases the GIL, so those threads take a core from
#: the event loop's thread only when no other wants it (issue 13: a 2 MB doubled answer cost 7.7 ms of the server's
#: CPU; pages and lists are far smaller).
LARGE = low_priority_threads(2, "benelux-gzip-large")
#: Compressed answers kept by the digest of what they compress: the same page, list or query answer asked for
#: again (by any client) is not compressed again. Compressing took a third of the server's CPU under issue 13's
#: attacks (a 50 KB list at level 6 on every request, a 2 MB answer at level 1). Whole answers of at most
#: MEMO_INPUT bytes only; the memory is bounded by the compressed bytes kept (MEMO_BYTES, LRU).
MEMO_BYTES, MEMO_INPUT = 16_000_000, 8_000_000
TEXT_TYPES = (
    b"text/",
    b"application/json",
    b"application/javascript",
    b"application/xml",
    b"application/ld+json",
    b"application/n-triples",
    b"application/n-quads",
    b"application/trig",
    b"application/rdf+xml",
    b"application/sparql-results",
    b"application/problem+json",
    b"image/svg+xml",
    b"application/graphml",
    b"application/gexf",
)


def accepts_gzip(value: str) -> bool:
    """Whether Accept-Encoding takes gzip: its own entry's weight, else that of `*` (RFC 9110 12.5.3: `*;q=1,
    gzip;q=0` refuses gzip); a q-value not written as the RFC says is no weight (negotiation.qvalue)."""
    weights: dict[str, float] = {}
    for part in entries(value.lower()):
        fields = [f.strip() for f in part.split(";")]
        if fields[0] in ("gzip", "x-gzip", "*") and fields[0] not in weights:
            weights[fields[0]] = qvalue(next((f[2:] for f in fields[1:] if f.startswith("q=")), "1"))
    weight = weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0)))
    return weight > 0


def gzip_etag(etag: bytes) -> bytes:
    return etag[:-1] + SUFFIX.encode() + b'"' if etag.endswith(b'"') else etag


def plain_tags(value: bytes) -> bytes:
    """If-None-Match or If-Match as the route knows its tags: `"abc-gzip"` -> `"abc"`."""
    return b",".join(t.strip().replace(SUFFIX.encode() + b'"', b'"') for t in value.split(b","))


def add_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    for i, (k, v) in enumerate(headers):
        if k.lower() == b"vary":
            if b"accept-encoding" not in v.lower() and v.strip() != b"*":
                headers[i] = (k, v + b", Accept-Encoding")
            return headers
    return headers + [(b"vary", b"Accept-Encoding")]


def text_answer(start, path: str) -> bool:
    """Whether an answer is text, so that its 200 and its 304 say `Vary: Accept-Encoding`: by its Content-Type, or
    for a 304 (which has none) by its path: a file's type from its extension (a .gz or an image is not text), else
    a route's answer, and every route answers text."""
    if start["status"] != 304 or any(k.lower() == b"content-type" for k, _ in start["headers"]):
        return Compression.is_text(start)
    kind, coding = mimetypes.guess_type(path)
    return coding is None and (kind is None or kind.encode().startswith(TEXT_TYPES))


async def squeeze(compressor, body: bytes, more: bool, memo: LRU | None = None) -> bytes:
    """`body` through `compressor` (flushed unless `more`); a whole answer is looked up in `memo` first (its
    level follows from its length, so the digest and the length are the key)."""

    def run() -> bytes:
        key = None
        if memo is not None and not more and len(body) <= MEMO_INPUT:
            key = (len(body), hashlib.blake2b(body, digest_size=16).digest())
            done = memo.get(key)
            if done is not None:
                return done
        data = compressor.compress(body) + (b"" if more else compressor.flush())
        if key is not None and memo is not None:
            memo.put(key, data, len(data))
        return data

    if len(body) > FAST_BYTES:  # an answer only a query builds (2 MB doubled strings): at nice 19 (priority.py)
        return await asyncio.get_running_loop().run_in_executor(LARGE, run)
    return await run_in_threadpool(run) if len(body) > OFF_LOOP_BYTES else run()


class Compression:
    def __init__(self, app, memo_bytes: int = MEMO_BYTES):
        self.app = app
        self.memo = LRU(memo_bytes) if memo_bytes > 0 else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
        wanted = (
            accepts_gzip(request_headers.get(b"accept-encoding", b"").decode("latin-1"))
            and b"range" not in request_headers
            and not scope.get("path", "").startswith(AS_IS)
        )
        if not wanted:
            return await self.app(scope, receive, self.vary_only(send, scope["path"]))
        if scope["method"] == "HEAD":  # run as GET, so the body is compressed and measured like GET's (a static
            scope = {**scope, "method": "GET"}  # file sends HEAD none); ServiceHeaders then drops it
        asked_gzip_tag = SUFFIX.encode() + b'"' in request_headers.get(b"if-none-match", b"")
        if asked_gzip_tag or SUFFIX.encode() + b'"' in request_headers.get(b"if-match", b""):
            tagged = (b"if-none-match", b"if-match")
            headers = [(k, plain_tags(v) if k.lower() in tagged else v) for k, v in scope["headers"]]
            scope = {**scope, "headers": headers}
        state: dict = {"start": None, "gzip": None, "as_is": False}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                if message["status"] == 304 and asked_gzip_tag:  # the client's tag was the compressed one
                    headers = [(k, gzip_etag(v) if k.lower() == b"etag" else v) for k, v in message["headers"]]
                    state["as_is"] = True
                    return await send({**message, "headers": add_vary(headers)})
                state["start"] = message  # held until the first body part says how long the answer is
                return
            if message["type"] != "http.response.body" or state["as_is"]:
                return await send(message)
            body, more = message.get("body", b""), message.get("more_body", False)
            if state["gzip"] is None:
                start = state["start"]
                if not self.compressible(start, body, more):
                    state["as_is"] = True
                    text = text_answer(start, scope["path"])
                    headers = add_vary(list(start["headers"])) if text else start["headers"]
                    await send({**start, "headers": headers})
                    return await send(message)
                level = FAST_LEVEL if len(body) > FAST_BYTES else LEVEL
                state["gzip"] = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: the gzip wrapper, no time stamp
                data = await squeeze(state["gzip"], body, more, self.memo)
                headers = [
                    (k, gzip_etag(v) if k.lower() == b"etag" else v)
                    for k, v in start["headers"]
                    if k.lower() != b"content-length"
                ]
                headers = add_vary(headers) + [(b"content-encoding", b"gzip")]
                if not more:
                    headers.append((b"content-length", str(len(data)).encode()))
                await send({**start, "headers": headers})
                return await send({"type": "http.response.body", "body": data, "more_body": more})
            data = await squeeze(state["gzip"], body, more)
            await send({"type": "http.response.body", "body": data, "more_body": more})

        await self.app(scope, receive, wrapped)

    @staticmethod
    def is_text(start) -> bool:
        content_type = next((v for k, v in start["headers"] if k.lower() == b"content-type"), b"").lower()
        return content_type.startswith(TEXT_TYPES)

    def compressible(self, start, body: bytes, more: bool) -> bool:
        names = {k.lower() for k, _ in start["headers"]}
        return (
            start["status"] == 200
            and self.is_text(start)
            and b"content-encoding" not in names
            and b"content-range" not in names
            and (more or len(body) >= MIN_BYTES)
        )

    @staticmethod
    def vary_only(send, path: str):
        """Without compression, a text answer still says it depends on Accept-Encoding (caches keep both)."""

        async def wrapped(message):
            if (
                message["type"] == "http.response.start"
                and message["status"] in (200, 304)
                and text_answer(message, path)
            ):
                message = {**message, "headers": add_vary(list(message["headers"]))}
            await send(message)

        return wrapped
