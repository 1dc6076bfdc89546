"""Resolvable IRIs: entity pages and descriptions, and search (the ontology, the shapes and the named graphs as
documents: api/vocabulary_routes.py).

Every IRI under the project's base (`https://w3id.org/benelux-graph/`) is mapped onto the server's root:
`…/id/greater-region` is `/id/greater-region` here. Following the W3C "Cool URIs for the Semantic Web":

- entity IRIs are slash IRIs, answered with **303 See Other** (`Vary: Accept`) to a document about the thing:
  `/page/<slug>` (HTML, in the reader's language: `?lang=en|fr|nl|de`, else `Accept-Language`, else English)
  or `/data/<slug>.ttl|.nt|.jsonld|.rdf` (its description; `format=` in the URL overrides `Accept`);
- the ontology (`…/ontology#Term`) and the shapes (`…/shapes#Shape`) are hash IRIs: `/ontology` and `/shapes`
  answer by content negotiation directly (`Vary: Accept`), HTML documentation with one anchor per term, or
  Turtle, N-Triples, JSON-LD, RDF/XML; `/ontology.ttl` etc. name one format;
- an unknown IRI is a 404: an HTML page with a search box and suggestions, or the JSON error shape.

`/search?q=` looks labels up in the four languages (HTML or JSON). Labels and quotes are data: templates escape
every value, and only http(s) IRIs become links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from starlette.responses import RedirectResponse, Response

from ..descriptions import description
from ..dumps import LICENSE, LICENSE_NAME
from ..formats import DESCRIPTIONS
from ..graph_index import LANGUAGES, Index, compact
from ..linked_data import LinkedData
from ..namespaces import BASE, BXR
from ..page_model import entity_view, sparql_about
from ..rdf_writers import serialize
from ..search import search
from .cache import LRU, setting
from .errors import ApiError
from .http_conventions import not_modified, root, serve_get_and_head, validators
from .messages import choose_language, term_label
from .negotiation import HTML, JSON, Format, by_name, choose, jsonld_form
from .negotiation import describe as describe_formats
from .openapi import NOT_MODIFIED, answers, format_parameter, lang_parameter, ref, see_other
from .pages import language_links, page
from .runtime import Runtime

#: The formats of a description (an entity, the ontology, the shapes, a named graph): formats.DESCRIPTIONS.
RDF_FORMATS: tuple[Format, ...] = DESCRIPTIONS
BY_EXTENSION = {f.extension: f for f in RDF_FORMATS}
SHAPES_IRI = BASE + "shapes"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_QUERY_CHARS = 200
#: What of an unknown path the 404 page's suggestions look up: its first characters and words (a search reads
#: every label, so the work is bounded whatever the path's length).
SUGGEST_CHARS = 64
SUGGEST_WORDS = 4

# --- what the routers share ---------------------------------------------------------------------------------


#: /search's `limit`: (least, default, most)
SEARCH_LIMIT = (1, 50, 200)


def linked_data(runtime: Runtime) -> LinkedData:
    """The one LinkedData of a runtime (Runtime.linked_data), which every router of an app shares."""
    return runtime.linked_data


def href_for(base: str, lang: str | None = None):
    """A function IRI -> link: IRIs of the project to this server's pages, other http(s) IRIs as they are,
    anything else (urn:, javascript:, ...) to no link at all."""
    suffix = f"?lang={lang}" if lang else ""

    def href(iri: str) -> str | None:
        if iri.startswith(BASE):
            rest = iri[len(BASE) :]
            if rest.startswith("id/") and len(rest) > 3:
                return f"{base}/page/{quote(rest[3:], safe='/')}{suffix}"
            for doc in ("ontology", "shapes"):
                if rest.startswith(doc + "#"):
                    return f"{base}/{doc}#{quote(rest[len(doc) + 1 :], safe='')}"
            return f"{base}/{quote(rest, safe='/#')}"
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    return href


RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SH = "http://www.w3.org/ns/shacl#"


def term_names(index: Index):
    """terms(iri, lang): a class's or property's name in `lang`, the ontology's own label first, then the
    catalogue's (web/messages.json); None where neither has one (the caller keeps its English name)."""

    def terms(iri: str, lang: str) -> str | None:
        found = index.literal(ox.NamedNode(iri), (RDFS_LABEL,), lang)
        if found is not None and found.language == lang:
            return found.value
        return term_label(compact(iri), lang)

    return terms


def type_names(index: Index, iri: str, lang: str) -> list[str]:
    """The names of a resource's classes in `lang`, without a class another of them refines (a federated entity
    is a region: "federated entity" only)."""
    types = index.types(ox.NamedNode(iri))
    parents = {p for t in types for p in index.objects(t, SUBCLASS_OF)}
    if any(t.value.startswith(SH + "SPARQL") and t.value != SH + "SPARQLExecutable" for t in types):
        parents.add(ox.NamedNode(SH + "SPARQLExecutable"))  # SHACL's own hierarchy is not in the graph
    terms = term_names(index)
    return [terms(t.value, lang) or index.label(t, lang)[0] for t in types if t not in parents]


def rdf_response(
    request: Request,
    ld: LinkedData,
    statements,
    fmt: Format,
    key: str,
    comment: Sequence[str] = (),
    extra_headers: dict | None = None,
) -> Response:
    headers = dict(extra_headers or {})
    if fmt.name == "jsonld":  # its document form by Accept's profile, said in Content-Type (and a tag of its own)
        fmt = replace(fmt, profile=jsonld_form(request.headers.get("accept")))
        headers["Vary"] = ", ".join(dict.fromkeys([*filter(None, headers.get("Vary", "").split(", ")), "Accept"]))
    etag = ld.etag(key, fmt.name + fmt.profile.rpartition("#")[2])
    headers = {**validators(etag, ld.publication.last_modified), **headers}
    if not_modified(request, etag, ld.publication.last_modified):
        return Response(status_code=304, headers=headers)
    if fmt.named_graphs and fmt.name != "jsonld":  # TriG, N-Quads: each statement in its named graph
        quads = {
            q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in statements
        }
        body = serialize(
            sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))),
            fmt,
            comment=comment,
        )
        return Response(body, 200, headers, media_type=fmt.content_type)
    triples = sorted(
        {q.triple if isinstance(q, ox.Quad) else q for q in statements},
        key=lambda t: (str(t.subject), str(t.predicate) != f"<{RDF_TYPE}>", str(t.predicate), str(t.object)),
    )
    body = serialize(triples, fmt, comment=comment)
    return Response(body, 200, headers, media_type=fmt.content_type)


def not_acceptable(offered: tuple[Format, ...]) -> ApiError:
    return ApiError(406, "not-acceptable", f"this resource can be given as {describe_formats(offered)}")


def extension_agrees(request: Request, fmt: Format, offered: tuple[Format, ...]) -> None:
    """A path's extension names its format (a URL per format); a `format` parameter naming another one is a 400
    saying both (it was silently ignored), one naming no format a 406 as elsewhere. (Accept does not matter
    there: the extension is the client's choice.)"""
    values = [v for v in request.query_params.getlist("format") if v.strip()]
    named = by_name(values, offered) if values else fmt
    if named is None:
        raise not_acceptable(offered)
    if named is not fmt:
        path = request.url.path
        raise ApiError(
            400,
            "bad-parameter",
            f"format={values[0][:40]} asks for {named.media_type} but the extension of {path[:200]} names "
            f"{fmt.media_type}: leave format out, or ask for {path.rpartition('.')[0][:200]}.{named.extension or named.name}",
        )


# --- the router -----------------------------------------------------------------------------------------------


#: Share of BENELUX_CACHE_BYTES (0: off) kept for rendered entity pages.
PAGE_CACHE_SHARE = 8


def resources_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["linked data"])
    # Rendered entity pages, by everything they depend on: building one takes 10-20 ms of the server's CPU, and
    # under load (issue 13) a reader's page waited for that CPU behind everybody else's work.
    page_bytes = setting(runtime.settings, "cache_bytes", 0) // PAGE_CACHE_SHARE
    rendered = LRU(page_bytes) if page_bytes > 0 else None

    def ld() -> LinkedData:
        return linked_data(runtime)

    def entity(path: str) -> ox.NamedNode | None:
        try:
            node = ox.NamedNode(str(BXR) + path) if path else None
        except ValueError:  # not an IRI at all (spaces, <, ", {, ...): nothing has it
            return None
        return node if node is not None and node in ld().index else None

    def unknown(request: Request, iri: str, path: str) -> Response:
        offered = (HTML, JSON)
        if choose(request.headers.get("accept"), [], offered) is HTML:
            lang, explicit = choose_language(request)
            words = " ".join(path[:SUGGEST_CHARS].replace("-", " ").replace("/", " ").split()[:SUGGEST_WORDS])
            long_words = " ".join(w for w in words.split() if len(w) > 3)
            hits = search(ld().index, words, lang, 10) or search(ld().index, long_words, lang, 10, any_word=True)
            return page(
                request,
                "ld/not_found.html",
                {
                    "lang": lang,
                    "iri": iri,
                    "query": words,
                    "hits": list({h.iri: h for h in hits}.values())[:10],
                    "kinds": {h.iri: type_names(ld().index, h.iri, lang) for h in hits},
                    "href": href_for(root(request), lang if explicit else None),
                    "languages": language_links(request, lang),
                },
                status=404,
                headers={"Vary": "Accept, Accept-Language", "Cache-Control": "no-store"},
            )
        raise ApiError(
            404, "unknown-iri", f"the graph has nothing with the IRI <{iri}>; search labels with /search?q=..."
        )

    def resolve(request: Request, path: str) -> Response:
        node = entity(path)
        if node is None:
            return unknown(request, str(BXR) + path, path)
        offered = (HTML, *RDF_FORMATS)
        fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
        if fmt is None:
            raise not_acceptable(offered)
        base = root(request)
        if fmt is HTML:
            lang = request.query_params.get("lang")
            target = f"{base}/page/{quote(path, safe='/')}" + (f"?lang={lang}" if lang in LANGUAGES else "")
        else:
            target = f"{base}/data/{quote(path, safe='/')}.{fmt.extension}"
        return RedirectResponse(target, 303, headers={"Vary": "Accept", "Cache-Control": "no-cache"})

    def entity_page(request: Request, path: str) -> Response:
        node = entity(path)
        if node is None:
            return unknown(request, str(BXR) + path, path)
        lang, explicit = choose_language(request)
        data = ld()
        etag = data.etag("page", path, lang, str(explicit))  # explicit: the links keep ?lang=
        headers = {
            **validators(etag, data.publication.last_modified),
            "Vary": "Accept-Language",
            "Content-Language": lang,
            "Link": f'<{node.value}>; rel="about"',  # the thing it is about; the canonical is the page's own URL
        }
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        base = root(request)
        key = (etag, base, request.url.path, request.url.query)  # the release, page and language; the links
        body = rendered.get(key) if rendered is not None else None
        if body is not None:
            return Response(body, headers={**headers, "X-Benelux-Cache": "hit"}, media_type="text/html")
        view = entity_view(
            data.index, node.value, lang, href_for(base, lang if explicit else None), term_names(data.index)
        )
        sparql = sparql_about(node.value, lang)
        links = {
            # the network view opens on this entity, in the language the reader picked (else the browser's)
            "visualiser": f"{base}/benelux-plus?{urlencode({'focus': node.value, **({'lang': lang} if explicit else {})})}",
            "sparql": f"{base}/sparql?{urlencode({'query': sparql, **({'lang': lang} if explicit else {})})}",
            "editor": f"{base}/sparql#{urlencode({'query': sparql})}",
            "data": [
                (f.name, f.label, f"{base}/data/{quote(path, safe='/')}.{f.extension}", f.media_type)
                for f in RDF_FORMATS
            ],
        }
        response = page(
            request,
            "ld/entity.html",
            {
                "lang": lang,
                "view": view,
                "links": links,
                "sparql_text": sparql,
                "languages": language_links(request, lang),
            },
            headers={**headers, "X-Benelux-Cache": "miss" if rendered is not None else "off"},
        )
        if rendered is not None:
            rendered.put(key, bytes(response.body), len(response.body) + len(request.url.query))
        return response

    def entity_data(request: Request, path: str) -> Response:
        stem, _, ext = path.rpartition(".")
        fmt = BY_EXTENSION.get(ext)
        if fmt is None:
            if entity(path) is not None:  # /data/<slug> without an extension: pick by Accept
                chosen = choose(request.headers.get("accept"), request.query_params.getlist("format"), RDF_FORMATS)
                if chosen is None:
                    raise not_acceptable(RDF_FORMATS)
                return RedirectResponse(
                    f"{root(request)}/data/{quote(path, safe='/')}.{chosen.extension}", 303, headers={"Vary": "Accept"}
                )
            raise ApiError(
                404,
                "unknown-document",
                f"no description at /data/{path}: use /data/<slug>.{{{','.join(BY_EXTENSION)}}}",
            )
        node = entity(stem)
        if node is None:
            raise ApiError(404, "unknown-iri", f"the graph has nothing with the IRI <{BXR}{stem}>")
        extension_agrees(request, fmt, RDF_FORMATS)
        data = ld()
        comment = [
            f"Description of <{node.value}>",
            f"from benelux-graph release {data.release}; data licence {LICENSE_NAME} ({LICENSE})",
        ]
        return rdf_response(
            request,
            data,
            description(data.index, node.value),
            fmt,
            "data:" + stem,
            comment if fmt.name == "turtle" else (),
            {"Link": f'<{node.value}>; rel="describes"'},
        )

    def search_route(request: Request) -> Response:
        q = request.query_params.get("q", "")
        if len(q) > MAX_QUERY_CHARS:
            raise ApiError(400, "bad-parameter", f"q may hold at most {MAX_QUERY_CHARS} characters")
        lang, explicit = choose_language(request)
        given = request.query_params.get("limit", str(SEARCH_LIMIT[1]))
        # ASCII digits: int() also reads "1_0" and other scripts' digits
        if not re.fullmatch(r"[0-9]{1,4}", given) or not SEARCH_LIMIT[0] <= int(given) <= SEARCH_LIMIT[2]:
            raise ApiError(
                400, "bad-parameter", f"limit must be a whole number from {SEARCH_LIMIT[0]} to {SEARCH_LIMIT[2]}"
            )
        limit = int(given)
        fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), (HTML, JSON))
        if fmt is None:
            raise not_acceptable((HTML, JSON))
        hits = search(ld().index, q, lang, limit)
        base = root(request)
        href = href_for(base, lang if explicit else None)
        if fmt is JSON:
            return Response(
                json.dumps(
                    {
                        "query": q,
                        "lang": lang,
                        "results": [
                            {
                                "iri": h.iri,
                                "label": h.label,
                                "label_lang": h.label_lang,
                                "matched": h.matched,
                                "matched_lang": h.matched_lang,
                                "types": h.types,
                                "type_names": type_names(ld().index, h.iri, lang),
                                "page": href(h.iri),
                            }
                            for h in hits
                        ],
                    },
                    ensure_ascii=False,
                ),
                media_type="application/json",
                headers={"Vary": "Accept, Accept-Language"},
            )
        kinds = {h.iri: type_names(ld().index, h.iri, lang) for h in hits}
        return page(
            request,
            "ld/search.html",
            {
                "lang": lang,
                "query": q,
                "hits": hits,
                "href": href,
                "kinds": kinds,
                "languages": language_links(request, lang),
            },
            headers={"Vary": "Accept, Accept-Language"},
        )

    async def id_route(request: Request, path: Annotated[str, PathParam(examples=["brussels"])]) -> Response:
        return await threaded(resolve, request, path)

    async def page_route(request: Request, path: Annotated[str, PathParam(examples=["brussels"])]) -> Response:
        return await threaded(entity_page, request, path)

    async def data_route(request: Request, path: Annotated[str, PathParam(examples=["brussels.ttl"])]) -> Response:
        return await threaded(entity_data, request, path)

    async def search_endpoint(request: Request) -> Response:
        return await threaded(search_route, request)

    # GET documented, HEAD answered alike (http_conventions.serve_get_and_head); what each answers: api/openapi.py
    documents = (HTML, *RDF_FORMATS)
    serve_get_and_head(
        router,
        "/id/{path:path}",
        id_route,
        status_code=303,
        response_class=Response,
        summary="Resolve an entity IRI (303 to its page or its description, by content negotiation)",
        responses=see_other("to /page/<slug> for a browser, /data/<slug>.<ext> otherwise"),
        openapi_extra={
            "parameters": [format_parameter(documents), lang_parameter("the language of the page to send a browser to")]
        },
    )
    serve_get_and_head(
        router,
        "/page/{path:path}",
        page_route,
        summary="The HTML page of an entity",
        response_class=Response,
        responses={**answers((HTML,), "the page"), **NOT_MODIFIED},
        openapi_extra={"parameters": [lang_parameter("the language of the page (else Accept-Language, else English)")]},
    )
    serve_get_and_head(
        router,
        "/data/{path:path}",
        data_route,
        response_class=Response,
        summary="The description of an entity: /data/<slug>.ttl, .nt, .jsonld or .rdf",
        responses={
            **answers(RDF_FORMATS, "the description, in the format its extension names"),
            **see_other("/data/<slug> without an extension: to the format Accept or `format` chooses"),
            **NOT_MODIFIED,
        },
        openapi_extra={
            "parameters": [
                format_parameter(
                    RDF_FORMATS,
                    "the format /data/<slug> without an extension redirects to; with an extension, only the one it "
                    "names (another is a 400)",
                )
            ]
        },
    )
    serve_get_and_head(
        router,
        "/search",
        search_endpoint,
        response_class=Response,
        summary="Search labels in English, French, Dutch and German (HTML or JSON)",
        responses=answers((HTML, JSON), "the labels found: a page, or JSON", ref("SearchResults")),
        openapi_extra={
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": False,
                    "description": "the words to look for",
                    "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                },
                lang_parameter("the language to show labels in (else Accept-Language, else English)"),
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "at most this many results (1 to 200; 50 unless given)",
                    "schema": {"type": "integer", "minimum": SEARCH_LIMIT[0], "maximum": SEARCH_LIMIT[2]},
                },
                format_parameter((HTML, JSON)),
            ]
        },
    )
    return router


def relative_source(path, project) -> str | None:
    """A graph's source file relative to the project folder (None: a graph made from several, or a remote one)."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return path.name


async def threaded(function, *args):
    """Run the (CPU-bound) page building in a worker thread, so the event loop keeps serving."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)
