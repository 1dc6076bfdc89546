"""What changed from the Common Work Programme 2021-2024 to the Joint Work Programme 2025-2028: the themes,
partners, bodies and instruments each programme's sentences state facts about (per-fact citations,
citations.py), each new, continued or dropped, with the quote of each side.

An entity belongs to a programme when a fact naming it (as subject or object; for partners, a
`bx:cooperatesWith` fact) is cited to a sentence of that programme.
"""

from __future__ import annotations

import pyoxigraph as ox

from .citations import TYPE, Citations
from .namespaces import BXR

BX = "https://w3id.org/benelux-graph/ontology#"
OLD, NEW = str(BXR) + "common-work-programme-2021-2024", str(BXR) + "joint-work-programme-2025-2028"
COOPERATES = BX + "cooperatesWith"
UNION = str(BXR) + "benelux-union"
INSTRUMENTS = {
    BX + n
    for n in (
        "LegalInstrument",
        "Treaty",
        "TreatyProvision",
        "JointDeclaration",
        "MemorandumOfUnderstanding",
        "ActionPlan",
        "EURegulation",
        "LegislativePackage",
        "ImplementationAgreement",
        "LegalFramework",
    )
}
KINDS = {"themes": {BX + "Theme"}, "bodies": {BX + "Body", BX + "Forum"}, "instruments": INSTRUMENTS}


def kind_of(citations: Citations, node) -> str | None:
    types = {t.value for t in citations.index.objects(node, TYPE) if isinstance(t, ox.NamedNode)}
    return next((k for k, classes in KINDS.items() if types & classes), None)


def comparison(citations: Citations, label) -> dict:
    """{kind: {"new"|"continued"|"dropped": [{iri, label, old: [quote…], new: [quote…]}]}}, sorted by label.
    `label(iri)` names an entity; a quote is {fact, passage, quote, section}."""
    found: dict[str, dict[str, dict[str, list]]] = {k: {} for k in ("themes", "partners", "bodies", "instruments")}

    def add(kind: str, node, fact, source) -> None:
        sides = found[kind].setdefault(node.value, {OLD: [], NEW: []})
        if source.document in sides and len(sides[source.document]) < 3:  # a few quotes are enough to show it
            quote = {
                "fact": fact.iri,
                "passage": source.passage,
                "quote": source.exact,
                "section": source.section,
                "document": source.document,
            }
            if quote not in sides[source.document]:
                sides[source.document].append(quote)

    for fact in citations.facts.values():
        for source in fact.sources:
            if source.document not in (OLD, NEW):
                continue
            if fact.predicate.value == COOPERATES:
                for node in (fact.subject, fact.object):
                    if isinstance(node, ox.NamedNode) and node.value != UNION:
                        add("partners", node, fact, source)
            for node in (fact.subject, fact.object):
                if isinstance(node, ox.NamedNode) and (kind := kind_of(citations, node)) is not None:
                    add(kind, node, fact, source)

    out = {}
    for kind, entities in found.items():
        groups: dict[str, list] = {"new": [], "continued": [], "dropped": []}
        for iri, sides in entities.items():
            status = "continued" if sides[OLD] and sides[NEW] else "new" if sides[NEW] else "dropped"
            groups[status].append({"iri": iri, "label": label(iri), "old": sides[OLD], "new": sides[NEW]})
        out[kind] = {k: sorted(v, key=lambda e: e["label"].casefold()) for k, v in groups.items()}
    return out
