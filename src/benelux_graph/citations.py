"""Per-fact citations read out of the store (ontology/README.md, pattern 4): one service for the fact pages, the
source reader, the graph API's edge sources and the programme comparison.

A `bx:Fact` names a triple (rdf:subject/predicate/object) and has `bx:citation` nodes: a sentence passage
(`src:jwp-NNNN`) of a document with the stating span (oa:exact, file offsets), or an authority (no selector).
Built once per publication from its Index (what entity pages read), so it works over a remote store too.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .graph_index import Index
from .namespaces import BXR

BX = "https://w3id.org/benelux-graph/ontology#"
OA = "http://www.w3.org/ns/oa#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
N = ox.NamedNode
FACT, CITATION, SENTENCE = N(BX + "Fact"), N(BX + "citation"), N(BX + "sentence")
QUOTE, SECTION = N(BX + "quote"), N(BX + "sectionTitle")
HAS_SOURCE, HAS_SELECTOR, EXACT = N(OA + "hasSource"), N(OA + "hasSelector"), N(OA + "exact")
START, END = N(OA + "start"), N(OA + "end")
SUBJECT, PREDICATE, OBJECT, TYPE = (N(RDF + n) for n in ("subject", "predicate", "object", "type"))
SEE_ALSO = N("http://www.w3.org/2000/01/rdf-schema#seeAlso")
IS_PART_OF = N("http://purl.org/dc/terms/isPartOf")
FACT_PREFIX = str(BXR) + "fact/"


@dataclass
class Source:
    """One citation of a fact: a sentence of a document with the span stating it, or an authority."""

    citation: str
    document: str | None = None  # the document's IRI (programme), None for an authority
    passage: str | None = None  # the sentence passage's IRI (src:jwp-NNNN)
    sentence: str = ""  # the whole sentence
    exact: str = ""  # the shortest span stating the fact
    section: str = ""
    start: int | None = None  # file offsets of the span in data/sources/…
    end: int | None = None
    authority: str | None = None
    url: str | None = None  # the authority's reference page

    @property
    def anchor(self) -> str | None:
        """The sentence id (`jwp-0123`), the anchor of the sentence in the source reader."""
        return self.passage.rsplit("/", 1)[-1] if self.passage else None

    def as_json(self, fact: str, labels) -> dict:
        if self.authority is not None:
            return {
                "fact": fact,
                "authority": self.authority,
                "authority_label": labels(self.authority),
                "url": self.url,
            }
        return {
            "fact": fact,
            "passage": self.passage,
            "quote": self.exact,
            "sentence": self.sentence,
            "section": self.section,
            "document": self.document,
            "document_label": labels(self.document),
        }


@dataclass
class Fact:
    iri: str
    subject: ox.NamedNode
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.Literal
    sources: list[Source] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The IRI after `…/id/` (`fact/<s>.<p>.<o>`)."""
        return self.iri[len(str(BXR)) :]

    @property
    def documents(self) -> set[str]:
        return {s.document for s in self.sources if s.document}


class Citations:
    """Every fact of the store with its sources, by IRI, by triple and by sentence."""

    def __init__(self, index: Index):
        self.index = index
        self.facts: dict[str, Fact] = {}
        self.by_triple: dict[tuple[str, str, str], Fact] = {}
        self.by_sentence: dict[str, list[tuple[Fact, Source]]] = defaultdict(list)
        for node, pairs in index.out.items():
            if not isinstance(node, ox.NamedNode) or (TYPE, FACT) not in pairs:
                continue
            s, p, o = (index.value(node, x) for x in (SUBJECT, PREDICATE, OBJECT))
            if s is None or p is None or o is None:
                continue
            fact = Fact(
                node.value,
                s,
                p,
                o,
                sorted(
                    (self._source(c) for c in index.objects(node, CITATION)),
                    key=lambda x: (x.passage or "", x.authority or ""),
                ),
            )
            self.facts[node.value] = fact
            self.by_triple[(s.value, p.value, o.value)] = fact
            for src in fact.sources:
                if src.passage:
                    self.by_sentence[src.passage].append((fact, src))

    def _source(self, citation) -> Source:
        index = self.index
        has_source = index.value(citation, HAS_SOURCE)
        sentence = index.value(citation, SENTENCE)
        if sentence is None:
            url = index.value(has_source, SEE_ALSO) if has_source is not None else None
            return Source(
                citation.value,
                authority=has_source.value if has_source is not None else None,
                url=url.value if url is not None else None,
            )
        src = Source(
            citation.value, document=has_source.value if has_source is not None else None, passage=sentence.value
        )
        quote, section = index.value(sentence, QUOTE), index.value(sentence, SECTION)
        src.sentence = quote.value if quote is not None else ""
        src.section = section.value if section is not None else ""
        for selector in index.objects(citation, HAS_SELECTOR):
            if (exact := index.value(selector, EXACT)) is not None:
                src.exact = exact.value
            if (start := index.value(selector, START)) is not None and (end := index.value(selector, END)):
                src.start, src.end = int(start.value), int(end.value)
        if src.document is None:
            part = index.value(sentence, IS_PART_OF)
            src.document = part.value if part is not None else None
        return src

    def fact(self, iri: str) -> Fact | None:
        return self.facts.get(iri)

    def for_triple(self, s: str, p: str, o: str) -> Fact | None:
        return self.by_triple.get((s, p, o))


def marked(sentence: str, spans: list[tuple[str, object]]) -> list[tuple[str, list]]:
    """A sentence cut into pieces: (text, []) outside every span, (text, [payload, …]) inside the spans that
    cover it (overlapping spans split the text where they begin and end). `spans` are (exact, payload)."""
    cuts, covered = {0, len(sentence)}, []
    for exact, payload in spans:
        at = sentence.find(exact) if exact else -1
        if at >= 0:
            cuts |= {at, at + len(exact)}
            covered.append((at, at + len(exact), payload))
    edges = sorted(cuts)
    pieces: list = []
    for a, b in itertools.pairwise(edges):
        payloads = [p for s, e, p in covered if s <= a and b <= e]
        if pieces and pieces[-1][1] == payloads:  # same spans: one piece
            pieces[-1] = (pieces[-1][0] + sentence[a:b], payloads)
        else:
            pieces.append((sentence[a:b], payloads))
    return pieces
