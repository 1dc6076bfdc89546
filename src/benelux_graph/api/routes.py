"""Route registration shared by the routers."""

from __future__ import annotations

from fastapi import APIRouter


def add_get_and_head(router: APIRouter, path: str, endpoint, **options) -> None:
    """GET documented in OpenAPI, HEAD answered the same way (without a body) but not listed twice."""
    router.add_api_route(path, endpoint, methods=["GET"], **options)
    router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **options)
