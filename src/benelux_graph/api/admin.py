"""Reloading a new release without stopping the server, over HTTP: `POST /admin/reload` or SIGHUP, both off by
default (the reload itself: release_reload.py).

- `POST /admin/reload` with `Authorization: Bearer <admin_token>` exists only when the `admin_token` setting is
  set (otherwise it is a 404 like any unknown path); it is left out of the OpenAPI document. A wrong token is a
  401. SIGHUP reloads when the `reload_signal` setting is on (`benelux-graph serve` runs in the main thread).
- `ReleaseSwitch`, the outermost layer but one, hands each request whole to the application that was current
  when it arrived (release_reload.Releases), so no request ever sees a mix of two releases.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import signal
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from ..release_reload import Releases
from .errors import NO_SUCH_PATH, ApiError
from .runtime import Runtime

log = logging.getLogger("benelux_graph.api")


def forget_endpoints() -> None:
    """Empty the caches in which FastAPI keeps what it found out about each endpoint (module-level lru_caches of
    4,096 entries, keyed on the function itself): a retired release's endpoints, closures over its runtime, kept
    that runtime (store, indexes, caches) alive after a reload, one release per reload. The endpoints served now
    are looked at again on their next request (microseconds each)."""
    from fastapi.dependencies import models

    for value in list(vars(models).values()):
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


#: The scope key under which the switch passes itself to the application it chose.
RELEASES = "benelux.releases"


class ReleaseSwitch:
    """ASGI middleware: each request goes, whole, to the application of the release current when it arrived."""

    def __init__(self, app, runtime: Runtime, factory: Callable):
        self.app = app
        existing = getattr(runtime, "releases", None)
        self.releases: Releases = (
            existing if existing is not None else Releases(runtime, app, factory, forget=forget_endpoints)
        )
        self.signal_installed = False

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, self.lifespan_receive(receive), send)
        if scope["type"] not in ("http", "websocket") or RELEASES in scope:
            return await self.app(scope, receive, send)
        generation = self.releases.enter()
        try:
            await generation.app({**scope, RELEASES: self.releases}, receive, send)
        finally:
            self.releases.leave(generation)

    def lifespan_receive(self, receive):
        async def wrapped():
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.install_signal()
            elif message["type"] == "lifespan.shutdown":
                await run_in_threadpool(self.releases.close)
            return message

        return wrapped

    def install_signal(self) -> None:
        if not self.releases.current.runtime.settings.reload_signal or not hasattr(signal, "SIGHUP"):
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.releases.on_signal)
            self.signal_installed = True
            log.info("SIGHUP reloads the release")
        except (RuntimeError, ValueError) as e:  # not the main thread
            log.warning("SIGHUP cannot reload the release here: %s", e)


#: Set by `benelux-graph serve` (server.run) for its server processes: "<the supervisor's pid> <server processes>".
SUPERVISOR = "BENELUX_SERVE_SUPERVISOR"


def restart_the_other_processes() -> bool:
    """Under `serve` with several server processes, a reload in one of them must reach the others: ask the
    supervisor (SIGHUP) to replace each server process, one at a time, by one that loads the release now on disk,
    the replacement answering before the old one leaves (uvicorn's restart). True when asked."""
    pid, _, processes = os.environ.get(SUPERVISOR, "").partition(" ")
    if not pid.isdigit() or not processes.isdigit() or int(processes) < 2 or int(pid) != os.getppid():
        return False
    os.kill(int(pid), signal.SIGHUP)
    return True


def admin_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    async def reload(request: Request) -> JSONResponse:
        token = runtime.admin_token
        releases = request.scope.get(RELEASES)
        if not token or releases is None:
            raise ApiError(404, "not-found", NO_SUCH_PATH)
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise ApiError(
                401,
                "unauthorized",
                "reloading needs the operator's token (Authorization: Bearer ...)",
                headers={"WWW-Authenticate": 'Bearer realm="benelux-graph admin"'},
            )
        result = await run_in_threadpool(releases.reload)  # validated and switched here, or refused (409)
        result["other_processes_restarted"] = result["changed"] and restart_the_other_processes()
        return JSONResponse(result, headers={"Cache-Control": "no-store"})

    if not runtime.admin_token:  # no route at all: any method is a 404, none says `Allow: POST`
        return router
    router.add_api_route(
        "/admin/reload",
        reload,
        methods=["POST"],
        include_in_schema=False,
        summary="Reload the release from the project folder (operator's token)",
    )
    return router
