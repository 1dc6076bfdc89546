"""One error shape for every route, as JSON or, for a client that asked for text/plain, as plain text:

    {"error": {"status": 400, "type": "malformed-query", "message": "...", "line": 3, "column": 2}}

The project's exceptions (benelux_graph.errors) map to a status and a type here; an unexpected exception is
logged with its traceback and answered 500 with a short message, never with the traceback.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..engine import EngineError, EvaluationError
from ..errors import ParameterError, QueryError, QueryRefused, QueryTimeout, UnknownQuery
from ..syntax import plain_message
from .negotiation import HTML, JSON, TEXT, negotiate

log = logging.getLogger("benelux_graph.api")

HTTP_TYPES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "too-large",
    415: "unsupported-media-type",
    500: "internal-error",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        type: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.status, self.type, self.message, self.line, self.column = status, type, message, line, column
        self.headers = headers or {}
        super().__init__(message)

    def body(self) -> dict:
        error = {"status": self.status, "type": self.type, "message": self.message}
        if self.line is not None:
            error.update(line=self.line, column=self.column)
        return {"error": error}

    def text(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.status} {self.type}: {self.message}{where}\n"


def api_error(exc: Exception) -> ApiError:
    """The ApiError an exception is answered with."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, QueryTimeout):
        return ApiError(503, "query-timeout", exc.message)
    if isinstance(exc, QueryRefused):
        return ApiError(400, "query-refused", exc.message, exc.line, exc.column)
    if isinstance(exc, EvaluationError):
        return ApiError(400, "query-failed", exc.message, exc.line, exc.column)
    if isinstance(exc, QueryError):
        return ApiError(400, "malformed-query", plain_message(exc.message), exc.line, exc.column)
    if isinstance(exc, UnknownQuery):
        return ApiError(404, "unknown-query", str(exc))
    if isinstance(exc, ParameterError):
        return ApiError(400, "bad-parameter", str(exc))
    if isinstance(exc, EngineError):
        return ApiError(exc.status, exc.type, exc.message)
    if isinstance(exc, HTTPException):
        return ApiError(
            exc.status_code,
            HTTP_TYPES.get(exc.status_code, "http-error"),
            str(exc.detail),
            headers=dict(exc.headers or {}),
        )
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return ApiError(400, "bad-request", problems or "the request is not valid")
    return ApiError(500, "internal-error", "an unexpected error occurred; it has been logged")


def error_response(request_headers, exc: Exception) -> Response:
    error = api_error(exc)
    vary = ", ".join(v for v in (error.headers.get("Vary"), "Accept") if v)  # JSON or text, by Accept
    headers = {**error.headers, "Cache-Control": "no-store", "Vary": vary}
    if negotiate(request_headers.get("accept"), (JSON, TEXT)) is TEXT:
        return Response(error.text(), error.status, headers, media_type="text/plain; charset=utf-8")
    return Response(json.dumps(error.body(), ensure_ascii=False), error.status, headers, media_type="application/json")


def prefers_html(request_headers) -> bool:
    return negotiate(request_headers.get("accept"), (JSON, HTML)) is HTML


def not_found_page(request: Request) -> Response:
    """A path no route serves, asked for by a browser: the site's 404 page (header, search box), not JSON."""
    from .resources import page  # resources imports this module

    context = {"iri": request.url.path, "no_page": True, "query": "", "hits": [], "kinds": {}, "href": None}
    return page(
        request,
        "ld/not_found.html",
        context,
        status=404,
        headers={"Vary": "Accept, Accept-Language", "Cache-Control": "no-store"},
    )


def install(app: FastAPI) -> None:
    """Answer every error the routes raise in the one shape."""

    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 404 and prefers_html(request.headers):
            return not_found_page(request)
        return error_response(request.headers, exc)

    for kind in (
        ApiError,
        QueryError,
        UnknownQuery,
        ParameterError,
        EngineError,
        HTTPException,
        RequestValidationError,
    ):
        app.add_exception_handler(kind, handle)
