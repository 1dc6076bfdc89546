"""create_app(settings, store): mounts the routers, the static files, the middleware and the error handlers.

The query workers start with the application (lifespan) and stop with it; they also start on first use, for
callers that do not run the lifespan.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from .. import __version__, fastlane
from ..settings import Settings
from ..store import GraphStore
from . import errors, openapi
from .admin import ReleaseSwitch, admin_router
from .api_docs import api_docs_router
from .compression import Compression
from .demotion import Demotion
from .downloads import downloads_router
from .fairness import Fairness
from .graph import graph_router
from .health import health_router
from .lean import LeanSparql
from .middleware import Cors, PublicOrigin, RequestHead, ServiceHeaders, TrailingSlash, install_openapi
from .pacing import Pacing
from .pages import error_page, not_found_page
from .parameters import Parameters
from .ratelimit import RateLimit
from .requestlog import RequestLog, show_query_log
from .resources import resources_router
from .runtime import Runtime
from .saved_query_routes import queries_router
from .site import mount_static, site_router
from .sources import sources_router
from .sparql import endpoint_app, sparql_router
from .validate import validate_router
from .vendor import mount_vendor
from .vocabulary_routes import vocabulary_router

if TYPE_CHECKING:
    from ..remote import RemoteStore  # imported when serving from one only (SPARQLWrapper)

EXPOSED = [
    "ETag",
    "X-Benelux-Cache",
    "X-Benelux-Version",
    "X-Benelux-Release",
    "X-Benelux-Truncated",
    "X-Benelux-Row-Limit",
    "X-Benelux-Byte-Limit",
    "Server-Timing",
]


def create_app(settings: Settings, store: GraphStore | RemoteStore) -> FastAPI:
    runtime = Runtime.create(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        show_query_log()
        await run_in_threadpool(runtime.engine.start)
        runtime.checker.start()  # in the background: the validation workers load while the server serves
        logging.getLogger("benelux_graph.api").info(  # says where, for a newcomer who just ran `make serve`
            "serving release %s at %s/ (query editor /sparql, API docs /docs, Benelux+ /benelux-plus, "
            "dumps /downloads): %d triples in %d graphs, %d saved queries, %d query workers",
            store.release,
            settings.base_url,
            len(store),
            len(store.files),
            len(runtime.queries),
            runtime.engine.size,
        )
        try:
            yield
        finally:
            runtime.close()
            lane = getattr(runtime.engine, "lane", None)  # a remote store's engine has none
            if fastlane.ON_RUNAWAY is not None and lane is not None and lane.tripped:
                leave()  # drained: the runaway thread ends with this process, and the supervisor starts another

    app = FastAPI(
        title="benelux-graph",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # served from npm, not a CDN, in the reader's language: api/api_docs.py
        openapi_url=None,  # /openapi.json?lang=: api/api_docs.py
        description="A SPARQL endpoint and saved queries over the knowledge graph of Benelux Union cooperation "
        f"(dataset release {store.release}). Read-only.",
        servers=[{"url": settings.base_url}],  # the public base URL, never the request's Host
        # no OpenTelemetry SDK is installed: FastAPI's native telemetry would look up three global providers on
        # every request only to find nothing configured (1.5 % of the event loop on executed queries, issue 15)
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runtime = runtime
    errors.install(app, not_found_page, error_page)
    sparql = sparql_router(runtime)
    app.include_router(sparql)
    app.include_router(queries_router(runtime))
    app.include_router(health_router(runtime))
    app.include_router(graph_router(runtime))
    app.include_router(sources_router(runtime))  # before resources: /page/fact/… is a fact page
    app.include_router(resources_router(runtime))
    app.include_router(vocabulary_router(runtime))
    app.include_router(downloads_router(runtime))
    app.include_router(validate_router(runtime))
    app.include_router(admin_router(runtime))
    app.include_router(site_router(runtime))  # /, /favicon.ico
    app.include_router(api_docs_router(runtime))  # /docs, /redoc, /openapi.json
    mount_static(app)  # /static (api/site.py)
    mount_vendor(app, settings.root)  # only the library files the pages use (api/vendor.py)
    app.add_middleware(LeanSparql, endpoint=endpoint_app(sparql), handlers=app.exception_handlers)  # api/lean.py
    app.add_middleware(TrailingSlash)  # /page/<slug>/ -> /page/<slug> (api/middleware.py)
    app.add_middleware(
        Parameters, error_page=error_page
    )  # one value per parameter, `lang` one of the site's (api/parameters.py)
    app.add_middleware(Compression)  # gzip of text answers (api/compression.py); sees HEAD's body too
    app.add_middleware(
        ServiceHeaders, version=__version__, release=store.release, api_origins=settings.api_origins
    )  # the Benelux+ page's connect-src
    app.add_middleware(
        Cors,
        version=__version__,
        release=store.release,
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=EXPOSED,
        max_age=3600,
    )
    app.add_middleware(
        ReleaseSwitch, runtime=runtime, factory=create_app
    )  # reloads (api/admin.py): a request sees one release
    app.add_middleware(
        RateLimit,
        limit=runtime.rate_limit,
        query_budget=runtime.query_budget,
        kill_cost=settings.query_timeout,
        version=__version__,
    )  # per client
    app.add_middleware(PublicOrigin, base_url=settings.base_url)  # no URL follows the Host header
    app.add_middleware(RequestHead)  # one Host header, OPTIONS * (api/middleware.py)
    app.add_middleware(Demotion, demote_after=settings.demote_after)  # clients whose requests keep failing
    app.add_middleware(Pacing, pace_queries=settings.query_pacing)  # ... get their errors late while others are served
    if settings.client_fairness:  # per client: a few requests in at once, slow ones after quick ones (api/fairness.py)
        app.add_middleware(Fairness)
    app.add_middleware(RequestLog)  # outermost: one line per request, with the status sent (api/requestlog.py)
    install_openapi(app)  # the error shape, 429 and 503 documented on every route
    openapi.install(app)  # the schemas of the answers (api/openapi.py)
    return app


#: Exit status of a server process that left after its fast lane tripped (not uvicorn's STARTUP_FAILURE, 3, after
#: which the supervisor would start no other).
TRIPPED_EXIT = 70


def leave() -> None:
    """End this server process at once (a thread stuck in pyoxigraph would keep it from ending otherwise), its
    pending log lines written first."""
    for handler in logging.getLogger("benelux_graph").handlers:
        handler.flush()
    os._exit(TRIPPED_EXIT)


def drain_and_exit(grace: float):
    """fastlane.ON_RUNAWAY for a server process under uvicorn's supervisor: stop taking requests and finish those
    being answered (uvicorn's shutdown on SIGTERM, then the lifespan's end calls `leave`), or leave after `grace`
    seconds whatever remains; the supervisor then starts a fresh server process on the same socket."""

    def drain(reason: str) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        timer = threading.Timer(grace, leave)
        timer.daemon = True
        timer.start()

    return drain


def app_from_env() -> FastAPI:
    """The application for several server processes: `benelux-graph serve --workers N` (or `uvicorn --factory
    benelux_graph.api.app:app_from_env --workers N --no-proxy-headers`, without serve's read timeout and head
    limit: benelux_graph.server). Settings come from the environment (BENELUX_*); each process loads the store
    itself and starts its own query workers. A fast-lane thread past its limits ends the process (drain_and_exit):
    run it under a supervisor (`serve` always does; plain uvicorn only with --workers 2 or more)."""
    import gc

    settings = Settings.from_env()
    store: GraphStore | RemoteStore
    if settings.serve_from_store:
        from ..remote import served_store

        store = served_store(settings)
    else:
        store = GraphStore.load(settings)
    app = create_app(settings, store)
    # a fast-lane thread past its limits ends this process, which the supervisor replaces (fastlane.py, rule 5)
    fastlane.ON_RUNAWAY = drain_and_exit(settings.query_timeout + 1)
    app.state.runtime.prepare()  # the pages' index, made before the freeze (a reload makes it again: release_reload)
    gc.freeze()  # what startup made lives as long as the process: kept out of the collector's full passes
    return app
