"""HTTP conventions the routes share: the root path URLs are built on, and conditional GET (ETag,
If-None-Match, If-Modified-Since)."""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime

from fastapi import Request


def root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def not_modified(request: Request, etag: str, last_modified: float | None = None) -> bool:
    """Whether a GET or HEAD may be answered 304: If-None-Match (weak comparison) first, else If-Modified-Since."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        plain = etag.removeprefix("W/")
        return "*" in tags or any(t.removeprefix("W/") == plain for t in tags)
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return int(last_modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def validators(etag: str, last_modified: float | None = None) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = formatdate(last_modified, usegmt=True)
    return headers
