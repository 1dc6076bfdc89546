"""/downloads: the dump files of the release, their checksums, the JSON-LD context and the VoID/DCAT description.

- `GET /downloads` lists the files (HTML for a browser, JSON otherwise): format, size, statements, SHA-256,
  licence, release.
- `GET|HEAD /downloads/<file>` serves one file (the same bytes `benelux-graph dump` writes) with a strong `ETag`
  (its SHA-256), `Last-Modified` (when the data last changed), `304 Not Modified` on `If-None-Match` or
  `If-Modified-Since`, and byte ranges (`Range`, `If-Range`: 206, 416) through Starlette's FileResponse.
- `GET /context.jsonld` is the JSON-LD context of the dumps (also inline in them).
- `GET /.well-known/void` is the VoID + DCAT description, with this server's URLs for the dumps and the
  endpoint: Turtle unless the client asks for another RDF format, or HTML for a browser. `/dataset` (the
  dataset's IRI, `https://w3id.org/benelux-graph/dataset`) answers 303 to it.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, RedirectResponse, Response

from ..dumps import DESCRIPTION, FORMATS, NAME, TITLE, VOID_PREFIXES, void_triples
from ..dumps import FORMAT_BY_EXTENSION as DUMP_BY_EXTENSION
from ..rdf_writers import jsonld_context, serialize
from .errors import ApiError
from .http_conventions import not_modified, root, serve_get_and_head, validators
from .messages import choose_language
from .negotiation import HTML, JSON, choose
from .openapi import (
    NOT_MODIFIED,
    answers,
    dump_file_answers,
    dump_file_names,
    format_parameter,
    ref,
    see_other,
)
from .pages import page
from .rendered_pages import RenderedPages
from .resources import RDF_FORMATS, linked_data
from .runtime import Runtime

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def downloads_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["downloads"])
    void_pages = RenderedPages(runtime.settings)  # the VoID page, built once per release and language

    def served():
        return linked_data(runtime).publication.served_files()

    def base_url(request: Request) -> str:
        return runtime.settings.base_url + "/"  # the public base URL (settings), never the request's Host

    async def listing(request: Request) -> Response:
        fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), (HTML, JSON))
        if fmt is None:
            raise ApiError(406, "not-acceptable", "the list of downloads can be given as text/html or application/json")
        _, files = await run_in_threadpool(served)
        pub = linked_data(runtime).publication
        base = root(request)
        entries = [
            {
                "name": f.name,
                "url": f"{base}/downloads/{f.name}",
                "label": f.label,
                "media_type": f.media_type,
                "compressed": f.compressed,
                "size": f.size,
                "sha256": f.sha256,
                "statements": f.statements,
                "named_graphs": bool(f.format and f.format.named_graphs),
            }
            for f in files
        ]
        if fmt is JSON:
            body = {
                "title": TITLE,
                "release": pub.release,
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "description": f"{base}/.well-known/void",
                "files": entries,
                "graphs": pub.graph_counts,
            }
            return Response(
                json.dumps(body, ensure_ascii=False, indent=1),
                media_type="application/json",
                headers={"Vary": "Accept"},
            )
        return page(
            request,
            "ld/downloads.html",
            {
                "title": TITLE,
                "description": DESCRIPTION,
                "entries": entries,
                "formats": {f.name: f.format.label for f in files if f.format},  # (described in the page's words)
                "graphs": pub.graph_counts,
                "files": {g: runtime.store.files.get(g) for g in pub.graph_counts},
                "release": pub.release,
                "name": NAME,
                "citation": citation(pub.release, base_url(request)),
            },
            headers={"Vary": "Accept, Accept-Language"},
        )

    async def download(request: Request, name: Annotated[str, PathParam(examples=dump_file_names())]) -> Response:
        if not FILE_NAME.match(name):
            raise ApiError(404, "unknown-file", f"no file '{name}' in the downloads")
        folder, files = await run_in_threadpool(served)
        entry = next((f for f in files if f.name == name), None)
        if entry is None:
            raise ApiError(404, "unknown-file", f"no file '{name}' in the downloads; see /downloads")
        last_modified = linked_data(runtime).publication.last_modified
        etag = f'"{entry.sha256}"'
        headers = validators(etag, last_modified)
        if not_modified(request, etag, last_modified):
            return Response(status_code=304, headers=headers)
        media_type = entry.media_type if entry.compressed else entry.media_type + "; charset=utf-8"
        return FileResponse(
            folder / name,
            media_type=media_type,
            headers=headers,
            content_disposition_type="attachment" if entry.compressed else "inline",
            filename=name,
        )

    async def context(request: Request) -> Response:
        pub = linked_data(runtime).publication
        etag = linked_data(runtime).etag("context")
        headers = {**validators(etag, pub.last_modified), "Access-Control-Allow-Origin": "*"}
        if not_modified(request, etag, pub.last_modified):
            return Response(status_code=304, headers=headers)
        return Response(
            json.dumps(jsonld_context(), indent=1) + "\n", media_type="application/ld+json", headers=headers
        )

    def void_document(request: Request) -> Response:
        offered = (*RDF_FORMATS, HTML)
        fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
        if fmt is None:
            raise ApiError(
                406,
                "not-acceptable",
                "the VoID description can be given as Turtle, N-Triples, JSON-LD, RDF/XML or text/html",
            )
        data = linked_data(runtime)
        pub = data.publication
        if fmt is HTML:  # the page is in the reader's language: one tag per language, or a 304 serves another's
            lang, explicit = choose_language(request)
            etag = data.etag("void", fmt.name, base_url(request), lang, str(explicit))
        else:
            etag = data.etag("void", fmt.name, base_url(request))
        headers = {**validators(etag, pub.last_modified), "Vary": "Accept, Accept-Language"}
        if not_modified(request, etag, pub.last_modified):
            return Response(status_code=304, headers=headers)
        if fmt is HTML:
            return void_pages.serve(request, etag, lambda: void_page(request, pub, headers))
        _, files = pub.served_files()
        triples = void_triples(pub, files, base_url(request))
        dump_format = next(f for f in FORMATS if f.name == fmt.name)
        body = serialize(
            triples, dump_format, VOID_PREFIXES, [f"VoID and DCAT description of the {TITLE}, release {pub.release}"]
        )
        return Response(body, 200, headers, media_type=fmt.content_type)

    def void_page(request: Request, pub, headers: dict) -> Response:
        _, files = pub.served_files()
        turtle = serialize(void_triples(pub, files, base_url(request)), DUMP_BY_EXTENSION["ttl"], VOID_PREFIXES)
        context = {"turtle": turtle.decode("utf-8"), "formats": RDF_FORMATS, "release": pub.release}
        return page(request, "ld/void.html", {**context, "graphs": pub.graph_counts}, headers=headers)

    async def void(request: Request) -> Response:
        return await run_in_threadpool(void_document, request)

    async def dataset(request: Request) -> Response:
        return RedirectResponse(f"{root(request)}/.well-known/void", 303)

    # GET documented, HEAD answered alike (http_conventions.serve_get_and_head); what each answers: api/openapi.py
    serve_get_and_head(
        router,
        "/downloads",
        listing,
        summary="The dump files of the release",
        response_class=Response,
        responses=answers((HTML, JSON), "the list of files: a page, or JSON", ref("Downloads")),
        openapi_extra={"parameters": [format_parameter((HTML, JSON))]},
    )
    serve_get_and_head(
        router,
        "/downloads/{name}",
        download,
        response_class=Response,
        summary="One dump file (ETag, Last-Modified, 304, Range)",
        responses=dump_file_answers(),
    )
    serve_get_and_head(
        router,
        "/context.jsonld",
        context,
        summary="The JSON-LD context of the dumps",
        response_class=Response,
        responses={
            200: {"description": "the context", "content": {"application/ld+json": {"schema": ref("JsonLdContext")}}},
            **NOT_MODIFIED,
        },
    )
    serve_get_and_head(
        router,
        "/.well-known/void",
        void,
        summary="VoID and DCAT description of the dataset",
        response_class=Response,
        responses={**answers((*RDF_FORMATS, HTML), "the description: RDF, or a page to a browser"), **NOT_MODIFIED},
        openapi_extra={"parameters": [format_parameter((*RDF_FORMATS, HTML))]},
    )
    serve_get_and_head(
        router,
        "/dataset",
        dataset,
        summary="The dataset's IRI: 303 to its description",
        status_code=303,
        response_class=Response,
        responses=see_other("to /.well-known/void"),
    )
    serve_get_and_head(  # the publisher VoID names (dumps.PUBLISHER_IRI) is described there too
        router,
        "/contributors",
        dataset,
        summary="The dataset's publisher: 303 to the description naming it",
        status_code=303,
        response_class=Response,
        responses=see_other("to /.well-known/void"),
    )
    return router


def citation(release: str, base_url: str) -> str:
    return (
        f"benelux-graph contributors. {TITLE}, release {release}. Data licensed under CC BY 4.0. "
        f"{base_url}downloads (dataset IRI https://w3id.org/benelux-graph/dataset)."
    )
