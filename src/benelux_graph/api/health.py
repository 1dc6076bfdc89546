"""/healthz: is the service up, which release does it serve, how many query workers are ready."""

from __future__ import annotations

from fastapi import APIRouter

from .. import __version__
from .http_conventions import add_get_and_head
from .runtime import Runtime


def health_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    async def healthz() -> dict:
        return {
            "status": "ok",
            "version": __version__,
            "release": runtime.store.release,
            "triples": len(runtime.store),
            "graphs": len(runtime.store.files),
            "workers": len(runtime.engine.worker_pids),
            "saved_queries": len(runtime.queries),
        }

    add_get_and_head(router, "/healthz", healthz, summary="Health check")
    return router
