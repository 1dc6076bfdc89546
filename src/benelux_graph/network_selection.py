"""Selections of the projection (network.py) that the graph API serves: looking nodes up by IRI, slug or name,
filters (type, theme, country, programme, year), a node's neighbourhood and the Benelux+ preset. Each returns a
new MultiDiGraph (a copy), never a view of the cached projection.
"""

from dataclasses import dataclass

import networkx as nx

from .namespaces import BXR, THEME
from .network import CATEGORIES, CATEGORY_NAMES, FilterError, UnknownNode, local_name

# ------------------------------------------------------------------------------------------------------------
# Looking things up
# ------------------------------------------------------------------------------------------------------------


def resolve(net: nx.MultiDiGraph, ident: str) -> str:
    """The node IRI of a full IRI or a slug (`greater-region`, `/id/greater-region`); UnknownNode otherwise."""
    ident = (ident or "").strip()
    for candidate in (ident, str(BXR) + ident.removeprefix("/id/").lstrip("/")):
        if candidate in net:
            return candidate
    raise UnknownNode(f"no node {ident!r} in the graph: give a full IRI or the slug after /id/ (e.g. 'greater-region')")


def resolve_theme(net: nx.MultiDiGraph, ident: str) -> str:
    themes = net.graph["themes"]
    ident = ident.strip()
    for candidate in (ident, str(THEME) + ident.removeprefix("theme/"), str(BXR) + ident.lstrip("/")):
        if candidate in themes:
            return candidate
    raise FilterError(f"unknown theme {ident!r}: give a theme slug such as 'energy' or its full IRI")


def resolve_type(ident: str, net: nx.MultiDiGraph | None = None) -> str:
    """A category (lower case: `forum`) or a class local name (`Forum`, `LegalInstrument`: its nodes and those of
    its subclasses); FilterError otherwise."""
    if ident in CATEGORY_NAMES:
        return ident
    name = local_name(ident)
    known = {local_name(c) for _, classes in CATEGORIES for c in classes} | {"Theme"}
    if net is not None:
        known |= {c for _, d in net.nodes(data=True) for c in d.get("classes", ())}
    if name in known:
        return name
    raise FilterError(
        f"unknown type {ident!r}: give a category ({', '.join(CATEGORY_NAMES)}) or a class "
        f"name such as 'Forum' or 'LegalInstrument'"
    )


def resolve_country(net: nx.MultiDiGraph, ident: str) -> str:
    """A country or group of countries: slug, IRI or ISO 3166 code (`LU`, `LUX`)."""
    try:
        iri = resolve(net, ident)
    except UnknownNode:
        code = ident.strip().upper()
        matches = [
            n
            for n, d in net.nodes(data=True)
            if code and code in (d["identifiers"].get("iso3166Alpha2"), d["identifiers"].get("iso3166Alpha3"))
        ]
        if not matches:
            raise FilterError(
                f"unknown country {ident!r}: give a slug ('luxembourg'), an IRI or an ISO 3166 code ('LU')"
            ) from None
        iri = matches[0]
    if net.nodes[iri]["category"] != "country":
        raise FilterError(f"{ident!r} is not a country or group of countries")
    return iri


def resolve_programme(net: nx.MultiDiGraph, ident: str) -> str:
    ident = ident.strip()
    programmes = net.graph["labels"]
    for candidate in (ident, str(BXR) + ident.removeprefix("/id/")):
        if candidate in programmes and not candidate.startswith("kind:"):
            return candidate
    raise FilterError(
        f"unknown programme {ident!r}: give 'joint-work-programme-2025-2028', "
        f"'common-work-programme-2021-2024' or a full IRI"
    )


def narrower_closure(net: nx.MultiDiGraph, theme: str) -> set[str]:
    """The theme and every theme below it (skos:broader, transitively)."""
    themes = net.graph["themes"]
    out, todo = {theme}, [theme]
    while todo:
        current = todo.pop()
        for t, info in themes.items():
            if current in info["broader"] and t not in out:
                out.add(t)
                todo.append(t)
    return out


def types_of(data: dict) -> set[str]:
    return {data["category"], data["type"], *data["types"], *data.get("classes", ())}


# ------------------------------------------------------------------------------------------------------------
# Selections: each returns a new MultiDiGraph (a copy), never a view of the cached projection
# ------------------------------------------------------------------------------------------------------------


def active(begin: int | None, end: int | None, year: int) -> bool:
    """A relationship with a period is active in `year` when begin <= year <= end; no period: always."""
    return (begin is None or begin <= year) and (end is None or year <= end)


def node_active(data: dict, year: int) -> bool:
    """A node is there in `year` unless its own period excludes it, or it was issued/created after it."""
    begin = data["begin"] if data["begin"] is not None else data["issued"]
    return active(begin, data["end"], year)


EdgeKey = tuple[str, str, str]


def induced(net: nx.MultiDiGraph, nodes: set[str], edges: set[EdgeKey] | None = None) -> nx.MultiDiGraph:
    """A copy with the given nodes and the edges (all, or only those given) between them."""
    out = nx.MultiDiGraph()
    out.graph.update(net.graph)
    out.add_nodes_from((n, net.nodes[n]) for n in sorted(nodes))
    for u, v, k, d in net.edges(keys=True, data=True):
        if u in nodes and v in nodes and (edges is None or (u, v, k) in edges):
            out.add_edge(u, v, key=k, **d)
    return out


@dataclass
class Filters:
    """The filters of GET /api/graph; they combine with AND. Each value list is OR within itself."""

    types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    year: int | None = None


def select(net: nx.MultiDiGraph, filters: Filters) -> nx.MultiDiGraph:
    """The part of the network the filters keep.

    type      nodes of that category or class (a class matches its subclasses' nodes only by category or name)
    theme     nodes addressing the theme (or a narrower one), edges carrying it, and the other end of any edge
              that touches such a node or carries the theme
    country   the country, everything located in it (bx:locatedIn, transitively), and every node one
              relationship away from those
    programme nodes with a passage from that programme (or part of it), and the edges between them
    year      edges active in that year (begin <= year <= end; no period: always), nodes not dated after it
    """
    nodes = set(net.nodes)
    edges = {(u, v, k) for u, v, k in net.edges(keys=True)}
    if filters.types:
        wanted = {resolve_type(t, net) for t in filters.types}
        nodes &= {n for n, d in net.nodes(data=True) if types_of(d) & wanted}
    if filters.themes:
        wanted = set().union(*(narrower_closure(net, resolve_theme(net, t)) for t in filters.themes))
        core = {n for n, d in net.nodes(data=True) if set(d["themes"]) & wanted or n in wanted}
        keep_edges = {
            (u, v, k)
            for u, v, k, d in net.edges(keys=True, data=True)
            if set(d["themes"]) & wanted or u in core or v in core
        }
        nodes &= core | {u for u, _, _ in keep_edges} | {v for _, v, _ in keep_edges}
        edges &= keep_edges
    if filters.countries:
        countries = {resolve_country(net, c) for c in filters.countries}
        located = set(countries)
        located_in = nx.DiGraph()
        located_in.add_edges_from((u, v) for u, v, d in net.edges(data=True) if d["kind"] == "locatedIn")
        for c in countries:
            if c in located_in:
                located |= nx.ancestors(located_in, c)
        keep_edges = {(u, v, k) for u, v, k in net.edges(keys=True) if u in located or v in located}
        nodes &= located | {u for u, _, _ in keep_edges} | {v for _, v, _ in keep_edges}
        edges &= keep_edges
    if filters.programmes:
        wanted = {resolve_programme(net, p) for p in filters.programmes}
        nodes &= {n for n, d in net.nodes(data=True) if set(d["programmes"]) & wanted}
        passages = net.graph["passages"]
        edges = {
            (u, v, k)
            for u, v, k in edges
            if not (s := net.edges[u, v, k]["sources"]) or {passages.get(p, {}).get("document") for p in s} & wanted
        }
    if filters.year is not None:
        nodes &= {n for n, d in net.nodes(data=True) if node_active(d, filters.year)}
        edges &= {
            (u, v, k) for u, v, k, d in net.edges(keys=True, data=True) if active(d["begin"], d["end"], filters.year)
        }
    return induced(net, nodes, edges)


def neighbourhood(net: nx.MultiDiGraph, node: str, depth: int = 1) -> nx.MultiDiGraph:
    """The node and everything within `depth` relationships of it, in either direction."""
    return induced(net, set(nx.ego_graph(net.to_undirected(as_view=True), node, radius=depth)))


UNION = str(BXR["benelux-union"])
#: Kinds of link by which an agent counts as a partner of the Union (or of one of its units).
PARTNER_KINDS = {
    "cooperatesWith",
    "hosts",
    "participatesIn",
    "secretariatProvidedBy",
    "chairedBy",
    "advises",
    "memberOf",
    "presidencyHeldBy",
    "partyTo",
    "supports",
}
AGENT_CATEGORIES = {"country", "region", "organisation", "forum"}


def benelux_plus(net: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The Benelux+ preset: the Union, its members and every partner beyond, with the agreements linking them.

    1. the Union, its units (org:unitOf) and its members (org:memberOf);
    2. partners: every country, group of countries, region, organisation, forum or body joined to those by a
       cooperation, a role (hosts, participates in, secretariat, chair, presidency), advice or membership;
    3. beyond: the same kinds of link once more from the partners (the Greater Region's presidencies and
       members, the commission the Scheldt Council advises), and the country each partner region lies in;
    4. agreements: legal instruments that a cooperation between two selected agents is based on, or that two
       selected agents are party to or concerned by.
    Topics stay as `themes` on nodes and edges (use `themes=nodes` in the API to draw them as nodes).
    """
    if UNION not in net:
        return induced(net, set())
    undirected = net.to_undirected(as_view=True)
    selected = {UNION}
    selected |= {u for u, v, d in net.in_edges(UNION, data=True) if d["kind"] in ("unitOf", "memberOf")}

    def linked(frontier: set[str]) -> set[str]:
        found = set()
        for n in frontier:
            for m in undirected.neighbors(n):
                kinds = {d["kind"] for d in undirected.get_edge_data(n, m).values()}
                if kinds & PARTNER_KINDS and net.nodes[m]["category"] in AGENT_CATEGORIES:
                    found.add(m)
        return found - selected

    partners = linked(set(selected))
    selected |= partners
    beyond = linked(partners)
    selected |= beyond
    for n in list(partners | beyond):
        if net.nodes[n]["category"] == "region":
            selected |= {
                v
                for _, v, d in net.out_edges(n, data=True)
                if d["kind"] == "locatedIn" and net.nodes[v]["category"] == "country"
            }
    # The instruments a cooperation between two selected agents is based on link them, whether or not the text
    # names their parties ("the joint declarations of 2008 and 2019" name none).
    bases = {
        i
        for u, v, d in net.edges(data=True)
        if d["kind"] == "cooperatesWith" and u in selected and v in selected
        for i in d["instruments"]
    }
    for n, d in net.nodes(data=True):
        if d["category"] != "instrument":
            continue
        links = {
            m
            for m in undirected.neighbors(n)
            if m in selected and {e["kind"] for e in undirected.get_edge_data(n, m).values()} & {"partyTo", "concerns"}
        }
        if n in bases or len(links) >= 2:
            selected.add(n)
    return induced(net, selected)
