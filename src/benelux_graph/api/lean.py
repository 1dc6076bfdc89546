"""The lean path of /sparql: a GET, HEAD or POST of /sparql goes from the innermost middleware straight to the
endpoint, past Starlette's and FastAPI's routers (matching some 70 routes, nested routers and their wrappers, on
every request) and FastAPI's exit-stack layer. Every middleware outside this one still runs, and the errors are
answered by the application's own exception handlers, as FastAPI's ExceptionMiddleware would (the same class)."""

from __future__ import annotations

from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PATH = "/sparql"
METHODS = frozenset({"GET", "HEAD", "POST"})


class LeanSparql:
    """ASGI middleware, the innermost: /sparql to `endpoint` (the route's ASGI app), any other request on."""

    def __init__(self, app: ASGIApp, endpoint: ASGIApp, handlers: dict):
        self.app = app
        # 500 and Exception are the outermost layer's (ServerErrorMiddleware), as in FastAPI's own stack
        kept = {k: v for k, v in handlers.items() if k not in (500, Exception)}
        self.lean = ExceptionMiddleware(endpoint, handlers=kept)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == PATH
            and scope["method"] in METHODS
            and not scope.get("root_path")
        ):
            await self.lean(scope, receive, send)
        else:
            await self.app(scope, receive, send)
