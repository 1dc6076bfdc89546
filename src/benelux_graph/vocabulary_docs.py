"""Documentation of the ontology (`ontology_doc`, the page at /ontology) and of the SHACL shapes (`shapes_doc`, the
page at /shapes): one entry per term or shape, with what the graphs say of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from .graph_index import (
    DESCRIPTION,
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    TITLE,
    Index,
    _ns,
    compact,
)
from .namespaces import BASE, PREFIXES
from .page_model import Link, Value

OWL_NS = str(PREFIXES["owl"])
RDFS_NS = str(PREFIXES["rdfs"])
SH_NS = str(PREFIXES["sh"])
RDF_FIRST = _ns("rdf", "first")
RDF_REST = _ns("rdf", "rest")
RDF_NIL = _ns("rdf", "nil")
SHAPES_NS = BASE + "shapes#"
PLAIN_NUMBERS = {str(PREFIXES["xsd"]) + t for t in ("integer", "decimal", "boolean")}
META_NAMES = {
    "owl:versionIRI": "version IRI",
    "owl:versionInfo": "version",
    "dcterms:license": "licence",
    "dcterms:created": "created",
    "dcterms:creator": "creator",
    "vann:preferredNamespacePrefix": "preferred prefix",
    "vann:preferredNamespaceUri": "namespace",
    "rdfs:seeAlso": "see also",
}


def members(index: Index, head) -> list:
    """The items of an RDF list."""
    out: list = []
    while head is not None and head != RDF_NIL and len(out) < 10_000:
        first = index.value(head, RDF_FIRST)
        if first is None:
            break
        out.append(first)
        head = index.value(head, RDF_REST)
    return out


def term_text(index: Index, node, depth: int = 0) -> str:
    """A node as compact Turtle-like text: prefixed names, quoted literals, ( lists ) and [ blank nodes ]."""
    if isinstance(node, ox.Literal):
        text = '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype.value in PLAIN_NUMBERS:
            return node.value
        if not node.datatype.value.endswith("#string"):
            return f"{text}^^{compact(node.datatype.value)}"
        return text
    if isinstance(node, ox.NamedNode):
        return (
            compact(node.value).replace(SHAPES_NS, "bxsh:")
            if not node.value.startswith(SHAPES_NS)
            else "bxsh:" + node.value[len(SHAPES_NS) :]
        )
    if depth > 8:
        return "[…]"
    if index.value(node, RDF_FIRST) is not None:
        return "( " + " ".join(term_text(index, m, depth + 1) for m in members(index, node)) + " )"
    pairs = sorted(index.out.get(node, ()), key=lambda po: (str(po[0]), str(po[1])))
    return "[ " + " ; ".join(f"{term_text(index, p)} {term_text(index, o, depth + 1)}" for p, o in pairs) + " ]"


@dataclass
class TermDoc:
    iri: str
    anchor: str
    label: str
    comment: str | None
    kinds: list[str]  # owl:ObjectProperty, owl:SymmetricProperty, ...
    facts: list[tuple[str, list[Link]]]  # ("subclass of", [links]) ...
    instances: int = 0


@dataclass
class OntologyDoc:
    iri: str
    title: str
    description: str | None
    metadata: list[tuple[str, list[Value]]]
    classes: list[TermDoc]
    object_properties: list[TermDoc]
    datatype_properties: list[TermDoc]
    reused: list[Link]
    annotation_properties: list[TermDoc]


def anchor_of(iri: str) -> str:
    """The fragment of an ontology term on the documentation page: its local name for bx: terms (so that
    `…/ontology#Forum` lands on it), else its compact IRI."""
    own = str(PREFIXES["bx"])
    return iri[len(own) :] if iri.startswith(own) else compact(iri)


def ontology_doc(
    onto: Index, iri: str, href: Callable[[str], str | None], counts: dict[str, int] | None = None
) -> OntologyDoc:
    """Documentation of every class and property of the ontology graph `onto`."""
    own = str(PREFIXES["bx"])
    node = ox.NamedNode(iri)
    counts = counts or {}

    def link(n) -> Link:
        if isinstance(n, ox.NamedNode) and n.value.startswith(own):
            return Link(n.value, compact(n.value), href(n.value))
        return Link(
            n.value if isinstance(n, ox.NamedNode) else "_:" + n.value,
            compact(n.value) if isinstance(n, ox.NamedNode) else term_text(onto, n),
            href(n.value) if isinstance(n, ox.NamedNode) else None,
        )

    def typed(cls: str) -> list[ox.NamedNode]:
        return sorted(
            (s for s, p in onto.inc.get(ox.NamedNode(cls), ()) if p == RDF_TYPE and isinstance(s, ox.NamedNode)),
            key=lambda n: n.value,
        )

    disjoint: dict = defaultdict(set)
    for group in typed(OWL_NS + "AllDisjointClasses") + [
        s
        for s, p in onto.inc.get(ox.NamedNode(OWL_NS + "AllDisjointClasses"), ())
        if p == RDF_TYPE and isinstance(s, ox.BlankNode)
    ]:
        items = members(onto, onto.value(group, ox.NamedNode(OWL_NS + "members")))
        for a in items:
            disjoint[a].update(b for b in items if b != a)
    for a, p in [(s, p) for s in list(onto.out) for p, o in onto.out[s] if p.value == OWL_NS + "disjointWith"]:
        for b in onto.objects(a, p):
            disjoint[a].add(b)
            disjoint[b].add(a)

    def label_of(n) -> str:
        found = onto.literal(n, (RDFS_LABEL,), "en")
        return found.value if found is not None else compact(n.value)

    def comment_of(n) -> str | None:
        found = onto.literal(n, (RDFS_COMMENT,), "en")
        return found.value if found is not None else None

    sub_of = ox.NamedNode(RDFS_NS + "subClassOf")
    domain, range_ = ox.NamedNode(RDFS_NS + "domain"), ox.NamedNode(RDFS_NS + "range")
    inverse = ox.NamedNode(OWL_NS + "inverseOf")

    def sort_links(nodes) -> list[Link]:
        return sorted((link(n) for n in nodes), key=lambda lk: lk.label.lower())

    classes, reused = [], []
    for c in typed(OWL_NS + "Class"):
        if not c.value.startswith(own):
            reused.append(link(c))
            continue
        facts = [
            ("subclass of", sort_links(onto.objects(c, sub_of))),
            ("subclasses", sort_links(s for s, p in onto.inc.get(c, ()) if p == sub_of)),
            ("disjoint with", sort_links(disjoint.get(c, ()))),
            ("properties with this domain", sort_links(s for s, p in onto.inc.get(c, ()) if p == domain)),
            ("properties with this range", sort_links(s for s, p in onto.inc.get(c, ()) if p == range_)),
        ]
        classes.append(
            TermDoc(
                c.value,
                anchor_of(c.value),
                label_of(c),
                comment_of(c),
                [],
                [(k, v) for k, v in facts if v],
                counts.get(c.value, 0),
            )
        )

    def properties(kind: str, reuse: bool = True) -> list[TermDoc]:
        out = []
        for p in typed(OWL_NS + kind):
            if not p.value.startswith(own):
                if reuse:
                    reused.append(link(p))
                continue
            kinds = [compact(t.value) for t in onto.types(p) if t.value != OWL_NS + kind]
            inverses = onto.objects(p, inverse) + [s for s, pp in onto.inc.get(p, ()) if pp == inverse]
            facts = [
                ("domain", sort_links(onto.objects(p, domain))),
                ("range", sort_links(onto.objects(p, range_))),
                ("inverse of", sort_links(inverses)),
                ("subproperty of", sort_links(onto.objects(p, ox.NamedNode(RDFS_NS + "subPropertyOf")))),
            ]
            out.append(
                TermDoc(
                    p.value,
                    anchor_of(p.value),
                    label_of(p),
                    comment_of(p),
                    kinds,
                    [(k, v) for k, v in facts if v],
                    counts.get(p.value, 0),
                )
            )
        return sorted(out, key=lambda t: t.label.lower())

    object_properties = properties("ObjectProperty")
    datatype_properties = properties("DatatypeProperty")
    # bx:expectedSigningYear: its hash IRI needs an entry too (the annotation properties of other vocabularies the
    # ontology declares, skos:prefLabel..., are not listed among the reused ones, as before)
    annotation_properties = properties("AnnotationProperty", reuse=False)
    metadata = []
    for p in (
        "owl:versionIRI",
        "owl:versionInfo",
        "dcterms:license",
        "dcterms:created",
        "dcterms:creator",
        "vann:preferredNamespacePrefix",
        "vann:preferredNamespaceUri",
        "rdfs:seeAlso",
    ):
        prefix, local = p.split(":")
        values = []
        for o in sorted(onto.objects(node, _ns(prefix, local)), key=str):
            values.append(
                Value(link=link(o))
                if isinstance(o, ox.NamedNode) and o.value.startswith("http")
                else Value(text=o.value, lang=getattr(o, "language", None))
            )
        if values:
            metadata.append((META_NAMES.get(p, p), values))
    title = onto.literal(node, (TITLE, RDFS_LABEL), "en")
    desc = onto.literal(node, (DESCRIPTION, RDFS_COMMENT), "en")
    return OntologyDoc(
        iri,
        title.value if title is not None else compact(iri),
        desc.value if desc is not None else None,
        metadata,
        sorted(classes, key=lambda t: t.label.lower()),
        object_properties,
        datatype_properties,
        sorted({lk.iri: lk for lk in reused}.values(), key=lambda lk: lk.label),
        annotation_properties,
    )


class Said(str):
    """A text and the language it is in (None: no language tag), so that a page marks what is not in its own."""

    lang: str | None = None


def said(literal: ox.Literal | None) -> Said | None:
    if literal is None:
        return None
    text = Said(literal.value)
    text.lang = literal.language
    return text


@dataclass
class PropertyShapeDoc:
    name: str | None
    path: str
    constraints: list[tuple[str, str]]
    severity: str
    message: str | None


@dataclass
class ShapeDoc:
    iri: str
    anchor: str
    label: str
    graph: str
    targets: list[tuple[str, list[Link]]]
    constraints: list[tuple[str, str]]
    properties: list[PropertyShapeDoc]
    sparql: list[tuple[Said | None, str]]  # (message, SELECT text)
    severity: str
    message: str | None


SHAPE_SKIP = {
    "sh:path",
    "sh:name",
    "sh:message",
    "sh:severity",
    "sh:property",
    "sh:sparql",
    "rdf:type",
    "rdfs:label",
    "rdfs:comment",
    "sh:targetClass",
    "sh:targetSubjectsOf",
    "sh:targetObjectsOf",
    "sh:targetNode",
    "sh:description",
    "sh:order",
    "sh:group",
    "sh:deactivated",
}


def shapes_doc(shapes: Index, graphs: dict, href: Callable[[str], str | None], lang: str = "en") -> list[ShapeDoc]:
    """Every named shape (node shapes, and property shapes with an IRI) with its targets, constraints and
    messages, in `lang` where the shapes have it (their messages: the four languages, as /validate says them),
    else English. `graphs` maps each shape IRI to the named graph (file) it comes from."""

    def text(n) -> str:
        return term_text(shapes, n)

    def literal(n, local: str) -> Said | None:
        return said(shapes.literal(n, (_ns("sh", local),), lang))

    def severity(n) -> str:
        s = shapes.value(n, _ns("sh", "severity"))
        return compact(s.value).removeprefix("sh:") if s is not None else "Violation"

    def constraints(n) -> list[tuple[str, str]]:
        out = []
        for p, o in sorted(shapes.out.get(n, ()), key=lambda po: (str(po[0]), str(po[1]))):
            name = compact(p.value)
            if name not in SHAPE_SKIP:
                out.append((name, text(o)))
        return out

    def property_doc(n) -> PropertyShapeDoc:
        path = shapes.value(n, _ns("sh", "path"))
        return PropertyShapeDoc(
            literal(n, "name"),
            text(path) if path is not None else "",
            constraints(n),
            severity(n),
            literal(n, "message"),
        )

    out = []
    node_shape, property_shape = _ns("sh", "NodeShape"), _ns("sh", "PropertyShape")
    named = sorted(
        {s for s in shapes.out if isinstance(s, ox.NamedNode) and shapes.is_a(s, (node_shape, property_shape))},
        key=lambda n: n.value,
    )
    for s in named:
        targets = []
        for local in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"):
            values = shapes.objects(s, _ns("sh", local))
            if values:
                targets.append(
                    (
                        local,
                        [Link(v.value, compact(v.value), href(v.value)) for v in values if isinstance(v, ox.NamedNode)],
                    )
                )
        label = shapes.literal(s, (RDFS_LABEL,), "en")
        props = [property_doc(p) for p in shapes.objects(s, _ns("sh", "property"))]
        props.sort(key=lambda p: (p.path, p.name or ""))
        sparql = [
            (literal(c, "message"), (shapes.value(c, _ns("sh", "select")) or ox.Literal("")).value)
            for c in shapes.objects(s, _ns("sh", "sparql"))
        ]
        own_constraints = constraints(s) if shapes.is_a(s, (node_shape,)) else []
        if shapes.is_a(s, (property_shape,)):
            props = [property_doc(s)] + props
        out.append(
            ShapeDoc(
                s.value,
                s.value[len(SHAPES_NS) :] if s.value.startswith(SHAPES_NS) else compact(s.value),
                label.value if label is not None else text(s),
                graphs.get(s, ""),
                targets,
                own_constraints,
                props,
                sparql,
                severity(s),
                literal(s, "message"),
            )
        )
    return out
