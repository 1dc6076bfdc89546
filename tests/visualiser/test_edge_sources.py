"""Every edge of /api/graph carries its own sources (issue 12, part 9): the citations of the bx:Fact stating its
triple, each with the fact IRI, the sentence passage, the stating span as `quote`, the document and the section,
or the authority for common knowledge. Over HTTP against a real uvicorn server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import rdflib

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/benelux-graph/id/"
BX = rdflib.Namespace("https://w3id.org/benelux-graph/ontology#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")


@pytest.fixture(scope="module")
def edges(graph_server):
    body = httpx.get(graph_server.url + "/api/graph", timeout=60).json()
    return body["edges"] if "edges" in body else body["elements"]["edges"]


def data(edge: dict) -> dict:
    return edge.get("data", edge)


def test_a_cooperation_edge_quotes_the_spans_of_both_programmes(edges):
    nrw = [
        data(e)
        for e in edges
        if data(e)["kind"] == "cooperatesWith"
        and {data(e)["source"], data(e)["target"]} == {ID + "benelux-union", ID + "north-rhine-westphalia"}
    ]
    assert nrw
    sources = {s["passage"].rsplit("/", 1)[-1]: s for s in nrw[0]["sources"] if "fact" in s}
    assert set(sources) == {"cwp-0031", "jwp-0185"}
    jwp = sources["jwp-0185"]
    assert jwp["quote"] == "cooperation with North Rhine-Westphalia will be further deepened"
    assert jwp["fact"].startswith(ID + "fact/") and jwp["fact"].endswith("north-rhine-westphalia")
    assert jwp["document"] == ID + "joint-work-programme-2025-2028" and jwp["section"] == "BENELUX+ AND BEYOND"
    assert jwp["quote"] in jwp["sentence"]


def test_the_edges_own_sources_are_its_facts_citations_with_their_spans(edges):
    facts = rdflib.Graph().parse(ROOT / "data" / "facts.ttl")
    spans = {
        str(c): {str(e) for sel in facts.objects(c, OA.hasSelector) for e in facts.objects(sel, OA.exact)}
        for c in facts.subjects(rdflib.RDF.type, BX.Citation)
    }
    by_fact = {
        str(f): {str(c) for c in facts.objects(f, BX.citation)} for f in facts.subjects(rdflib.RDF.type, BX.Fact)
    }
    with_facts = [data(e) for e in edges if any("fact" in s for s in data(e)["sources"])]
    assert len(with_facts) > 50
    for edge in with_facts:
        own = [s for s in edge["sources"] if "fact" in s]
        assert edge["sources"][: len(own)] == own  # its own sources come first
        for s in own:
            assert s["fact"] in by_fact
            if "authority" not in s:
                cites = [c for c in by_fact[s["fact"]] if c.endswith("/" + s["passage"].rsplit("/", 1)[-1])]
                assert cites and s["quote"] in spans[cites[0]]


def test_every_edge_whose_triple_is_a_cited_fact_carries_its_citations(edges):
    facts = rdflib.Graph().parse(ROOT / "data" / "facts.ttl")
    stated = {
        (
            str(facts.value(f, rdflib.RDF.subject)),
            str(facts.value(f, rdflib.RDF.predicate)).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
            str(facts.value(f, rdflib.RDF.object)),
        ): str(f)
        for f in facts.subjects(rdflib.RDF.type, BX.Fact)
    }
    checked = 0
    for e in map(data, edges):
        fact = stated.get((e["source"], e["kind"], e["target"]))
        if fact is not None:
            assert fact in {s.get("fact") for s in e["sources"]}, (e["source"], e["kind"], e["target"])
            checked += 1
    assert checked > 50
