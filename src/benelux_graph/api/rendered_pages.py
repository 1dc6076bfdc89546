"""Documentation pages rendered once and kept (issue 13): the ontology's and the shapes' pages, the named graphs'
and the VoID page were built from the whole release on every request (the shapes page 120-200 ms of the server's
CPU, the VoID page 85 ms, more under load). Each is kept by everything it depends on: its ETag (the release, the
page, the language), the root path, and the URL (the language links and the navigation are built from it); the
memory is bounded by the bytes kept (a share of BENELUX_CACHE_BYTES, LRU; 0: off). A reloaded release has other
ETags, so its pages are rendered anew and the retired ones age out."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from starlette.responses import Response

from .cache import LRU, setting
from .http_conventions import root

#: Share of BENELUX_CACHE_BYTES kept for these pages (as for the entity pages, api/resources.py).
SHARE = 16


class RenderedPages:
    def __init__(self, settings) -> None:
        size = setting(settings, "cache_bytes", 0) // SHARE
        self.kept = LRU(size) if size > 0 else None

    def serve(self, request: Request, etag: str, render: Callable[[], Response]) -> Response:
        """The page `render` builds, or the one it built before for the same ETag and URL (its headers too);
        `X-Benelux-Cache` says which (hit: not built again; miss: built and kept; off: built, nothing kept)."""
        key = (etag, root(request), request.url.path, request.url.query)
        if self.kept is not None and (kept := self.kept.get(key)) is not None:
            body, headers = kept
            return Response(body, headers={**headers, "X-Benelux-Cache": "hit"})
        response = render()
        if self.kept is None or response.status_code != 200:
            response.headers["X-Benelux-Cache"] = "off"
            return response
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        self.kept.put(key, (bytes(response.body), headers), len(response.body) + len(str(key)))
        response.headers["X-Benelux-Cache"] = "miss"
        return response
