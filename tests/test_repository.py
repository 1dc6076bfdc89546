"""The repository's own data: every quote is in the seeds, the reasoner finds no contradiction, IRIs are tidy."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.namespace import RDF

from benelux_graph.namespaces import BASE, BX, OA, PROV
from benelux_graph.reasoning import inconsistencies
from benelux_graph.store import project_files


def normalise(text: str) -> str:
    """Whitespace folded, and the 2021-2024 leaflet's Markdown bold markers (**) dropped: they are layout."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@pytest.fixture(scope="module")
def seed_text(settings) -> dict[str, str]:
    return {p.name: normalise(p.read_text(encoding="utf-8")) for p in (settings.data_dir / "sources").glob("*.txt")}


def test_the_seeds_are_both_present(seed_text):
    assert sorted(seed_text) == ["common-work-programme-2021-2024.txt", "joint-work-programme-2025-2028.txt"]


def test_every_quote_occurs_verbatim_in_its_programme(store, seed_text, settings):
    documents = {
        "joint-work-programme-2025-2028": seed_text["joint-work-programme-2025-2028.txt"],
        "common-work-programme-2021-2024": seed_text["common-work-programme-2021-2024.txt"],
    }
    missing = []
    passages = list(store.data.subjects(RDF.type, BX.SourcePassage))
    assert len(passages) > 20
    for passage in passages:
        quote = normalise(str(store.data.value(passage, BX.quote)))
        document = str(store.data.value(passage, rdflib.URIRef("http://purl.org/dc/terms/isPartOf")))
        text = documents.get(document.rsplit("/", 1)[-1], "")
        start = store.data.value(passage, OA.start)
        if start is not None:  # a sentence of a ledger (a heading may be short): it must be at its offsets
            end = int(store.data.value(passage, OA.end))
            raw = (settings.data_dir / "sources" / (document.rsplit("/", 1)[-1] + ".txt")).read_text(encoding="utf-8")
            if normalise(raw[int(start) : end]) != quote:
                missing.append(f"{passage}: {quote[:80]!r} not at {start}-{end}")
        elif len(quote) < 20 or quote not in text:
            missing.append(f"{passage}: {quote[:80]!r}")
    assert not missing, "quotes not found in their document:\n" + "\n".join(missing)


def test_the_ontology_and_data_are_consistent_under_owl_rl(store):
    assert inconsistencies(store.data) == []


def test_the_reasoner_does_find_a_contradiction(store):
    broken = rdflib.Graph()
    for triple in store.data:
        broken.add(triple)
    belgium = rdflib.URIRef(BASE + "id/belgium")
    broken.add((belgium, RDF.type, BX.Country))
    broken.add((belgium, RDF.type, BX.LegalInstrument))
    assert any("Disjoint" in m and "belgium" in m for m in inconsistencies(broken))


def test_every_data_file_uses_the_configured_base(settings):
    for path in project_files(settings):
        text = path.read_text(encoding="utf-8")
        for iri in re.findall(r"<(https://w3id\.org/[^>]*)>", text):
            assert iri.startswith(BASE), f"{path.name}: {iri} is not under {BASE}"


def test_entities_are_never_blank_nodes(store):
    for s, _p, o in store.data.triples((None, PROV.wasDerivedFrom, None)):
        assert isinstance(s, rdflib.URIRef), f"a blank node carries provenance: {s} {o}"
    for s in store.data.subjects(RDF.type, None):
        if isinstance(s, rdflib.BNode):
            types = set(store.data.objects(s, RDF.type))
            assert types <= {rdflib.OWL.AllDisjointClasses}, f"blank node typed {types}"
