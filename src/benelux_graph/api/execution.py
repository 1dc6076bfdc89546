"""Answering one query, for /sparql and the saved-query routes alike: check the text, pick the answer's format,
run it in the engine within its time limit, serialize, and log one line.

Log line (logger `benelux_graph.api`): `query sha256=<hex> status=<code> size=<rows|triples> bytes=<n>
ms=<total> truncated=<bool> via=<route>`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..engine import Job
from ..errors import ParameterError
from .errors import ApiError, api_error
from .guard import inspect_query
from .negotiation import GRAPHS, RESULTS, Format, choose, describe
from .runtime import Runtime
from .serialize import serialize

log = logging.getLogger("benelux_graph.api")


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


def time_limit(runtime: Runtime, requested: str | None) -> float:
    """The server's time limit, or the client's `timeout` (seconds) when lower."""
    limit = runtime.settings.query_timeout
    if requested in (None, ""):
        return limit
    try:
        value = float(requested)
    except ValueError:
        raise ParameterError(f"timeout must be a number of seconds, not '{requested}'") from None
    if not value > 0:
        raise ParameterError(f"timeout must be more than 0 seconds, not '{requested}'")
    return min(value, limit)


def formats(req: QueryRequest, form: str | None) -> tuple[Format | None, Format | None]:
    """The results format and the graph format the client would get; 406 if neither fits the query's form."""
    results = choose(req.accept, list(req.format_values), RESULTS)
    graphs = choose(req.accept, list(req.format_values), GRAPHS)
    if form in ("SELECT", "ASK") and results is None:
        raise ApiError(406, "not-acceptable", f"a {form} answer can be given as {describe(RESULTS)}")
    if form in ("CONSTRUCT", "DESCRIBE") and graphs is None:
        raise ApiError(406, "not-acceptable", f"a {form} answer can be given as {describe(GRAPHS)}")
    if results is None and graphs is None:
        raise ApiError(406, "not-acceptable", f"answers can be given as {describe(RESULTS + GRAPHS)}")
    return results, graphs


async def answer(runtime: Runtime, req: QueryRequest) -> Response:
    start = time.perf_counter()
    digest = hashlib.sha256(req.text.encode("utf-8")).hexdigest()
    status, size, length, truncated = 500, 0, 0, False
    try:
        if len(req.text.encode("utf-8")) > runtime.settings.max_query_bytes:
            raise ApiError(413, "query-too-large", f"the query is longer than the limit of "
                                                   f"{runtime.settings.max_query_bytes} bytes")
        info = inspect_query(req.text, runtime.settings.service_allowlist, runtime.prefixes)
        results_format, graph_format = formats(req, info.form)
        limit = time_limit(runtime, req.timeout)
        job = Job(req.text, req.default_graphs, req.named_graphs, req.substitutions, runtime.prefixes,
                  runtime.settings.max_rows, info.has_dataset)
        result = await run_in_threadpool(runtime.engine.run, job, limit)
        fmt = graph_format if result.kind == "graph" else results_format
        if fmt is None:
            raise ApiError(406, "not-acceptable", f"this answer can be given as "
                                                  f"{describe(GRAPHS if result.kind == 'graph' else RESULTS)}")
        body = await run_in_threadpool(serialize, result, fmt)
        status, size, length, truncated = 200, result.size, len(body), result.truncated
        headers = {
            "X-Benelux-Truncated": "true" if result.truncated else "false",
            "Server-Timing": f"engine;dur={result.seconds * 1000:.1f}",
            "Vary": "Accept",
        }
        if result.truncated:
            headers["X-Benelux-Row-Limit"] = str(runtime.settings.max_rows)
        return Response(body, 200, headers, media_type=fmt.content_type)
    except Exception as exc:
        status = api_error(exc).status
        raise
    finally:
        log.info("query sha256=%s status=%d size=%d bytes=%d ms=%.1f truncated=%s via=%s", digest, status, size,
                 length, (time.perf_counter() - start) * 1000, str(truncated).lower(), req.via)
