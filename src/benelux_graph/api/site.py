"""The site around the APIs: the home page (`/`), ReDoc's bundle for the API documentation (the pages themselves,
`/docs` and `/redoc`, are api/api_docs.py), the favicon, and the front-end files under /vendor.

`/` answers a browser with the home page (what the graph is and holds, the three doors, search, sources,
languages) and a program with the service's entry points, as JSON or Turtle, by content negotiation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response

from .. import __version__
from ..namespaces import BXR, PREFIXES
from .assets import cache_control
from .errors import ApiError
from .http_conventions import ConditionalFiles, add_head_routes, not_modified, root
from .messages import number
from .negotiation import GRAPHS, HTML, JSON, choose
from .openapi import answers
from .pages import STATIC, page
from .resources import linked_data
from .runtime import Runtime

TURTLE = next(f for f in GRAPHS if f.name == "turtle")
HOME_FORMATS = (HTML, JSON, TURTLE)
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
#: Nodes that are not entities of their own (relationship nodes, quotes, periods, ...): not counted as entities.
NOT_ENTITIES = {
    PREFIXES[p] + n
    for p, n in (
        ("bx", "SourcePassage"),
        ("org", "Membership"),
        ("bx", "Cooperation"),
        ("time", "Interval"),
        ("time", "Instant"),
        ("vcard", "Address"),
        ("skos", "ConceptScheme"),
        ("org", "Role"),
        ("bx", "CooperationStatus"),
    )
}
RELATIONSHIPS = {PREFIXES["org"] + "Membership", PREFIXES["bx"] + "Cooperation"}
PASSAGE = PREFIXES["bx"] + "SourcePassage"
SOURCES = ("joint-work-programme-2025-2028", "common-work-programme-2021-2024")
#: The saved queries the home page offers first (others: the editor's picker and /api/queries).
FEATURED = (
    "country-participations",
    "presidency-in-year",
    "secretariat-provider",
    "legal-instruments",
    "regions-cooperation",
    "themes-new",
)
#: Where npm puts ReDoc's bundle, served by a route of its own.
REDOC = ("redoc", "bundles")


def counts(runtime: Runtime) -> dict[str, int]:
    """What the release holds, computed once per release from the publication's index."""
    ld = linked_data(runtime)
    cached = ld.home_counts
    if cached is None:
        passages, entities = 0, set()
        for s, pairs in ld.index.out.items():
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(str(BXR)):
                continue
            types = {o.value for p, o in pairs if p == RDF_TYPE}
            passages += PASSAGE in types
            if types and not types & NOT_ENTITIES:
                entities.add(s)
        # a relationship: an entity linked to another, directly or through a membership or cooperation node
        relationships = sum(1 for s in entities for p, o in ld.index.out[s] if p != RDF_TYPE and o in entities)
        relationships += sum(
            1 for s, pairs in ld.index.out.items() if any(p == RDF_TYPE and o.value in RELATIONSHIPS for p, o in pairs)
        )
        cached = ld.home_counts = {
            "triples": len(ld.publication.quads),
            "entities": len(entities),
            "relationships": relationships,
            "passages": passages,
            "queries": len(runtime.queries),
        }
    return cached


def entry_points(base: str) -> dict[str, str]:
    return {
        "home": f"{base}/",
        "sparql": f"{base}/sparql",
        "queries": f"{base}/api/queries",
        "graph": f"{base}/api/graph",
        "search": f"{base}/search",
        "downloads": f"{base}/downloads",
        "void": f"{base}/.well-known/void",
        "ontology": f"{base}/ontology",
        "shapes": f"{base}/shapes",
        "validate": f"{base}/validate",
        "network": f"{base}/benelux-plus",
        "openapi": f"{base}/openapi.json",
        "docs": f"{base}/docs",
        "redoc": f"{base}/redoc",
        "health": f"{base}/healthz",
    }


def turtle(base: str, release: str, points: dict[str, str]) -> str:
    """The entry points in RDF: the VoID description of the dataset names the same endpoint and dumps."""
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "",
        f'<{points["home"]}> dcterms:title "benelux-graph"@en ;',
        f'  dcterms:hasVersion "{release}" ;',
        f"  void:sparqlEndpoint <{points['sparql']}> ;",
        f"  rdfs:seeAlso {', '.join(f'<{points[k]}>' for k in ('void', 'downloads', 'openapi', 'queries', 'graph'))} .",
    ]
    return "\n".join(lines) + "\n"


def home(request: Request, runtime: Runtime) -> Response:
    fmt = choose(request.headers.get("accept"), request.query_params.getlist("format"), HOME_FORMATS)
    if fmt is None:
        raise ApiError(
            406, "not-acceptable", "the home page can be given as text/html, application/json or text/turtle"
        )
    base = root(request)
    absolute = str(request.base_url).rstrip("/")
    points = entry_points(absolute)
    release = runtime.store.release
    vary = {"Vary": "Accept, Accept-Language"}
    if fmt is JSON:
        body = {
            "title": "benelux-graph",
            "version": __version__,
            "release": release,
            **counts(runtime),
            "links": points,
        }
        return Response(json.dumps(body, ensure_ascii=False, indent=1), media_type="application/json", headers=vary)
    if fmt is TURTLE:
        return Response(turtle(absolute, release, points), media_type=TURTLE.content_type, headers=vary)
    from .messages import choose_language

    lang, explicit = choose_language(request)
    suffix = f"?lang={lang}" if explicit else ""
    ld = linked_data(runtime)
    sources = []
    for slug in SOURCES:
        node = ox.NamedNode(str(BXR) + slug)
        if node in ld.index:
            label, label_lang = ld.index.label(node, lang)
            sources.append(
                {
                    "label": label,
                    "lang": label_lang if label_lang != lang else None,
                    "href": f"{base}/page/{slug}{suffix}",
                }
            )
    featured = [runtime.queries[n] for n in FEATURED if n in runtime.queries] or list(runtime.queries.values())[:6]
    queries = [
        {
            "title": q.title_in(lang),
            "description": q.description_in(lang),
            "lang": None if lang in q.titles else "en",  # a title not (yet) in the reader's language is English
            "href": f"{base}/sparql?{urlencode({'query': q.text, **({'lang': lang} if explicit else {})})}",
        }
        for q in featured
    ]
    shown = {k: number(v, lang) for k, v in counts(runtime).items()}
    return page(
        request,
        "home.html",
        {
            "lang": lang,
            "counts": shown,
            "sources": sources,
            "queries": queries,
            "suffix": suffix,
            "points": entry_points(base),
        },
        headers=vary,
    )


_REDOC: dict[Path, bytes] = {}
FAVICON = STATIC / "favicon.ico"  # served from /static too
DAY = "public, max-age=86400"


def revalidated(request: Request, body: bytes, media_type: str, max_age: int) -> Response:
    """A file made in memory that a client may keep `max_age` seconds, then revalidate by its content's ETag (a
    304 rather than the whole file again)."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def redoc_without_cdn(path: Path) -> bytes:
    if path not in _REDOC:
        _REDOC[path] = path.read_bytes().replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"/favicon.ico")
    return _REDOC[path]


#: Crawlers are welcome on the pages, the linked data and the downloads; the endpoints that compute an answer per
#: request (queries, search, contributions, the graph API) are no place for them: each URL is another computation.
ROBOTS = """User-agent: *
Disallow: /sparql
Disallow: /search
Disallow: /validate
Disallow: /api/
Disallow: /admin/
"""


def site_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["site"])

    @router.get(
        "/",
        summary="The home page (HTML), or the service's entry points (JSON, Turtle)",
        response_class=Response,
        responses=answers(HOME_FORMATS, "the home page or the entry points"),
    )
    async def home_route(request: Request) -> Response:
        return await run_in_threadpool(home, request, runtime)

    @router.get("/vendor/redoc/redoc.standalone.js", include_in_schema=False)
    async def redoc_bundle(request: Request) -> Response:
        """ReDoc's bundle, its one CDN address (the Redocly logo in the sidebar) pointed at the local favicon."""
        path = runtime.settings.root.joinpath("node_modules", *REDOC, "redoc.standalone.js")
        if not path.is_file():
            raise ApiError(404, "not-found", "ReDoc is not installed: run `npm ci` (or `make setup`)")
        body = await run_in_threadpool(redoc_without_cdn, path)
        return revalidated(request, body, "text/javascript; charset=utf-8", WEEK)

    @router.get("/favicon.ico", include_in_schema=False)
    async def favicon(request: Request) -> Response:
        # one of the static files, served by their one path (validators, 304, Range, 416, preconditions)
        return await STATIC_FILES.get_response(FAVICON.name, request.scope)

    @router.get("/robots.txt", include_in_schema=False)
    async def robots() -> PlainTextResponse:
        return PlainTextResponse(ROBOTS, headers={"Cache-Control": DAY})

    # HEAD like GET (ServiceHeaders drops the body), kept out of the OpenAPI document
    add_head_routes(router)
    return router


class CachedStatic(ConditionalFiles):
    """Static files a browser may keep for a day (the project's own, which change with the software) or a week
    (the npm libraries, which change only with package-lock.json); ETag and Last-Modified revalidate them."""

    def __init__(self, *args, max_age: int = 86400, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_control = f"public, max-age={max_age}"

    def file_response(self, full_path, stat_result, scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control(scope, self.cache_control)  # a year with ?v=
        return response


WEEK = 7 * 86400


STATIC_FILES = CachedStatic(directory=STATIC)


def mount_static(app: FastAPI) -> None:
    """/static, the project's own files (the npm libraries under /vendor: api/vendor.py), and /favicon.ico."""
    app.mount("/static", STATIC_FILES, name="static")
