"""Node positions for a drawing of a small network, computed once per release on the server.

The Benelux+ page draws them as they are (Cytoscape's preset layout): a force layout in the browser was the
page's main start-up cost. Pure Python (Fruchterman-Reingold, seeded), as the project ships no numpy; the
preset's few dozen nodes take milliseconds. Bounded: larger graphs get no positions (the page lays them out).
"""

from __future__ import annotations

import math
import random
from collections import OrderedDict

import networkx as nx

MAX_NODES = 400  # O(n²) per step: beyond this the browser's own layout is the better place
STEPS = 400
EDGE = 260.0  # a line's median length in model units (Cytoscape nodes are 20-40 units wide)
SEED = 2025
REPULSION = 1.0  # × the Fruchterman-Reingold repulsion: a star (the Union and its partners) needs room
GRAVITY = 2.0  # strong: the nodes with few or no lines stay near the rest
GAP = 150.0  # the least distance between two nodes' centres, in model units

_CACHE: OrderedDict[tuple, dict[str, tuple[float, float]]] = OrderedDict()
CACHE_SIZE = 8


def positions(net: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """{node: (x, y)}, the same for the same graph (keyed by release and node set); {} when too large."""
    nodes = sorted(net.nodes)
    if not nodes or len(nodes) > MAX_NODES:
        return {}
    key = (net.graph.get("release"), tuple(nodes), tuple(sorted((u, v) for u, v, _ in net.edges(keys=True))))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    found = fruchterman_reingold(nodes, {(u, v) for u, v in key[2] if u != v})
    _CACHE[key] = found
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found


def fruchterman_reingold(
    nodes: list[str], edges: set[tuple[str, str]], repulsion: float = REPULSION, gravity: float = GRAVITY
) -> dict[str, tuple[float, float]]:
    rng = random.Random(SEED)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in edges})
    x = [rng.uniform(-1, 1) for _ in range(n)]
    y = [rng.uniform(-1, 1) for _ in range(n)]
    k = math.sqrt(4.0 / n)  # the ideal distance in a 2 × 2 square
    t = 0.2
    for step in range(STEPS):
        dx = [0.0] * n
        dy = [0.0] * n
        for i in range(n):
            for j in range(i + 1, n):
                ddx, ddy = x[i] - x[j], y[i] - y[j]
                d2 = max(ddx * ddx + ddy * ddy, 1e-6)
                f = repulsion * k * k / d2  # repulsion k²/d, along the unit vector
                dx[i] += ddx * f
                dy[i] += ddy * f
                dx[j] -= ddx * f
                dy[j] -= ddy * f
        for i, j in pairs:
            ddx, ddy = x[i] - x[j], y[i] - y[j]
            d = max(math.hypot(ddx, ddy), 1e-3)
            f = d / k  # attraction d²/k
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        for i in range(n):
            dx[i] -= gravity * x[i]  # a little gravity, so that parts not connected stay near
            dy[i] -= gravity * y[i]
            d = max(math.hypot(dx[i], dy[i]), 1e-9)
            x[i] += dx[i] / d * min(d, t)
            y[i] += dy[i] / d * min(d, t)
        t = 0.2 * (1 - (step + 1) / STEPS) + 0.002
    # scaled so that a typical line is EDGE long (an outlier far away does not shrink the rest)
    lengths = sorted(math.hypot(x[i] - x[j], y[i] - y[j]) for i, j in pairs) or [k]
    scale = EDGE / max(lengths[len(lengths) // 2], 1e-6)
    cx, cy = (max(x) + min(x)) / 2, (max(y) + min(y)) / 2
    x = [(v - cx) * scale for v in x]
    y = [(v - cy) * scale for v in y]
    separate(x, y)
    return {node: (round(x[i], 1), round(y[i], 1)) for node, i in index.items()}


def separate(x: list[float], y: list[float], gap: float = GAP, rounds: int = 100) -> None:
    """Push apart, in place, the nodes closer than `gap` (a force layout leaves a star's leaves crowded)."""
    n = len(x)
    for _ in range(rounds):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                ddx, ddy = x[i] - x[j], y[i] - y[j]
                d = math.hypot(ddx, ddy)
                if d >= gap:
                    continue
                if d < 1e-6:
                    ddx, ddy, d = 1.0, 0.0, 1.0
                push = (gap - d) / 2 / d
                x[i] += ddx * push
                y[i] += ddy * push
                x[j] -= ddx * push
                y[j] -= ddy * push
                moved = True
        if not moved:
            return
