"""Resolvable IRIs: entity pages and descriptions, search, and the ontology and shapes documentation.

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

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Sequence
from email.utils import formatdate, parsedate_to_datetime
from functools import cached_property
from typing import Annotated
from urllib.parse import quote, urlencode

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from .. import __version__
from ..describe import (
    LANGUAGES,
    Index,
    compact,
    description,
    entity_view,
    ontology_doc,
    search,
    shapes_doc,
    sparql_about,
)
from ..dumps import FORMATS as DUMP_FORMATS
from ..dumps import LICENSE, LICENSE_NAME, Publication, graph_iri, serialize
from ..namespaces import BASE, BXR, ONTOLOGY_IRI
from .assets import versioned
from .editor import STATIC as STATIC_FILES
from .editor import TEMPLATES
from .errors import ApiError, not_found_page, prefers_html
from .messages import LANGUAGE_NAMES, UI, choose_language, term_label
from .negotiation import GRAPHS, HTML, JSON, Format, choose
from .negotiation import describe as describe_formats
from .openapi import NOT_MODIFIED, answers, format_parameter, lang_parameter, ref, see_other, serve_get_and_head
from .runtime import Runtime

#: The formats of a description (an entity, the ontology, the shapes, a named graph), in the server's order of
#: preference. N-Triples is also what a client asking for text/plain gets; TriG and N-Quads keep a named graph's
#: name (an entity's description, gathered from several graphs, is in their default graph).
RDF_FORMATS: tuple[Format, ...] = (
    *(f for f in GRAPHS if f.name in ("turtle", "jsonld", "rdfxml")),
    Format("ntriples", "application/n-triples", ("text/plain",), ("nt", "n-triples"), "nt"),
    Format("trig", "application/trig", (), (), "trig"),
    Format("nquads", "application/n-quads", (), ("nq", "n-quads"), "nq"),
)
DUMP_FORMAT = {f.name: f for f in DUMP_FORMATS}
BY_EXTENSION = {f.extension: f for f in RDF_FORMATS}
SHAPES_IRI = BASE + "shapes"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_QUERY_CHARS = 200
#: What of an unknown path the 404 page's suggestions look up: its first characters and words (a search reads
#: every label, so the work is bounded whatever the path's length).
SUGGEST_CHARS = 64
SUGGEST_WORDS = 4

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
# {{ asset("site.css") }}: /static/site.css by its content (api/assets.py), kept a year by browsers
templates.env.globals["asset"] = lambda name: versioned("/static/" + name, STATIC_FILES / name)


# --- what the routers share ---------------------------------------------------------------------------------


class LinkedData:
    """The publication of one runtime's store, with the indexes the pages use. Built on first use."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.publication = Publication(runtime.store, runtime.settings)

    @property
    def release(self) -> str:
        return self.publication.release

    @property
    def index(self) -> Index:
        return self.publication.index

    @cached_property
    def ontology_index(self) -> Index:
        return Index(q for q in self.publication.quads if graph_iri(q) in self.runtime.store.graphs("ontology"))

    @cached_property
    def shapes_graphs(self) -> list[str]:
        return self.runtime.store.graphs("shapes")

    @cached_property
    def shapes_index(self) -> Index:
        graphs = set(self.shapes_graphs)
        return Index(q for q in self.publication.quads if graph_iri(q) in graphs)

    @cached_property
    def class_counts(self) -> dict[str, int]:
        """Instances per class and statements per property, in the data."""
        counts: Counter = Counter()
        rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        for pairs in self.index.out.values():
            for p, o in pairs:
                counts[p.value] += 1
                if p.value == rdf_type and isinstance(o, ox.NamedNode):
                    counts[o.value] += 1
        return dict(counts)

    def etag(self, *parts: str) -> str:
        digest = hashlib.sha256("\0".join((self.release, *parts)).encode()).hexdigest()[:32]
        return f'W/"{digest}"'


_LOCK = threading.Lock()


def linked_data(runtime: Runtime) -> LinkedData:
    """The one LinkedData of a runtime (kept on it, so every router of an app shares it)."""
    with _LOCK:
        found = runtime.__dict__.get("linked_data")
        if found is None:
            found = runtime.__dict__["linked_data"] = LinkedData(runtime)
        return found


def root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


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


def page_context(request: Request, context: dict) -> dict:
    """What every page needs (base, release, language, words, navigation, language links), then `context`."""
    runtime: Runtime = request.app.state.runtime
    lang = context.get("lang") or choose_language(request)[0]
    return {
        "base": root(request),
        "release": runtime.store.release,
        "lang": lang,
        "t": UI[lang],
        "license": LICENSE,
        "license_name": LICENSE_NAME,
        "languages": language_links(request, lang),
        "nav": nav_links(request, lang),
        **context,
    }


def site_header(request: Request) -> str:
    """The site's header (navigation, search, language choice) as HTML, for a page not rendered from these
    templates (the Benelux+ page): put it first in <body>, with <link rel="stylesheet" href="/static/site.css">."""
    return templates.get_template("site_header.html").render(page_context(request, {}))


def page(request: Request, name: str, context: dict, status: int = 200, headers: dict | None = None) -> Response:
    """Render a template with what every page needs."""
    return templates.TemplateResponse(
        request, name, page_context(request, context), status_code=status, headers=headers
    )


#: The site's navigation: (path, catalogue key), on every page.
NAV = (
    ("/", "nav_home"),
    ("/benelux-plus", "nav_network"),
    ("/sparql", "nav_editor"),
    ("/downloads", "nav_downloads"),
    ("/sources", "nav_sources"),
    ("/compare", "nav_compare"),
    ("/ontology", "nav_ontology"),
    ("/shapes", "nav_shapes"),
    ("/validate", "nav_validate"),
    ("/docs", "nav_api"),
)


def nav_links(request: Request, lang: str) -> list[dict]:
    """The navigation, keeping a language the URL chose (else the browser's Accept-Language decides)."""
    explicit = choose_language(request)[1]
    suffix = f"?lang={lang}" if explicit else ""
    here = request.url.path.rstrip("/") or "/"
    return [
        {
            "href": root(request) + path + ("" if path == "/docs" else suffix),
            "label": UI[lang][key],
            "current": here == path,
        }
        for path, key in NAV
    ]


def language_links(request: Request, lang: str) -> list[dict]:
    params = dict(request.query_params)
    out = []
    for code in LANGUAGES:
        params["lang"] = code
        out.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "href": f"{request.url.path}?{urlencode(params)}",
                "current": code == lang,
            }
        )
    return out


def not_modified(request: Request, etag: str, last_modified: float | None = None) -> bool:
    """Whether a GET or HEAD may be answered 304: If-None-Match (weak comparison) first, else If-Modified-Since."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        plain = etag.removeprefix("W/")
        return "*" in tags or any(t.removeprefix("W/") == plain for t in tags)
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return int(last_modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def validators(etag: str, last_modified: float | None = None) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = formatdate(last_modified, usegmt=True)
    return headers


def rdf_response(
    request: Request,
    ld: LinkedData,
    statements,
    fmt: Format,
    key: str,
    comment: Sequence[str] = (),
    extra_headers: dict | None = None,
) -> Response:
    etag = ld.etag(key, fmt.name)
    headers = {**validators(etag, ld.publication.last_modified), **(extra_headers or {})}
    if not_modified(request, etag, ld.publication.last_modified):
        return Response(status_code=304, headers=headers)
    dump_format = DUMP_FORMAT[fmt.name]
    if dump_format.named_graphs and fmt.name != "jsonld":  # TriG, N-Quads: each statement in its named graph
        quads = {
            q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in statements
        }
        body = serialize(
            sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))),
            dump_format,
            comment=comment,
        )
        return Response(body, 200, headers, media_type=fmt.content_type)
    triples = sorted(
        {q.triple if isinstance(q, ox.Quad) else q for q in statements},
        key=lambda t: (str(t.subject), str(t.predicate) != f"<{RDF_TYPE}>", str(t.predicate), str(t.object)),
    )
    body = serialize(triples, dump_format, comment=comment)
    return Response(body, 200, headers, media_type=fmt.content_type)


def not_acceptable(offered: tuple[Format, ...]) -> ApiError:
    return ApiError(406, "not-acceptable", f"this resource can be given as {describe_formats(offered)}")


# --- the router -----------------------------------------------------------------------------------------------


def resources_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["linked data"])

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
            "Link": f'<{node.value}>; rel="canonical"',
        }
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        base = root(request)
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
                (f.name, DUMP_FORMAT[f.name].label, f"{base}/data/{quote(path, safe='/')}.{f.extension}", f.media_type)
                for f in RDF_FORMATS
            ],
        }
        return page(
            request,
            "ld/entity.html",
            {
                "lang": lang,
                "view": view,
                "links": links,
                "sparql_text": sparql,
                "languages": language_links(request, lang),
            },
            headers=headers,
        )

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
        try:
            limit = min(max(int(request.query_params.get("limit", "50")), 1), 200)
        except ValueError:
            raise ApiError(400, "bad-parameter", "limit must be a whole number") from None
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
        else:
            fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
            if fmt is None:
                raise not_acceptable(offered)
        graphs = runtime.store.graphs("ontology") if which == "ontology" else data.shapes_graphs
        vary = {"Vary": "Accept"} if ext is None else {}
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
        base = root(request)
        href = href_for(base)
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
        shapes = shapes_doc(data.shapes_index, names, href)
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
        etag = data.etag("graph", path, "html")
        headers = {**validators(etag, data.publication.last_modified), "Vary": "Accept"}
        if not_modified(request, etag, data.publication.last_modified):
            return Response(status_code=304, headers=headers)
        source = runtime.store.files.get(iri)
        return page(
            request,
            "ld/graph.html",
            {
                "iri": iri,
                "name": path,
                "statements": len(statements),
                "formats": RDF_FORMATS,
                "subjects": sorted({q.subject.value for q in statements if isinstance(q.subject, ox.NamedNode)}),
                "source": relative_source(source, runtime.settings.root),
                "href": href_for(root(request)),
            },
            headers=headers,
        )

    async def graph_route(request: Request, path: Annotated[str, PathParam(examples=["data/countries"])]) -> Response:
        return await _threaded(named_graph, request, path)

    async def id_route(request: Request, path: Annotated[str, PathParam(examples=["brussels"])]) -> Response:
        return await _threaded(resolve, request, path)

    async def page_route(request: Request, path: Annotated[str, PathParam(examples=["brussels"])]) -> Response:
        return await _threaded(entity_page, request, path)

    async def data_route(request: Request, path: Annotated[str, PathParam(examples=["brussels.ttl"])]) -> Response:
        return await _threaded(entity_data, request, path)

    async def search_endpoint(request: Request) -> Response:
        return await _threaded(search_route, request)

    async def ontology(request: Request) -> Response:
        return await _threaded(document, request, "ontology", None)

    async def ontology_ext(
        request: Request, ext: Annotated[str, PathParam(json_schema_extra={"enum": ["html", *BY_EXTENSION]})]
    ) -> Response:
        return await _threaded(document, request, "ontology", ext)

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
        return await _threaded(document, request, "ontology", None)

    async def shapes(request: Request) -> Response:
        return await _threaded(document, request, "shapes", None)

    async def shapes_ext(
        request: Request, ext: Annotated[str, PathParam(json_schema_extra={"enum": ["html", *BY_EXTENSION]})]
    ) -> Response:
        return await _threaded(document, request, "shapes", ext)

    # GET documented, HEAD answered alike (openapi.serve_get_and_head); what each answers: api/openapi.py
    documents = (HTML, *RDF_FORMATS)
    by_format = {"parameters": [format_parameter(documents)]}
    described = {**answers(documents, "HTML documentation (to a browser) or RDF"), **NOT_MODIFIED}
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
        openapi_extra={"parameters": [format_parameter(RDF_FORMATS)]},
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
                    "schema": {"type": "integer"},
                },
                format_parameter((HTML, JSON)),
            ]
        },
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


def relative_source(path, project) -> str | None:
    """A graph's source file relative to the project folder (None: a graph made from several, or a remote one)."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return path.name


async def _threaded(function, *args):
    """Run the (CPU-bound) page building in a worker thread, so the event loop keeps serving."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)
