"""`benelux-graph stats`: what the graph holds, how much of it is sourced and labelled in each language, and what
the sources leave open (the completeness report: gaps, not errors; `validate` checks errors)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from .namespaces import PREFIXES

LANGUAGES = ("en", "fr", "nl", "de")

#: Nodes that are not entities: relationship nodes, provenance, periods, controlled vocabularies, the ontology.
NOT_ENTITY_TYPES = """bx:SourcePassage org:Membership bx:Cooperation time:Interval time:Instant vcard:Address
    skos:ConceptScheme org:Role bx:CooperationStatus owl:Class owl:ObjectProperty owl:DatatypeProperty owl:Ontology
    owl:AnnotationProperty owl:AllDisjointClasses bx:Fact bx:Citation bx:Authority oa:TextQuoteSelector oa:TextPositionSelector"""


def not_entity(var: str) -> str:
    return f"FILTER NOT EXISTS {{ ?{var} a ?skip_{var} . VALUES ?skip_{var} {{ {NOT_ENTITY_TYPES} }} }}"


ENTITIES = "SELECT DISTINCT ?e WHERE { ?e a ?c . FILTER(isIRI(?e)) " + not_entity("e") + " }"


def compact(iri: str) -> str:
    """The prefixed name by the longest matching namespace (theme:x, not bxr:theme/x)."""
    matches = [(len(str(ns)), prefix) for prefix, ns in PREFIXES.items() if iri.startswith(str(ns))]
    if not matches:
        return iri
    length, prefix = max(matches)
    return f"{prefix}:{iri[length:]}"


@dataclass
class Stats:
    triples: int
    entities: int
    entities_per_class: dict[str, int]
    relationships_per_kind: dict[str, int]
    nary_relationships: dict[str, int]
    source_passages: int
    with_provenance: float
    with_label: dict[str, float]
    #: gaps the sources leave open (ontology/completeness.ttl): {"gaps": n, "by_check": {...}, "items": [...]}
    completeness: dict = field(default_factory=dict)
    relationship_facts: int = 0
    facts_with_own_source: float = 0.0
    entities_grounded: float = 0.0
    unsourced_facts: list[str] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = [f"triples: {self.triples}", f"entities: {self.entities}", "", "entities per class:"]
        lines += [f"  {n:5d}  {c}" for c, n in self.entities_per_class.items()]
        lines += ["", "relationships per kind (plain triples between entities):"]
        lines += [f"  {n:5d}  {p}" for p, n in self.relationships_per_kind.items()]
        lines += ["", "n-ary relationship nodes:"]
        lines += [f"  {n:5d}  {k}" for k, n in self.nary_relationships.items()]
        lines += [
            "",
            f"source passages: {self.source_passages}",
            f"entities with provenance: {self.with_provenance:.1%}",
        ]
        lines += [f"entities with a {lang} label: {share:.1%}" for lang, share in self.with_label.items()]
        lines += [
            "",
            f"relationship facts: {self.relationship_facts}",
            f"relationship facts with their own source: {self.facts_with_own_source:.1%}",
            f"entities grounded (in a sourced fact or a ledger sentence): {self.entities_grounded:.1%}",
        ]
        if self.unsourced_facts:
            lines += ["", "relationship facts without their own source:"]
            lines += [f"  {fact}" for fact in self.unsourced_facts]
        if self.completeness:
            lines += [
                "",
                f"completeness: {self.completeness['gaps']} gaps the sources leave open "
                "(not SHACL results; --format json lists each one):",
            ]
            lines += [f"  {n:5d}  {check}" for check, n in self.completeness["by_check"].items()]
        return "\n".join(lines)


def _rows(store, sparql: str) -> list[tuple]:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return [tuple(s[i] for i in range(len(s))) for s in store.query(prologue + sparql)]


def _count(store, sparql: str) -> int:
    return int(_rows(store, sparql)[0][0].value)


def completeness_report(store) -> dict:
    """The gaps of the data by the shapes of ontology/completeness.ttl: counts per check, and each gap."""
    from .validation import completeness

    report = completeness(store)
    items = [
        {"focus_node": r.focus_node, "path": r.path, "message": r.message, "check": r.source_shape, "file": r.file}
        for r in report.sorted_results()
    ]
    by_check = Counter(item["check"] for item in items)
    return {
        "gaps": len(items),
        "by_check": dict(sorted(by_check.items(), key=lambda kv: (-kv[1], kv[0]))),
        "items": items,
    }


#: A plain triple between two entities (what `relationships per kind` counts), as a WHERE block. The hierarchy of
#: the project's own theme scheme (skos:broader/narrower) is vocabulary, like the class tree: the programmes state
#: no such thing, and it is not counted as a fact (ontology/README.md, pattern 4).
RELATIONSHIPS = (
    "{ " + ENTITIES + " } ?e ?p ?o . "
    "FILTER(isIRI(?o) && ?p NOT IN (rdf:type, prov:wasDerivedFrom, skos:broader, skos:narrower)) "
    "FILTER EXISTS { ?o a ?oc } " + not_entity("o")
)
#: The triple ?e ?p ?o has a statement node with at least one citation of its own.
OWN_SOURCE = "FILTER EXISTS { ?f rdf:subject ?e ; rdf:predicate ?p ; rdf:object ?o ; bx:citation ?c }"


def unsourced_facts(store) -> list[tuple[str, str, str]]:
    """The relationship facts of the graph that have no source of their own (no cited bx:Fact)."""
    rows = _rows(
        store,
        "SELECT ?e ?p ?o WHERE { " + RELATIONSHIPS + " FILTER NOT EXISTS { ?f rdf:subject ?e ; "
        "rdf:predicate ?p ; rdf:object ?o ; bx:citation ?c } } ORDER BY ?p ?e ?o",
    )
    return [(compact(e.value), compact(p.value), compact(o.value)) for e, p, o in rows]


def compute_stats(store, list_unsourced: bool = False) -> Stats:
    entity_block = "{ " + ENTITIES + " }"
    per_class = _rows(
        store,
        "SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { "
        + entity_block
        + " ?e a ?c . } GROUP BY ?c ORDER BY DESC(?n) ?c",
    )
    per_kind = _rows(
        store,
        "SELECT ?p (COUNT(*) AS ?n) WHERE { " + entity_block + " ?e ?p ?o . "
        "FILTER(isIRI(?o) && ?p NOT IN (rdf:type, prov:wasDerivedFrom)) "
        "FILTER EXISTS { ?o a ?oc } " + not_entity("o") + "} GROUP BY ?p ORDER BY DESC(?n) ?p",
    )
    nary = _rows(
        store,
        "SELECT ?k (COUNT(*) AS ?n) WHERE { { ?r a org:Membership ; org:role ?role . "
        "BIND(CONCAT('org:Membership, ', REPLACE(STR(?role), '^.*/', 'role:')) AS ?k) } UNION "
        "{ ?r a bx:Cooperation . BIND('bx:Cooperation' AS ?k) } } GROUP BY ?k ORDER BY ?k",
    )
    total = _count(store, "SELECT (COUNT(*) AS ?n) WHERE " + entity_block)
    sourced = _count(
        store, "SELECT (COUNT(*) AS ?n) WHERE { " + entity_block + " FILTER EXISTS { ?e prov:wasDerivedFrom ?src } }"
    )
    labelled = {
        lang: _count(
            store,
            "SELECT (COUNT(*) AS ?n) WHERE { "
            + entity_block
            + f' FILTER EXISTS {{ ?e skos:prefLabel ?l FILTER(lang(?l) = "{lang}") }} }}',
        )
        for lang in LANGUAGES
    }
    facts = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { " + RELATIONSHIPS + " }")
    own = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { " + RELATIONSHIPS + " " + OWN_SOURCE + " }")
    grounded = _count(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { " + entity_block + " FILTER EXISTS { "
        "{ ?f rdf:subject ?e ; bx:citation ?c } UNION { ?f rdf:object ?e ; bx:citation ?c } UNION "
        "{ ?e prov:wasDerivedFrom ?s . ?s bx:quote ?q ; oa:start ?start } } }",
    )

    def share(n):
        return n / total if total else 0.0

    return Stats(
        triples=_count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        entities=total,
        entities_per_class={compact(c.value): int(n.value) for c, n in per_class},
        relationships_per_kind={compact(p.value): int(n.value) for p, n in per_kind},
        nary_relationships={k.value: int(n.value) for k, n in nary},
        source_passages=_count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a bx:SourcePassage }"),
        with_provenance=share(sourced),
        with_label={lang: share(n) for lang, n in labelled.items()},
        completeness=completeness_report(store) if hasattr(store, "files") else {},
        relationship_facts=facts,
        facts_with_own_source=own / facts if facts else 0.0,
        entities_grounded=share(grounded),
        unsourced_facts=[" ".join(row) for row in unsourced_facts(store)] if list_unsourced else None,
    )
