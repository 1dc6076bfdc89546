"""Plain ASGI middleware wrapped around every route:

- the headers every response carries: `X-Benelux-Version` (the software), `X-Benelux-Release` (the dataset),
  and a `Server-Timing` total added to what the route measured;
- HEAD answered like GET without a body (same status and headers);
- security headers: `X-Content-Type-Options: nosniff` on every answer (a JSON error or an RDF file that echoes
  a client's text is never sniffed into HTML), and on HTML pages a Content-Security-Policy (scripts, fonts,
  frames and fetches from this server only; no inline script, no plugin, no framing by other sites) with
  `Referrer-Policy` and `X-Frame-Options` (see SECURITY.md);
- the public origin: the scheme and `Host` a request is seen with are those of the public base URL
  (`settings.base_url`), so that no URL the framework builds (a trailing-slash redirect) follows the client's
  `Host` or `X-Forwarded-Proto`;
- the catch-all: an exception no handler took is logged with its traceback and answered 500 in the one error
  shape, never with the traceback.

`document_errors` writes what this layer guarantees into the OpenAPI description: every operation may answer
an error in the one shape (`default`), 429 when a client is rate limited, 503 when the server is busy; and the
400 of a bad parameter replaces FastAPI's own 422, which this application never sends (POST /validate documents
the 422 it gives to a contribution that cannot be checked).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp

from .errors import ApiError, error_response

log = logging.getLogger("benelux_graph.api")

#: The policy of every HTML page. Scripts only from this server's own files (the pages keep their data in
#: <script type="application/json">, which is never run); inline styles are allowed (the linked-data pages carry
#: one <style> element, and YASGUI and Cytoscape.js set styles from script), images also as data: URLs (the
#: favicon, exported PNGs).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: Pages allowed to read another server's API: the Benelux+ page takes `?api=<base URL>`, for the origins of
#: `settings.api_origins` only (the page refuses any other; its connect-src lists exactly these).
OPEN_CONNECT = ("/benelux-plus",)
#: Pages made to be embedded in other sites (an iframe on the Benelux+ page): any site may frame them.
EMBEDDABLE = ("/benelux-plus",)
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff")]
HTML_HEADERS = [(b"referrer-policy", b"strict-origin-when-cross-origin"), (b"x-frame-options", b"DENY")]


def api_origin(text: str) -> str | None:
    """`text` as an origin for a Content-Security-Policy (scheme://host[:port], lower case), or None when it is
    not one (another scheme, a path, a user, a query, a fragment, characters a policy cannot carry)."""
    try:
        url = urlsplit(text.strip().rstrip("/"))
        url.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.hostname or url.username or url.path or url.query:
        return None
    if url.fragment or not all(c.isalnum() or c in ".-:[]" for c in url.netloc):
        return None
    return f"{url.scheme}://{url.netloc}".lower()


def csp_for(path: str, api_origins: Sequence[str] = ()) -> str:
    policy = CSP
    if path.rstrip("/") in OPEN_CONNECT and api_origins:
        policy = policy.replace("connect-src 'self'", "connect-src 'self' " + " ".join(api_origins))
    if path.rstrip("/") in EMBEDDABLE:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors *")
    return policy


def security_headers(
    headers: list[tuple[bytes, bytes]], path: str, api_origins: Sequence[str] = ()
) -> list[tuple[bytes, bytes]]:
    """The headers of an answer with the security headers added (a route's own choice is kept)."""
    present = {k.lower() for k, _ in headers}
    extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if content_type.split(b";")[0].strip().lower() in (b"text/html", b"application/xhtml+xml"):
        if b"content-security-policy" not in present:
            extra.append((b"content-security-policy", csp_for(path, api_origins).encode()))
        embeddable = path.rstrip("/") in EMBEDDABLE
        extra += [(k, v) for k, v in HTML_HEADERS if k not in present and not (embeddable and k == b"x-frame-options")]
    return headers + extra


def usable_range(value: bytes) -> bool:
    """A `Range` of byte ranges each well formed (RFC 9110 14.1.2). Starlette answers any other with a plain-text
    400; the RFC says to ignore a unit it does not know (and allows ignoring an invalid one): the whole file."""
    unit, _, spec = value.decode("latin-1").partition("=")
    if unit.strip().lower() != "bytes":
        return False
    for part in spec.split(","):
        start, dash, end = part.strip().partition("-")
        if not dash or not (start or end) or not (start or "0").isdigit() or not (end or "0").isdigit():
            return False
        if start and end and int(start) > int(end):
            return False
    return True


def range_not_satisfiable(scope, message) -> Response:
    """Starlette's file responses answer a range beyond the file 416 with an empty text/plain body: the one error
    shape instead, with its Content-Range (`bytes */<size>`)."""
    extent = next((v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"content-range"), "")
    size = extent.rpartition("/")[2]
    headers = Headers(scope=scope)
    response = error_response(
        headers, HTTPException(416, f"the range asked for starts beyond the end of the file ({size} bytes)")
    )
    if extent:
        response.headers["content-range"] = extent
    return response


#: Documents served under a path of their own: one asked for with a trailing slash that is not there is
#: redirected to the path without it, as Starlette redirects the fixed routes (/sparql/, /api/queries/<name>/).
SLASHED = re.compile(r"^/(?:id|page|data|graph|api/graph/neighbourhood)/.+/$")


class TrailingSlash:
    """A GET or HEAD of `SLASHED` answered 404 becomes a 307 to the same path without its trailing slashes (the
    query kept); only a 404, so a document whose own name ends with a slash is served as it is. Only a slash
    written as one: `/graph/source%2F` is a name ending with an escaped slash, and its redirect would point at
    itself (a loop)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not SLASHED.match(scope["path"])
            or not (scope.get("raw_path") or scope["path"].encode()).endswith(b"/")
        ):
            return await self.app(scope, receive, send)
        redirected = False

        async def wrapped(message):
            nonlocal redirected
            if message["type"] == "http.response.start" and message["status"] == 404:
                redirected = True
                raw = (scope.get("raw_path") or scope["path"].encode()).rstrip(b"/")
                query = scope.get("query_string", b"")
                target = scope.get("root_path", "").encode() + raw + (b"?" + query if query else b"")
                body = b"Moved to " + target + b"\n"  # a typed body, as every other answer has
                headers = [
                    (b"location", target),
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ]
                await send({"type": "http.response.start", "status": 307, "headers": headers})
                return await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
            if not redirected:  # the 404's own body is dropped
                await send(message)

        await self.app(scope, receive, wrapped)


class ServiceHeaders:
    def __init__(self, app, version: str, release: str, api_origins: Sequence[str] = ()):
        self.app, self.version, self.release = app, version, release
        self.api_origins = [o for o in map(api_origin, api_origins) if o]  # server.check refused any other

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        is_head = scope["method"] == "HEAD"
        headers = scope.get("headers", [])
        if any(k == b"range" and not usable_range(v) for k, v in headers):
            scope = {**scope, "headers": [(k, v) for k, v in headers if k != b"range"]}
        started = False
        range_error = "none"  # a file response's 416: "sending" its error shape instead, then "sent"

        async def wrapped_send(message):
            nonlocal started, range_error
            if range_error == "sent":
                return  # the file response's own (empty) 416 body: the error shape went instead
            if message["type"] == "http.response.start" and message["status"] == 416 and range_error == "none":
                range_error = "sending"
                await range_not_satisfiable(scope, message)(scope, receive, wrapped_send)
                range_error = "sent"
                return
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server-timing"]
                timings = [v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"server-timing"]
                timings.append(f"total;dur={(time.perf_counter() - start) * 1000:.1f}")
                headers += [
                    (b"x-benelux-version", self.version.encode()),
                    (b"x-benelux-release", self.release.encode()),
                    (b"server-timing", ", ".join(timings).encode("latin-1")),
                ]
                message = {**message, "headers": security_headers(headers, scope.get("path", ""), self.api_origins)}
            elif message["type"] == "http.response.body" and is_head:
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, wrapped_send)
        except ClientDisconnect:  # gone mid-body (or cut at the read timeout, server.py): nobody to answer
            return
        except Exception as exc:  # the catch-all
            log.exception("unexpected error on %s %s", scope["method"], scope.get("path"))
            if started:
                raise
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            response = error_response(headers, exc)
            await response(scope, receive, wrapped_send)


class Cors(CORSMiddleware):
    """Starlette's CORS. It answers a preflight (OPTIONS with Access-Control-Request-Method) itself, outside
    ServiceHeaders: each gets the headers of every answer here (CORS is open to any origin for reading), and a refused one (plain text 'Disallowed CORS
    method' from Starlette) is an error in the one shape that says what is allowed."""

    def __init__(
        self,
        app: ASGIApp,
        version: str,
        release: str,
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
        max_age: int,
    ) -> None:
        super().__init__(
            app,
            allow_origins=["*"],
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            max_age=max_age,
        )
        self.service = {"x-benelux-version": version, "x-benelux-release": release, "x-content-type-options": "nosniff"}

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 200:
            allowed = f"{', '.join(self.allow_methods)} with the headers {', '.join(sorted(self.allow_headers))}"
            refused = error_response(
                request_headers,
                ApiError(400, "bad-request", f"{bytes(response.body).decode()}: other origins may send {allowed}"),
            )
            for name, value in response.headers.items():
                if name.startswith("access-control-"):
                    refused.headers[name] = value
            refused.headers["vary"] = f"{response.headers['vary']}, Accept"
            response = refused
        for name, value in self.service.items():
            response.headers[name] = value
        return response


class PublicOrigin:
    """Requests are seen with the public base URL's scheme and host, whatever their `Host` header says; a
    redirect the framework writes from them (`/sparql/` to `/sparql`) gets the base URL's path too, which the
    scheme and host alone lost (`https://host/base` redirected to `https://host/sparql`)."""

    def __init__(self, app, base_url: str):
        url = urlsplit(base_url)
        self.app, self.scheme, self.host = app, url.scheme, url.netloc.encode("latin-1")
        self.server = (url.hostname, url.port or (443 if url.scheme == "https" else 80))
        self.origin = f"{url.scheme}://{url.netloc}".encode("latin-1")
        self.base_path = url.path.rstrip("/").encode("latin-1")  # b"" for a base URL without a path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = [(k, v) for k, v in scope.get("headers", []) if k != b"host"] + [(b"host", self.host)]
        scope = {**scope, "scheme": self.scheme, "server": self.server, "headers": headers}
        if not self.base_path:
            return await self.app(scope, receive, send)

        async def based(message):
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message = {
                    **message,
                    "headers": [(k, self.located(v) if k == b"location" else v) for k, v in message.get("headers", [])],
                }
            await send(message)

        return await self.app(scope, receive, based)

    def located(self, location: bytes) -> bytes:
        """An absolute Location at the public origin but outside the base path, put under it."""
        if not location.startswith(self.origin + b"/"):
            return location
        path = location[len(self.origin) :]
        if path == self.base_path or path.startswith(self.base_path + b"/"):
            return location  # written from the base URL already
        return self.origin + self.base_path + path


class RequestHead:
    """What RFC 9112 asks of a request's head that the HTTP parser lets through, checked before PublicOrigin
    replaces `Host`: an HTTP/1.1 request has exactly one Host header, and no request has two (3.2: 400, in the
    error shape; the parser took the first silently); no request has two Content-Types either (RFC 9110 5.3: a
    field that is not a list is not repeated; /sparql and /validate read the first: 400 too); a transfer coding
    other than `chunked` (`gzip, chunked`) is not understood (RFC 9112 6.1: 501), where the parser read such a
    body as if it were plain; `OPTIONS *` asks about the server as a whole (RFC 9110 9.3.7): the methods it takes,
    not a 404."""

    ALLOW = b"GET, HEAD, POST, OPTIONS"
    #: Fields that are not lists, which the parser lets through twice and a route would read the first of silently
    #: (Host is checked above; two Content-Lengths the parser refuses itself). Two Authorization headers let
    #: POST /admin/reload through on the first, whatever the second said.
    ONCE = (b"content-type", b"authorization")
    SECRET = (b"authorization",)  # its values are not repeated in the error

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        hosts = sum(1 for k, _ in scope.get("headers", []) if k == b"host")
        if hosts > 1 or (hosts == 0 and scope.get("http_version", "1.1") == "1.1"):
            said = "none" if hosts == 0 else f"{hosts}"
            error = ApiError(400, "bad-request", f"an HTTP/1.1 request has one Host header (RFC 9112, 3.2), not {said}")
            response = error_response(Headers(scope=scope), error)
            response.headers["x-content-type-options"] = "nosniff"
            return await response(scope, receive, send)
        for name in self.ONCE:
            values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == name]
            if len(values) > 1:
                field = name.decode().title()
                said = "values not shown" if name in self.SECRET else ", ".join(repr(v[:60]) for v in values[:3])
                error = ApiError(
                    400,
                    "bad-request",
                    f"give one {field} header, not {len(values)} ({said}): it is not a list, and may not be "
                    "repeated (RFC 9110, 5.3)",
                )
                response = error_response(Headers(scope=scope), error)
                response.headers["x-content-type-options"] = "nosniff"
                response.headers["connection"] = "close"  # the body is left unread
                return await response(scope, receive, send)
        codings = [
            c.strip().lower()
            for k, v in scope.get("headers", [])
            if k == b"transfer-encoding"
            for c in v.decode("latin-1").split(",")
        ]
        if any(c != "chunked" for c in codings):
            said = ", ".join(codings)[:60]
            refused = HTTPException(501, f"this server reads bodies sent chunked or as they are, not '{said}'")
            response = error_response(Headers(scope=scope), refused)  # http-error, with its own status
            response.headers["x-content-type-options"] = "nosniff"
            response.headers["connection"] = "close"  # the body is left unread
            return await response(scope, receive, send)
        if scope["method"] == "OPTIONS" and scope.get("raw_path", scope["path"].encode()) == b"*":
            headers = [(b"allow", self.ALLOW), (b"content-length", b"0"), (b"cache-control", b"no-store")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            return await send({"type": "http.response.body", "body": b""})
        return await self.app(scope, receive, send)


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "type", "message"],
            "properties": {
                "status": {"type": "integer"},
                "type": {"type": "string"},
                "message": {"type": "string"},
                "line": {"type": ["integer", "null"]},
                "column": {"type": ["integer", "null"]},
                "problems": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
}
ERROR_CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
    "text/plain": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
}  # pages answer browsers in HTML (404, a form's errors)
GUARANTEED = {
    "400": "a bad request or parameter (JSON error shape)",
    "429": "too many requests from this client (rate limit): wait `Retry-After` seconds",
    "503": "the server is busy or the query ran out of time; try again later",
    "default": 'an error, in the JSON error shape: {"error": {"status", "type", "message"}} '
    "(text/plain for a client that asks for it, an HTML page for a browser on the pages)",
}


def document_errors(schema: dict) -> dict:
    """Add the error responses every route may give to an OpenAPI document (in place; returned)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if responses.get("422", {}).get("description") == "Validation Error":  # FastAPI's, never given
                responses.pop("422")
            for status, description in GUARANTEED.items():
                entry = responses.setdefault(status, {"description": description})
                if status != "304":
                    entry.setdefault("content", ERROR_CONTENT)
                    for media in list(entry["content"]):
                        if media == "application/json" and "schema" not in entry["content"][media]:
                            entry["content"][media] = ERROR_CONTENT["application/json"]
            for status, entry in responses.items():
                if status.startswith(("4", "5")) and "content" not in entry:
                    entry["content"] = ERROR_CONTENT
    return schema


def install_openapi(app) -> None:
    """Make `app.openapi()` (and /openapi.json) carry the documented error responses."""
    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(original())
        return app.openapi_schema

    app.openapi = openapi
