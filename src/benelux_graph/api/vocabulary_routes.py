"""The documents of the dataset as linked data: the ontology (`/ontology`, `/ontology.<ext>`,
`/ontology/<version>`), the SHACL shapes (`/shapes`, `/shapes.<ext>`) and each named graph (`/graph/...`):
documentation for a browser, RDF for the others (Accept, or the format the extension names). The entities'
routes (/id, /page, /data, /search) are api/resources.py's.
"""

from __future__ import annotations

import threading
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from starlette.responses import Response

from .. import __version__
from ..linked_data import LinkedData
from ..namespaces import BASE, ONTOLOGY_IRI
from ..rdf_writers import graph_iri
from ..vocabulary_docs import ontology_doc, shapes_doc
from .errors import ApiError, prefers_html
from .http_conventions import not_modified, root, serve_get_and_head, validators
from .messages import choose_language
from .negotiation import HTML, Format, choose, jsonld_form
from .openapi import NOT_MODIFIED, answers, format_parameter
from .pages import not_found_page, page
from .rendered_pages import RenderedPages
from .resources import (
    BY_EXTENSION,
    RDF_FORMATS,
    extension_agrees,
    href_for,
    linked_data,
    not_acceptable,
    rdf_response,
    relative_source,
    threaded,
)
from .runtime import Runtime


def vocabulary_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["linked data"])
    rendered = RenderedPages(runtime.settings)  # the HTML pages, built once per release, page and language

    def ld() -> LinkedData:
        return linked_data(runtime)

    def document(request: Request, which: str, ext: str | None) -> Response:
        """/ontology and /shapes: documentation for browsers, RDF for the others (or the named format)."""
        data = ld()
        offered = (HTML, *RDF_FORMATS)
        if ext is not None:
            fmt = BY_EXTENSION.get(ext) or (HTML if ext == "html" else None)
            if fmt is None:
                raise ApiError(
                    404, "unknown-document", f"/{which}.{ext}: use one of {', '.join(['html', *BY_EXTENSION])}"
                )
            extension_agrees(request, fmt, offered)
        else:
            fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
            if fmt is None:
                raise not_acceptable(offered)
        graphs = runtime.store.graphs("ontology") if which == "ontology" else data.shapes_graphs
        vary = {"Vary": "Accept"} if ext is None else {}
        if ext is None and fmt is not HTML:  # negotiated RDF: the same bytes have a URL of their own (RFC 9110 8.7)
            vary["Content-Location"] = f"{root(request)}/{which}.{fmt.extension}"
        if fmt is not HTML:
            source_file = runtime.store.files[graphs[0]] if which == "ontology" and graphs else None
            if source_file is not None and fmt.name == "turtle":  # the hand-edited source, comments and all
                etag = data.etag(which, "source")
                headers = {**validators(etag, data.publication.last_modified), **vary}
                if not_modified(request, etag, data.publication.last_modified):
                    return Response(status_code=304, headers=headers)
                source = source_file.read_bytes()
                return Response(source, 200, headers, media_type=fmt.content_type)
            statements = [q for q in data.publication.quads if graph_iri(q) in set(graphs)]
            return rdf_response(request, data, statements, fmt, which, extra_headers=vary)
        lang, explicit = choose_language(request)  # the header's words and links
        etag = data.etag(which, "html", lang, str(explicit))
        headers = {**validators(etag, data.publication.last_modified), **vary, "Vary": "Accept, Accept-Language"}
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        return rendered.serve(request, etag, lambda: document_page(request, which, data, lang, headers))

    def document_page(request: Request, which: str, data: LinkedData, lang: str, headers: dict) -> Response:
        href = href_for(root(request))
        if which == "ontology":
            doc = ontology_doc(data.ontology_index, ONTOLOGY_IRI, href, data.class_counts)
            return page(request, "ld/ontology.html", {"doc": doc, "formats": RDF_FORMATS}, headers=headers)
        names: dict[ox.NamedNode, str] = {}
        for g in data.shapes_graphs:
            path = runtime.store.files[g]  # None on a remote store: the graph's name says which file it was
            name = f"{path.parent.name}/{path.name}" if path is not None else "/".join(g.rsplit("/", 2)[-2:]) + ".ttl"
            for q in data.publication.quads:
                if graph_iri(q) == g and isinstance(q.subject, ox.NamedNode):
                    names.setdefault(q.subject, name)
        shapes = shapes_doc(data.shapes_index, names, href, lang)
        return page(
            request,
            "ld/shapes.html",
            {"shapes": shapes, "formats": RDF_FORMATS, "files": sorted(set(names.values()))},
            headers=headers,
        )

    def named_graph(request: Request, path: str) -> Response:
        """A named graph of the dataset (…/graph/data/<file>, …/graph/ontology, …/graph/queries, ...) as a
        document: a listing of its subjects for a browser, its statements in RDF for the others."""
        iri = f"{BASE}graph/{path}"
        data = ld()
        if iri not in data.publication.graph_counts:
            if prefers_html(request.headers):  # a browser: the site's 404 page, as for any other unknown page
                return not_found_page(request)
            raise ApiError(
                404,
                "unknown-graph",
                f"the dataset has no named graph <{iri}>; the graphs are listed at /.well-known/void",
            )
        offered = (HTML, *RDF_FORMATS)
        fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
        if fmt is None:
            raise not_acceptable(offered)
        statements = [q for q in data.publication.quads if graph_iri(q) == iri]
        if fmt is not HTML:
            return rdf_response(
                request,
                data,
                statements,
                fmt,
                "graph:" + path,
                extra_headers={"Vary": "Accept", "Link": f'<{iri}>; rel="describes"'},
            )
        lang, explicit = choose_language(request)  # the header's words and links
        etag = data.etag("graph", path, "html", lang, str(explicit))
        headers = {**validators(etag, data.publication.last_modified), "Vary": "Accept, Accept-Language"}
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        source = runtime.store.files.get(iri)
        return rendered.serve(
            request,
            etag,
            lambda: page(
                request,
                "ld/graph.html",
                {
                    "default": False,
                    "iri": iri,
                    "name": path,
                    "statements": len(statements),
                    "formats": RDF_FORMATS,
                    "subjects": sorted({q.subject.value for q in statements if isinstance(q.subject, ox.NamedNode)}),
                    "source": relative_source(source, runtime.settings.root),
                    "href": href_for(root(request)),
                },
                headers=headers,
            ),
        )

    default_bodies: dict[tuple[str, str], Response] = {}  # (release, format) -> the default graph, written once
    writing = threading.Lock()  # by one thread: 0.7 s to 1.5 s for Turtle; the others wait for it

    def default_graph(request: Request, fmt: Format) -> Response:
        form = jsonld_form(request.headers.get("accept")).rpartition("#")[2] if fmt.name == "jsonld" else ""
        data, key = ld(), (runtime.store.release, fmt.name + form)
        etag = data.etag("graph:default", fmt.name + form)  # as rdf_response tags it
        headers = {**validators(etag, data.publication.last_modified), "Vary": "Accept"}
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        with writing:
            if key not in default_bodies:
                for old in [k for k in default_bodies if k[0] != key[0]]:  # a reloaded release's
                    del default_bodies[old]
                default = set(runtime.store.default_graphs)
                statements = [q.triple for q in data.publication.quads if graph_iri(q) in default]
                default_bodies[key] = rdf_response(request, data, statements, fmt, "graph:default")
        written = default_bodies[key]
        return Response(written.body, 200, headers, media_type=written.headers["content-type"])

    def default_page(request: Request) -> Response:
        """The default graph for a browser: a listing of its subjects, as a named graph's page."""
        data = ld()
        lang, explicit = choose_language(request)  # the header's words and links
        etag = data.etag("graph:default", "html", lang, str(explicit))
        headers = {**validators(etag, data.publication.last_modified), "Vary": "Accept, Accept-Language"}
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        return rendered.serve(request, etag, lambda: default_listing(request, data, headers))

    def default_listing(request: Request, data: LinkedData, headers: dict) -> Response:
        default = set(runtime.store.default_graphs)
        statements = {q.triple for q in data.publication.quads if graph_iri(q) in default}
        context = {
            "default": True,
            "statements": len(statements),
            "formats": RDF_FORMATS,
            "subjects": sorted({t.subject.value for t in statements if isinstance(t.subject, ox.NamedNode)}),
            "href": href_for(root(request)),
        }
        return page(request, "ld/graph.html", context, headers=headers)

    def graph_store(request: Request) -> Response:
        """The Graph Store Protocol's indirect identification, read only: `?graph=<IRI>` answers a named graph as
        its own IRI (/graph/<path>) does, `?default` the default graph (what a query without FROM sees)."""
        graphs = request.query_params.getlist("graph")
        if len(graphs) + ("default" in request.query_params) != 1:
            raise ApiError(
                400,
                "bad-request",
                "name one graph (Graph Store Protocol): ?graph=<IRI> of a named graph (listed at "
                "/.well-known/void) or ?default",
            )
        if not graphs:
            # RDF first: a client that names no type (curl's `*/*`) gets Turtle, as before; a browser, the page
            offered = (*RDF_FORMATS, HTML)
            fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
            if fmt is None:
                raise not_acceptable(offered)
            return default_graph(request, fmt) if fmt is not HTML else default_page(request)
        prefix = f"{BASE}graph/"
        if not graphs[0].startswith(prefix) or graphs[0] == prefix:
            raise ApiError(
                404,
                "unknown-graph",
                f"the dataset has no named graph <{graphs[0][:200]}>; the graphs are listed at /.well-known/void",
            )
        return named_graph(request, graphs[0].removeprefix(prefix))

    async def graph_route(request: Request, path: Annotated[str, PathParam(examples=["data/countries"])]) -> Response:
        return await threaded(named_graph if path else graph_store, request, *([path] if path else []))

    async def graph_store_route(request: Request) -> Response:
        return await threaded(graph_store, request)

    async def ontology(request: Request) -> Response:
        return await threaded(document, request, "ontology", None)

    async def ontology_ext(
        request: Request, ext: Annotated[str, PathParam(json_schema_extra={"enum": ["html", *BY_EXTENSION]})]
    ) -> Response:
        return await threaded(document, request, "ontology", ext)

    async def ontology_version(
        request: Request, version: Annotated[str, PathParam(examples=[__version__])]
    ) -> Response:
        current = runtime.store.release.split("+")[0]
        versions = {
            o.value
            for o in ld().ontology_index.objects(
                ox.NamedNode(ONTOLOGY_IRI), ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
            )
        }
        if version not in versions | {current}:
            raise ApiError(
                404, "unknown-version", f"this server has version {', '.join(sorted(versions))} of the ontology only"
            )
        return await threaded(document, request, "ontology", None)

    async def shapes(request: Request) -> Response:
        return await threaded(document, request, "shapes", None)

    async def shapes_ext(
        request: Request, ext: Annotated[str, PathParam(json_schema_extra={"enum": ["html", *BY_EXTENSION]})]
    ) -> Response:
        return await threaded(document, request, "shapes", ext)

    # GET documented, HEAD answered alike (http_conventions.serve_get_and_head); what each answers: api/openapi.py
    documents = (HTML, *RDF_FORMATS)
    by_format = {"parameters": [format_parameter(documents)]}
    described = {**answers(documents, "HTML documentation (to a browser) or RDF"), **NOT_MODIFIED}
    serve_get_and_head(
        router,
        "/graph",
        graph_store_route,
        response_class=Response,
        summary="The Graph Store Protocol, read only: a named graph (?graph=<IRI>) or the default graph (?default)",
        responses={
            **answers(documents, "a named graph as /graph/<path> gives it; the default graph in RDF"),
            **NOT_MODIFIED,
        },
        openapi_extra={
            "parameters": [
                {
                    "name": "graph",
                    "in": "query",
                    "description": "the IRI of a named graph of the dataset (or give `default`)",
                    "schema": {"type": "string"},
                    "examples": {"countries": {"value": "https://w3id.org/benelux-graph/graph/data/countries"}},
                },
                {
                    "name": "default",
                    "in": "query",
                    "description": "present (empty): the default graph, the ontology and the data",
                    "schema": {"type": "string", "enum": [""]},
                    "allowEmptyValue": True,
                },
                format_parameter(documents),
            ]
        },
    )
    serve_get_and_head(
        router,
        "/graph/{path:path}",
        graph_route,
        response_class=Response,
        summary="A named graph of the dataset: a listing (HTML) or its statements (RDF)",
        responses={
            **answers(documents, "a listing of the graph's subjects to a browser, its statements in RDF otherwise"),
            **NOT_MODIFIED,
        },
        openapi_extra=by_format,
    )
    serve_get_and_head(
        router,
        "/ontology",
        ontology,
        summary="The ontology: documentation or RDF",
        response_class=Response,
        responses=described,
        openapi_extra=by_format,
    )
    serve_get_and_head(
        router,
        "/ontology.{ext}",
        ontology_ext,
        summary="The ontology in one format",
        response_class=Response,
        responses=described,
    )
    serve_get_and_head(
        router,
        "/ontology/{version}",
        ontology_version,
        summary="A version of the ontology",
        response_class=Response,
        responses=described,
        openapi_extra=by_format,
    )
    serve_get_and_head(
        router,
        "/shapes",
        shapes,
        summary="The SHACL shapes: documentation or RDF",
        response_class=Response,
        responses=described,
        openapi_extra=by_format,
    )
    serve_get_and_head(
        router,
        "/shapes.{ext}",
        shapes_ext,
        summary="The SHACL shapes in one format",
        response_class=Response,
        responses=described,
    )
    return router
