"""One error shape for every route, as JSON or, for a client that asked for text/plain, as plain text:

    {"error": {"status": 400, "type": "malformed-query", "message": "...", "line": 3, "column": 2}}

The project's exceptions map to a status and a type by the one table of benelux_graph.errors (ERROR_TYPES,
EXCEPTION_TYPES, HTTP_TYPES); an unexpected exception is
logged with its traceback and answered 500 with a short message, never with the traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..errors import (
    ERROR_TYPES,
    EXCEPTION_TYPES,
    HTTP_TYPES,
    EngineError,
    ParameterError,
    QueryError,
    ReleaseRefused,
    ReloadInProgress,
    UnknownQuery,
)
from ..syntax import plain_message
from .negotiation import HTML, JSON, TEXT, negotiate

log = logging.getLogger("benelux_graph.api")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        type: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        headers: dict[str, str] | None = None,
        problems: list[str] | None = None,
        key: str | None = None,
        params: dict | None = None,
    ):
        self.status, self.type, self.message, self.line, self.column = status, type, message, line, column
        self.headers = headers or {}
        self.problems = problems or []  # what is wrong, one line each (a refused release's violations)
        # the message as a key of the site's catalogue and its parameters, to be said in the page's language
        self.key, self.params = key, params or {}
        super().__init__(message)

    def body(self) -> dict:
        error: dict = {"status": self.status, "type": self.type, "message": self.message}
        if self.line is not None:
            error.update(line=self.line, column=self.column)
        if self.problems:
            error["problems"] = self.problems
        return {"error": error}

    def text(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.status} {self.type}: {self.message}{where}\n"


#: The message of a 404 for a path no route serves (and of /admin/reload when it is off: it must look the same).
NO_SUCH_PATH = "nothing is served at this path; the service's entry points are listed at /"
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def api_error(exc: Exception) -> ApiError:
    """The ApiError an exception is answered with."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, tuple(kind for kind, _ in EXCEPTION_TYPES)):
        type = next(t for kind, t in EXCEPTION_TYPES if isinstance(exc, kind))
        status = ERROR_TYPES[type][0]
        if isinstance(exc, ReleaseRefused):
            return ApiError(status, type, exc.message, problems=exc.problems)
        if not isinstance(exc, QueryError):
            return ApiError(status, type, str(exc))
        message = plain_message(exc.message) if type == "malformed-query" else exc.message
        line, column = (None, None) if type == "query-timeout" else (exc.line, exc.column)
        return ApiError(status, type, message, line, column)
    if isinstance(exc, EngineError):
        return ApiError(exc.status, exc.type, exc.message)
    if isinstance(exc, HTTPException):
        headers = dict(exc.headers or {})
        message = str(exc.detail)
        if exc.status_code == 405:
            headers["Allow"] = with_head(headers.get("Allow", ""))
            message = f"this path answers {headers['Allow']} only"
        elif exc.status_code == 404 and message == "Not Found":  # Starlette's words for a path no route serves
            message = NO_SUCH_PATH
        return ApiError(exc.status_code, HTTP_TYPES.get(exc.status_code, "http-error"), message, headers=headers)
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return ApiError(400, "bad-request", problems or "the request is not valid")
    return ApiError(500, "internal-error", "an unexpected error occurred; it has been logged")


def with_head(allow: str) -> str:
    """A 405's Allow with HEAD wherever GET is: every GET route answers HEAD (api/http_conventions.py, the static
    files), but Starlette lists the methods of the first route of the path only (`GET`, its HEAD twin apart); in
    one order (Starlette's comes from a set, another at each request)."""
    methods = {m.strip() for m in allow.split(",") if m.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods, key=lambda m: (METHOD_ORDER.index(m) if m in METHOD_ORDER else 99, m)))


def error_response(request_headers, exc: Exception) -> Response:
    error = api_error(exc)
    vary = ", ".join(v for v in (error.headers.get("Vary"), "Accept") if v)  # JSON or text, by Accept
    headers = {**error.headers, "Cache-Control": "no-store", "Vary": vary}
    if negotiate(request_headers.get("accept"), (JSON, TEXT)) is TEXT:
        return Response(error.text(), error.status, headers, media_type="text/plain; charset=utf-8")
    return Response(json.dumps(error.body(), ensure_ascii=False), error.status, headers, media_type="application/json")


def prefers_html(request_headers) -> bool:
    return negotiate(request_headers.get("accept"), (JSON, HTML)) is HTML


#: The site's error page for a browser (api/pages.py `error_page`): request, status, type, message, headers.
ErrorPage = Callable[[Request, int, str, str, dict[str, str]], Response]


def browser_error(request: Request, exc: Exception, error_page: ErrorPage) -> Response:
    """`exc` answered as the site's HTML page when the request prefers HTML (a browser), else in the one shape."""
    if not prefers_html(request.headers):
        return error_response(request.headers, exc)
    error = api_error(exc)
    return error_page(request, error.status, error.type, error.message, error.headers)


def install(app: FastAPI, not_found_page: Callable[[Request], Response], error_page: ErrorPage) -> None:
    """Answer every error the routes raise in the one shape, or to a browser as an HTML page: a path no route serves
    with `not_found_page` (the site's 404 page, with suggestions), any other error with `error_page`
    (api/pages.py)."""

    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 404 and prefers_html(request.headers):
            return not_found_page(request)
        return browser_error(request, exc, error_page)

    for kind in (
        ApiError,
        QueryError,
        UnknownQuery,
        ParameterError,
        EngineError,
        ReleaseRefused,
        ReloadInProgress,
        HTTPException,
        RequestValidationError,
    ):
        app.add_exception_handler(kind, handle)
