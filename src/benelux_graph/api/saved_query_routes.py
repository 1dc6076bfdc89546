"""/api/queries: the saved queries of queries/ as an API.

GET /api/queries lists them (name, title, description, tags, parameters; `?lang=fr|nl|de` gives the title and
description in that language, English without it, and `titles`/`descriptions` hold all four). Each one gets its own route,
GET /api/queries/{name}?param=..., generated at startup, so that the OpenAPI documentation shows its
parameters; values are bound as typed RDF terms by substitution, never pasted into the text. `format` and
`timeout` are the endpoint's own parameters (a saved query cannot use those names). The answer is negotiated as
on /sparql. An unknown name is 404, a bad or unknown parameter 400.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ..errors import ParameterError, QueryRefused
from ..saved_queries import YEARS, NamedQuery, get_query
from ..sparql_text import inspect_query
from .api_docs import parameter_description, query_description
from .execution import QueryRequest, answer
from .http_conventions import add_get_and_head, root
from .negotiation import GRAPHS, RESULTS
from .openapi import format_values, lang_parameter, query_answers
from .ratelimit import QUERY_COST
from .runtime import Runtime
from .sparql import no_cache

RESERVED = ("format", "timeout")
SCHEMA_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "year": {"type": "integer", "format": "year", "minimum": YEARS[0], "maximum": YEARS[1]},
    "iri": {"type": "string", "format": "iri"},
    "lang": {"type": "string", "pattern": "^[a-z]{2}$"},
    "string": {"type": "string"},
}


LANG_PARAMETER = lang_parameter("the language of the titles and descriptions (English by default)")


def summary(q: NamedQuery, base: str, lang: str = "en") -> dict:
    return {
        "name": q.name,
        "title": q.title_in(lang),
        "description": q.description_in(lang),
        "titles": q.titles,
        "descriptions": q.descriptions,
        "tags": list(q.tags),
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description_in(lang),
                "descriptions": p.descriptions,
                "default": p.default,
                "enum": list(p.enum),
            }
            for p in q.params
        ],
        "url": f"{base}/api/queries/{q.name}",
        "sparql": q.text,
    }


async def run_saved(runtime: Runtime, q: NamedQuery, request: Request) -> Response:
    params = request.query_params
    if "update" in params:
        raise QueryRefused("SPARQL Update is not accepted: this endpoint is read-only and runs queries only")
    given = {}
    for name in params:
        if name in RESERVED:
            continue
        values = params.getlist(name)
        if len(values) > 1:
            raise ParameterError(f"give parameter '{name}' once, not {len(values)} times")
        given[name] = values[0]
    req = QueryRequest(
        text=q.text,
        accept=request.headers.get("accept"),
        format_values=tuple(params.getlist("format")),
        timeout=params.get("timeout"),
        substitutions=q.bindings(given),
        via=f"/api/queries/{q.name}",
        if_none_match=request.headers.get("if-none-match"),
        if_match=request.headers.get("if-match"),
        method=request.method,
        no_cache=no_cache(request),
        client=request.client,
        cost=request.scope.get(QUERY_COST),
    )
    return await answer(runtime, req)


def form_of(q: NamedQuery) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (for the documentation of the answers); None if it cannot be read."""
    try:
        return inspect_query(q.text).form
    except QueryRefused:
        return None


def endpoint_for(runtime: Runtime, q: NamedQuery):
    """A route function whose signature declares the query's parameters (for OpenAPI); values are read from
    the request itself, so that every check and message is the saved-query module's."""

    async def endpoint(request: Request, **_: str) -> Response:
        return await run_saved(runtime, q, request)

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    formats = format_values(GRAPHS if form_of(q) in ("CONSTRUCT", "DESCRIBE") else RESULTS)
    for i, p in enumerate(q.params):
        extra: dict[str, Any] = dict(SCHEMA_TYPES[p.type])
        if p.enum:
            extra["enum"] = list(p.enum)
        description = parameter_description(p)  # in the query's header, in four languages (api_docs.translated)
        parameters.append(
            inspect.Parameter(
                f"param_{i}",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=str,  # optional by its default; `str | None` would document null as a value
                default=Query(
                    None,
                    alias=p.name,
                    description=description,
                    json_schema_extra=extra,
                    examples=[p.default] if p.default else None,
                ),
            )
        )
    parameters += [
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=str,
            default=Query(
                None,
                description=f"answer format: {', '.join(formats)}; otherwise the Accept header decides (a format's "
                "media type, or another of its names, is taken too; an unknown one is 406)",
                json_schema_extra={"enum": formats},
            ),
        ),
        inspect.Parameter(
            "timeout",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=str,
            default=Query(
                None,
                description="seconds; may lower the server's time limit (not below BENELUX_MIN_QUERY_TIMEOUT), "
                "never raise it",
                json_schema_extra={"type": "number", "exclusiveMinimum": 0},
            ),
        ),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]  # what FastAPI reads
    endpoint.__name__ = "query_" + q.name.replace("-", "_")
    return endpoint


def queries_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/api/queries", tags=["saved queries"])

    # (root path, lang) -> the listing's JSON: the saved queries never change while served
    listings: dict[tuple[str, str], bytes] = {}

    async def list_queries(request: Request) -> Response:
        key = (root(request), request.query_params.get("lang") or "en")  # lang: checked by api/parameters.py
        if key not in listings:  # FastAPI's encoding of it took 13 ms on the event loop, every time
            listings[key] = json.dumps(
                [summary(q, *key) for q in runtime.queries.values()], ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8")
        return Response(listings[key], media_type="application/json")

    add_get_and_head(
        router,
        "",
        list_queries,
        summary="List the saved queries",
        description="Name, title, description, tags, parameters, URL and text of each query.",
        openapi_extra={"parameters": [LANG_PARAMETER]},
    )
    for q in runtime.queries.values():
        if any(p.name in RESERVED for p in q.params):
            continue  # cannot be offered: its parameter would shadow the endpoint's own; see the module doc
        add_get_and_head(
            router,
            f"/{q.name}",
            endpoint_for(runtime, q),
            summary=q.title,
            description=query_description(q),
            response_class=Response,
            responses=query_answers(form_of(q)),
        )

    async def unknown(name: str, request: Request) -> Response:
        return await run_saved(runtime, get_query(runtime.queries, name), request)

    router.add_api_route("/{name}", unknown, methods=["GET", "HEAD"], include_in_schema=False)
    return router
