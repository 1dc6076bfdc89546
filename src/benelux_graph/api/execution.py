"""Answering one query, for /sparql and the saved-query routes alike: check the text, pick the answer's format,
answer from the result cache or run it in the engine within its time limit (the worker writes the answer in that
format), and log one line.

Caching (api/cache.py): the guard's reading of a text is kept (parsed-query cache); a complete answer is kept by
(release, text, bindings, graphs, format, row cap) and a repeated request is answered from the server process
without a worker. Every cacheable answer carries `ETag` and `Cache-Control: public, max-age=N`; a request whose
`If-None-Match` names its tag gets 304 (nothing runs). `X-Benelux-Cache` says `hit` or `miss`; a request with
`Cache-Control: no-cache` is run again (and its answer kept).

The guard reads a text of more than GUARD_INLINE_BYTES in a thread, so that a long one (some 70 ms for the
largest accepted) does not hold up the event loop; a short one is read inline, faster than a thread hop. The
engine shares its workers fairly between clients: a job carries the client's key, as the rate limiter has it.

Log line (logger `benelux_graph.api`): `query sha256=<hex> status=<code> size=<rows|triples> bytes=<n>
ms=<total> truncated=<bool> via=<route> cache=<hit|miss|off|validated>`, with the request's client, method and HTTP
version added (api/requestlog.py: the request's one line).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response

from ..errors import ParameterError
from ..query_jobs import Job
from ..result_writers import capped
from .cache import Answer, answer_key, caches_for, etag
from .errors import ApiError, api_error
from .http_conventions import any_tag, check_preconditions, etag_matches
from .negotiation import GRAPHS, RESULTS, Format, choose, describe
from .ratelimit import QueryCost, client_key
from .requestlog import query_line
from .runtime import Runtime

log = logging.getLogger("benelux_graph.api")

#: Longer texts are read by the guard in a thread (about a millisecond a kilobyte; a thread hop costs ~0.1 ms).
GUARD_INLINE_BYTES = 4_000


@dataclass
class QueryRequest:
    text: str
    accept: str | None = None
    format_values: tuple[str, ...] = ()
    timeout: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: dict | None = None
    via: str = "/sparql"
    if_none_match: str | None = None  # the request's If-None-Match header
    if_match: str | None = None  # the request's If-Match header
    method: str = "GET"  # a 304 answers GET and HEAD only; another method's matching If-None-Match is a 412
    no_cache: bool = False  # the request said Cache-Control: no-cache (or Pragma: no-cache): run it again
    client: tuple | None = None  # the connection's peer (request.client): whose turn it is for a worker
    cost: QueryCost | None = None  # the rate limiter's meter of this request's query time (ratelimit.QUERY_COST)


def not_modified(req: QueryRequest, headers: dict) -> Response:
    """The 304 of a GET or HEAD whose If-None-Match names the answer; for a POST, the 412 RFC 9110 13.1.2 asks."""
    if req.method in ("GET", "HEAD"):
        return Response(status_code=304, headers=headers)
    raise ApiError(
        412,
        "precondition-failed",
        "If-None-Match names this answer: a POST is not answered 304 (revalidate with GET)",
        headers={"ETag": headers["ETag"]},
    )


def time_limit(runtime: Runtime, requested: str | None) -> float:
    """The server's time limit, or the client's `timeout` (seconds) when lower, but never below
    `min_query_timeout`: a query stopped at its limit costs a worker (killed and started again), which a client
    must not get for a microsecond's timeout."""
    limit = runtime.settings.query_timeout
    if requested in (None, ""):
        return limit
    try:
        value = float(requested)
    except ValueError:
        raise ParameterError(f"timeout must be a number of seconds, not '{requested}'") from None
    if not value > 0:
        raise ParameterError(f"timeout must be more than 0 seconds, not '{requested}'")
    return min(max(value, runtime.settings.min_query_timeout), limit)


#: (Accept, format values) -> the negotiated (results, graphs) formats: a few distinct headers answer most requests.
NEGOTIATED: dict[tuple, tuple[Format | None, Format | None]] = {}


def negotiated(accept: str | None, format_values: tuple[str, ...]) -> tuple[Format | None, Format | None]:
    key = (accept, format_values)
    found = NEGOTIATED.get(key)
    if found is None:
        found = (choose(accept, list(format_values), RESULTS), choose(accept, list(format_values), GRAPHS))
        if len(NEGOTIATED) >= 512:
            NEGOTIATED.clear()
        NEGOTIATED[key] = found
    return found


def formats(req: QueryRequest, form: str | None) -> tuple[Format | None, Format | None]:
    """The results format and the graph format the client would get; 406 if neither fits the query's form.

    A client that accepts only the other kind's formats (rdflib's SPARQLStore asks for SPARQL results even for a
    CONSTRUCT, and some clients RDF for everything) gets the default format of the answer's kind: Turtle for a
    graph, SPARQL JSON for results. A `format` parameter that names no format of the kind stays a 406."""
    results, graphs = negotiated(req.accept, tuple(req.format_values))
    if not any(v.strip() for v in req.format_values):
        if results is None and graphs is not None:
            results = RESULTS[0]
        elif graphs is None and results is not None:
            graphs = GRAPHS[0]
    if form in ("SELECT", "ASK") and results is None:
        article = "an" if form == "ASK" else "a"
        raise ApiError(406, "not-acceptable", f"{article} {form} answer can be given as {describe(RESULTS)}")
    if form in ("CONSTRUCT", "DESCRIBE") and graphs is None:
        raise ApiError(406, "not-acceptable", f"a {form} answer can be given as {describe(GRAPHS)}")
    if results is None and graphs is None:
        raise ApiError(406, "not-acceptable", f"answers can be given as {describe(RESULTS + GRAPHS)}")
    return results, graphs


def answer_format(form: str | None, results: Format | None, graphs: Format | None) -> Format | None:
    """The format the answer of a query of this form will be written in, when the form tells it."""
    if form in ("SELECT", "ASK"):
        return results
    if form in ("CONSTRUCT", "DESCRIBE"):
        return graphs
    return None


def limit_headers(settings) -> dict[str, str]:
    """What a cut answer says of the limits it was cut at (rows, or bytes)."""
    return {"X-Benelux-Row-Limit": str(settings.max_rows), "X-Benelux-Byte-Limit": str(settings.max_answer_bytes)}


def cached_response(hit: Answer, headers: dict, settings) -> Response:
    headers.update(
        {
            "X-Benelux-Truncated": "true" if hit.truncated else "false",
            "Server-Timing": "engine;dur=0.0, cache;desc=hit",
            "X-Benelux-Cache": "hit",
        }
    )
    if hit.truncated:
        headers.update(limit_headers(settings))
    return Response(hit.body, 200, headers, media_type=hit.content_type)


async def answer(runtime: Runtime, req: QueryRequest) -> Response:
    start = time.perf_counter()
    digest = hashlib.sha256(req.text.encode("utf-8")).hexdigest()
    status, size, length, truncated, cache = 500, 0, 0, False, "off"
    try:
        settings = runtime.settings
        text_bytes = len(req.text.encode("utf-8"))
        if text_bytes > settings.max_query_bytes:
            raise ApiError(
                413, "query-too-large", f"the query is longer than the limit of {settings.max_query_bytes} bytes"
            )
        caches = caches_for(runtime)
        prefixes = runtime.prefixes
        if text_bytes > GUARD_INLINE_BYTES:
            parsed = await run_in_threadpool(caches.parse, req.text, settings.service_allowlist, prefixes)
        else:
            parsed = caches.parse(req.text, settings.service_allowlist, prefixes)
        info = parsed.info
        results_format, graph_format = formats(req, info.form)
        limit = time_limit(runtime, req.timeout)
        headers = {"Vary": "Accept"}
        key = None
        expected = answer_format(info.form, results_format, graph_format)
        if parsed.cacheable and expected is not None:
            key = answer_key(
                runtime.store.release,
                req.text,
                req.substitutions,
                req.default_graphs,
                req.named_graphs,
                expected.name,
                settings.max_rows,
            )
            headers["ETag"] = etag(key)
            headers["Cache-Control"] = f"public, max-age={caches.max_age}"
            check_preconditions(Headers({"if-match": req.if_match} if req.if_match else {}), headers["ETag"], None)
            # `*` matches an answer that exists: a cached one, not a query that may yet fail (RFC 9110 13.2.1)
            star = any_tag(req.if_none_match)
            if not req.no_cache and etag_matches(req.if_none_match, headers["ETag"]) and not star:
                status, cache = 304, "validated"
                return not_modified(req, headers)
            if caches.enabled and not req.no_cache:
                hit = caches.answers.get(key)
                if hit is not None and star:
                    status, cache = 304, "validated"
                    return not_modified(req, headers)
                if hit is not None:
                    status, size, length, truncated, cache = 200, hit.size, len(hit.body), hit.truncated, "hit"
                    return cached_response(hit, headers, settings)
            if caches.enabled:
                cache = "miss"
        job = Job(
            req.text,
            req.default_graphs,
            req.named_graphs,
            req.substitutions,
            prefixes,
            settings.max_rows,
            info.has_dataset,
            (results_format.name if results_format else None, graph_format.name if graph_format else None),
            client_key(req.client),
            settings.max_answer_bytes,
        )
        result = await runtime.engine.run_async(job, limit)
        if req.cost is not None:
            req.cost.seconds += result.seconds  # what the worker spent: charged to the client's query budget
        fmt = graph_format if result.kind == "graph" else results_format
        if fmt is None:
            raise ApiError(
                406,
                "not-acceptable",
                f"this answer can be given as {describe(GRAPHS if result.kind == 'graph' else RESULTS)}",
            )
        if result.body is not None and result.format == fmt.name:
            body = result.body
        else:
            body, result = await run_in_threadpool(capped, result, fmt, settings.max_answer_bytes)
        status, size, length, truncated = 200, result.size, len(body), result.truncated
        if key is not None and caches.enabled and fmt is expected:
            caches.answers.put(
                key,
                Answer(body, fmt.content_type, result.size, result.truncated, result.seconds * 1000),
                len(body) + len(req.text),
            )
        headers.update(
            {
                "X-Benelux-Truncated": "true" if result.truncated else "false",
                "Server-Timing": f"engine;dur={result.seconds * 1000:.1f}, queue;dur={result.waited * 1000:.1f}, "
                f"{result.lane};dur={result.round_trip * 1000:.1f}",
            }
        )
        if cache != "off":
            headers["X-Benelux-Cache"] = cache
        if result.truncated:
            headers.update(limit_headers(settings))
        return Response(body, 200, headers, media_type=fmt.content_type)
    except Exception as exc:
        error = api_error(exc)
        status = error.status
        if req.cost is not None and error.type in ("query-timeout", "query-out-of-memory"):
            req.cost.killed = True  # its worker was killed and must load the store again
        raise
    finally:
        query_line(
            "query sha256=%s status=%d size=%d bytes=%d ms=%.1f truncated=%s via=%s cache=%s",
            digest,
            status,
            size,
            length,
            (time.perf_counter() - start) * 1000,
            str(truncated).lower(),
            req.via,
            cache,
        )
