"""The graph API (/api/graph…) and the Benelux+ reference page (/benelux-plus), both over `network.projection`.

    GET /api/graph                      the whole graph, or the part the filters keep (type, theme, country,
                                        programme, year); format=cytoscape (default) | node-link | graphml | gexf
    GET /api/graph/benelux-plus         the Benelux+ preset (network.benelux_plus), same filters and formats;
                                        its Cytoscape nodes carry their `position` (layout.py)
    GET /api/graph/neighbourhood/{id}   a node and everything within `depth` relationships
    GET /api/graph/path?from=&to=       the shortest path, with the relationships and their sources
    GET /api/graph/metrics              degree, betweenness, communities (scope=graph | benelux-plus)
    GET /benelux-plus                   the reference page (Cytoscape.js from node_modules, the server's positions)

Every route takes `lang=en|fr|nl|de` (labels fall back to English where a language has none, and say so in
`label_lang`). Ids are full IRIs or the slug after /id/. Answers carry an ETag made of the dataset release and
the request, so a client's If-None-Match gets 304; and `Access-Control-Allow-Origin: *`, so a page on another
site can use the API. Errors have the endpoint's one JSON shape (api/errors.py).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import time
from pathlib import Path
from string import Template
from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from networkx.readwrite.gexf import GEXFWriter
from starlette.responses import Response

from .. import analytics
from ..formats import NETWORK
from ..layout import positions
from ..network import CATEGORY_NAMES, FilterError, NetworkError, UnknownNode, projection, slug
from ..network_selection import Filters, benelux_plus, neighbourhood, resolve, select
from .errors import ApiError
from .graph_elements import Renderer
from .http_conventions import ConditionalFiles, add_head_routes, any_tag, etag_matches, root
from .negotiation import HTML, JSON
from .openapi import answers, media, ref
from .runtime import Runtime

WEB = Path(__file__).resolve().parents[1] / "web" / "benelux-plus"

Lang = Literal["en", "fr", "nl", "de"]
LangParam = Annotated[Lang, Query(description="language of the labels (English where a label is missing)")]
Format = Literal["cytoscape", "node-link", "graphml", "gexf"]  # formats.NETWORK
NETWORK_FORMATS = {f.name: f for f in NETWORK}
TypeQ = Annotated[
    list[str] | None,
    Query(
        description=f"category ({', '.join(CATEGORY_NAMES)}) or class name (Forum, Treaty, …); repeat or "
        "separate by commas"
    ),
]
ThemeQ = Annotated[
    list[str] | None,
    Query(
        description="theme slug (energy) or IRI; narrower themes count too; keeps the nodes addressing it, the "
        "edges carrying it and their neighbours"
    ),
]
CountryQ = Annotated[
    list[str] | None,
    Query(description="country slug, IRI or ISO 3166 code (LU); keeps it, what lies in it and their neighbours"),
]
ProgrammeQ = Annotated[
    list[str] | None,
    Query(description="work programme slug or IRI (joint-work-programme-2025-2028, common-work-programme-2021-2024)"),
]
YearQ = Annotated[
    int | None,
    Query(
        ge=1000,
        le=2999,
        description=(
            "relationships active in that year: begin <= year <= end; a relationship without a period is always "
            "active; nodes dated after the year are left out"
        ),
    ),
]
FormatQ = Annotated[Format, Query(description="cytoscape (elements), node-link (D3), graphml or gexf (files)")]
ThemesQ = Annotated[
    Literal["attributes", "nodes"], Query(description="themes as node and edge attributes only, or also drawn as nodes")
]
ScopeQ = Annotated[Literal["graph", "benelux-plus"], Query(description="the whole graph or the Benelux+ preset only")]

ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "not modified (If-None-Match matched the ETag)"},
    400: {"description": "a bad filter or parameter (JSON error shape)"},
    404: {"description": "an unknown id (JSON error shape)"},
}
#: The answers of the routes taking `format`: JSON (cytoscape or node-link), or a GraphML or GEXF file.
GRAPH_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "format=cytoscape (the default): Cytoscape.js elements; node-link: D3 node-link data; graphml, "
        "gexf: the file (Content-Disposition: attachment)",
        "content": {
            "application/json": {"schema": {"anyOf": [ref("GraphElements"), ref("GraphNodeLink")]}},
            **media(*(f.media_type for f in NETWORK if f.extension)),
        },
    }
}


# ------------------------------------------------------------------------------------------------------------
# The page's files (the elements, nodes and edges as JSON, are api/graph_elements.py)
# ------------------------------------------------------------------------------------------------------------


class PageFiles(ConditionalFiles):
    """The page's own files: kept a year by a browser under their versioned name (`?v=`, api/assets.py); asked
    for without it (an embedder's page), revalidated each time (ETag), as before."""

    def file_response(self, full_path, stat_result, scope, status_code: int = 200) -> Response:
        from .assets import cache_control

        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control(scope, "no-cache")
        return response


# ------------------------------------------------------------------------------------------------------------
# Responses: ETag, 304, CORS, formats
# ------------------------------------------------------------------------------------------------------------


def etag_for(release: str, request: Request) -> str:
    key = (
        release
        + "\0"
        + request.url.path
        + "\0"
        + "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    )
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def common_headers(etag: str) -> dict[str, str]:
    return {
        "ETag": etag,
        "Cache-Control": "public, max-age=0, must-revalidate",
        "Vary": "Accept",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, X-Benelux-Release",
    }


def not_modified(request: Request, etag: str) -> bool:
    return etag_matches(request.headers.get("if-none-match"), etag)


def json_response(data, headers: dict[str, str]) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, 200, headers, media_type="application/json")


def graph_response(
    net: nx.MultiDiGraph, renderer: Renderer, fmt: str, name: str, headers: dict[str, str], modified: float = 0, **meta
) -> Response:
    """The network in `fmt`; `modified` (the release's last change, seconds since the epoch) dates a GEXF file."""
    if fmt == "cytoscape":
        return json_response(renderer.cytoscape(net, **meta), headers)
    if fmt == "node-link":
        return json_response(renderer.node_link(net, **meta), headers)
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(renderer.flat(net), buffer, encoding="utf-8")
    else:
        write_gexf(renderer.flat(net), buffer, modified)
    file_format = NETWORK_FORMATS[fmt]
    headers = {**headers, "Content-Disposition": f'attachment; filename="{name}.{file_format.extension}"'}
    return Response(buffer.getvalue(), 200, headers, media_type=file_format.media_type)


def write_gexf(net: nx.MultiDiGraph, buffer: io.BytesIO, modified: float) -> None:
    """GEXF dated by the release, not by the clock (networkx writes today's date): the same release, the same
    bytes and ETag whatever the day."""
    writer = GEXFWriter(encoding="utf-8")
    writer.add_graph(net)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.set("lastmodifieddate", time.strftime("%Y-%m-%d", time.gmtime(modified)))
    writer.write(buffer)


def split(values: list[str] | None) -> tuple[str, ...]:
    """Repeated parameters and comma-separated values alike: ?type=forum&type=region or ?type=forum,region."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def as_api_error(exc: NetworkError) -> ApiError:
    if isinstance(exc, UnknownNode):
        return ApiError(404, "unknown-node", str(exc))
    if isinstance(exc, analytics.NoPath):
        return ApiError(404, "no-path", str(exc))
    if isinstance(exc, FilterError):
        return ApiError(400, "bad-filter", str(exc))
    return ApiError(400, "bad-request", str(exc))


# ------------------------------------------------------------------------------------------------------------
# The router
# ------------------------------------------------------------------------------------------------------------


def graph_router(runtime: Runtime) -> APIRouter:
    """The graph API, the Benelux+ page, and the static mount of the page (its libraries: api/vendor.py)."""
    router = APIRouter(tags=["Graph"])
    store = runtime.store

    def release_modified() -> float:
        return runtime.linked_data.publication.last_modified  # as the downloads' Last-Modified

    def network(themes: str = "attributes") -> nx.MultiDiGraph:
        return projection(store, themes_as_nodes=themes == "nodes")

    def answer(request: Request, build) -> Response:
        etag = etag_for(store.release, request)
        headers = common_headers(etag)
        star = any_tag(request.headers.get("if-none-match"))  # 304 only once the answer is known to exist
        if not_modified(request, etag) and not star:
            return Response(status_code=304, headers=headers)
        try:
            response = build(headers)
        except NetworkError as exc:
            raise as_api_error(exc) from None
        return Response(status_code=304, headers=headers) if star and response.status_code == 200 else response

    def filters(type, theme, country, programme, year) -> Filters:
        return Filters(split(type), split(theme), split(country), split(programme), year)

    def base_of(request: Request) -> str:
        return root(request)

    @router.get(
        "/api/graph",
        summary="The graph, whole or filtered",
        response_class=Response,
        responses={**GRAPH_ANSWERS, **ERRORS},
    )
    def whole_graph(
        request: Request,
        lang: LangParam = "en",
        type: TypeQ = None,
        theme: ThemeQ = None,
        country: CountryQ = None,
        programme: ProgrammeQ = None,
        year: YearQ = None,
        format: FormatQ = "cytoscape",
        themes: ThemesQ = "attributes",
    ) -> Response:
        """Nodes (entities) and edges (relationships) in the Cytoscape.js elements format (`elements.nodes`,
        `elements.edges`, each `{data: {...}}`) with a `meta` block (counts, legend, themes, years); filters
        combine with AND, repeated values of one filter with OR."""

        def build(headers):
            f = filters(type, theme, country, programme, year)
            net = select(network(themes), f)
            return graph_response(
                net,
                Renderer(net, lang, base_of(request)),
                format,
                "benelux-graph",
                headers,
                modified=release_modified(),
                filters=f.__dict__,
            )

        return answer(request, build)

    @router.get(
        "/api/graph/benelux-plus",
        summary="The Benelux+ preset",
        response_class=Response,
        responses={**GRAPH_ANSWERS, **ERRORS},
    )
    def preset(
        request: Request,
        lang: LangParam = "en",
        type: TypeQ = None,
        theme: ThemeQ = None,
        country: CountryQ = None,
        programme: ProgrammeQ = None,
        year: YearQ = None,
        format: FormatQ = "cytoscape",
        themes: ThemesQ = "attributes",
    ) -> Response:
        """The Benelux Union, its members and units, every partner region, country, organisation and forum beyond
        them, and the agreements linking them (rules in network.benelux_plus); the filters of /api/graph apply
        on top."""

        def build(headers):
            full = network(themes)
            part = benelux_plus(full)
            if themes == "nodes":
                wanted = set(part) | {t for n in part for t in full.nodes[n]["themes"]}
                wanted |= {t for _, _, d in part.edges(data=True) for t in d["themes"]}
                part = full.subgraph(n for n in full if n in wanted).copy()
            f = filters(type, theme, country, programme, year)
            net = select(part, f)
            renderer = Renderer(net, lang, base_of(request))
            if format != "cytoscape":
                return graph_response(
                    net,
                    renderer,
                    format,
                    "benelux-plus",
                    headers,
                    modified=release_modified(),
                    preset="benelux-plus",
                    filters=f.__dict__,
                )
            # each node's place in the preset's drawing (computed once per release, the same whatever the
            # filters): the page draws it as it is, with no layout of its own
            body = renderer.cytoscape(net, preset="benelux-plus", filters=f.__dict__)
            placed = positions(part)
            for node in body["elements"]["nodes"]:
                if node["data"]["id"] in placed:
                    x, y = placed[node["data"]["id"]]
                    node["position"] = {"x": x, "y": y}
            return json_response(body, headers)

        return answer(request, build)

    @router.get(
        "/api/graph/neighbourhood/{id:path}",
        summary="A node and its neighbourhood",
        response_class=Response,
        responses={**GRAPH_ANSWERS, **ERRORS},
    )
    def around(
        request: Request,
        id: Annotated[str, PathParam(description="full IRI or slug after /id/")],
        lang: LangParam = "en",
        depth: Annotated[int, Query(ge=1, le=3, description="relationships away (1-3)")] = 1,
        format: FormatQ = "cytoscape",
    ) -> Response:
        """The node, every node within `depth` relationships of it (either direction) and the edges between
        them; `meta.center` is the node."""

        def build(headers):
            net = network()
            try:
                center = resolve(net, id)
            except UnknownNode:  # a theme: a node where themes are drawn as nodes (/api/graph?themes=nodes)
                net = network("nodes")
                center = resolve(net, id)
            part = neighbourhood(net, center, depth)
            return graph_response(
                part,
                Renderer(part, lang, base_of(request)),
                format,
                f"neighbourhood-{slug(center).replace('/', '-')}",
                headers,
                modified=release_modified(),
                center=center,
                depth=depth,
            )

        return answer(request, build)

    @router.get(
        "/api/graph/path",
        summary="Shortest path between two nodes",
        response_class=Response,
        responses={**answers((JSON,), "the path", ref("GraphPath")), **ERRORS},
    )
    def path(
        request: Request,
        from_: Annotated[str, Query(alias="from", description="full IRI or slug")],
        to: Annotated[str, Query(description="full IRI or slug")],
        lang: LangParam = "en",
        scope: ScopeQ = "graph",
    ) -> Response:
        """The shortest chain of relationships between two nodes, whatever their direction (documents'
        mentions and programme structure weigh 2, other relationships 1). `steps` lists each relationship with
        its direction and sources; `elements` is the path in the Cytoscape.js format."""

        def build(headers):
            full = network()
            start, end = resolve(full, from_), resolve(full, to)
            net = benelux_plus(full) if scope == "benelux-plus" else full
            for node in (start, end):
                if node not in net:
                    raise UnknownNode(f"{slug(node)} is not in the {scope} scope")
            hops = analytics.shortest_path(net, start, end)
            renderer = Renderer(net, lang, base_of(request))
            nodes = [start] + [h.target for h in hops]
            steps = [
                {
                    "from": h.source,
                    "to": h.target,
                    "direction": "forward" if h.forward else "backward",
                    "edge": renderer.edge(h.u, h.v, h.key),
                }
                for h in hops
            ]
            return json_response(
                {
                    "meta": {"release": store.release, "lang": lang, "scope": scope},
                    "from": renderer.node(start),
                    "to": renderer.node(end),
                    "length": len(hops),
                    "nodes": [renderer.node(n) for n in nodes],
                    "steps": steps,
                    "elements": {
                        "nodes": [{"data": renderer.node(n)} for n in nodes],
                        "edges": [{"data": s["edge"]} for s in steps],
                    },
                },
                headers,
            )

        return answer(request, build)

    @router.get(
        "/api/graph/metrics",
        summary="Centrality and communities",
        response_class=Response,
        responses={**answers((JSON,), "the metrics", ref("GraphMetrics")), **ERRORS},
    )
    def metrics(
        request: Request,
        lang: LangParam = "en",
        scope: ScopeQ = "graph",
        type: TypeQ = None,
        theme: ThemeQ = None,
        country: CountryQ = None,
        programme: ProgrammeQ = None,
        year: YearQ = None,
        top: Annotated[int | None, Query(ge=1, le=10_000, description="only the first N nodes")] = None,
    ) -> Response:
        """Degree (distinct neighbours), degree centrality, betweenness centrality and community of each node,
        sorted by betweenness (the hubs of cooperation first), and the communities (greedy modularity) with
        their best-connected member. The filters of /api/graph apply first."""

        def build(headers):
            full = network()
            net = select(
                benelux_plus(full) if scope == "benelux-plus" else full, filters(type, theme, country, programme, year)
            )
            result = analytics.metrics(net)
            renderer = Renderer(net, lang, base_of(request))
            rows = []
            for n, m in result["nodes"].items():
                d = net.nodes[n]
                rows.append(
                    {
                        "id": n,
                        "slug": d["slug"],
                        "label": renderer.label_of(n),
                        "type": d["type"],
                        "category": d["category"],
                        **m,
                    }
                )
            rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["id"]))
            groups = []
            for i, members in enumerate(result["communities"]):
                hub = max(members, key=lambda n: (result["nodes"][n]["betweenness"], result["nodes"][n]["degree"], n))
                groups.append(
                    {
                        "id": i,
                        "size": len(members),
                        "hub": {"id": hub, "label": renderer.label_of(hub)},
                        "members": members,
                    }
                )
            return json_response(
                {
                    "meta": {
                        "release": store.release,
                        "lang": lang,
                        "scope": scope,
                        "nodes": net.number_of_nodes(),
                        "edges": net.number_of_edges(),
                    },
                    "hub": rows[0] if rows else None,
                    "nodes": rows[:top] if top else rows,
                    "communities": groups,
                },
                headers,
            )

        return answer(request, build)

    @router.get(
        "/benelux-plus", summary="The Benelux+ page", response_class=Response, responses=answers((HTML,), "the page")
    )
    def page(request: Request) -> Response:
        """The reference page: the Benelux+ preset drawn with Cytoscape.js. `?api=<base URL>` points it at
        another server's API, if its origin is one of BENELUX_API_ORIGINS (the page refuses any other)."""
        from .assets import versioned
        from .messages import UI, choose_language
        from .middleware import api_origin
        from .pages import STATIC, head_links, site_header  # the site's one header and language choice

        base = base_of(request)
        lang = choose_language(request)[0]
        text = Template((WEB / "index.html").read_text(encoding="utf-8")).substitute(
            base=html.escape(base),
            release=html.escape(store.release),
            api_origins=html.escape(" ".join(o for o in map(api_origin, runtime.settings.api_origins) if o)),
            lang=lang,
            title=html.escape(UI[lang]["nav_network"]),
            heading=html.escape(UI[lang]["bp_title"]),
            site_css=versioned("/static/site.css", STATIC / "site.css"),
            bp_css=versioned("/benelux-plus/static/benelux-plus.css", WEB / "benelux-plus.css"),
            bp_js=versioned("/benelux-plus/static/benelux-plus.js", WEB / "benelux-plus.js"),
            description=html.escape(UI[lang]["door_network_text"]),
            skip=html.escape(UI[lang]["skip"]),
            header=site_header(request, framed=True),
            head_links=head_links(request),
        )
        headers = {"Cache-Control": "no-cache", "Vary": "Accept-Language"}
        return Response(text, 200, headers, media_type="text/html; charset=utf-8")

    # HEAD like GET (the app's middleware drops the body), kept out of the OpenAPI document
    add_head_routes(router)
    router.mount("/benelux-plus/static", PageFiles(directory=WEB, check_dir=False), name="benelux-plus-static")
    return router
