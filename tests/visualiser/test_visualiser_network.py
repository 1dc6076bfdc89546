"""network.to_network and analytics on small graphs written for each rule, and on the real data."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import rdflib

from benelux_graph import analytics
from benelux_graph.network import FilterError, UnknownNode, projection, to_network
from benelux_graph.network_selection import Filters, benelux_plus, resolve, resolve_country, select

ID = "https://w3id.org/benelux-graph/id/"
PREFIXES = """
@prefix bx: <https://w3id.org/benelux-graph/ontology#> .
@prefix bxr: <https://w3id.org/benelux-graph/id/> .
@prefix src: <https://w3id.org/benelux-graph/id/source/> .
@prefix role: <https://w3id.org/benelux-graph/id/role/> .
@prefix status: <https://w3id.org/benelux-graph/id/status/> .
@prefix theme: <https://w3id.org/benelux-graph/id/theme/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
bx:FederatedEntity rdfs:subClassOf bx:Region .
bx:Treaty rdfs:subClassOf bx:LegalInstrument .
"""


def net_of(turtle: str, **kwargs):
    graph = rdflib.Graph()
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return to_network(graph, **kwargs)


def edges(net, kind=None):
    return [
        (u.removeprefix(ID), v.removeprefix(ID), d)
        for u, v, d in net.edges(data=True)
        if kind is None or d["kind"] == kind
    ]


def test_a_membership_is_one_edge_in_the_direction_of_its_plain_triple():
    net = net_of("""
    bxr:a a bx:Country ; skos:prefLabel "A"@en , "Aa"@fr . bxr:o a bx:Body ; skos:prefLabel "O"@en .
    src:p1 a bx:SourcePassage ; bx:quote "A presides O."@en ; bx:sectionTitle "S" ; dcterms:isPartOf bxr:doc .
    bxr:o bx:presidencyHeldBy bxr:a .
    bxr:m a org:Membership ; org:member bxr:a ; org:organization bxr:o ; org:role role:presidency ;
        org:memberDuring bxr:p ; prov:wasDerivedFrom src:p1 .
    role:presidency skos:prefLabel "presidency"@en , "présidence"@fr .
    bxr:p a time:Interval ; time:hasBeginning bxr:y1 ; time:hasEnd bxr:y2 .
    bxr:y1 a time:Instant ; time:inXSDgYear "2025"^^xsd:gYear .
    bxr:y2 a time:Instant ; time:inXSDgYear "2026"^^xsd:gYear .
    """)
    assert set(net.nodes) == {ID + "a", ID + "o"}  # no membership, passage, period or year node
    [(u, v, d)] = edges(net)
    assert (u, v, d["kind"], d["begin"], d["end"]) == ("o", "a", "presidencyHeldBy", 2025, 2026)
    assert d["relationship"] == ID + "m" and d["sources"] == [ID + "source/p1"]
    assert d["label"] == {"en": "presidency", "fr": "présidence"}
    assert net.graph["passages"][ID + "source/p1"]["quote"] == "A presides O."


def test_a_cooperation_of_three_partners_is_three_edges_and_replaces_the_plain_triples():
    net = net_of("""
    bxr:benelux-union a bx:IntergovernmentalOrganisation . bxr:b a bx:FederatedEntity . bxr:c a bx:Country .
    bxr:t a bx:Treaty ; dcterms:issued "2008"^^xsd:gYear .
    bxr:benelux-union bx:cooperatesWith bxr:b , bxr:c . bxr:c bx:cooperatesWith bxr:b .
    bxr:coop a bx:Cooperation ; bx:partner bxr:benelux-union , bxr:b , bxr:c ; bx:basedOn bxr:t ;
        bx:cooperationStatus status:exploring ; bx:addressesTheme theme:energy .
    """)
    coop = edges(net, "cooperatesWith")
    assert {(u, v) for u, v, _ in coop} == {("benelux-union", "b"), ("benelux-union", "c"), ("c", "b")}
    assert all(
        d["relationship"] == ID + "coop"
        and d["begin"] == 2008
        and d["end"] is None
        and d["instruments"] == [ID + "t"]
        and d["themes"] == [ID + "theme/energy"]
        for _, _, d in coop
    )
    assert len(edges(net)) == 3  # basedOn, partner and the plain cooperatesWith are not drawn


def test_inverse_and_symmetric_triples_are_drawn_once():
    net = net_of("""
    bxr:u a bx:IntergovernmentalOrganisation . bxr:s a org:OrganizationalUnit . bxr:x a bx:Forum .
    bxr:u org:hasUnit bxr:s . bxr:s org:unitOf bxr:u .
    bxr:x bx:cooperatesWith bxr:u . bxr:u bx:cooperatesWith bxr:x .
    """)
    assert sorted((u, v, d["kind"]) for u, v, d in edges(net)) == [("s", "u", "unitOf"), ("u", "x", "cooperatesWith")]


def test_themes_are_attributes_or_nodes():
    turtle = """
    bxr:f a bx:Forum ; bx:addressesTheme theme:energy-transition .
    theme:energy a bx:Theme ; skos:prefLabel "energy"@en .
    theme:energy-transition a bx:Theme ; skos:prefLabel "energy transition"@en ; skos:broader theme:energy .
    """
    net = net_of(turtle)
    assert list(net.nodes) == [ID + "f"] and net.nodes[ID + "f"]["themes"] == [ID + "theme/energy-transition"]
    assert list(select(net, Filters(themes=("energy",)))) == [ID + "f"]  # narrower themes count
    with_nodes = net_of(turtle, themes_as_nodes=True)
    assert {d["category"] for _, d in with_nodes.nodes(data=True)} == {"forum", "theme"}
    assert [(u, v) for u, v, _ in edges(with_nodes, "addressesTheme")] == [("f", "theme/energy-transition")]


def test_plain_edges_cite_the_passages_that_name_the_other_end():
    net = net_of("""
    bxr:l a bx:Country ; skos:prefLabel "Luxembourg"@en ; prov:wasDerivedFrom src:c1 .
    bxr:g a bx:CrossBorderRegion ; skos:prefLabel "Greater Region"@en ; prov:wasDerivedFrom src:r1 .
    src:c1 a bx:SourcePassage ; bx:quote "Luxembourg is a country."@en .
    src:r1 a bx:SourcePassage ; bx:quote "The Greater Region, with Luxembourg in 2027."@en .
    bxr:l org:memberOf bxr:g .
    """)
    [(_, _, d)] = edges(net)
    assert d["sources"] == [ID + "source/r1"] and d["sources_basis"] == "mention"


def test_categories_and_classes():
    net = net_of("bxr:w a bx:FederatedEntity . bxr:t a bx:Treaty .")
    assert net.nodes[ID + "w"]["category"] == "region" and "Region" in net.nodes[ID + "w"]["classes"]
    assert [n for n in select(net, Filters(types=("LegalInstrument",)))] == [ID + "t"]
    with pytest.raises(FilterError):
        select(net, Filters(types=("Nonsense",)))


# ---- on the real data ----


def test_projection_is_cached_per_release(store):
    assert projection(store) is projection(store)

    @dataclass
    class Other:
        data: rdflib.Graph
        release: str

    other = projection(Other(store.data, store.release + "-changed"))
    assert other is not projection(store) and other.number_of_nodes() == projection(store).number_of_nodes()


def test_resolve(store):
    net = projection(store)
    assert resolve(net, "greater-region") == resolve(net, ID + "greater-region") == ID + "greater-region"
    assert resolve(net, "/id/greater-region") == ID + "greater-region"
    assert resolve_country(net, "lu") == resolve_country(net, "LUX") == ID + "luxembourg"
    with pytest.raises(UnknownNode):
        resolve(net, "membership-belgium-benelux-union")  # a relationship node is not a node


def test_every_cooperation_and_membership_of_the_data_is_an_edge(store):
    net = projection(store)
    relationships = {d["relationship"] for _, _, d in net.edges(data=True) if d["relationship"]}
    rdf = store.data
    org, bx = (
        rdflib.Namespace("http://www.w3.org/ns/org#"),
        rdflib.Namespace("https://w3id.org/benelux-graph/ontology#"),
    )
    expected = {str(s) for s in rdf.subjects(rdflib.RDF.type, org.Membership)} | {
        str(s) for s in rdf.subjects(rdflib.RDF.type, bx.Cooperation)
    }
    assert relationships == expected


def test_analytics_on_the_preset(store):
    net = benelux_plus(projection(store))
    betweenness = analytics.betweenness_centrality(net)
    assert max(betweenness, key=betweenness.get) == ID + "benelux-union"
    assert analytics.degree(net)[ID + "benelux-union"] > 15
    groups = analytics.communities(net)
    assert sorted(n for g in groups for n in g) == sorted(net.nodes)
    hops = analytics.shortest_path(projection(store), ID + "scheldt-council", ID + "benelux-union")
    assert [h.target for h in hops] == [ID + "secretariat-general", ID + "benelux-union"]
    assert analytics.shortest_path(net, ID + "belgium", ID + "belgium") == []


def test_no_path_between_unconnected_nodes():
    net = net_of("bxr:a a bx:Country . bxr:b a bx:Country .")
    with pytest.raises(analytics.NoPath):
        analytics.shortest_path(net, ID + "a", ID + "b")
    assert analytics.communities(net) == [[ID + "a"], [ID + "b"]]
