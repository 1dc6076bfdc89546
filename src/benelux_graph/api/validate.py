"""POST /validate: the SHACL report of a proposed contribution, before anyone sends it.

The body is Turtle (`text/turtle`) or JSON-LD (`application/ld+json`), at most `max_body_bytes` (413 beyond),
or the form of the `/validate` page (`data=...&syntax=turtle|jsonld`). It is checked together with the
project's ontology and data, against the project's shapes (validation.validate_graph), and the answer lists
the results the contribution brings: those the data alone does not give. Non-conformance is a result (200 with
`"conforms": false`), not an error; a syntax error is a 400 with line and column.

Nothing is stored, and nothing the document points to is fetched: Turtle is parsed by Oxigraph, which reads no
IRIs; a JSON-LD `@context` must be inline, or the project's own (`https://w3id.org/benelux-graph/context.jsonld`
or `/context.jsonld`), which is substituted locally; any other remote context is refused (400), and
Oxigraph's JSON-LD parser has no document loader to fetch one anyway.

Nothing of a contribution is parsed or checked in the server process: the route hands the body to a validation
worker (api/contributions.py), which runs (api/contribution_check.py) `read_form`, `parse_contribution` (nesting, JSON-LD term chains and
RDF-star refused first, with a 400) and `Validator.check` within the validation time and memory limits.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.routing import Route

from .contribution_check import EXAMPLE, FORM, SYNTAXES
from .contribution_errors import localized_message
from .errors import ApiError
from .http_conventions import serve_get_and_head
from .negotiation import HTML, JSON, choose
from .openapi import answers, format_parameter, ref, validate_request_body
from .pages import page
from .runtime import Runtime
from .sparql import charset, read_body, transcoded


def validate_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["validation"])

    async def form(request: Request) -> Response:
        return page(
            request,
            "ld/validate.html",
            {
                "report": None,
                "text": EXAMPLE,
                "syntax": "turtle",
                "limit": runtime.settings.max_body_bytes,
                "statements": None,
            },
        )

    async def validate(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in SYNTAXES and media_type != FORM:
            raise ApiError(
                415,
                "unsupported-media-type",
                f"send the contribution as text/turtle or application/ld+json (or {FORM} with "
                f"data=... and syntax=turtle|jsonld), not as '{media_type or 'nothing'}'",
            )
        from_form = media_type == FORM
        offered = (HTML, JSON) if from_form else (JSON, HTML)
        fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
        if fmt is None:
            raise ApiError(406, "not-acceptable", "the report can be given as application/json or text/html")
        # The form is read in the worker too (decoding a megabyte of %XX takes a while); it says what it read.
        form = {"syntax": "turtle", "text": ""}
        try:
            body = await read_body(request, runtime.settings.max_body_bytes)
            codec = "utf-8" if from_form else charset(request.headers.get("content-type", ""))
            if codec != "utf-8":  # what the worker parses is UTF-8 (Turtle's and JSON's own encoding)
                body = transcoded(body, codec).encode("utf-8")
            if not from_form:
                form = {"syntax": SYNTAXES[media_type], "text": body.decode("utf-8", errors="replace")}
            outcome = await runtime.checker.check(body, "form" if from_form else SYNTAXES[media_type], form)
        except ApiError as error:
            if fmt is HTML:  # the refusal on the page, in its language (api/contribution_errors.py)
                return page(
                    request,
                    "ld/validate.html",
                    {
                        "report": None,
                        "error": error,
                        "explain": localized_message,
                        "text": form["text"],
                        "syntax": form["syntax"],
                        "statements": None,
                        "limit": runtime.settings.max_body_bytes,
                    },
                    status=error.status,
                    headers=error.headers or None,
                )
            raise
        report = outcome.report
        if fmt is HTML:
            return page(
                request,
                "ld/validate.html",
                {
                    "report": report,
                    "text": form["text"],
                    "syntax": form["syntax"],
                    "statements": outcome.statements,
                    "limit": runtime.settings.max_body_bytes,
                },
            )
        answer = {
            **report.to_dict(),
            "statements": outcome.statements,
            "release": runtime.store.release,
            "note": "results the contribution brings, checked with the project's ontology, data and shapes",
        }
        answer["results"] = [r.to_dict() for r in report.sorted_results()]
        return Response(json.dumps(answer, ensure_ascii=False, indent=1), media_type="application/json")

    async def either(request: Request) -> Response:
        return await (validate if request.method == "POST" else form)(request)

    # One plain route for the three methods first, so that a 405 to another says `Allow: GET, HEAD, POST` (Starlette
    # names the first route's methods only); the FastAPI routes after it document GET and POST, never reached.
    router.routes.append(Route("/validate", either, methods=["GET", "HEAD", "POST"], include_in_schema=False))
    serve_get_and_head(
        router,
        "/validate",
        form,
        summary="A page to check a contribution",
        response_class=Response,
        responses=answers((HTML,), "the form"),
    )
    router.add_api_route(
        "/validate",
        validate,
        methods=["POST"],
        response_class=Response,
        summary="SHACL report of a Turtle or JSON-LD contribution (nothing stored or fetched)",
        responses={
            **answers(
                (JSON, HTML),
                "the report: JSON, or the page with the report when the page's form sent the contribution",
                ref("ValidationReport"),
            ),
            413: {"description": "a body over the limit"},
            415: {"description": "a body in another media type"},
            422: {
                "description": "a contribution that cannot be checked within the "
                "validation memory limit, or that crashed its check"
            },
            503: {
                "description": "the check ran past the validation time limit, its "
                "worker was lost, or every worker is busy (Retry-After)"
            },
        },
        openapi_extra={
            "requestBody": validate_request_body(SYNTAXES, FORM),
            "parameters": [format_parameter((JSON, HTML))],
        },
    )
    return router
