"""The graph API's elements: nodes and edges of the network projection as JSON for one language (Cytoscape.js
elements, node-link, and the graph handed to the GraphML and GEXF writers), with labels in the reader's language
(English where a label is missing, and said so). The routes that serve them are api/graph.py.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from ..graph_index import compact
from ..network import CATEGORY_NAMES, slug


def pick(labels: dict[str, str], lang: str) -> tuple[str, str]:
    """(text, its language): the asked language, else English, else any."""
    for candidate in (lang, "en"):
        if candidate in labels:
            return labels[candidate], candidate
    for candidate, text in sorted(labels.items()):
        return text, candidate
    return "", lang


class Renderer:
    """Turns nodes and edges of the projection into JSON for one language."""

    def __init__(self, net: nx.MultiDiGraph, lang: str, base: str = ""):
        self.net, self.lang, self.base = net, lang, base
        self.passages = net.graph["passages"]
        self.themes = net.graph["themes"]
        self.concepts = net.graph["concepts"]
        self.labels = net.graph["labels"]

    def label_of(self, iri: str | None) -> str | None:
        if iri is None:
            return None
        if iri in self.net:
            return pick(self.net.nodes[iri]["label"], self.lang)[0]
        for table in (self.themes, self.concepts):
            if iri in table:
                return pick(table[iri]["label"], self.lang)[0]
        if iri in self.labels:
            return pick(self.labels[iri], self.lang)[0]
        return slug(iri)

    def sources(self, ids: list[str]) -> list[dict]:
        out = []
        for p in ids:
            passage = self.passages.get(p)
            if passage:
                out.append(
                    {
                        "id": p,
                        "quote": passage["quote"],
                        "section": passage["section"],
                        "document": passage["document"],
                        "document_label": self.label_of(passage["document"]),
                    }
                )
        return out

    def term(self, local: str) -> str | None:
        """A class or property's name in the reader's language, as the entity page gives it: the ontology's label
        in that language, else the site's catalogue (`term <curie>`), else the ontology's English label."""
        from .messages import term_label

        entry = self.net.graph.get("terms", {}).get(local)
        if entry is None:  # a kind the projection makes up (no class or property of its own)
            return term_label("bx:" + local, self.lang) or term_label("org:" + local, self.lang)
        labels = entry["label"]
        return labels.get(self.lang) or term_label(compact(entry["iri"]), self.lang) or labels.get("en")

    def node(self, n: str) -> dict:
        d = self.net.nodes[n]
        label, label_lang = pick(d["label"], self.lang)
        comment, comment_lang = pick(d["comment"], self.lang)
        return {
            "id": n,
            "slug": d["slug"],
            "label": label,
            "label_lang": label_lang,
            "labels": d["label"],
            "alt_labels": d["alt_labels"].get(self.lang, []) or d["alt_labels"].get("en", []),
            "type": d["type"],
            "type_label": self.term(d["type"]) if d["type"] else None,
            "types": d["types"],
            "category": d["category"],
            "comment": comment or None,
            "comment_lang": comment_lang if comment else None,
            "themes": d["themes"],
            "theme_labels": [self.label_of(t) for t in d["themes"]],
            "identifiers": d["identifiers"],
            "programmes": d["programmes"],
            "begin": d["begin"],
            "end": d["end"],
            "issued": d["issued"],
            "expected": d["expected"],
            "sources": self.sources(d["sources"]),
            "page": f"{self.base}/id/{d['slug']}",
        }

    def edge(self, u: str, v: str, k: str) -> dict:
        d = self.net.edges[u, v, k]
        label, label_lang = pick(d["label"], self.lang)
        if label_lang != self.lang:  # the ontology names its properties in English; the catalogue in every language
            label = self.term(d["kind"]) or label
        return {
            "id": edge_id(u, v, k),
            "source": u,
            "target": v,
            "kind": d["kind"],
            "label": label,
            "relationship": d["relationship"],
            "role": d["role"],
            "role_label": self.label_of(d["role"]),
            "status": d["status"],
            "status_label": self.label_of(d["status"]),
            "instruments": [{"id": i, "label": self.label_of(i)} for i in d["instruments"]],
            "themes": d["themes"],
            "theme_labels": [self.label_of(t) for t in d["themes"]],
            "begin": d["begin"],
            "end": d["end"],
            "sources": self.edge_sources(d),
            "sources_basis": d["sources_basis"],
        }

    def edge_sources(self, d: dict) -> list[dict]:
        """The citations of the edge's own fact first, then the passages of its relationship node not among them."""
        own = self.fact_sources(d["fact_sources"])
        seen = {s["id"] for s in own}
        return own + [s for s in self.sources(d["sources"]) if s["id"] not in seen]

    def fact_sources(self, citations: list[dict]) -> list[dict]:
        """An edge's own sources (pattern 4): per citation of its fact, the passage with the stating span as
        `quote` (the whole sentence as `sentence`), or the authority."""
        out = []
        for c in citations:
            if "authority" in c:
                out.append({**c, "id": c["authority"], "quote": None, "authority_label": self.label_of(c["authority"])})
            else:
                out.append({**c, "id": c["passage"], "document_label": self.label_of(c["document"])})
        return out

    def edges(self, net: nx.MultiDiGraph) -> list[dict]:
        return [self.edge(u, v, k) for u, v, k in sorted(net.edges(keys=True))]

    def meta(self, net: nx.MultiDiGraph, **extra) -> dict:
        categories = Counter(d["category"] for _, d in net.nodes(data=True))
        theme_counts = Counter(t for _, d in net.nodes(data=True) for t in d["themes"])
        theme_counts.update(t for _, _, d in net.edges(data=True) for t in d["themes"])
        years = sorted(
            {y for _, _, d in net.edges(data=True) for y in (d["begin"], d["end"]) if y is not None}
            | {y for _, d in net.nodes(data=True) for y in (d["begin"], d["end"], d["issued"]) if y is not None}
        )
        return {
            "release": self.net.graph.get("release"),
            "lang": self.lang,
            "nodes": net.number_of_nodes(),
            "edges": net.number_of_edges(),
            "legend": [{"category": c, "count": categories[c]} for c in CATEGORY_NAMES if categories[c]],
            "themes": [
                {
                    "id": t,
                    "slug": slug(t),
                    "label": self.label_of(t),
                    "count": theme_counts[t],
                    "broader": self.themes.get(t, {}).get("broader", []),
                }
                for t in sorted(theme_counts, key=lambda t: (self.label_of(t) or "").casefold())
            ],
            "years": [years[0], years[-1]] if years else None,
            **extra,
        }

    def cytoscape(self, net: nx.MultiDiGraph, **meta) -> dict:
        return {
            "meta": self.meta(net, **meta),
            "elements": {
                "nodes": [{"data": self.node(n)} for n in sorted(net.nodes)],
                "edges": [{"data": e} for e in self.edges(net)],
            },
        }

    def node_link(self, net: nx.MultiDiGraph, **meta) -> dict:
        return {
            "directed": True,
            "multigraph": True,
            "meta": self.meta(net, **meta),
            "nodes": [self.node(n) for n in sorted(net.nodes)],
            "links": self.edges(net),
        }

    def flat(self, net: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """Scalar attributes only, for GraphML and GEXF (lists joined by spaces, missing values left out)."""
        out = nx.MultiDiGraph()
        for n in sorted(net.nodes):
            d = self.node(n)
            attrs = {
                "label": d["label"],
                "slug": d["slug"],
                "type": d["type"],
                "category": d["category"],
                "themes": " ".join(d["themes"]),
                "sources": " ".join(s["id"] for s in d["sources"]),
                **{f"label_{lang}": text for lang, text in d["labels"].items()},
                **{k: v for k, v in d["identifiers"].items()},
                **{k: d[k] for k in ("begin", "end", "issued") if d[k] is not None},
            }
            out.add_node(n, **attrs)
        for u, v, k in sorted(net.edges(keys=True)):
            e = self.edge(u, v, k)
            attrs = {
                "kind": e["kind"],
                "label": e["label"],
                "themes": " ".join(e["themes"]),
                "sources": " ".join(s["id"] for s in e["sources"]),
                **{key: e[key] for key in ("relationship", "role", "status", "begin", "end") if e[key] is not None},
            }
            out.add_edge(u, v, key=e["id"], **attrs)
        return out


def edge_id(u: str, v: str, k: str) -> str:
    """A stable id of an edge: its ends and its key (the relationship IRI or the kind)."""
    return f"{u} {slug(k)} {v}"
