"""The sentence ledgers (data/ledger/*.yaml) and the per-fact citations they give (data/facts.ttl).

A programme ledger lists every sentence of one source text in reading order, with the facts it states and, for
each, the shortest verbatim span that states it; `authorities.yaml` cites common knowledge (codes, which country
a region lies in) to a named authority. `build()` turns them into statement nodes (ontology/README.md, "Pattern 4"):

    bxr:fact/<subject>.<predicate>.<object>  a bx:Fact ; rdf:subject/rdf:predicate/rdf:object ; bx:citation ...
    <fact>/<sentence-id>  a bx:Citation (oa:SpecificResource) with a TextQuoteSelector and a TextPositionSelector
                          (Unicode code points into data/sources/<file>.txt)

`benelux-graph facts` writes data/facts.ttl; `--check` fails when it is out of date or a ledger is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
import yaml
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS
from rdflib.term import Node

from .errors import BeneluxGraphError
from .namespaces import BASE, BX, BXR, OA, ORG, PREFIXES, ROLE, SRC, bind_prefixes

FACT = Namespace(BASE + "id/fact/")
GENERATED = "facts.ttl"
REASONS = {"context", "no-actor", "policy-detail", "heading", "duplicate"}
#: Characters a source may hold outside any sentence: layout (whitespace, Markdown markers, bullets).
LAYOUT = re.compile(r"[\s#*|\-–•]*")
CONTEXT = 32  # characters of prefix and suffix in a TextQuoteSelector
#: Ledger entities not adopted into the graph (yet): neither they nor their facts are stated. (A new cooperation
#: status needs the closed list of ontology/shapes/relationships.ttl extended first.)
NOT_ADOPTED: set = set()
#: The scheme a new concept of a ledger belongs to, by its class.
SCHEMES = {BX.Theme: BXR["themes"], BX.CooperationStatus: BXR["cooperation-statuses"]}
#: Prefixes of the authority datasets data/links-*.ttl point at: a ledger may use them (`nuts:BE2`), and a fact
#: IRI names a code by them (`…/fact/flanders.skos-exactMatch.nuts-BE2`). Not in the project's prefix map: the
#: data only links to these tables, it does not describe them.
AUTHORITY_PREFIXES = {
    "country": "http://publications.europa.eu/resource/authority/country/",
    "resource-type": "http://publications.europa.eu/resource/authority/resource-type/",
    "nuts": "http://data.europa.eu/nuts/code/",
}


class LedgerError(BeneluxGraphError):
    """A ledger that does not match its source, or names a term the project does not know."""


def normalise(text: str) -> str:
    """Whitespace runs as one space, Markdown bold markers dropped: how ledger texts and quotes are compared."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@dataclass
class Source:
    """A source text and its normalised form, with the offset in the file of every normalised character."""

    path: Path
    text: str = ""
    norm: str = ""
    offsets: list[int] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Source:
        text = path.read_text(encoding="utf-8")
        norm: list[str] = []
        offsets: list[int] = []
        i, space = 0, False
        while i < len(text):
            if text.startswith("**", i):
                i += 2
                continue
            if text[i].isspace():
                space = bool(norm)
                i += 1
                continue
            if space:
                norm.append(" ")
                offsets.append(i - 1)
                space = False
            norm.append(text[i])
            offsets.append(i)
            i += 1
        return cls(path, text, "".join(norm), offsets)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """File offsets [start, end) of the normalised span [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass
class Cited:
    """One fact as one sentence (or authority) states it."""

    s: URIRef
    p: URIRef
    o: rdflib.term.Node
    sentence: str  # ledger id, or authority id
    quote: str = ""
    start: int = 0  # normalised offsets of the quote in the source
    end: int = 0
    document: URIRef | None = None
    source: Source | None = None
    note: str = ""


def expand(name: str, where: str) -> URIRef:
    """A prefixed name of the project's prefix map (or a full IRI) as an IRI."""
    if name.startswith("<") and name.endswith(">"):
        name = name[1:-1]
        if re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|^`\\]+", name):
            return URIRef(name)
    if name.startswith(("http://", "https://")):
        return URIRef(name)
    prefix, _, local = name.partition(":")
    namespace = PREFIXES.get(prefix) or AUTHORITY_PREFIXES.get(prefix)
    if namespace is None or not local:
        raise LedgerError(f"{where}: '{name}' is not a prefixed name of the project's prefixes")
    return URIRef(namespace + local)


def term(value, where: str) -> rdflib.term.Node:
    if isinstance(value, dict):
        if "value" not in value:
            raise LedgerError(f"{where}: a literal needs 'value'")
        datatype = expand(value["datatype"], where) if value.get("datatype") else None
        return Literal(str(value["value"]), lang=value.get("lang"), datatype=datatype)
    if not isinstance(value, str):
        raise LedgerError(f"{where}: expected a prefixed name or a literal, got {value!r}")
    return expand(value, where)


def slug(node) -> str:
    text = str(node)
    for code_prefix, code_ns in AUTHORITY_PREFIXES.items():
        if text.startswith(code_ns) and len(text) > len(code_ns):
            return code_prefix + "-" + re.sub(r"[^A-Za-z0-9_-]+", "-", text[len(code_ns) :]).strip("-")
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)) and prefix not in ("bxr", "bx"):
            return (prefix + "-" if prefix in ("theme", "role", "status", "src") else "") + re.sub(
                r"[^A-Za-z0-9_-]+", "-", text[len(str(ns)) :]
            ).strip("-")
    if text.startswith(str(BXR)):
        text = text[len(str(BXR)) :]
    elif text.startswith(str(BX)):
        text = text[len(str(BX)) :]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def predicate_slug(p: URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if str(p).startswith(str(ns)):
            local = str(p)[len(str(ns)) :]
            return local if prefix == "bx" else f"{prefix}-{local}"
    return slug(p)


def fact_iri(s, p, o) -> URIRef:
    return FACT[f"{slug(s)}.{predicate_slug(p)}.{slug(o)}"]


@dataclass
class Ledgers:
    """Every ledger read and checked: the sentences with their passages, the cited facts, the new entities."""

    sentences: dict[str, dict] = field(default_factory=dict)  # id -> {text, section, document, start, end, source}
    cited: list[Cited] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    authorities: dict[str, dict] = field(default_factory=dict)
    uncovered: dict[str, list[str]] = field(default_factory=dict)  # source file -> text outside every sentence


def read_programme(path: Path, root: Path, ledgers: Ledgers) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = path.name
    for key in ("document", "source", "sentences"):
        if key not in data:
            raise LedgerError(f"{where}: needs '{key}'")
    document = expand(data["document"], where)
    source = Source.read(root / data["source"])
    cursor, gaps = 0, []
    for n, sentence in enumerate(data["sentences"] or []):
        sid = sentence.get("id", "")
        at = f"{where}: sentence {sid or n + 1}"
        if not re.fullmatch(r"(jwp|cwp)-\d{4}", sid):
            raise LedgerError(f"{at}: id must be jwp-NNNN or cwp-NNNN")
        if sid in ledgers.sentences:
            raise LedgerError(f"{at}: id used twice")
        text = normalise(str(sentence.get("text", "")))
        start = source.norm.find(text, cursor) if text else -1
        if start < 0:
            raise LedgerError(f"{at}: text not found in {data['source']} after the previous sentence: {text[:80]!r}")
        gap = source.norm[cursor:start]
        if not LAYOUT.fullmatch(gap):
            gaps.append(gap.strip(" #*|-–•"))
        cursor = start + len(text)
        facts = sentence.get("facts") or []
        reason = sentence.get("reason")
        if not facts and reason not in REASONS:
            raise LedgerError(f"{at}: a sentence without facts needs a reason ({', '.join(sorted(REASONS))})")
        ledgers.sentences[sid] = {
            "text": text,
            "section": str(sentence.get("section", "")),
            "document": document,
            "start": start,
            "end": cursor,
            "source": source,
        }
        for k, fact in enumerate(facts):
            fat = f"{at}, fact {k + 1}"
            quote = normalise(str(fact.get("quote", "")))
            offset = text.find(quote) if quote else -1
            if offset < 0:
                raise LedgerError(f"{fat}: quote is not part of the sentence's text: {quote[:80]!r}")
            for key in ("s", "p", "o"):
                if key not in fact:
                    raise LedgerError(f"{fat}: needs '{key}'")
            ledgers.cited.append(
                Cited(
                    expand(fact["s"], fat),
                    expand(fact["p"], fat),
                    term(fact["o"], fat),
                    sid,
                    quote,
                    start + offset,
                    start + offset + len(quote),
                    document,
                    source,
                    str(fact.get("note", "")),
                )
            )
    tail = source.norm[cursor:]
    if not LAYOUT.fullmatch(tail):
        gaps.append(tail.strip(" #*|-–•"))
    ledgers.uncovered[data["source"]] = gaps
    for entity in data.get("entities") or []:
        entity = dict(entity, ledger=where)
        ledgers.entities.append(entity)


def read_authorities(path: Path, ledgers: Ledgers) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = path.name
    for authority in data.get("authorities") or []:
        for key in ("id", "label", "url"):
            if key not in authority:
                raise LedgerError(f"{where}: authority {authority.get('id', '?')} needs '{key}'")
        ledgers.authorities[authority["id"]] = authority
    for k, fact in enumerate(data.get("facts") or []):
        fat = f"{where}: fact {k + 1}"
        if fact.get("authority") not in ledgers.authorities:
            raise LedgerError(f"{fat}: authority {fact.get('authority')!r} is not listed under 'authorities'")
        for key in ("s", "p", "o"):
            if key not in fact:
                raise LedgerError(f"{fat}: needs '{key}'")
        objects = fact["o"] if isinstance(fact["o"], list) else [fact["o"]]
        for o in objects:
            ledgers.cited.append(
                Cited(
                    expand(fact["s"], fat),
                    expand(fact["p"], fat),
                    term(o, fat),
                    fact["authority"],
                    note=str(fact.get("note", "")),
                )
            )


def read_ledgers(root: Path) -> Ledgers:
    ledgers = Ledgers()
    folder = root / "data" / "ledger"
    try:
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "authorities.yaml":
                continue
            read_programme(path, root, ledgers)
        if (folder / "authorities.yaml").exists():
            read_authorities(folder / "authorities.yaml", ledgers)
    except yaml.YAMLError as e:
        raise LedgerError(f"ledger YAML: {e}") from None
    return ledgers


def hand_data(root: Path) -> rdflib.Graph:
    """The ontology and the hand-written data files (everything but the generated facts.ttl)."""
    g = rdflib.Graph()
    g.parse(root / "ontology" / "benelux.ttl")
    for path in sorted((root / "data").glob("*.ttl")):
        if path.name != GENERATED:
            g.parse(path)
    return g


#: Membership role -> (plain predicate, True when the plain triple runs organisation -> member): pattern 2.
ROLE_PLAIN: dict[Node | None, tuple[URIRef, bool]] = {
    ROLE.member: (ORG.memberOf, False),
    ROLE.participant: (BX.participatesIn, False),
    ROLE.presidency: (BX.presidencyHeldBy, True),
    ROLE.chair: (BX.chairedBy, True),
    ROLE.secretariat: (BX.secretariatProvidedBy, True),
}


def membership_periods(g: rdflib.Graph) -> dict[tuple, set]:
    """Plain triple -> the periods (org:memberDuring) of the membership nodes it is the plain form of."""
    out: dict[tuple, set] = {}
    for m in g.subjects(ORG.memberDuring, None):
        plain, reverse = ROLE_PLAIN.get(g.value(m, ORG.role), (None, False))
        member, organisation = g.value(m, ORG.member), g.value(m, ORG.organization)
        if plain is not None and member is not None and organisation is not None:
            key = (organisation, plain, member) if reverse else (member, plain, organisation)
            out.setdefault(key, set()).update(g.objects(m, ORG.memberDuring))
    return out


#: Inverse pairs the reused vocabularies define but ontology/benelux.ttl does not restate.
INVERSES = {DCTERMS.hasPart: DCTERMS.isPartOf, ORG.hasUnit: ORG.unitOf, ORG.hasSite: ORG.siteOf}
INVERSES.update({v: k for k, v in INVERSES.items()})


def mirrored(g: rdflib.Graph, p: URIRef) -> Node | None:
    """The property whose triples mirror p's (its inverse, or p itself when symmetric), if any."""
    if (p, RDF.type, OWL.SymmetricProperty) in g:
        return p
    return INVERSES.get(p) or g.value(p, OWL.inverseOf) or g.value(None, OWL.inverseOf, p)


def build(root: Path) -> rdflib.Graph:
    """The citation graph of the ledgers: fact nodes, citations, selectors, sentence passages, authorities, and
    the ledger's facts and entities that the hand-written data does not state yet."""
    ledgers = read_ledgers(root)
    data = hand_data(root)
    out = rdflib.Graph()
    bind_prefixes(out)
    periods = membership_periods(data)
    used = {c.sentence for c in ledgers.cited} | {e.get("sentence") for e in ledgers.entities}
    for sid, sentence in ledgers.sentences.items():
        if sid not in used:  # a heading or context: in the ledger, but nothing of the graph derives from it
            continue
        passage = SRC[sid]
        out.add((passage, RDF.type, BX.SourcePassage))
        out.add((passage, DCTERMS.isPartOf, sentence["document"]))
        out.add((passage, BX.sectionTitle, Literal(sentence["section"])))
        out.add((passage, BX.quote, Literal(sentence["text"], lang="en")))
        begin, end = sentence["source"].span(sentence["start"], sentence["end"])
        out.add((passage, OA.start, Literal(begin)))
        out.add((passage, OA.end, Literal(end)))
    for aid, authority in ledgers.authorities.items():
        node = BXR["authority-" + aid]
        out.add((node, RDF.type, BX.Authority))
        out.add((node, SKOS.prefLabel, Literal(authority["label"], lang="en")))
        out.add((node, RDFS.seeAlso, URIRef(authority["url"])))
        if authority.get("comment"):
            out.add((node, RDFS.comment, Literal(authority["comment"], lang="en")))
    for entity in ledgers.entities:
        where = f"{entity['ledger']}: entity {entity.get('iri')}"
        iri = expand(entity["iri"], where)
        if (iri, None, None) in data or iri in NOT_ADOPTED:
            continue
        cls = expand(entity["type"], where)
        out.add((iri, RDF.type, cls))
        if cls in SCHEMES:
            out.add((iri, SKOS.inScheme, SCHEMES[cls]))
        for lang, label in (entity.get("labels") or {}).items():
            out.add((iri, SKOS.prefLabel, Literal(label, lang=lang)))
        if entity.get("sentence"):
            out.add((iri, PROV.wasDerivedFrom, SRC[entity["sentence"]]))
    for cited in ledgers.cited:
        if {cited.s, cited.o} & NOT_ADOPTED:
            continue
        triples: list[tuple[Node, Node, Node]] = [(cited.s, cited.p, cited.o)]
        mirror = mirrored(data, cited.p)
        if mirror is not None and not isinstance(cited.o, Literal):
            triples.append((cited.o, mirror, cited.s))
        for s, p, o in triples:
            if (s, p, o) not in data and (p == cited.p or mirror == p):
                out.add((s, p, o))  # a fact the ledger gives and the hand-written data lacks
            add_citation(out, s, p, o, cited)
            for period in periods.get((s, p, o), ()):  # a presidency holds in its period, not for all time
                out.add((fact_iri(s, p, o), DCTERMS.temporal, period))
        if cited.p == DCTERMS.isPartOf:  # bx:programme is a shortcut over isPartOf: the same span states it
            for programme in data.objects(cited.s, BX.programme):
                add_citation(out, cited.s, BX.programme, programme, cited)
    return out


def add_citation(out: rdflib.Graph, s, p, o, cited: Cited) -> None:
    fact = fact_iri(s, p, o)
    out.add((fact, RDF.type, BX.Fact))
    out.add((fact, RDF.subject, s))
    out.add((fact, RDF.predicate, p))
    out.add((fact, RDF.object, o))
    citation = URIRef(f"{fact}/{cited.sentence}")
    out.add((fact, BX.citation, citation))
    out.add((citation, RDF.type, BX.Citation))
    if cited.note:
        out.add((citation, RDFS.comment, Literal(cited.note, lang="en")))
    if cited.source is None:  # common knowledge: the authority is the source
        out.add((citation, OA.hasSource, BXR["authority-" + cited.sentence]))
        return
    out.add((fact, PROV.wasDerivedFrom, SRC[cited.sentence]))
    assert cited.document is not None  # a sentence ledger names its document
    out.add((citation, OA.hasSource, cited.document))
    out.add((citation, BX.sentence, SRC[cited.sentence]))
    norm = cited.source.norm
    quote = URIRef(f"{citation}/quote")
    out.add((citation, OA.hasSelector, quote))
    out.add((quote, RDF.type, OA.TextQuoteSelector))
    out.add((quote, OA.exact, Literal(cited.quote, lang="en")))
    out.add((quote, OA.prefix, Literal(norm[max(0, cited.start - CONTEXT) : cited.start])))
    out.add((quote, OA.suffix, Literal(norm[cited.end : cited.end + CONTEXT])))
    position = URIRef(f"{citation}/position")
    begin, end = cited.source.span(cited.start, cited.end)
    out.add((citation, OA.hasSelector, position))
    out.add((position, RDF.type, OA.TextPositionSelector))
    out.add((position, OA.start, Literal(begin)))
    out.add((position, OA.end, Literal(end)))


HEADER = """# GENERATED by `benelux-graph facts` from data/ledger/*.yaml: do not edit; edit the ledgers and run it again.
# Per-fact provenance (ontology/README.md, pattern 4): every fact a ledger names, as a bx:Fact statement node
# with one bx:Citation per sentence (or authority) that states it; the sentences as src:jwp-NNNN/src:cwp-NNNN
# passages; and the ledgers' facts and entities the hand-written data/*.ttl do not state.

"""


def render(root: Path) -> str:
    return HEADER + build(root).serialize(format="turtle")


def write(root: Path) -> Path:
    path = root / "data" / GENERATED
    path.write_text(render(root), encoding="utf-8")
    return path


def is_current(root: Path) -> bool:
    path = root / "data" / GENERATED
    return path.exists() and path.read_text(encoding="utf-8") == render(root)
