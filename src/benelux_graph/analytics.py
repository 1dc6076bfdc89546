"""Centrality, communities and shortest paths: pure functions over a network from `network.to_network`.

All of them read the network as an undirected simple graph (`undirected`): "who is linked to whom", whatever the
direction or the number of relationships between two nodes. The weight of a pair is the lightest of its edges
(1 for relationships, 2 for a document's mentions and the programme structure; see network.py), used by the
shortest path only; centrality counts hops. Results are deterministic: ties are broken by IRI.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx

from .network import NetworkError


class NoPath(NetworkError):
    """The two nodes are not connected."""


def undirected(net: nx.MultiDiGraph) -> nx.Graph:
    """One undirected edge per linked pair, weighted by its lightest relationship."""
    out = nx.Graph()
    out.add_nodes_from(sorted(net.nodes))
    for u, v, d in sorted(net.edges(data=True), key=lambda e: (e[0], e[1], e[2]["kind"])):
        w = d.get("weight", 1.0)
        if out.has_edge(u, v):
            out[u][v]["weight"] = min(out[u][v]["weight"], w)
        else:
            out.add_edge(u, v, weight=w)
    return out


def degree(net: nx.MultiDiGraph) -> dict[str, int]:
    """Number of distinct neighbours of each node."""
    return dict(undirected(net).degree())


def degree_centrality(net: nx.MultiDiGraph) -> dict[str, float]:
    """Distinct neighbours / (n - 1)."""
    return nx.degree_centrality(undirected(net))


def betweenness_centrality(net: nx.MultiDiGraph) -> dict[str, float]:
    """Normalised share of the shortest paths (in hops) between other nodes that pass through each node."""
    return nx.betweenness_centrality(undirected(net), normalized=True)


def communities(net: nx.MultiDiGraph) -> list[list[str]]:
    """Groups of densely linked nodes (greedy modularity maximisation, deterministic), largest first.

    Isolated nodes each form their own group of one.
    """
    g = undirected(net)
    if g.number_of_edges() == 0:
        return [[n] for n in sorted(g.nodes)]
    found = nx.community.greedy_modularity_communities(g, weight=None)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


@dataclass
class Hop:
    """One step of a path: from `source` to `target` along the edge (u, v, key) of the network."""

    source: str
    target: str
    u: str
    v: str
    key: str
    data: dict

    @property
    def forward(self) -> bool:
        return self.u == self.source


def shortest_path(net: nx.MultiDiGraph, source: str, target: str) -> list[Hop]:
    """The lightest path between two nodes (ignoring direction), with the relationship used at each step.

    Between two neighbours the relationship chosen is the lightest, then one with sources, then by kind.
    Raises NoPath when they are not connected. A path from a node to itself is empty.
    """
    g = undirected(net)
    try:
        nodes = nx.dijkstra_path(g, source, target, weight="weight")
    except nx.NetworkXNoPath:
        raise NoPath(f"no path between {source} and {target}: they are not connected") from None
    hops = []
    for a, b in itertools.pairwise(nodes):
        candidates = [(a, b, k, d) for k, d in (net.get_edge_data(a, b) or {}).items()]
        candidates += [(b, a, k, d) for k, d in (net.get_edge_data(b, a) or {}).items()]
        u, v, k, d = min(candidates, key=lambda c: (c[3].get("weight", 1.0), not c[3]["sources"], c[3]["kind"], c[2]))
        hops.append(Hop(a, b, u, v, k, d))
    return hops


def metrics(net: nx.MultiDiGraph) -> dict:
    """Degree, degree centrality, betweenness and community of every node, and the communities."""
    deg, dc, bc = degree(net), degree_centrality(net), betweenness_centrality(net)
    groups = communities(net)
    member_of = {n: i for i, group in enumerate(groups) for n in group}
    nodes = {
        n: {"degree": deg[n], "degree_centrality": dc[n], "betweenness": bc[n], "community": member_of[n]}
        for n in net.nodes
    }
    return {"nodes": nodes, "communities": groups}
