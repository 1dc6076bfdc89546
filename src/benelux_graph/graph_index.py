"""The graph as the pages see it: an index of statements by subject and by object (`Index`), the terms the
pages and descriptions read, and the helpers every view of an entity uses (`compact`, `fold`).

The views built on it: descriptions.py (the statements describing an entity, the data behind `/data/…`),
page_model.py (an entity's page), search.py (label search) and vocabulary_docs.py (the ontology's and the
shapes' documentation).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
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
MEMBERSHIP = _ns("org", "Membership")
MEMBERSHIP_PARTS = (_ns("org", "member"), _ns("org", "role"), _ns("org", "organization"))
ADDRESS = _ns("vcard", "Address")
ADDRESS_PARTS = (("street-address",), ("postal-code", "locality"), ("country-name",))
NARY = (MEMBERSHIP, _ns("bx", "Cooperation"))
PERIOD_PROPERTIES = (MEMBER_DURING, TEMPORAL)

LABELS = (PREF_LABEL, RDFS_LABEL, TITLE, FOAF_NAME)
#: The labels search.py looks in.
SEARCHED = (PREF_LABEL, ALT_LABEL, RDFS_LABEL, TITLE, FOAF_NAME, _ns("dcterms", "alternative"))
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
        named = self._composed_label(node, lang)
        if named is not None:
            return named
        short = compact(node.value)
        return TERM_LABELS.get(short, short), None

    def _composed_label(self, node: ox.NamedNode, lang: str) -> tuple[str, str | None] | None:
        """A name in words for the two kinds of node the data leaves unlabelled, so that no page shows a visitor
        `bxr:…`: a membership ("member · role · organisation") and a postal address (its lines)."""
        if self.is_a(node, (MEMBERSHIP,)):
            parts = [self.value(node, p) for p in MEMBERSHIP_PARTS]
            if any(p is None for p in parts):
                return None
            named = [self.label(p, lang) for p in parts]
            fallback = next((x for _, x in named if x and x != lang), None)  # the language a part fell back to
            return " · ".join(text for text, _ in named), fallback or lang
        if self.is_a(node, (ADDRESS,)):
            lines = [
                " ".join(v.value for v in (self.value(node, _ns("vcard", k)) for k in keys) if v is not None)
                for keys in ADDRESS_PARTS
            ]
            text = ", ".join(line for line in lines if line)
            return (text, None) if text else None
        return None

    def labels(self, node) -> dict[str, list[str]]:
        """Preferred labels by language, in LANGUAGES order then the others."""
        out: dict[str, list[str]] = {}
        for v in self.objects(node, PREF_LABEL) or self.objects(node, RDFS_LABEL):
            if isinstance(v, ox.Literal):
                out.setdefault(v.language or "", []).append(v.value)
        order = {lang: i for i, lang in enumerate(LANGUAGES)}
        return {k: sorted(out[k]) for k in sorted(out, key=lambda k: (order.get(k, 9), k))}
