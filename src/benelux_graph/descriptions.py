"""The statements describing one entity (`description`: the data behind `/data/<slug>`), for machines.

The description of an IRI is:

- every statement about it (and about the blank nodes it points to, recursively);
- every statement pointing to it;
- every n-ary relationship node it takes part in (`org:Membership`, `bx:Cooperation`), with all their statements;
- the periods used (`org:memberDuring`, `dcterms:temporal`) with their beginning and end years;
- the source passages the entity and those relationship nodes are derived from (quote, section, document);
- the types and labels of every resource mentioned, so that a reader needs nothing else to show it.
"""

from __future__ import annotations

import pyoxigraph as ox

from .graph_index import (
    DERIVED_FROM,
    HAS_BEGINNING,
    HAS_END,
    LABELS,
    NARY,
    PERIOD_PROPERTIES,
    RDF_TYPE,
    Index,
)


def description(index: Index, iri: str) -> list[ox.Triple]:
    """The statements describing `iri` (see the module docstring), without duplicates, in a stable order."""
    node = ox.NamedNode(iri)
    out: set[ox.Triple] = set()

    def about(s, depth: int = 0) -> None:
        for p, o in index.out.get(s, ()):
            out.add(ox.Triple(s, p, o))
            if isinstance(o, ox.BlankNode) and depth < 20:
                about(o, depth + 1)

    about(node)
    relationship_nodes = []
    for s, p in index.inc.get(node, ()):
        out.add(ox.Triple(s, p, node))
        if index.is_a(s, NARY):
            relationship_nodes.append(s)
    if index.is_a(node, NARY):
        relationship_nodes.append(node)
    for r in relationship_nodes:
        about(r)
    for s in [node, *relationship_nodes]:
        for p in PERIOD_PROPERTIES:
            for period in index.objects(s, p):
                about(period)
                for bound in index.objects(period, HAS_BEGINNING) + index.objects(period, HAS_END):
                    about(bound)
        for passage in index.objects(s, DERIVED_FROM):
            about(passage)
    mentioned = {t.subject for t in out} | {
        t.object for t in out if not isinstance(t.object, ox.Literal) and t.predicate != RDF_TYPE
    }
    for m in mentioned:
        if isinstance(m, ox.NamedNode):
            for p, o in index.out.get(m, ()):
                if p == RDF_TYPE or p in LABELS:
                    out.add(ox.Triple(m, p, o))
    return sorted(out, key=lambda t: (str(t.subject), t.predicate != RDF_TYPE, str(t.predicate), str(t.object)))
