"""The description of one entity, for machines (triples) and for its HTML page (an `EntityView`).

The description of an IRI is:

- every statement about it (and about the blank nodes it points to, recursively);
- every statement pointing to it;
- every n-ary relationship node it takes part in (`org:Membership`, `bx:Cooperation`), with all their statements;
- the periods used (`org:memberDuring`, `dcterms:temporal`) with their beginning and end years;
- the source passages the entity and those relationship nodes are derived from (quote, section, document);
- the types and labels of every resource mentioned, so that a reader needs nothing else to show it.

`EntityView` arranges the same for a page: labels in a chosen language (English as the fallback), relationships
grouped by kind, n-ary relationships as tables, and every source passage as a numbered citation.
Nothing here produces markup: templates escape every value.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from .namespaces import BASE, PREFIXES

LANGUAGES = ("en", "fr", "nl", "de")


def _ns(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(str(PREFIXES[prefix]) + local)


RDF_TYPE = _ns("rdf", "type")
PREF_LABEL = _ns("skos", "prefLabel")
ALT_LABEL = _ns("skos", "altLabel")
RDFS_LABEL = _ns("rdfs", "label")
RDFS_COMMENT = _ns("rdfs", "comment")
DEFINITION = _ns("skos", "definition")
TITLE = _ns("dcterms", "title")
DESCRIPTION = _ns("dcterms", "description")
FOAF_NAME = _ns("foaf", "name")
DERIVED_FROM = _ns("prov", "wasDerivedFrom")
IS_PART_OF = _ns("dcterms", "isPartOf")
TEMPORAL = _ns("dcterms", "temporal")
MEMBER_DURING = _ns("org", "memberDuring")
HAS_BEGINNING = _ns("time", "hasBeginning")
HAS_END = _ns("time", "hasEnd")
IN_YEAR = _ns("time", "inXSDgYear")
QUOTE = _ns("bx", "quote")
SECTION = _ns("bx", "sectionTitle")
SOURCE_PASSAGE = _ns("bx", "SourcePassage")
# Per-fact provenance (ontology/README.md, pattern 4)
FACT = _ns("bx", "Fact")
FACT_CITATION = _ns("bx", "citation")
SENTENCE = _ns("bx", "sentence")
HAS_SOURCE = _ns("oa", "hasSource")
HAS_SELECTOR = _ns("oa", "hasSelector")
EXACT = _ns("oa", "exact")
RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = (_ns("rdf", n) for n in ("subject", "predicate", "object"))
INTERVAL = _ns("time", "Interval")
NARY = (_ns("org", "Membership"), _ns("bx", "Cooperation"))
PERIOD_PROPERTIES = (MEMBER_DURING, TEMPORAL)

LABELS = (PREF_LABEL, RDFS_LABEL, TITLE, FOAF_NAME)
#: Columns of relationship tables come in this order (then by label, comments last).
COLUMN_ORDER = [
    _ns("org", "member"),
    _ns("org", "organization"),
    _ns("bx", "partner"),
    _ns("org", "role"),
    MEMBER_DURING,
    TEMPORAL,
    _ns("bx", "cooperationStatus"),
    _ns("bx", "basedOn"),
    _ns("bx", "addressesTheme"),
]
COMMENTS = (RDFS_COMMENT, DEFINITION, DESCRIPTION)
#: Statements the page shows in its own sections, not among the relationships or details.
SHOWN_APART = {RDF_TYPE, PREF_LABEL, ALT_LABEL, RDFS_LABEL, FOAF_NAME, DERIVED_FROM, *COMMENTS}

#: Readable names of the reused terms the ontology declares without a label; ontology labels win.
TERM_LABELS = {
    "org:member": "member",
    "org:organization": "organisation",
    "org:role": "role",
    "org:memberDuring": "during",
    "org:memberOf": "member of",
    "org:unitOf": "unit of",
    "org:hasUnit": "has unit",
    "org:headOf": "head of",
    "org:hasSite": "has site",
    "org:siteOf": "site of",
    "org:Membership": "membership",
    "org:Organization": "organisation",
    "org:FormalOrganization": "formal organisation",
    "org:OrganizationalUnit": "organisational unit",
    "org:Role": "role",
    "org:Site": "site",
    "skos:prefLabel": "label",
    "skos:altLabel": "other label",
    "skos:broader": "broader",
    "skos:narrower": "narrower",
    "skos:inScheme": "in scheme",
    "skos:topConceptOf": "top concept of",
    "skos:hasTopConcept": "top concept",
    "skos:Concept": "concept",
    "skos:ConceptScheme": "concept scheme",
    "skos:definition": "definition",
    "skos:notation": "notation",
    "prov:wasDerivedFrom": "source",
    "dcterms:isPartOf": "part of",
    "dcterms:hasPart": "has part",
    "dcterms:publisher": "publisher",
    "dcterms:temporal": "period",
    "dcterms:issued": "issued",
    "dcterms:created": "created",
    "dcterms:title": "title",
    "dcterms:alternative": "alternative title",
    "dcterms:source": "source",
    "dcterms:identifier": "identifier",
    "dcterms:description": "description",
    "rdfs:comment": "comment",
    "rdfs:label": "label",
    "rdfs:seeAlso": "see also",
    "time:hasBeginning": "beginning",
    "time:hasEnd": "end",
    "time:inXSDgYear": "year",
    "time:Interval": "period",
    "time:Instant": "instant",
    "foaf:name": "name",
    "foaf:Person": "person",
    "foaf:Agent": "agent",
    "rdf:type": "type",
    "owl:sameAs": "same as",
    "vcard:hasAddress": "address",
    "vcard:street-address": "street address",
    "vcard:postal-code": "postal code",
    "vcard:locality": "locality",
    "vcard:country-name": "country",
    "sh:select": "SPARQL query",
    "sh:construct": "SPARQL query",
    "sh:ask": "SPARQL query",
    "sh:SPARQLExecutable": "SPARQL query",
    "sh:SPARQLSelectExecutable": "SELECT query",
    "sh:SPARQLConstructExecutable": "CONSTRUCT query",
    "sh:SPARQLAskExecutable": "ASK query",
    "dcat:keyword": "keyword",
}
#: How a relationship reads from its object's side; otherwise "<label> (of this)".
INVERSE_LABELS = {
    "org:memberOf": "members",
    "bx:partyTo": "parties",
    "dcterms:isPartOf": "parts",
    "dcterms:hasPart": "part of",
    "bx:locatedIn": "located here",
    "prov:wasDerivedFrom": "derived from this",
    "bx:concerns": "concerned by",
    "bx:addressesTheme": "addressed by",
    "skos:broader": "narrower",
    "skos:inScheme": "in this scheme",
    "skos:topConceptOf": "top concepts",
    "bx:programme": "components",
    "bx:basedOn": "basis of",
    "bx:presidencyHeldBy": "holds the presidency of",
    "bx:secretariatProvidedBy": "provides the secretariat of",
    "bx:chairedBy": "chairs",
    "bx:participatesIn": "participants",
    "bx:hosts": "hosted by",
    "bx:supports": "supported by",
    "bx:advises": "advised by",
    "org:headOf": "headed by",
    "org:unitOf": "units",
    "org:hasUnit": "unit of",
    "org:hasSite": "site of",
    "bx:predecessorOf": "successor of",
    "bx:successorOf": "predecessor of",
    "bx:cooperatesWith": "cooperates with",
    "dcterms:publisher": "published",
    "dcterms:temporal": "in this period",
    "org:memberDuring": "in this period",
    "time:hasBeginning": "beginning of",
    "time:hasEnd": "end of",
    "org:role": "in this role",
    "bx:cooperationStatus": "with this status",
    "rdf:type": "instances",
}


def compact(iri: str) -> str:
    best = ""
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if iri.startswith(ns) and len(ns) > len(str(PREFIXES.get(best, ""))):
            best = prefix
    return f"{best}:{iri[len(str(PREFIXES[best])) :]}" if best else iri


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text, for search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- the index -------------------------------------------------------------------------------------------


class Index:
    """Statements by subject and by object, over the graphs that entity pages describe."""

    def __init__(self, statements: Iterable[ox.Quad | ox.Triple]):
        self.out: dict = defaultdict(list)
        self.inc: dict = defaultdict(list)
        seen = set()
        for q in statements:
            t = (q.subject, q.predicate, q.object)
            if t in seen:
                continue
            seen.add(t)
            self.out[q.subject].append((q.predicate, q.object))
            self.inc[q.object].append((q.subject, q.predicate))

    def __contains__(self, node) -> bool:
        return node in self.out or node in self.inc

    @cached_property
    def searched(self) -> list[tuple]:
        """(subject, predicate, literal, folded text) of every label `search` looks at: folded once, not on
        every search (folding every label took most of a search's time, and an unknown page runs two)."""
        return [
            (s, p, o, fold(o.value))
            for s, pairs in self.out.items()
            if isinstance(s, ox.NamedNode) and s.value.startswith(BASE)
            for p, o in pairs
            if p in SEARCHED and isinstance(o, ox.Literal)
        ]

    def objects(self, s, p) -> list:
        return [o for pp, o in self.out.get(s, ()) if pp == p]

    def value(self, s, p):
        values = self.objects(s, p)
        return values[0] if values else None

    def types(self, s) -> list[ox.NamedNode]:
        return sorted((o for o in self.objects(s, RDF_TYPE) if isinstance(o, ox.NamedNode)), key=lambda t: t.value)

    def is_a(self, s, classes) -> bool:
        return any(t in classes for t in self.objects(s, RDF_TYPE))

    def literal(self, s, props, lang: str) -> ox.Literal | None:
        """The value of the first property that has one in `lang`, else in English, else any."""
        for p in props:
            values = [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]
            for wanted in (lang, "en"):
                for v in sorted(values, key=lambda v: v.value):
                    if v.language == wanted:
                        return v
            if values:
                return min(values, key=lambda v: (v.language or "", v.value))
        return None

    def label(self, node, lang: str = "en") -> tuple[str, str | None]:
        """(text, language) of a node's label in `lang`, English as the fallback; a readable name otherwise."""
        if isinstance(node, ox.Literal):
            return node.value, node.language
        if isinstance(node, ox.BlankNode):
            return "_:" + node.value, None
        found = self.literal(node, LABELS, lang)
        if found is not None:
            return found.value, found.language
        if self.is_a(node, (SOURCE_PASSAGE,)):
            quote = self.value(node, QUOTE)
            if quote is not None:
                text = quote.value if len(quote.value) <= 80 else quote.value[:77].rsplit(" ", 1)[0] + " …"
                return f"“{text}”", quote.language
        short = compact(node.value)
        return TERM_LABELS.get(short, short), None

    def labels(self, node) -> dict[str, list[str]]:
        """Preferred labels by language, in LANGUAGES order then the others."""
        out: dict[str, list[str]] = {}
        for v in self.objects(node, PREF_LABEL) or self.objects(node, RDFS_LABEL):
            if isinstance(v, ox.Literal):
                out.setdefault(v.language or "", []).append(v.value)
        order = {lang: i for i, lang in enumerate(LANGUAGES)}
        return {k: sorted(out[k]) for k in sorted(out, key=lambda k: (order.get(k, 9), k))}


# --- the description as triples --------------------------------------------------------------------------


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


# --- the description as a page ---------------------------------------------------------------------------


@dataclass
class Link:
    iri: str
    label: str
    href: str | None  # None for a node with no page (a blank node)
    lang: str | None = None  # language of the label, when it is not the page's
    detail: str | None = None  # e.g. the years of a period


@dataclass
class Value:
    """A cell: a link, a literal text, or a citation number."""

    link: Link | None = None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    citation: int | None = None
    refs: list[int] = field(default_factory=list)  # citations of the fact this value states (pattern 4)


@dataclass
class Group:
    property: Link
    values: list[Value]
    inverse: bool = False


@dataclass
class Citation:
    number: int
    passage: Link
    quote: str
    lang: str | None
    section: str | None
    document: Link | None
    others: list[Link] = field(default_factory=list)  # other passages with the same words (another file's)
    mark: str | None = None  # the span of the quote that states the fact, to highlight


@dataclass
class RelationshipTable:
    """The n-ary relationship nodes of one class in which the entity takes the same place (e.g. memberships in
    which it is the organisation): one row per node, one column per property."""

    kind: Link
    role: Link  # the property by which the entity takes part (org:organization, bx:partner, ...)
    columns: list[Link]
    rows: list[dict]  # {"node": Link, "cells": [[Value]], "sources": [int]}


@dataclass
class EntityView:
    iri: str
    title: str
    title_lang: str | None
    lang: str
    labels: dict[str, list[str]]
    alt_labels: list[tuple[str, str | None]]
    types: list[Link]
    comments: list[Value]
    details: list[Group]
    outgoing: list[Group]
    incoming: list[Group]
    relationships: list[RelationshipTable]
    citations: list[Citation] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)  # the entity's own citations


def entity_view(
    index: Index,
    iri: str,
    lang: str,
    href: Callable[[str], str | None],
    terms: Callable[[str, str], str | None] = lambda iri, lang: None,
) -> EntityView:
    """`terms(iri, lang)`: a class's or property's name in the reader's language, if the pages know one."""
    node = ox.NamedNode(iri)
    citations: dict[ox.NamedNode | tuple, Citation] = {}  # a passage, or a fact's (sentence, marked span)

    def term_link(n: ox.NamedNode) -> Link:
        text = terms(n.value, lang)
        return Link(n.value, text, href(n.value)) if text else link(n)

    def link(n) -> Link:
        text, label_lang = index.label(n, lang)
        detail = None
        if isinstance(n, ox.NamedNode) and index.is_a(n, (INTERVAL,)):
            years = [index.value(b, IN_YEAR) for b in (index.value(n, HAS_BEGINNING), index.value(n, HAS_END))]
            if all(y is not None for y in years):
                span = f"{years[0].value}–{years[1].value}"
                detail = span if span.replace("–", "-") != text else None
        return Link(
            n.value if not isinstance(n, ox.BlankNode) else "_:" + n.value,
            text,
            href(n.value) if isinstance(n, ox.NamedNode) else None,
            label_lang if label_lang and label_lang != lang else None,
            detail,
        )

    def property_link(p: ox.NamedNode, inverse: bool = False) -> Link:
        short = compact(p.value)
        found = index.literal(p, (RDFS_LABEL,), "en")
        text = found.value if found is not None else TERM_LABELS.get(short, short)
        text = terms(p.value, lang) or text
        if inverse:
            text = INVERSE_LABELS.get(short, f"{text} (of this)") if lang == "en" else f"← {text}"
        return Link(p.value, text, href(p.value))

    same_text: dict[tuple, Citation] = {}

    def cite(passage) -> int:
        """The number of a passage's citation; passages with the same words in the same section share one."""
        if passage not in citations:
            quote = index.value(passage, QUOTE)
            section = index.value(passage, SECTION)
            document = index.value(passage, IS_PART_OF)
            words = (str(quote), str(section), str(document))
            if quote is not None and words in same_text:
                citations[passage] = same_text[words]
                citations[passage].others.append(link(passage))
            else:
                citations[passage] = same_text.setdefault(
                    words,
                    Citation(
                        len(set(map(id, citations.values()))) + 1,
                        link(passage),
                        quote.value if quote is not None else "",
                        quote.language if quote is not None else None,
                        section.value if section is not None else None,
                        link(document) if document is not None else None,
                    ),
                )
        return citations[passage].number

    def cite_fact(citation) -> int:
        """The number of a fact's citation: its sentence with the stating span marked, or its authority."""
        sentence = index.value(citation, SENTENCE)
        exact = next(
            (e.value for sel in index.objects(citation, HAS_SELECTOR) if (e := index.value(sel, EXACT)) is not None),
            None,
        )
        source = index.value(citation, HAS_SOURCE)
        passage = sentence if sentence is not None else source
        key = (passage, exact)
        if key not in citations:
            quote = index.value(sentence, QUOTE) if sentence is not None else None
            section = index.value(sentence, SECTION) if sentence is not None else None
            text = quote.value if quote is not None else index.label(source, lang)[0]
            citations[key] = Citation(
                len(set(map(id, citations.values()))) + 1,
                link(passage),
                text,
                quote.language if quote is not None else None,
                section.value if section is not None else None,
                link(source) if sentence is not None and source is not None else None,
                mark=exact,
            )
        return citations[key].number

    def fact_refs(subject, predicate, obj) -> list[int]:
        for f, p in index.inc.get(subject, ()):
            if p == RDF_SUBJECT and index.value(f, RDF_PREDICATE) == predicate and index.value(f, RDF_OBJECT) == obj:
                return sorted({cite_fact(c) for c in index.objects(f, FACT_CITATION)})
        return []

    def value(o) -> Value:
        if isinstance(o, ox.Literal):
            dt = o.datatype.value if not o.language else None
            return Value(
                text=o.value, lang=o.language, datatype=compact(dt) if dt and not dt.endswith("#string") else None
            )
        return Value(link=link(o))

    def sort_values(values: list[Value]) -> list[Value]:
        return sorted(values, key=lambda v: fold(v.link.label) if v.link else fold(v.text or ""))

    def groups(pairs, inverse: bool) -> list[Group]:
        by_property: dict = defaultdict(list)
        for p, o in pairs:
            by_property[p].append(o)

        def cited(p, o) -> Value:
            v = value(o)
            if not isinstance(o, ox.Literal):
                v.refs = fact_refs(o, p, node) if inverse else fact_refs(node, p, o)
            return v

        out = [
            Group(property_link(p, inverse), sort_values([cited(p, o) for o in objs]), inverse)
            for p, objs in by_property.items()
        ]
        return sorted(out, key=lambda g: fold(g.property.label))

    own = [(p, o) for p, o in index.out.get(node, ()) if p not in SHOWN_APART]
    details = groups([(p, o) for p, o in own if isinstance(o, ox.Literal)], False)
    outgoing = groups([(p, o) for p, o in own if not isinstance(o, ox.Literal)], False)

    # n-ary relationship nodes pointing to the entity: one table per (class, property)
    tables: dict[tuple, list] = defaultdict(list)
    plain_incoming = []
    for s, p in index.inc.get(node, ()):
        if p in (RDF_SUBJECT, RDF_OBJECT) and index.is_a(s, (FACT,)):
            continue
        if index.is_a(s, NARY):
            kind = next(t for t in index.types(s) if t in NARY)
            tables[(kind, p)].append(s)
        else:
            plain_incoming.append((p, s))
    incoming = groups(plain_incoming, True)

    sources = [cite(p) for p in sorted(index.objects(node, DERIVED_FROM), key=lambda n: n.value)]
    if index.is_a(node, (SOURCE_PASSAGE,)):
        sources = [cite(node)] + sources

    relationships = []
    for (kind, role), members in sorted(tables.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value)):
        columns: list[ox.NamedNode] = []
        rows: list[dict] = []
        for r in sorted(members, key=lambda m: m.value):
            cells: dict = defaultdict(list)
            for p, o in index.out.get(r, ()):
                if p in (RDF_TYPE, DERIVED_FROM, PREF_LABEL, RDFS_LABEL) or (p == role and o == node):
                    continue
                cells[p].append(o)
                if p not in columns:
                    columns.append(p)
            rows.append(
                {
                    "node": link(r),
                    "cells": cells,
                    "sources": list(
                        dict.fromkeys(cite(p) for p in sorted(index.objects(r, DERIVED_FROM), key=lambda n: n.value))
                    ),
                }
            )
        columns.sort(
            key=lambda p: (
                COLUMN_ORDER.index(p) if p in COLUMN_ORDER else len(COLUMN_ORDER),
                p == RDFS_COMMENT,
                fold(property_link(p).label),
            )
        )
        for row in rows:
            row["cells"] = [sort_values([value(o) for o in row["cells"].get(p, [])]) for p in columns]
        relationships.append(
            RelationshipTable(term_link(kind), property_link(role), [property_link(p) for p in columns], rows)
        )

    title, title_lang = index.label(node, lang)
    comments = []
    for p in COMMENTS:
        chosen = index.literal(node, (p,), lang)
        if chosen is not None:
            comments.append(value(chosen))
    alt = sorted(
        ((v.value, v.language) for v in index.objects(node, ALT_LABEL) if isinstance(v, ox.Literal)),
        key=lambda x: (x[1] or "", x[0]),
    )
    return EntityView(
        iri=iri,
        title=title,
        title_lang=title_lang if title_lang != lang else None,
        lang=lang,
        labels=index.labels(node),
        alt_labels=alt,
        types=[term_link(t) for t in index.types(node)],
        comments=comments,
        details=details,
        outgoing=outgoing,
        incoming=incoming,
        relationships=relationships,
        citations=sorted({id(c): c for c in citations.values()}.values(), key=lambda c: c.number),
        sources=sorted(set(sources), key=sources.index),
    )


def sparql_about(iri: str, lang: str = "en") -> str:
    """A ready-made query: every statement from and to the entity, with English (or `lang`) labels."""
    return (
        f"PREFIX skos: <{PREFIXES['skos']}>\n\n"
        "# Everything the graph says about this entity, in both directions\n"
        "SELECT ?direction ?property ?value ?valueLabel WHERE {\n"
        f'  {{ <{iri}> ?property ?value . BIND("outgoing" AS ?direction) }}\n'
        "  UNION\n"
        f'  {{ ?value ?property <{iri}> . BIND("incoming" AS ?direction) }}\n'
        f'  OPTIONAL {{ ?value skos:prefLabel ?valueLabel . FILTER(lang(?valueLabel) = "{lang}") }}\n'
        "}\nORDER BY DESC(?direction) ?property ?value\n"
    )


# --- search ------------------------------------------------------------------------------------------------


@dataclass
class Hit:
    iri: str
    label: str
    label_lang: str | None
    matched: str
    matched_lang: str | None
    types: list[str]
    score: int


SEARCHED = (PREF_LABEL, ALT_LABEL, RDFS_LABEL, TITLE, FOAF_NAME, _ns("dcterms", "alternative"))


def search(index: Index, query: str, lang: str = "en", limit: int = 50, any_word: bool = False) -> list[Hit]:
    """Resources whose labels (any of the four languages, alternative labels too) contain every word of
    `query` (with `any_word`, one of them at least), ignoring case and accents; exact matches first, then prefix
    matches, then the others. One pass over the labels, however many words."""
    words = fold(query).split()
    if not words:
        return []
    wanted = " ".join(words)
    matches = any if any_word else all
    hits: dict = {}
    for s, p, o, text in index.searched:
        if not matches(w in text for w in words):
            continue
        score = 3 if text == wanted else 2 if text.startswith(wanted) else 1
        score = score * 2 + (p == PREF_LABEL) + (o.language == lang)
        if s not in hits or score > hits[s][0]:
            hits[s] = (score, o)
    out = []
    for s, (score, o) in hits.items():
        label, label_lang = index.label(s, lang)
        out.append(
            Hit(s.value, label, label_lang, o.value, o.language, [compact(t.value) for t in index.types(s)], score)
        )
    out.sort(key=lambda h: (-h.score, fold(h.label), h.iri))
    return out[:limit]


# --- documentation of the ontology and of the shapes --------------------------------------------------------

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

    def properties(kind: str) -> list[TermDoc]:
        out = []
        for p in typed(OWL_NS + kind):
            if not p.value.startswith(own):
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
    )


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
    sparql: list[tuple[str | None, str]]  # (message, SELECT text)
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


def shapes_doc(shapes: Index, graphs: dict, href: Callable[[str], str | None]) -> list[ShapeDoc]:
    """Every named shape (node shapes, and property shapes with an IRI) with its targets, constraints and
    messages. `graphs` maps each shape IRI to the named graph (file) it comes from."""

    def text(n) -> str:
        return term_text(shapes, n)

    def literal(n, local: str) -> str | None:
        found = shapes.literal(n, (_ns("sh", local),), "en")
        return found.value if found is not None else None

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
