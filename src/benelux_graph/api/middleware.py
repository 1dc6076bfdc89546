"""Plain ASGI middleware wrapped around every route:

- the headers every response carries: `X-Benelux-Version` (the software), `X-Benelux-Release` (the dataset),
  and a `Server-Timing` total added to what the route measured;
- HEAD answered like GET without a body (same status and headers);
- the catch-all: an exception no handler took is logged with its traceback and answered 500 in the one error
  shape, never with the traceback.
"""

from __future__ import annotations

import logging
import time

from .errors import error_response

log = logging.getLogger("benelux_graph.api")


class ServiceHeaders:
    def __init__(self, app, version: str, release: str):
        self.app, self.version, self.release = app, version, release

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        is_head = scope["method"] == "HEAD"
        started = False

        async def wrapped_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server-timing"]
                timings = [v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"server-timing"]
                timings.append(f"total;dur={(time.perf_counter() - start) * 1000:.1f}")
                headers += [(b"x-benelux-version", self.version.encode()),
                            (b"x-benelux-release", self.release.encode()),
                            (b"server-timing", ", ".join(timings).encode("latin-1"))]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and is_head:
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, wrapped_send)
        except Exception as exc:  # the catch-all
            log.exception("unexpected error on %s %s", scope["method"], scope.get("path"))
            if started:
                raise
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            response = error_response(headers, exc)
            await response(scope, receive, wrapped_send)
