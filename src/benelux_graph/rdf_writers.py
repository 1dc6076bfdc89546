"""RDF written deterministically: the same statements give the same bytes (the dumps, the descriptions of
linked data).

- blank nodes get the labels of W3C RDF Dataset Canonicalization (RDFC-1.0, `_:c14n0`, ...) (`canonical`);
- statements are sorted (graph, subject, `rdf:type` first then predicate, object) (`sort_key`);
- prefixes are the fixed map of `namespaces.PREFIXES`, written in that order;
- JSON-LD is written here (keys sorted, one inline context, the one published at `/context.jsonld`), the other
  formats by pyoxigraph (formats.py);
- gzip files carry no name and mtime 0.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Sequence

import pyoxigraph as ox

from .formats import COMPACTED, EXPANDED, FLATTENED, Format
from .namespaces import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIX_MAP: dict[str, str] = {p: str(ns) for p, ns in PREFIXES.items()}


def sort_key(q: ox.Quad | ox.Triple) -> tuple:
    graph = str(q.graph_name) if isinstance(q, ox.Quad) else ""
    predicate = str(q.predicate)
    return (graph, str(q.subject), predicate != f"<{RDF_TYPE}>", predicate, str(q.object))


def canonical(quads) -> list[ox.Quad]:
    """The quads with RDFC-1.0 blank-node labels (derived from content), sorted."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=sort_key)


def triples_of(quads) -> list[ox.Triple]:
    """The statements of every graph merged into one graph: distinct triples, sorted."""
    return sorted({q.triple for q in quads}, key=sort_key)


# --- serialisation ----------------------------------------------------------------------------------------


def header(lines: list[str]) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def with_fixed_prefixes(data: bytes, prefixes: dict[str, str], comment: str = "") -> bytes:
    """Turtle/TriG with the prefix lines written in our fixed order (the serializer may order them its way)."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("@prefix "):
        i += 1
    fixed = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items())
    return (comment + fixed + "\n" + "\n".join(lines[i:])).encode("utf-8")


def compact(iri: str, prefixes: dict[str, str] = PREFIX_MAP) -> str:
    """prefix:local for the longest namespace that fits, else the IRI itself (JSON-LD compact IRIs)."""
    best = ""
    for p, ns in prefixes.items():
        if (
            iri.startswith(ns)
            and len(ns) > len(prefixes.get(best, ""))
            and len(iri) > len(ns)
            and not iri[len(ns) :].startswith("//")
        ):
            best = p
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else iri


def jsonld_context(prefixes: dict[str, str] = PREFIX_MAP) -> dict:
    return {"@context": dict(prefixes)}


def jsonld_value(term, prefixes: dict[str, str]) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value, prefixes)}
    if isinstance(term, ox.BlankNode):
        return {"@id": "_:" + term.value}
    out = {"@value": term.value}
    if term.language:
        out["@language"] = term.language
    elif term.datatype.value != XSD + "string":
        out["@type"] = compact(term.datatype.value, prefixes)
    return out


def jsonld_nodes(statements, prefixes: dict[str, str]) -> list[dict]:
    nodes: dict[str, dict] = {}
    for t in statements:
        s = t.subject
        sid = "_:" + s.value if isinstance(s, ox.BlankNode) else compact(s.value, prefixes)
        node = nodes.setdefault(sid, {"@id": sid})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(t.object.value, prefixes))
        else:
            node.setdefault(compact(t.predicate.value, prefixes), []).append(jsonld_value(t.object, prefixes))
    return [nodes[k] for k in sorted(nodes, key=lambda k: (k.startswith("_:"), k))]


def compacted_value(values: list):
    """A property's values as compaction writes them (compactArrays): one value alone, a plain string as a string."""
    out = [v["@value"] if set(v) == {"@value"} and isinstance(v["@value"], str) else v for v in values]
    return out[0] if len(out) == 1 else out


def compacted_node(node: dict) -> dict:
    return {k: v if k == "@id" else compacted_value(v) if k != "@graph" else v for k, v in node.items()}


def jsonld(statements, named_graphs: bool, prefixes: dict[str, str] = PREFIX_MAP, form: str = FLATTENED) -> bytes:
    """JSON-LD: node objects per named graph (or one merged graph), keys sorted. FLATTENED (the dumps' form): with
    an inline context and compact IRIs, every value in an array; COMPACTED: the same with one value alone and
    plain strings unwrapped; EXPANDED: no context, full IRIs, a top-level array."""
    if form == EXPANDED:
        prefixes = {}
    statements = list(statements)
    if named_graphs:
        by_graph: dict[str, list] = {}
        for q in statements:
            by_graph.setdefault(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "", []).append(q)
        graphs: list[dict] = []
        for name in sorted(by_graph):
            nodes = jsonld_nodes(by_graph[name], prefixes)
            graphs.extend(nodes if not name else [{"@id": compact(name, prefixes), "@graph": nodes}])
    else:
        graphs = jsonld_nodes(statements, prefixes)
    if form == COMPACTED:
        graphs = [
            compacted_node({**g, "@graph": [compacted_node(n) for n in g["@graph"]]})
            if "@graph" in g
            else compacted_node(g)
            for g in graphs
        ]
    doc: dict | list = graphs if form == EXPANDED else {"@context": dict(prefixes), "@graph": graphs}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def serialize(statements, fmt: Format, prefixes: dict[str, str] = PREFIX_MAP, comment: Sequence[str] = ()) -> bytes:
    """Statements (quads for a quad format, else triples or quads merged) as bytes, deterministically.

    The statements must already be in `sort_key` order with stable blank-node labels (see `canonical`).
    """
    statements = list(statements)
    if not fmt.named_graphs:
        statements = [q.triple if isinstance(q, ox.Quad) else q for q in statements]
        if any(isinstance(q, ox.Triple) for q in statements):
            statements = sorted(set(statements), key=sort_key)
    elif statements and isinstance(statements[0], ox.Triple):
        statements = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in statements]
    if fmt.name == "jsonld":
        return jsonld(statements, named_graphs=True, prefixes=prefixes, form=fmt.profile or FLATTENED)
    rdf_format = fmt.rdf
    if fmt.name in ("turtle", "trig"):
        data = ox.serialize(statements, format=rdf_format, prefixes=prefixes) or b""  # bytes: no output given
        return with_fixed_prefixes(data, prefixes, header(list(comment)))
    if fmt.name == "rdfxml":
        return ox.serialize(statements, format=rdf_format, prefixes=prefixes) or b""
    return ox.serialize(statements, format=rdf_format) or b""


def graph_iri(quad: ox.Quad) -> str:
    """The IRI of a quad's named graph ('' for the default graph, which the project's store never fills)."""
    return quad.graph_name.value if not isinstance(quad.graph_name, ox.DefaultGraph) else ""


def gzipped(data: bytes) -> bytes:
    """gzip with no file name and mtime 0, so the same bytes give the same archive."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
