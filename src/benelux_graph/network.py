"""RDF -> networkx: which resources are nodes, which relations are edges, decided here and nowhere else.

`to_network(graph)` is the one projection. Its rules:

Nodes
    Every *entity*: an IRI under `…/id/` with an `rdf:type`, except the relationship nodes (`org:Membership`,
    `bx:Cooperation`), the source passages (`bx:SourcePassage`), periods and years (`time:Interval`,
    `time:Instant`), the concepts of the vocabularies (themes, roles, statuses: `skos:Concept`, `skos:ConceptScheme`)
    and addresses (`vcard:Address`). Node key = the full IRI. Attributes: `slug` (the IRI after `/id/`), `type`
    (the most specific asserted class, e.g. `FederatedEntity`), `types`, `category` (one of `CATEGORIES`, for the
    legend), `label` and `comment` ({lang: text}, from `skos:prefLabel`/`foaf:name` and `rdfs:comment`),
    `alt_labels` ({lang: [text]}), `themes` (theme IRIs of `bx:addressesTheme`), `identifiers` (ISO 3166 and
    NUTS codes, `rdfs:seeAlso`), `sources` (passage IRIs of `prov:wasDerivedFrom`), `programmes` (the work
    programmes its passages are part of, and its `bx:programme`), `begin`/`end` (years of `dcterms:temporal`),
    `issued` (year of `dcterms:issued` or `dcterms:created`), `expected` (`bx:expectedSigningYear`).

Edges (kind = the predicate's local name; a MultiDiGraph, so two kinds may join the same pair)
    * an `org:Membership` becomes one edge in the direction of its plain triple (ontology/README.md, pattern 2):
      member -memberOf-> organisation, member -participatesIn-> organisation, organisation -presidencyHeldBy->
      member, organisation -chairedBy-> member, organisation -secretariatProvidedBy-> member; another role gives
      member -membership-> organisation. Attributes `role`, `relationship` (the membership IRI), `begin`/`end`
      (the years of `org:memberDuring`), `sources`, and `label` = the role's label in four languages.
    * a `bx:Cooperation` with partners A, B (, C…) becomes one `cooperatesWith` edge per pair of partners, with
      `relationship`, `status`, `instruments` (`bx:basedOn`), `themes`, `sources`, and `begin` = the earliest
      `dcterms:issued` year of its instruments (README: "their dcterms:issued years say since when"; no end).
    * any other triple between two nodes is a plain edge, except `rdf:type`, `prov:wasDerivedFrom` and the
      shortcut `bx:programme` (kept as the node attribute `programmes`). Inverse pairs are drawn once, in one
      direction: `org:unitOf`, `org:siteOf`, `dcterms:isPartOf`, `bx:predecessorOf` (not hasUnit, hasSite,
      hasPart, successorOf); the symmetric `bx:cooperatesWith` once per pair.
    * a plain triple that a relationship node already states (`org:memberOf` beside a membership,
      `bx:cooperatesWith` beside a cooperation, …) is not drawn twice.
    * a plain triple with a cited `bx:Fact` (ontology/README.md, pattern 4) has the sentences that state it as
      `sources` (`sources_basis = "fact"`) and, when only programmes state it, the years of their periods as
      `begin`/`end` (a 2021-2024 statement is not one of all time); a cooperation without a period of its own
      gets the same from its `bx:cooperatesWith` fact. Otherwise its `sources` are the passages of either end
      that name the other end (any label, case-insensitive), with `sources_basis = "mention"`; relationship
      edges have `sources_basis = "relationship"`.
    * `weight` is 1, except `concerns` and the programme structure (`isPartOf`, `publisher`), weight 2, so that a
      shortest path prefers organisational links to a document's mentions.

Themes
    Themes are node and edge attributes (`themes`), and the `theme` filter follows `skos:broader` (a filter on
    `energy` keeps `energy-transition` too). With `themes_as_nodes=True` the projection also adds every theme as a
    node (category `theme`) with `addressesTheme` edges from the nodes that address it, for users who want to
    see topics as hubs; the cooperation edges keep their themes as attributes.

Graph attributes
    `passages` {IRI: {quote, section, document}}, `themes` {IRI: {label, broader}}, `concepts` {IRI: {label}}
    for roles and statuses, `labels` {IRI: {lang: text}} for programmes and kinds of edge.

`projection(store)` caches the projection per store release (the release changes when a file does). The
selections the API serves (network_selection.py: `select`, `benelux_plus`, `neighbourhood`) return new graphs and
never change it.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Iterable

import networkx as nx
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, SKOS, TIME
from rdflib.term import Node

from .errors import BeneluxGraphError
from .ledger import ROLE_PLAIN  # membership role -> its plain triple: one table for the data and the graph
from .namespaces import BX, BXR, OA, ORG, ROLE, SRC, STATUS, THEME, VCARD

LANGUAGES = ("en", "fr", "nl", "de")

#: Legend categories, in priority order: a node gets the first whose classes include one of its types.
CATEGORIES: tuple[tuple[str, tuple[URIRef, ...]], ...] = (
    ("person", (FOAF.Person,)),
    ("country", (BX.Country, BX.CountryGroup)),
    ("region", (BX.Region, BX.FederatedEntity, BX.AdministrativeRegion, BX.CrossBorderRegion)),
    ("forum", (BX.Forum, BX.Body)),
    (
        "organisation",
        (BX.IntergovernmentalOrganisation, ORG.FormalOrganization, ORG.OrganizationalUnit, ORG.Organization),
    ),
    (
        "instrument",
        (
            BX.LegalInstrument,
            BX.Treaty,
            BX.TreatyProvision,
            BX.JointDeclaration,
            BX.MemorandumOfUnderstanding,
            BX.ActionPlan,
            BX.EURegulation,
            BX.LegislativePackage,
        ),
    ),
    (
        "programme",
        (
            BX.WorkProgramme,
            BX.ProgrammeComponent,
            BX.ProgrammeChapter,
            BX.CentralTheme,
            BX.SubTheme,
            BX.Priority,
            BX.Action,
        ),
    ),
    ("initiative", (BX.Initiative, BX.Project, BX.Agenda, BX.Platform, BX.Service)),
    ("place", (BX.City, BX.Port, BX.GeographicFeature, ORG.Site, BX.Territory, DCTERMS.Location)),
)
CATEGORY_NAMES = tuple(name for name, _ in CATEGORIES) + ("other", "theme")

#: Types whose instances are never nodes.
NOT_NODES = {
    ORG.Membership,
    BX.Cooperation,
    BX.SourcePassage,
    TIME.Interval,
    TIME.Instant,
    TIME.TemporalEntity,
    SKOS.Concept,
    SKOS.ConceptScheme,
    BX.Theme,
    ORG.Role,
    BX.CooperationStatus,
    VCARD.Address,
    OWL.Ontology,
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    BX.Fact,
    BX.Citation,
    BX.Authority,
    OA.TextQuoteSelector,
    OA.TextPositionSelector,
}
#: IRI spaces that never hold nodes (passages, vocabularies).
NOT_NODE_SPACES = (str(SRC), str(THEME), str(ROLE), str(STATUS), str(BXR["fact/"]))

#: Predicates never drawn as edges.
NOT_EDGES = {RDF.type, PROV.wasDerivedFrom, BX.programme, BX.partner, BX.basedOn, BX.cooperationStatus, RDFS.seeAlso}
#: Inverse predicate -> the one drawn (with the ends swapped).
INVERSES = {
    ORG.hasUnit: ORG.unitOf,
    ORG.hasSite: ORG.siteOf,
    DCTERMS.hasPart: DCTERMS.isPartOf,
    BX.successorOf: BX.predecessorOf,
}
SYMMETRIC = {BX.cooperatesWith}
HEAVY_KINDS = {"concerns": 2.0, "isPartOf": 2.0, "publisher": 2.0}
IDENTIFIERS = {BX.iso3166Alpha2: "iso3166Alpha2", BX.iso3166Alpha3: "iso3166Alpha3", BX.nutsCode: "nutsCode"}
#: Labels of edge kinds that are not ontology properties of their own.
EXTRA_KIND_LABELS = {"membership": {"en": "membership"}, "addressesTheme": {"en": "addresses theme"}}


class NetworkError(BeneluxGraphError):
    """Base of the errors of graph selections."""


class UnknownNode(NetworkError):
    """No node of that IRI or slug."""


class FilterError(NetworkError):
    """A filter value that names nothing (an unknown type, theme, country or programme)."""


def local_name(iri: object) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def slug(iri: str) -> str:
    """The part of an IRI after `…/id/` (`greater-region`, `theme/energy`), or the IRI itself."""
    return iri.removeprefix(str(BXR))


def year_of(value) -> int | None:
    """The year of a gYear, gYearMonth, date or plain literal ("2019", "2025-01"), or None."""
    if value is None:
        return None
    m = re.match(r"^(-?\d{4})", str(value))
    return int(m.group(1)) if m else None


def lang_map(graph: rdflib.Graph, subject, *predicates) -> dict[str, str]:
    """{lang: text} from the first predicate that gives any; a literal without language counts as English."""
    for predicate in predicates:
        out: dict[str, str] = {}
        for value in sorted(graph.objects(subject, predicate), key=str):
            if isinstance(value, Literal):
                out.setdefault(value.language or "en", str(value))
        if out:
            return out
    return {}


def superclasses(graph: rdflib.Graph) -> dict[URIRef, set[URIRef]]:
    """Class -> itself and every superclass, from the ontology's rdfs:subClassOf."""
    parents: dict[URIRef, set[URIRef]] = {}
    for c, p in graph.subject_objects(RDFS.subClassOf):
        if isinstance(c, URIRef) and isinstance(p, URIRef):
            parents.setdefault(c, set()).add(p)
    closure: dict[URIRef, set[URIRef]] = {}

    def up(c: URIRef, seen: frozenset = frozenset()) -> set[URIRef]:
        if c in closure:
            return closure[c]
        out = {c}
        for p in parents.get(c, ()):
            if p not in seen:
                out |= up(p, seen | {c})
        closure[c] = out
        return out

    for c in list(parents):
        up(c)
    return closure


def category_of(types: Iterable[URIRef], closure: dict[URIRef, set[URIRef]]) -> str:
    expanded = set()
    for t in types:
        expanded |= closure.get(t, {t})
    for name, classes in CATEGORIES:
        if expanded & set(classes):
            return name
    return "other"


def is_node(graph: rdflib.Graph, iri, closure) -> bool:
    if not isinstance(iri, URIRef) or not str(iri).startswith(str(BXR)) or str(iri).startswith(NOT_NODE_SPACES):
        return False
    types = set(graph.objects(iri, RDF.type))
    if not types:
        return False
    for t in types:
        if closure.get(t, {t}) & NOT_NODES:
            return False
    return True


def interval_years(graph: rdflib.Graph, period) -> tuple[int | None, int | None]:
    """(begin, end) years of a time:Interval, or of a time:Instant (begin = end)."""
    if period is None:
        return None, None
    own = year_of(graph.value(period, TIME.inXSDgYear))
    if own is not None:
        return own, own
    begin = graph.value(period, TIME.hasBeginning)
    end = graph.value(period, TIME.hasEnd)
    return (
        year_of(graph.value(begin, TIME.inXSDgYear)) if begin is not None else None,
        year_of(graph.value(end, TIME.inXSDgYear)) if end is not None else None,
    )


def names_of(node: dict) -> set[str]:
    names = set(node["label"].values())
    for values in node["alt_labels"].values():
        names.update(values)
    return {n.casefold() for n in names if len(n) >= 3}


def fact_source(graph: rdflib.Graph, fact, citation, source) -> dict:
    """One citation of a fact: its sentence passage with the stating span, or its authority (pattern 4)."""
    sentence = graph.value(citation, BX.sentence)
    if sentence is None:
        return {
            "fact": str(fact),
            "authority": str(source) if source is not None else None,
            "url": str(graph.value(source, RDFS.seeAlso) or "") or None,
        }
    exact = next((str(e) for sel in graph.objects(citation, OA.hasSelector) for e in graph.objects(sel, OA.exact)), "")
    return {
        "fact": str(fact),
        "passage": str(sentence),
        "quote": exact,
        "sentence": str(graph.value(sentence, BX.quote) or ""),
        "section": str(graph.value(sentence, BX.sectionTitle) or ""),
        "document": str(source or ""),
    }


def to_network(graph: rdflib.Graph, themes_as_nodes: bool = False) -> nx.MultiDiGraph:
    """Project the RDF graph (ontology and data together) onto a networkx MultiDiGraph; see the module doc."""
    closure = superclasses(graph)
    net = nx.MultiDiGraph()

    # ---- what the nodes and edges refer to: passages, themes, roles and statuses, programmes ----
    passages = {}
    for p in graph.subjects(RDF.type, BX.SourcePassage):
        quote = lang_map(graph, p, BX.quote)
        passages[str(p)] = {
            "quote": quote.get("en") or next(iter(quote.values()), ""),
            "section": str(graph.value(p, BX.sectionTitle) or ""),
            "document": str(graph.value(p, DCTERMS.isPartOf) or ""),
        }
    themes = {}
    for theme in set(graph.subjects(RDF.type, BX.Theme)) | set(graph.objects(None, BX.addressesTheme)):
        themes[str(theme)] = {
            "label": lang_map(graph, theme, SKOS.prefLabel) or {"en": local_name(theme)},
            "broader": sorted(str(b) for b in graph.objects(theme, SKOS.broader)),
        }
    concepts = {
        str(c): {"label": lang_map(graph, c, SKOS.prefLabel) or {"en": local_name(c)}}
        for c in set(graph.objects(None, ORG.role)) | set(graph.objects(None, BX.cooperationStatus))
    }
    labels: dict[str, dict[str, str]] = {}
    for doc in {p["document"] for p in passages.values() if p["document"]} | {
        str(w) for w in graph.subjects(RDF.type, BX.WorkProgramme)
    }:
        labels[doc] = lang_map(graph, URIRef(doc), SKOS.prefLabel, DCTERMS.title) or {"en": slug(doc)}
    # the classes and properties that nodes' types and edges' kinds name by their local name: their IRI (for the
    # catalogue's `term <curie>` names) and the ontology's labels
    terms: dict[str, dict] = {}

    def name_term(iri: Node) -> None:
        terms.setdefault(local_name(iri), {"iri": str(iri), "label": lang_map(graph, iri, RDFS.label)})

    net.graph.update(passages=passages, themes=themes, concepts=concepts, labels=labels, terms=terms)

    # ---- nodes ----
    for s in sorted(set(graph.subjects(RDF.type, None)), key=str):
        if not is_node(graph, s, closure):
            continue
        types = sorted({t for t in graph.objects(s, RDF.type) if isinstance(t, URIRef)}, key=str)  # named classes
        most_specific = max(types, key=lambda t: (len(closure.get(t, {t})), str(t)))
        alt: dict[str, list[str]] = {}
        for value in sorted((v for v in graph.objects(s, SKOS.altLabel) if isinstance(v, Literal)), key=str):
            alt.setdefault(value.language or "en", []).append(str(value))
        sources = sorted(str(p) for p in graph.objects(s, PROV.wasDerivedFrom))
        programmes = {passages[p]["document"] for p in sources if p in passages and passages[p]["document"]}
        programmes |= {str(p) for p in graph.objects(s, BX.programme)}
        if BX.WorkProgramme in types:
            programmes.add(str(s))
        identifiers = {name: str(v) for pred, name in IDENTIFIERS.items() if (v := graph.value(s, pred))}
        see_also = sorted(str(v) for v in graph.objects(s, RDFS.seeAlso))
        if see_also:
            identifiers["seeAlso"] = see_also[0]
        begin, end = interval_years(graph, graph.value(s, DCTERMS.temporal))
        name_term(most_specific)
        net.add_node(
            str(s),
            slug=slug(str(s)),
            type=local_name(most_specific),
            types=[local_name(t) for t in types],
            category=category_of(types, closure),
            classes=sorted({local_name(c) for t in types for c in closure.get(t, {t})}),
            label=lang_map(graph, s, SKOS.prefLabel, FOAF.name, DCTERMS.title) or {"en": slug(str(s))},
            alt_labels=alt,
            comment=lang_map(graph, s, RDFS.comment),
            themes=sorted(str(t) for t in graph.objects(s, BX.addressesTheme)),
            identifiers=identifiers,
            sources=sources,
            programmes=sorted(programmes),
            begin=begin,
            end=end,
            issued=year_of(graph.value(s, DCTERMS.issued) or graph.value(s, DCTERMS.created)),
            expected=year_of(graph.value(s, BX.expectedSigningYear)),
        )

    kind_labels = {}

    def kind_label(predicate: Node) -> dict[str, str]:
        kind = local_name(predicate)
        name_term(predicate)
        if kind not in kind_labels:
            kind_labels[kind] = (
                lang_map(graph, predicate, RDFS.label)
                or EXTRA_KIND_LABELS.get(kind)
                or {"en": re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()}
            )
        return kind_labels[kind]

    stated: set[tuple[str, str, str]] = set()  # (subject, predicate, object) stated by a relationship node

    # ---- per-fact citations (ontology/README.md, pattern 4): the sentences and the programmes' periods ----
    cited: dict[tuple[str, str, str], dict] = {}
    for f in graph.subjects(RDF.type, BX.Fact):
        key = (str(graph.value(f, RDF.subject)), str(graph.value(f, RDF.predicate)), str(graph.value(f, RDF.object)))
        entry = cited.setdefault(key, {"sources": set(), "periods": [], "facts": []})
        for citation in sorted(graph.objects(f, BX.citation), key=str):
            entry["sources"].update(str(p) for p in graph.objects(citation, BX.sentence))
            document = graph.value(citation, OA.hasSource)
            entry["periods"].append(interval_years(graph, graph.value(document, DCTERMS.temporal)))
            entry["facts"].append(fact_source(graph, f, citation, document))

    def own_sources(key) -> list[dict]:
        """The citations of the fact stating the edge's triple (of its mirror, for a symmetric property)."""
        found = cited.get(key) or (cited.get((key[2], key[1], key[0])) if URIRef(key[1]) in SYMMETRIC else None)
        return found["facts"] if found else []

    def fact_period(key) -> tuple[int | None, int | None]:
        """The years the programmes stating a fact cover (none when an authority or a timeless source states it)."""
        periods = cited.get(key, {}).get("periods") or [(None, None)]
        if any(b is None or e is None for b, e in periods):
            return None, None
        return min(b for b, _ in periods), max(e for _, e in periods)

    # ---- memberships ----
    for m in sorted(graph.subjects(RDF.type, ORG.Membership), key=str):
        member, organisation = graph.value(m, ORG.member), graph.value(m, ORG.organization)
        if member is None or organisation is None or str(member) not in net or str(organisation) not in net:
            continue
        role = graph.value(m, ORG.role)
        plain, reverse = ROLE_PLAIN.get(role, (None, False))
        s, o = (organisation, member) if reverse else (member, organisation)
        kind = local_name(plain) if plain is not None else "membership"
        if plain is not None:
            stated.add((str(s), str(plain), str(o)))
        begin, end = interval_years(graph, graph.value(m, ORG.memberDuring))
        net.add_edge(
            str(s),
            str(o),
            key=str(m),
            kind=kind,
            fact_sources=own_sources((str(s), str(plain), str(o))) if plain is not None else [],
            label=concepts[str(role)]["label"] if role is not None else kind_label(ORG.Membership),
            relationship=str(m),
            role=str(role) if role is not None else None,
            status=None,
            instruments=[],
            themes=sorted(str(t) for t in graph.objects(m, BX.addressesTheme)),
            begin=begin,
            end=end,
            sources=sorted(str(p) for p in graph.objects(m, PROV.wasDerivedFrom)),
            sources_basis="relationship",
            weight=1.0,
        )

    # ---- cooperations ----
    for c in sorted(graph.subjects(RDF.type, BX.Cooperation), key=str):
        partners = sorted(
            (str(p) for p in graph.objects(c, BX.partner) if str(p) in net),
            key=lambda p: (p != str(BXR["benelux-union"]), p),
        )
        instruments = sorted(str(i) for i in graph.objects(c, BX.basedOn))
        since = [y for i in instruments if (y := year_of(graph.value(URIRef(i), DCTERMS.issued))) is not None]
        begin, end = interval_years(graph, graph.value(c, DCTERMS.temporal))
        status = graph.value(c, BX.cooperationStatus)
        for a, b in itertools.combinations(partners, 2):
            if (URIRef(b), BX.cooperatesWith, URIRef(a)) in graph and (
                URIRef(a),
                BX.cooperatesWith,
                URIRef(b),
            ) not in graph:
                a, b = b, a  # keep the direction the plain triple is written in
            stated.add((a, str(BX.cooperatesWith), b))
            stated.add((b, str(BX.cooperatesWith), a))
            net.add_edge(
                a,
                b,
                key=str(c),
                kind="cooperatesWith",
                label=kind_label(BX.cooperatesWith),
                relationship=str(c),
                fact_sources=own_sources((a, str(BX.cooperatesWith), b)),
                role=None,
                status=str(status) if status is not None else None,
                instruments=instruments,
                themes=sorted(str(t) for t in graph.objects(c, BX.addressesTheme)),
                begin=begin
                if begin is not None
                else (min(since) if since else fact_period((a, str(BX.cooperatesWith), b))[0]),
                end=end if end is not None else fact_period((a, str(BX.cooperatesWith), b))[1],
                sources=sorted(str(p) for p in graph.objects(c, PROV.wasDerivedFrom)),
                sources_basis="relationship",
                weight=1.0,
            )

    # ---- plain triples ----
    names = {n: names_of(d) for n, d in net.nodes(data=True)}
    drawn: set[tuple[str, str, str]] = set()
    for subject, p, obj in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if p in NOT_EDGES or str(subject) not in net or str(obj) not in net or not isinstance(obj, URIRef):
            continue
        if subject == obj or not isinstance(p, URIRef):
            continue
        if p in INVERSES:
            subject, p, obj = obj, INVERSES[p], subject
        frm, to = str(subject), str(obj)
        triple = (frm, str(p), to)
        if triple in stated or triple in drawn or (p in SYMMETRIC and (to, str(p), frm) in drawn | stated):
            continue
        drawn.add(triple)
        kind = local_name(p)
        basis: str | None
        if triple in cited and cited[triple]["sources"]:  # the sentences that state it
            begin, end = fact_period(triple)
            sources, basis = sorted(cited[triple]["sources"] & passages.keys()), "fact"
        else:  # the sentences of either end that name the other
            begin = end = None
            mentions = [
                q
                for q in net.nodes[frm]["sources"]
                if q in passages and any(n in passages[q]["quote"].casefold() for n in names[to])
            ]
            mentions += [
                q
                for q in net.nodes[to]["sources"]
                if q in passages and q not in mentions and any(n in passages[q]["quote"].casefold() for n in names[frm])
            ]
            sources, basis = sorted(mentions), "mention" if mentions else None
        net.add_edge(
            frm,
            to,
            key=kind,
            kind=kind,
            label=kind_label(p),
            relationship=None,
            role=None,
            status=None,
            instruments=[],
            themes=[],
            begin=begin,
            end=end,
            fact_sources=own_sources(triple),
            sources=sources,
            sources_basis=basis,
            weight=HEAVY_KINDS.get(kind, 1.0),
        )

    # ---- themes as nodes (optional) ----
    if themes_as_nodes:
        for t, info in themes.items():
            net.add_node(
                t,
                slug=slug(t),
                type="Theme",
                types=["Theme"],
                classes=["Theme"],
                category="theme",
                label=info["label"],
                alt_labels={},
                comment={},
                themes=[t],
                identifiers={},
                sources=[],
                programmes=[],
                begin=None,
                end=None,
                issued=None,
                expected=None,
            )
        for n, data in list(net.nodes(data=True)):
            for t in data["themes"]:
                if t != n and t in net:
                    net.add_edge(
                        n,
                        t,
                        key="addressesTheme",
                        kind="addressesTheme",
                        label=kind_label(BX.addressesTheme),
                        relationship=None,
                        role=None,
                        status=None,
                        instruments=[],
                        themes=[t],
                        begin=None,
                        end=None,
                        sources=[],
                        fact_sources=[],
                        sources_basis=None,
                        weight=1.0,
                    )
    net.graph["labels"].update({f"kind:{k}": v for k, v in kind_labels.items()})
    return net


# ------------------------------------------------------------------------------------------------------------
# The projection of a store, cached per release
# ------------------------------------------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[str, bool], nx.MultiDiGraph] = OrderedDict()
CACHE_SIZE = 4


def projection(store, themes_as_nodes: bool = False) -> nx.MultiDiGraph:
    """The projection of `store.data`, computed once per `store.release` (which changes with any file).

    Keyed by release, so two stores loaded from the same files share it and a changed file gets a new one.
    Treat the result as read-only.
    """
    key = (store.release, themes_as_nodes)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    net = to_network(store.data, themes_as_nodes=themes_as_nodes)
    net.graph["release"] = store.release
    _CACHE[key] = net
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return net
