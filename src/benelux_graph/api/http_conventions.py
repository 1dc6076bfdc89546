"""HTTP conventions the routes share, written once: URLs built on the root path, conditional GET (ETag, If-Match,
If-Unmodified-Since, If-None-Match, If-Modified-Since), and HEAD answered like GET on every GET route (the app's middleware drops the
body; api/middleware.py), never listed twice in the OpenAPI document."""

from __future__ import annotations

import time
from email.utils import formatdate, parsedate_to_datetime

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from .errors import ApiError


def root(request: Request) -> str:
    """What every URL of this server starts with: the root path it is mounted at (no trailing slash)."""
    return request.scope.get("root_path", "").rstrip("/")


def any_tag(if_none_match: str | None) -> bool:
    """Whether If-None-Match is `*`: it matches whatever answer exists, so a route that finds out only by building
    it whether the request succeeds (an error has no representation, RFC 9110 13.2.1) must build it first."""
    return any(t.strip() == "*" for t in (if_none_match or "").split(","))


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (`*`, or one of a list; W/"…" compared weakly)."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    plain = etag.removeprefix("W/")
    return "*" in tags or any(t.removeprefix("W/") == plain for t in tags)


def not_modified(request: Request, etag: str, last_modified: float | None = None) -> bool:
    """Whether a GET or HEAD may be answered 304: If-None-Match (weak comparison) first, else If-Modified-Since.
    The preconditions that come before them (RFC 9110 13.2.2) are checked first: 412 when one is false."""
    if request.method not in ("GET", "HEAD"):
        return False
    check_preconditions(request.headers, etag, last_modified)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        stamp = http_date(since)
        return stamp is not None and int(last_modified) <= stamp
    return False


def check_preconditions(headers: Headers, etag: str, last_modified: float | None) -> None:
    """If-Match, else If-Unmodified-Since (RFC 9110 13.2.2): raise a 412 when the answer does not meet it. If-Match
    compares strongly (13.1.1), so a weak tag (W/"…", what the RDF answers carry) never matches, `*` always does."""
    if_match = headers.get("if-match")
    if if_match is not None:
        tags = [t.strip() for t in if_match.split(",")]
        if "*" in tags or (not etag.startswith("W/") and etag in tags):
            return
        raise ApiError(
            412,
            "precondition-failed",
            f"If-Match names none of this answer's entity tags (its ETag is {etag}; "
            'a weak tag, W/"…", never matches If-Match)',
        )
    since = headers.get("if-unmodified-since")
    if since and last_modified is not None:
        stamp = http_date(since, future_too=True)
        if stamp is not None and int(last_modified) > stamp:
            raise ApiError(
                412, "precondition-failed", f"the answer was modified after If-Unmodified-Since ({since.strip()})"
            )


def http_date(value: str, future_too: bool = False) -> float | None:
    """An HTTP date as a time stamp; None when it is not a date or (unless `future_too`) lies ahead of this
    server's clock (for If-Modified-Since, RFC 2616 14.25: invalid; a 304 for it would hide every release published
    until then)."""
    try:
        stamp = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return stamp if future_too or stamp <= time.time() + 1 else None


class ConditionalFiles(StaticFiles):
    """StaticFiles whose conditions are read as not_modified reads them: If-Match and If-Unmodified-Since checked
    (Starlette ignores them), a date in the future in If-Modified-Since ignored."""

    def file_response(self, full_path, stat_result, scope, status_code: int = 200) -> Response:
        check_preconditions(Headers(scope=scope), etag_of(stat_result), stat_result.st_mtime)
        return super().file_response(full_path, stat_result, scope, status_code)

    def is_not_modified(self, response_headers: Headers, request_headers: Headers) -> bool:
        since = request_headers.get("if-modified-since")
        if since and "if-none-match" not in request_headers and http_date(since) is None:
            return False
        return super().is_not_modified(response_headers, request_headers)


def etag_of(stat_result) -> str:
    """The ETag Starlette's FileResponse gives a file (its size and time stamp)."""
    return FileResponse("", stat_result=stat_result).headers["etag"]


def validators(etag: str, last_modified: float | None = None) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = formatdate(last_modified, usegmt=True)
    return headers


# --- GET and HEAD -----------------------------------------------------------------------------------------------


def add_get_and_head(router: APIRouter, path: str, endpoint, **options) -> None:
    """GET documented in OpenAPI, HEAD answered the same way (without a body) but not listed twice."""
    router.add_api_route(path, endpoint, methods=["GET"], **options)
    router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **options)


def serve_get_and_head(router: APIRouter, path: str, endpoint, **options) -> None:
    """GET and HEAD served by one route, kept out of the OpenAPI document (so that a 405 to another method says
    `Allow: GET, HEAD`), and after it a route documenting GET (one operation, one id), which is never reached."""
    router.add_api_route(path, endpoint, methods=["GET", "HEAD"], include_in_schema=False, **options)
    router.add_api_route(path, endpoint, methods=["GET"], **options)


def add_head_routes(router: APIRouter) -> None:
    """HEAD like GET for every GET-only route declared so far on `router`, kept out of the OpenAPI document."""
    for route in list(router.routes):
        if isinstance(route, APIRoute) and route.methods == {"GET"}:
            router.add_api_route(
                route.path, route.endpoint, methods=["HEAD"], include_in_schema=False, name=route.name + "-head"
            )
