"""The ontology is OWL 2 DL and consistent with the data: HermiT (shipped by owlready2, run on Java) accepts the
ontology and every data file and finds them consistent, and so does owlrl's OWL 2 RL closure; every term the
ontology and the data use is declared in the ontology with its OWL kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD

from benelux_graph.reasoning import inconsistencies

owlready2 = pytest.importorskip("owlready2")

ROOT = Path(__file__).resolve().parents[1]
KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))


def project_graph(settings) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in [settings.ontology_dir / "benelux.ttl", *sorted(settings.data_dir.glob("*.ttl"))]:
        g.parse(path, format="turtle")
    return g


def hermit(graph: rdflib.Graph, tmp_path: Path) -> owlready2.World:
    """Run HermiT over the graph (owlready2 reads N-Triples); raises what HermiT raises."""
    source = tmp_path / "graph.nt"
    graph.serialize(source, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(source.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


def test_hermit_accepts_the_ontology_and_data_and_finds_them_consistent(settings, tmp_path):
    world = hermit(project_graph(settings), tmp_path)
    assert list(world.inconsistent_classes()) == []


def test_hermit_accepts_the_ontology_alone(settings, tmp_path):
    ontology = rdflib.Graph().parse(settings.ontology_dir / "benelux.ttl", format="turtle")
    world = hermit(ontology, tmp_path)
    assert list(world.inconsistent_classes()) == []


def test_hermit_does_find_a_contradiction(settings, tmp_path):
    """The check can fail: a country typed as an organisation breaks the disjointness axioms."""
    broken = project_graph(settings)
    broken.add(
        (
            rdflib.URIRef("https://w3id.org/benelux-graph/id/belgium"),
            RDF.type,
            rdflib.URIRef("http://www.w3.org/ns/org#Organization"),
        )
    )
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(broken, tmp_path)


def test_hermit_refuses_a_datatype_outside_owl2(settings, tmp_path):
    """Why the date properties are annotation properties: a data property with an xsd:gYear value is refused."""
    broken = project_graph(settings)
    broken.add((rdflib.URIRef("https://w3id.org/benelux-graph/ontology#year"), RDF.type, OWL.DatatypeProperty))
    broken.add(
        (
            rdflib.URIRef("https://w3id.org/benelux-graph/id/belgium"),
            rdflib.URIRef("https://w3id.org/benelux-graph/ontology#year"),
            rdflib.Literal("2025", datatype=XSD.gYear),
        )
    )
    with pytest.raises(owlready2.OwlReadyJavaError, match="gYear"):
        hermit(broken, tmp_path)


def test_owlrl_closure_is_consistent(settings):
    assert inconsistencies(project_graph(settings)) == []


def test_every_used_term_is_declared(settings):
    """Each class and property the ontology and the data use is declared in the ontology with its OWL kind."""
    ontology = rdflib.Graph().parse(settings.ontology_dir / "benelux.ttl", format="turtle")
    declared = {s for kind in KINDS for s in ontology.subjects(RDF.type, kind)}
    graph = project_graph(settings)
    used = {p for p in graph.predicates()} | {c for c in graph.objects(None, RDF.type)}
    used |= {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf)
        for o in ontology.objects(None, p)
        if isinstance(o, rdflib.URIRef)
    }
    missing = sorted(str(t) for t in used - declared if not str(t).startswith(BUILT_IN))
    assert not missing, f"used but not declared in ontology/benelux.ttl: {missing}"


def test_no_term_has_two_kinds(settings):
    """OWL 2 DL: a property is an object, a datatype or an annotation property, never two of them."""
    ontology = rdflib.Graph().parse(settings.ontology_dir / "benelux.ttl", format="turtle")
    kinds = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    clashes = [
        str(s) for s in set(ontology.subjects(RDF.type, None)) if len(set(ontology.objects(s, RDF.type)) & kinds) > 1
    ]
    assert not clashes
