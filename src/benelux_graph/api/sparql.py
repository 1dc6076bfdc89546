"""/sparql: the SPARQL 1.1 Protocol query operation.

GET ?query=, POST application/x-www-form-urlencoded, POST application/sparql-query (other parameters in the
URL); `default-graph-uri` and `named-graph-uri` select graphs already in the store (an unknown one is empty;
nothing is ever fetched); `format` and `timeout` as well. Without a query, GET answers with the Service
Description (RDF) or, to a browser, with the query editor. SPARQL Update is refused in every form.
"""

from __future__ import annotations

import codecs
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.routing import Route

from ..errors import QueryError, QueryRefused
from ..formats import DESCRIPTIONS
from ..result_writers import graph
from ..syntax import plain_message
from .contribution_errors import refusal
from .editor import editor_page
from .errors import ApiError
from .execution import QueryRequest, answer
from .negotiation import GRAPHS, HTML, RESULTS, by_name, choose, describe
from .openapi import NOT_MODIFIED, SPARQL_ANSWERS, SPARQL_REQUEST_BODY, answers, sparql_parameters
from .parameters import repeated
from .ratelimit import QUERY_COST
from .runtime import Runtime
from .service_description import PREFIXES as SD_PREFIXES
from .service_description import service_description

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only and runs queries only"

#: The editor is in the reader's language and the service description at the same URL in the asked format.
EDITOR_VARY = {"Vary": "Accept, Accept-Language"}
ERRORS = {
    400: {"description": "malformed or refused query"},
    406: {"description": "no acceptable format"},
    413: {"description": "query or body too large"},
    503: {"description": "query timed out, needed too much memory, or its worker stopped"},
}
DOC = {"summary": "SPARQL 1.1 query endpoint", "description": __doc__, "response_class": Response}
RESULTS_DESCRIPTION = (
    "SPARQL results (JSON, XML, CSV, TSV) for SELECT and ASK, RDF (Turtle, N-Triples, JSON-LD, "
    "RDF/XML, TriG) for CONSTRUCT and DESCRIBE, by content negotiation or `format`"
)
GET_DOC: dict[str, Any] = {
    **DOC,
    "operation_id": "sparql_get",
    "openapi_extra": {"parameters": sparql_parameters(with_query=True)},
    "responses": {
        **answers(
            SPARQL_ANSWERS + (HTML,),
            RESULTS_DESCRIPTION + "; without a query, the Service "
            "Description (RDF), or the query editor (HTML) to a browser",
        ),
        **NOT_MODIFIED,
        **ERRORS,
    },
}
POST_DOC: dict[str, Any] = {
    **DOC,
    "operation_id": "sparql_post",
    "openapi_extra": {"parameters": sparql_parameters(with_query=False), "requestBody": SPARQL_REQUEST_BODY},
    "responses": {
        **answers(SPARQL_ANSWERS, RESULTS_DESCRIPTION),
        **NOT_MODIFIED,
        **ERRORS,
        415: {"description": "a body that is neither a form nor application/sparql-query"},
    },
}


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes (413 beyond), as it was sent: a compressed one is refused (415)
    rather than read as if it were not."""
    coding = request.headers.get("content-encoding", "identity").strip().lower()
    if coding not in ("", "identity"):
        raise ApiError(
            415,
            "unsupported-media-type",
            f"the body is sent with Content-Encoding: {coding[:40]}, which this server does not read; send it as it is",
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise refusal(413, "body-too-large", "refusal_body_too_large", limit=limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise refusal(413, "body-too-large", "refusal_body_too_large", limit=limit)
    return bytes(body)


#: The charsets a direct POST may declare (as Python's codecs name them); any other is refused 415, never read as
#: UTF-8 whatever it says (a query in ISO-8859-1 ran altered, its é as U+FFFD).
CHARSETS = {"utf-8": "UTF-8", "ascii": "US-ASCII", "iso8859-1": "ISO-8859-1", "cp1252": "windows-1252"}
CHARSETS |= {"utf-16": "UTF-16", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}


def charset(content_type: str) -> str:
    """The codec of the charset a Content-Type declares (UTF-8 when it declares none), or a 415 naming it."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            declared = value.strip().strip('"')
            try:
                codec = codecs.lookup(declared).name
            except LookupError:
                codec = ""
            if codec not in CHARSETS:
                raise refusal(415, "unsupported-media-type", "refusal_charset", charset=declared[:40])
            return codec
    return "utf-8"


def transcoded(body: bytes, codec: str) -> str:
    """A body in the charset it declared (not UTF-8) as text, its byte order mark dropped; UTF-16 needs one."""
    if codec == "utf-16" and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refusal(400, "bad-request", "refusal_no_bom")
    try:
        return body.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise refusal(400, "bad-request", "refusal_not_charset", charset=CHARSETS[codec]) from None


def decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad-request", f"the {what} is not valid UTF-8") from None


def form_fields(data: bytes, what: str) -> list[tuple[str, str]]:
    """The fields of a URL's query string or a form body, percent-escapes decoded as UTF-8, strictly: a query
    whose `%FF` became U+FFFD would run altered, where a direct POST of the same bytes is refused."""
    try:
        return parse_qsl(decode(data, what), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "bad-request", f"a parameter of the {what} is not valid UTF-8 once %-decoded") from None
    except ValueError as e:
        raise ApiError(400, "bad-request", f"the {what} cannot be read: {e}") from None


async def protocol_parameters(request: Request, runtime: Runtime) -> list[tuple[str, str]]:
    """Every (name, value) of the request: the URL's, and a form body's or a direct query body's."""
    params = form_fields(request.scope.get("query_string", b""), "URL")
    if request.method != "POST":
        return params
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == UPDATE:
        raise QueryRefused(READ_ONLY + f" ({UPDATE} is refused)")
    body = await read_body(request, runtime.settings.max_body_bytes)
    if media_type == FORM:
        return params + form_fields(body, "form body")
    if media_type == DIRECT:
        if any(name == "query" for name, _ in params):
            raise ApiError(400, "bad-request", "a query sent as the body must not also be a URL parameter")
        codec = charset(request.headers.get("content-type", ""))
        text = decode(body, "query") if codec == "utf-8" else transcoded(body, codec)
        return params + [("query", text)]
    raise ApiError(
        415,
        "unsupported-media-type",
        f"POST a query as {FORM} (query=...) or as {DIRECT}, not as '{media_type or 'nothing'}'",
    )


def no_cache(request: Request) -> bool:
    """Whether the client asks for a fresh answer (Cache-Control: no-cache or no-store, Pragma: no-cache)."""
    directives = request.headers.get("cache-control", "") + "," + request.headers.get("pragma", "")
    return any(d.strip().lower() in ("no-cache", "no-store") for d in directives.split(","))


def graph_list(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    graphs = tuple(v.strip() for k, v in params if k == name and v.strip())
    for iri in graphs:  # checked here, so that a bad one is named as a parameter, not as a failed query
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise ApiError(400, "bad-parameter", f"`{name}` must be an absolute IRI: {iri[:200]!r} ({exc})") from None
    return graphs


def sparql_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["SPARQL"])
    descriptions: dict[str, bytes] = {}  # format -> the service description, written once (this release's)

    async def sparql(request: Request) -> Response:
        params = await protocol_parameters(request, runtime)
        names = {name for name, _ in params}
        if "update" in names:
            raise QueryRefused(READ_ONLY + " (the `update` parameter is refused)")
        repeated(params)  # the URL's and a form body's together (api/parameters.py)
        queries = [v for k, v in params if k == "query"]
        formats = tuple(v for k, v in params if k == "format")
        timeouts = [v for k, v in params if k == "timeout"]
        if not queries:
            if request.method == "POST":
                raise ApiError(400, "bad-request", "the request has no `query`")
            return describe_service(request, runtime, formats, descriptions)
        # a link followed in a browser (GET, and HEAD like it), or one that asks for the editor (format=html)
        editor = by_name(list(formats), (HTML,)) is HTML if formats else wants_editor(request)
        if request.method != "POST" and editor:
            return HTMLResponse(editor_page(runtime, request, queries[0]), headers=EDITOR_VARY)
        if not queries[0].strip():  # the parser would say "expected [_]"
            raise ApiError(400, "malformed-query", "the query is empty: give a SELECT, ASK, CONSTRUCT or DESCRIBE")
        # a blank one (a form's empty field) names no graph, as graph_list reads it: it was an empty dataset
        graph_params = {k for k, v in params if k in ("default-graph-uri", "named-graph-uri") and v.strip()}
        req = QueryRequest(
            text=queries[0],
            accept=request.headers.get("accept"),
            format_values=formats,
            timeout=timeouts[0] if timeouts else None,
            default_graphs=graph_list(params, "default-graph-uri") if graph_params else None,
            named_graphs=graph_list(params, "named-graph-uri") if graph_params else None,
            if_none_match=request.headers.get("if-none-match"),
            if_match=request.headers.get("if-match"),
            method=request.method,
            no_cache=no_cache(request),
            client=request.client,
            cost=request.scope.get(QUERY_COST),
        )
        try:
            return await answer(runtime, req)
        except QueryError as e:  # name the undeclared prefix: only here is the query text at hand
            if type(e) is QueryError and "Prefix not found" in e.message:
                raise QueryError(plain_message(e.message, req.text), e.line, e.column) from None
            raise

    # Requests are served by a plain Starlette route, first: FastAPI's per-request dependency solving costs more
    # than answering from the result cache. The FastAPI routes after it are never reached; they document the
    # endpoint in the OpenAPI description.
    router.routes.append(Route("/sparql", sparql, methods=["GET", "HEAD", "POST"], include_in_schema=False))
    router.add_api_route("/sparql", sparql, methods=["GET"], **GET_DOC)
    router.add_api_route("/sparql", sparql, methods=["POST"], **POST_DOC)
    router.add_api_route("/sparql", sparql, methods=["HEAD"], include_in_schema=False)
    return router


#: Accept header -> whether it asks for the editor (wants_editor): a few distinct headers make most requests.
EDITOR_WANTED: dict[str | None, bool] = {}


def endpoint_app(router: APIRouter):
    """The ASGI app of the plain route that serves /sparql (sparql_router's first), for the lean path (api/lean.py)."""
    route = router.routes[0]
    assert isinstance(route, Route) and route.path == "/sparql"
    return route.app


def wants_editor(request: Request) -> bool:
    """Whether the client prefers a page to any answer format: a browser opening `/sparql?query=...`."""
    accept = request.headers.get("accept")
    wanted = EDITOR_WANTED.get(accept)
    if wanted is None:
        wanted = choose(accept, [], RESULTS + GRAPHS + (HTML,)) is HTML
        if len(EDITOR_WANTED) >= 512:
            EDITOR_WANTED.clear()
        EDITOR_WANTED[accept] = wanted
    return wanted


#: The service description's formats: a query's graph formats, N-Triples also for text/plain as every other
#: RDF document of the server (formats.DESCRIPTIONS)
SERVICE_FORMATS = tuple(next((d for d in DESCRIPTIONS if d.name == f.name), f) for f in GRAPHS)


def describe_service(
    request: Request, runtime: Runtime, formats: tuple[str, ...], written: dict[str, bytes] | None = None
) -> Response:
    """The editor for a browser, the Service Description for everything else (kept in `written` by format:
    building and writing it took 8 ms on the event loop, on every request)."""
    offered = SERVICE_FORMATS + (HTML,)
    fmt = choose(request.headers.get("accept"), list(formats), offered)
    if fmt is None:
        raise ApiError(
            406,
            "not-acceptable",
            f"the service description can be given as {describe(GRAPHS)}, the query editor as text/html",
        )
    if fmt is HTML:
        return HTMLResponse(editor_page(runtime, request), headers=EDITOR_VARY)
    written = {} if written is None else written
    if fmt.name not in written:
        endpoint = runtime.settings.base_url + "/sparql"  # the public base URL, never the request's Host
        written[fmt.name] = graph(service_description(runtime, endpoint), fmt, SD_PREFIXES)
    body = written[fmt.name]
    return Response(body, 200, {"Vary": "Accept"}, media_type=fmt.content_type)
