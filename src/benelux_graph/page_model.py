"""An entity's page (`EntityView`): its description (descriptions.py) arranged for reading.

Labels in a chosen language (English as the fallback), relationships grouped by kind, n-ary relationships as
tables, and every source passage as a numbered citation. Nothing here produces markup: templates escape every
value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .graph_index import (
    ALT_LABEL,
    COLUMN_ORDER,
    COMMENTS,
    DERIVED_FROM,
    EXACT,
    FACT,
    FACT_CITATION,
    HAS_BEGINNING,
    HAS_END,
    HAS_SELECTOR,
    HAS_SOURCE,
    IN_YEAR,
    INTERVAL,
    IS_PART_OF,
    NARY,
    PREF_LABEL,
    QUOTE,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_SUBJECT,
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    SECTION,
    SENTENCE,
    SHOWN_APART,
    SOURCE_PASSAGE,
    TERM_LABELS,
    Index,
    compact,
    fold,
)
from .namespaces import PREFIXES

XSD = str(PREFIXES["xsd"])

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

    def fact_label(n) -> tuple[str, str | None] | None:
        """A per-fact provenance node (a bx:Fact, or one of its bx:citation nodes), which has no label, in words:
        "subject · relationship · object" in the reader's language (its language if a name falls back)."""
        fact = n if index.is_a(n, (FACT,)) else next((f for f, p in index.inc.get(n, ()) if p == FACT_CITATION), None)
        if fact is None:
            return None
        s, p, o = (index.value(fact, x) for x in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT))
        if s is None or not isinstance(p, ox.NamedNode) or o is None:
            return None
        (s_text, s_lang), (o_text, o_lang) = name(s), name(o)
        names = [s_lang, o_lang] if isinstance(o, ox.NamedNode) else [s_lang]  # (a literal is a value, not a name)
        return f"{s_text} · {property_link(p).label} · {o_text}", next((x for x in names if x and x != lang), None)

    def name(n) -> tuple[str, str | None]:
        """A node's label, or for one without (a membership node) the name of its kind."""
        text, text_lang = index.label(n, lang)
        if isinstance(n, ox.NamedNode) and text_lang is None and text == compact(n.value):
            kinds = [term_link(t).label for t in index.types(n)]
            return (kinds[0], None) if kinds else (text, None)
        return text, text_lang

    def label(n) -> tuple[str, str | None]:
        text, label_lang = index.label(n, lang)
        if isinstance(n, ox.NamedNode) and label_lang is None and text == compact(n.value):
            return fact_label(n) or (text, label_lang)
        return text, label_lang

    def link(n) -> Link:
        text, label_lang = label(n)
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
            # an XML Schema type (a number, a year, a date) says nothing a reader does not see in the value
            return Value(text=o.value, lang=o.language, datatype=compact(dt) if dt and not dt.startswith(XSD) else None)
        return Value(link=link(o))

    def sort_values(values: list[Value]) -> list[Value]:
        return sorted(values, key=lambda v: fold(v.link.label) if v.link else fold(v.text or ""))

    def groups(pairs, inverse: bool) -> list[Group]:
        by_property: dict = defaultdict(list)
        for p, o in pairs:
            by_property[p].append(o)

        def cited(p, o) -> Value:
            v = value(o)
            # a value (a NUTS code, a date) is a cited fact too: its [n] as a relationship's
            v.refs = fact_refs(o, p, node) if inverse else fact_refs(node, p, o)
            if isinstance(o, ox.Literal) and p == SECTION and not o.language:
                v.lang = "en"  # a section's title, quoted from the programme, which is written in English
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

    title, title_lang = label(node)
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
